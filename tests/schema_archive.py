"""A small archive with a known history, built directly with ArchiveWriter (no crawl), on
a fixed clock: what the examples of docs/schema.md, search and export are checked against.

Run 1 (crawl, 2015-12-01): seven articles, one page failing (500).
Run 2 (crawl, 2016-06-01): an answer and a body edited (``fem-spoergsmaal``), a date
corrected (``haandbog``), one article removed (404, ``lommepenge``), one moved
(``kortlaegning`` → ``kortlaegning-2018``), one new (``ny-strategi``); two pages failing
(``sundhed`` answers 503, an unknown URL 500).
Run 3 (reparse, 2016-06-02): a newer extractor finds the category of ``frivillighed``.

Raw pages are the JSON of the record, so the reparse reads them back with a stand-in
extractor (``changes_archive.json_extract``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

from changes_archive import json_extract, page

from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.archive.reparse import reparse_archive
from cfbu_crawler.archive.store import ArchiveWriter
from cfbu_crawler.extract import Extraction

BASE = "https://cfbu.dk/nyheder/"
CLOCKED = (
    "cfbu_crawler.archive.store",
    "cfbu_crawler.archive.reparse",
    "cfbu_crawler.archive.lock",
)
RUN_TIMES = {
    1: datetime(2015, 12, 1, 10, 0),
    2: datetime(2016, 6, 1, 10, 0),
    3: datetime(2016, 6, 2, 9, 0),
}


def url(slug: str) -> str:
    return f"{BASE}{slug}/"


class Clock:
    """A clock that stands still until it is set: every reading in a run is the same."""

    def __init__(self) -> None:
        self.now = datetime(2015, 1, 1)

    def set(self, when: datetime) -> None:
        self.now = when

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def frozen(clock: Clock) -> Iterator[None]:
    with ExitStack() as stack:
        for module in CLOCKED:
            stack.enter_context(mock.patch(f"{module}.utcnow", clock))
        yield


def article(
    slug: str,
    title: str,
    published: str,
    paragraphs: list[str],
    *,
    qa: list[tuple[str, str]] = (),  # type: ignore[assignment]
    category: str | None = "nyheder",
) -> dict[str, Any]:
    pairs = [{"question": q, "answer": a} for q, a in qa]
    body = "\n\n".join([*paragraphs, *(f"{q}\n\n– {a}" for q, a in qa)])
    return {
        "url": url(slug),
        "title": title,
        "breadcrumb": ["Hjem", "Nyheder", title],
        "category": category,
        "published": published,
        "lead": paragraphs[0],
        "body": body,
        "qa": pairs,
    }


TROVAERDIGE = article(
    "de-trovaerdige-voksne",
    "DE TROVÆRDIGE VOKSNE I HØJE TAASTRUP",
    "2015-11-30",
    ["Ungdomscaféerne i Høje Taastrup giver de unge troværdige voksne at tale med."],
    qa=[
        ("Hvad gør caféerne?", "De giver beboere og unge et sted at mødes."),
        ("Hvorfor virker det?", "Fordi de voksne er der hver uge."),
    ],
)
SUNDHED = article(
    "sundhed-i-oejenhoejde",
    "SUNDHED I ØJENHØJDE",
    "2015-06-10",
    ["Sundhedsprojektet møder beboerne i øjenhøjde.", "Projektet kører i tre år."],
)
FRIVILLIGHED = article(
    "frivillighed-er-ikke-gratis",
    "FRIVILLIGHED ER IKKE GRATIS",
    "2014-03-01",
    ["Frivillige beboere bærer meget af arbejdet."],
    qa=[("Hvad koster frivillighed?", "Tid, kaffe og en koordinator, siger beboerne.")],
    category=None,
)
LOMMEPENGE = article(
    "evaluering-af-lommepengeprojekter",
    "EVALUERING AF LOMMEPENGEPROJEKTER",
    "2015-09-01",
    ["Lommepengeprojekter giver unge deres første job."],
)
KORTLAEGNING = article(
    "kortlaegning-af-tryghed",
    "KORTLÆGNING AF TRYGHED I ALMENE BOLIGOMRÅDER",
    "2013-05-02",
    ["Tryghed er steget i de fleste boligområder."],
)
HAANDBOG = article(
    "haandbog-i-dataindsamling",
    "HÅNDBOG I BOLIGSOCIAL DATAINDSAMLING",
    "2017-02-14",
    ["En håndbog om at samle data i boligområder."],
)
FEM_SPOERGSMAAL = article(
    "fem-spoergsmaal-til-en-koordinator",
    "FEM SPØRGSMÅL TIL EN KOORDINATOR",
    "2015-04-20",
    ["CFBU har stillet fem spørgsmål til en koordinator i Vollsmose."],
    qa=[
        ("Hvad laver du?", "Jeg koordinerer indsatsen, f.eks. lektiecaféen."),
        ("Hvad mangler I?", "Penge til lektiecaféen, sagde borgmesteren."),
        ("Hvad nu?", "Vi fortsætter."),
    ],
)
FEM_SPOERGSMAAL_2 = article(
    "fem-spoergsmaal-til-en-koordinator",
    "FEM SPØRGSMÅL TIL EN KOORDINATOR",
    "2015-04-20",
    ["CFBU har stillet fem spørgsmål til en koordinator i Vollsmose."],
    qa=[
        ("Hvad laver du?", "Jeg koordinerer indsatsen, f.eks. lektiecaféen."),
        ("Hvad mangler I?", "Flere frivillige."),
        ("Hvad nu?", "Vi fortsætter."),
    ],
)
NY_STRATEGI = article(
    "ny-strategi",
    "NY STRATEGI FOR CFBU 2016–2019",
    "2016-05-20",
    ["CFBU har en ny strategi."],
)
RUN1 = [TROVAERDIGE, SUNDHED, FRIVILLIGHED, LOMMEPENGE, KORTLAEGNING, HAANDBOG, FEM_SPOERGSMAAL]


def newer_extractor(html: str | bytes, page_url: str, encoding: str | None = None) -> Extraction:
    """Run 3's extractor: reads the category the old one missed."""
    data = json.loads(html if isinstance(html, str) else html.decode(encoding or "utf-8"))
    if data.get("category") is None:
        data["category"] = "nyheder"
    return json_extract(json.dumps(data), page_url, encoding)


