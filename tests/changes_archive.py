"""Archives built directly with ArchiveWriter (no crawling) for the diff, history, reparse
and change-command tests.

Raw pages are the JSON of the record, so a test extractor can read them back
(``json_extract``) and ``cfbu reparse`` can be exercised without HTML.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cfbu_crawler.archive.db import open_engine
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
from cfbu_crawler.extract import Extraction

BASE = "https://cfbu.dk/nyheder/"
EXTRACTOR = "test-1"


def url(slug: str) -> str:
    return f"{BASE}{slug}/"


def record(
    slug: str,
    *,
    title: str | None = None,
    body: str | None = None,
    qa: list[dict[str, str]] | None = None,
    published: str = "2015-11-30",
    breadcrumb: list[str] | None = None,
    category: str | None = "nyheder",
) -> dict[str, Any]:
    title = title if title is not None else f"Artikel {slug}"
    body = body if body is not None else f"Første afsnit om {slug}.\n\nAndet afsnit om {slug}."
    return {
        "url": url(slug),
        "title": title,
        "breadcrumb": breadcrumb if breadcrumb is not None else ["Hjem", "Nyheder", title],
        "category": category,
        "published": published,
        "lead": body.split("\n\n")[0] if body else None,
        "body": body,
        "qa": qa or [],
    }


def interview_record(answer: str) -> dict[str, Any]:
    qa = [
        {"question": "Hvad laver du?", "answer": "Jeg koordinerer indsatsen."},
        {"question": "Hvad er svært?", "answer": answer},
    ]
    body = "\n\n".join(f"{p['question']}\n\n– {p['answer']}" for p in qa)
    return record("b-interview", body="Et interview.\n\n" + body, qa=qa)


def page(
    rec: dict[str, Any], *, requested: str | None = None, redirects: list[str] | None = None
) -> FetchedPage:
    return FetchedPage(
        requested_url=requested or rec["url"],
        final_url=rec["url"],
        identity_url=rec["url"],
        status=200,
        record=rec,
        raw=json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8"),
        content_type="text/html; charset=utf-8",
        encoding="utf-8",
        redirect_urls=redirects or [],
    )


def json_extract(html: str | bytes, page_url: str, encoding: str | None = None) -> Extraction:
    """A stand-in extractor: the raw pages of these archives are JSON records."""
    data = html if isinstance(html, str) else html.decode(encoding or "utf-8")
    return Extraction.from_dict(json.loads(data))


def open_db(path: Path | str) -> Engine:
    return open_engine(str(path), create=True)


def writer(engine: Engine) -> ArchiveWriter:
    return ArchiveWriter(engine, extractor_version=EXTRACTOR)


def run(
    engine: Engine,
    pages: list[FetchedPage],
    *,
    gone: tuple[str, ...] | list[str] = (),
    status: str = "complete",
) -> int:
    """One crawl run recording ``pages`` and 404s for ``gone``, finished with ``status``."""
    w = writer(engine)
    run_id = w.begin_run(start_url=BASE, full=False, settings={})
    for p in pages:
        w.record_page(p)
    for g in gone:
        w.record_outcome(g, "gone", status=404)
    w.finish_run(status, reason="finished" if status == "complete" else status)
    return run_id


RUN1_SLUGS = ("a-body", "c-title", "d-date", "e-gone", "f-old", "g-same", "i-old")


def run1_records() -> list[dict[str, Any]]:
    records = [record(s) for s in RUN1_SLUGS]
    records.append(interview_record("Det er at finde tid."))
    return records


def run2_pages() -> list[FetchedPage]:
    """Run 2: an edited body, an edited answer, an edited title, a corrected date, a new
    article, a moved one, a moved and edited one, an unchanged one (e-gone is a 404)."""
    return [
        page(record("a-body", body="Første afsnit om a-body.\n\nAndet afsnit, nu rettet.")),
        page(interview_record("Det er at finde tid og penge.")),
        page(record("c-title", title="Ny titel for c")),
        page(record("d-date", published="2015-12-01")),
        page(record("h-new", title="Helt ny artikel")),
        page(
            {**record("f-old"), "url": url("f-new")},
            requested=url("f-old"),
            redirects=[url("f-old")],
        ),
        page(
            {
                **record("i-old", body="Første afsnit om i-old.\n\nFlyttet og ændret."),
                "url": url("i-new"),
            },
            requested=url("i-old"),
            redirects=[url("i-old")],
        ),
        page(record("g-same")),
    ]


def build(path: Path | str) -> Engine:
    """Run 1 (8 articles) and run 2 (the changes of ``run2_pages``), both complete."""
    engine = open_db(path)
    run(engine, [page(r) for r in run1_records()])
    run(engine, run2_pages(), gone=[url("e-gone")])
    return engine
