"""How long `cfbu --help`, `cfbu runs` and `cfbu crawl --help` take, against the bare
interpreter's start-up (the floor).

The command line loads its commands lazily, so help needs neither Scrapy nor the archive;
`cfbu runs` reads an SQLite archive whose schema is current through ``sqlite3`` alone
(no SQLAlchemy, Alembic or models). The target is an answer in under 0.3 s. Each figure
is the median of N fresh processes, measured in one run; `cfbu runs` reads a small
archive written here with ``ArchiveWriter`` (two runs).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def small_archive(path: Path) -> None:
    """An archive with two complete runs of one article each."""
    from cfbu_crawler.archive.db import close_engine, open_engine
    from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage

    engine = open_engine(str(path), create=True)
    writer = ArchiveWriter(engine, extractor_version="bench")
    url = "https://cfbu.dk/nyheder/a/"
    for body in ("one", "two"):
        writer.begin_run(start_url="https://cfbu.dk/nyheder/", full=False, settings={})
        record = {"url": url, "title": "A", "published": "2020-01-01", "body": body}
        writer.record_page(
            FetchedPage(
                requested_url=url,
                final_url=url,
                identity_url=url,
                status=200,
                record=record,
                raw=body.encode(),
            )
        )
        writer.finish_run("complete", reason="finished", listing_complete=True)
    close_engine(engine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="processes per figure")
    args = parser.parse_args(argv)
    python = [sys.executable]
    cfbu = [*python, "-m", "cfbu_crawler"]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "a.sqlite3"
        small_archive(db)
        rows = [
            ("python -c pass", [*python, "-c", "pass"]),
            ("cfbu --help", [*cfbu, "--help"]),
            ("cfbu runs", [*cfbu, "runs", "--db", str(db)]),
            ("cfbu runs --json", [*cfbu, "runs", "--json", "--db", str(db)]),
            ("cfbu crawl --help", [*cfbu, "crawl", "--help"]),
            ("import sqlalchemy (for scale)", [*python, "-c", "import sqlalchemy.orm"]),
            ("import scrapy (for scale)", [*python, "-c", "import scrapy.crawler"]),
        ]
        floor = None
        print(f"{'':30} {'median s':>9} {'vs python':>10}")
        for label, command in rows:
            seconds = median_seconds(command, args.runs)
            floor = floor or seconds
            print(f"{label:30} {seconds:9.3f} {seconds / floor:9.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