def _fetched(record: dict[str, Any], when: datetime, **kwargs: Any) -> Any:
    fetched = page(record, **kwargs)
    fetched.fetched_at = when
    return fetched


def build(path: Path) -> Path:
    """Build the archive at ``path`` (see the module's docstring); returns ``path``."""
    clock = Clock()
    engine = open_engine(str(path), create=True)
    try:
        with frozen(clock):
            writer = ArchiveWriter(engine, extractor_version="test-1")
            # Run 1
            clock.set(RUN_TIMES[1])
            writer.begin_run(start_url=BASE, full=False, settings={})
            for record in RUN1:
                writer.record_page(_fetched(record, clock()))
            writer.record_outcome(url("gammel-fejl"), "error", status=500, error="HTTP 500")
            clock.set(RUN_TIMES[1].replace(minute=5))
            writer.finish_run("complete", reason="finished", listing_complete=True)
            # Run 2
            clock.set(RUN_TIMES[2])
            writer.begin_run(start_url=BASE, full=False, settings={})
            for record in (TROVAERDIGE, FRIVILLIGHED, FEM_SPOERGSMAAL_2, NY_STRATEGI):
                writer.record_page(_fetched(record, clock()))
            writer.record_page(_fetched({**HAANDBOG, "published": "2017-02-21"}, clock()))
            moved = {**KORTLAEGNING, "url": url("kortlaegning-af-tryghed-2018")}
            writer.record_page(
                _fetched(
                    moved, clock(), requested=KORTLAEGNING["url"], redirects=[KORTLAEGNING["url"]]
                )
            )
            writer.record_outcome(LOMMEPENGE["url"], "gone", status=404)
            writer.record_outcome(SUNDHED["url"], "error", status=503, error="HTTP 503")
            writer.record_outcome(url("ukendt-artikel"), "error", status=500, error="HTTP 500")
            clock.set(RUN_TIMES[2].replace(minute=5))
            writer.finish_run("complete", reason="finished", listing_complete=True)
            # Run 3
            clock.set(RUN_TIMES[3])
            reparse_archive(engine, extract=newer_extractor, extractor_version="test-2")
    finally:
        close_engine(engine)
    return path


__all__ = ["BASE", "RUN_TIMES", "build", "url"]
