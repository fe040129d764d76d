"""Size and speed of the full-text search indexes on generated archives.

For each archive size: the database's size, the space each index takes (FTS5's shadow
tables, from SQLite's ``dbstat``), the space a second, self-storing FTS5 table of every
version would take instead of the external-content ``versions_fts`` (built in a copy,
then measured), the time to rebuild both indexes, and the time of a few searches. The
archives come from tests/support/bigarchive.py (two versions per article, ~1.2 kB of
Danish text per version, each version rewriting one paragraph).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.bigarchive import fill  # noqa: E402

from cfbu_crawler.archive import search  # noqa: E402
from cfbu_crawler.archive.db import close_engine, open_engine  # noqa: E402

LIMIT = 20  # hits shown, as `cfbu search` by default
QUERIES = ["beboerne", "lektiecaféen", "BOLIGOMRÅDET", "unge*", '"de unge"', "f.eks."]
SELF_STORING = """
CREATE VIRTUAL TABLE stored_fts USING fts5(
    title, lead, body, questions, answers, breadcrumb, category,
    tokenize = 'unicode61 remove_diacritics 0'
);
INSERT INTO stored_fts (rowid, title, lead, body, questions, answers, breadcrumb, category)
SELECT id, title, lead, body, questions, answers, breadcrumb, category FROM versions_text;
"""


def sizes(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall()
    finally:
        con.close()
    return dict(rows)


def index_bytes(by_table: dict[str, int], prefix: str) -> int:
    return sum(size for name, size in by_table.items() if name.startswith(prefix + "_"))


def mib(n: float) -> str:
    return f"{n / 2**20:7.1f} MiB"


def timed_search(engine, request: search.SearchRequest, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        search.search(engine, request)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="articles per archive")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for articles in [int(n) for n in options.sizes.split(",")]:
            db = Path(tmp) / f"archive-{articles}.sqlite3"
            engine = open_engine(str(db), create=True)
            fill(engine, articles=articles, versions=2)
            started = time.perf_counter()
            counts = search.rebuild_index(engine)
            rebuilt = time.perf_counter() - started
            latency = {
                q: (
                    timed_search(engine, search.SearchRequest(q, limit=LIMIT)),
                    timed_search(engine, search.SearchRequest(q, limit=LIMIT, all_versions=True)),
                )
                for q in QUERIES
            }
            close_engine(engine)
            with sqlite3.connect(db) as con:
                con.execute("VACUUM")
            by_table = sizes(db)
            total = db.stat().st_size
            copy = Path(tmp) / "copy.sqlite3"
            shutil.copy(db, copy)
            con = sqlite3.connect(copy)
            con.executescript(SELF_STORING)
            con.commit()
            con.close()
            stored = index_bytes(sizes(copy), "stored_fts")
            copy.unlink()
            versions_text = by_table.get("versions", 0)
            print(
                f"\n{articles:,} articles, {counts['versions']:,} versions: database {mib(total)}"
            )
            print(f"  versions table (all text, JSON columns)   {mib(versions_text)}")
            latest = index_bytes(by_table, "latest_versions_fts")
            every = index_bytes(by_table, "versions_fts")
            print(
                f"  latest_versions_fts (stores its text)      {mib(latest)}"
                f"  {latest / total:5.1%} of the database"
            )
            print(
                f"  versions_fts (external content)           {mib(every)}"
                f"  {every / total:5.1%} of the database"
            )
            print(
                f"  a self-storing FTS of every version        {mib(stored)}"
                f"  {stored / every:4.1f}x the external-content index"
            )
            print(f"  rebuild of both indexes: {rebuilt:.2f}s")
            print(f"  search, best {LIMIT} hits (best of 5):  latest   all versions")
            for q, (ms_latest, ms_all) in latency.items():
                print(f"    {q:<34} {ms_latest:8.1f} ms {ms_all:8.1f} ms")


if __name__ == "__main__":
    main()
