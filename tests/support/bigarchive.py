"""Large archives made fast (bulk inserts, no crawl) for the export memory test and the
benchmarks in bench/: N articles, each with V versions of ~1.2 kB of Danish text (words
drawn from the demo's articles; each version rewrites one paragraph), one Q&A pair, a
breadcrumb, an alias and one observation per version, over V complete crawl runs.
The search index is rebuilt at the end (bulk inserts bypass the archive's writer)."""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from datetime import datetime, timedelta
from importlib import resources

from sqlalchemy import Engine, insert

from cfbu_crawler.archive import search
from cfbu_crawler.archive.models import (
    Article,
    ArticleURL,
    BreadcrumbItem,
    Observation,
    QAPair,
    Run,
    Version,
)

START = datetime(2015, 1, 1, 8, 0)
CHUNK = 2000


@functools.cache
def corpus() -> tuple[str, ...]:
    """Every word of the demo's articles, as often as it occurs there (so generated text
    has Danish words in a natural mix: ~3,700 words, ~1,200 distinct)."""
    words: list[str] = []
    for entry in sorted(resources.files("cfbu_crawler.demo").joinpath("snapshot").iterdir()):
        if entry.name.endswith(".json"):
            for paragraph_ in json.loads(entry.read_text(encoding="utf-8"))["paragraphs"]:
                words += re.findall(r"[^\W_]+", str(paragraph_.get("text", "")))
    return tuple(words)


def paragraph(seed: int, words: int = 40) -> str:
    rng = random.Random(seed)
    text = " ".join(rng.choice(corpus()) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def fill(engine: Engine, *, articles: int, versions: int = 1, index: bool = True) -> None:
    """Add ``versions`` runs holding ``articles`` articles (each changed in every run);
    ``index=False`` leaves the search index empty (for tests that do not search)."""
    with engine.begin() as conn:
        for run in range(1, versions + 1):
            when = START + timedelta(days=run)
            conn.execute(
                insert(Run),
                [
                    {
                        "id": run,
                        "kind": "crawl",
                        "status": "complete",
                        "started_at": when,
                        "finished_at": when + timedelta(hours=1),
                        "full": False,
                        "settings": {},
                        "software_version": "bench",
                        "extractor_version": "bench",
                        "requests": 0,
                        "bytes_received": 0,
                        "pages": articles,
                        "new": articles if run == 1 else 0,
                        "changed": 0 if run == 1 else articles,
                        "unchanged": 0,
                        "removed": 0,
                        "moved": 0,
                        "errors": 0,
                        "listing_complete": True,
                        "warnings": [],
                    }
                ],
            )
        for first in range(0, articles, CHUNK):
            ids = range(first + 1, min(first + CHUNK, articles) + 1)
            _articles(conn, ids, versions)
    if index:
        search.rebuild_index(engine)


def _articles(conn, ids: range, versions: int) -> None:
    last = START + timedelta(days=versions)
    conn.execute(
        insert(Article),
        [
            {
                "id": i,
                "key": f"cfbu.dk/nyheder/artikel-{i}/",
                "url": f"https://cfbu.dk/nyheder/artikel-{i}/",
                "slug": f"artikel-{i}",
                "status": "live",
                "first_seen": START,
                "last_seen": last,
                "first_run_id": 1,
                "last_run_id": versions,
            }
            for i in ids
        ],
    )
    conn.execute(
        insert(ArticleURL),
        [
            {
                "article_id": i,
                "key": f"cfbu.dk/nyheder/page/{i % 9 + 1}/nyhed/artikel-{i}",
                "url": f"https://www.cfbu.dk/nyheder/page/{i % 9 + 1}/nyhed/artikel-{i}",
                "first_seen": START,
                "last_seen": last,
            }
            for i in ids
        ],
    )
    rows, pairs, crumbs, observations = [], [], [], []
    for i in ids:
        for number in range(1, versions + 1):
            version_id = (i - 1) * versions + number
            title = f"ARTIKEL {i}: {corpus()[i % len(corpus())].upper()} (VERSION {number})"
            # Each version rewrites one of the four paragraphs, as an edit does.
            body = "\n\n".join(
                paragraph(i * 10 + k + (1000003 * number if k == number % 4 else 0))
                for k in range(4)
            )
            qa = [{"question": "Hvad er vigtigst?", "answer": paragraph(i, 20)}]
            content = {"title": title, "body": body, "qa": qa}
            rows.append(
                {
                    "id": version_id,
                    "article_id": i,
                    "number": number,
                    "run_id": number,
                    "created_at": START + timedelta(days=number),
                    "cause": "site",
                    "changed_fields": [] if number == 1 else ["title", "body"],
                    "content_hash": hashlib.sha256(json.dumps(content).encode()).hexdigest(),
                    "extractor_version": "bench",
                    "url": f"https://cfbu.dk/nyheder/artikel-{i}/",
                    "title": title,
                    "breadcrumb": ["Hjem", "Nyheder", title],
                    "category": "nyheder",
                    "published": f"20{10 + i % 10}-0{1 + i % 9}-1{i % 10}",
                    "lead": body.split("\n\n")[0],
                    "body": body,
                    "qa": qa,
                    "missing": [],
                }
            )
            pairs.append({"version_id": version_id, "position": 0, **qa[0]})
            crumbs += [
                {"version_id": version_id, "position": p, "label": label}
                for p, label in enumerate(("Hjem", "Nyheder", title))
            ]
            observations.append(
                {
                    "run_id": number,
                    "article_id": i,
                    "url": f"https://cfbu.dk/nyheder/artikel-{i}/",
                    "status_code": 200,
                    "fetched_at": START + timedelta(days=number),
                    "outcome": "new" if number == 1 else "changed",
                    "version_id": version_id,
                    "bytes": len(body),
                }
            )
    conn.execute(insert(Version), rows)
    conn.execute(insert(QAPair), pairs)
    conn.execute(insert(BreadcrumbItem), crumbs)
    conn.execute(insert(Observation), observations)


__all__ = ["fill", "paragraph"]
