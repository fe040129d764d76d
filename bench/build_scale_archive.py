"""Build (once) an archive far larger than the site: N articles in three versions, written
through the project's own archive code, for bench/archive_scale.py and bench/reparse_speed.py.

Pages come from bench/bigsite.py's ``ScaleSite`` (the demo's four markups, any number of
articles) and are extracted with ``extract_article`` in worker processes, as a crawl
extracts them; the parent records them with ``ArchiveWriter`` (``record_page``, in batched
transactions, as the crawl's archive writer does), run by run:

1. a first crawl: every article new (version 1);
2. a crawl after every article was edited (version 2);
3. another such crawl (version 3);
4. an unchanged re-crawl (same bytes: observations only);
5. a re-crawl after ``--edited`` percent of the articles were edited (version 4 of those).

So ``cfbu diff`` of the last two runs compares an unchanged crawl with one of a few edits,
as on a real site. The archive is kept (default /work/scratch/cfbu-scale/N.sqlite3, or
``$CFBU_SCALE_DIR``) and rebuilt only with ``--rebuild``; ``--json`` prints what was
measured while building it (the size before and after the unchanged re-crawl, row counts).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bigsite import ScaleSite  # noqa: E402

BASE_URL = "https://cfbu.dk"
SCALE_DIR = Path(os.environ.get("CFBU_SCALE_DIR", "/work/scratch/cfbu-scale"))
TABLES = (
    "runs",
    "articles",
    "article_urls",
    "versions",
    "breadcrumb_items",
    "qa_pairs",
    "observations",
    "raw_pages",
)


def default_path(articles: int) -> Path:
    return SCALE_DIR / f"scale-{articles}.sqlite3"


def version_in_run(i: int, run: int, every: int) -> int:
    """The version of article ``i`` that run ``run`` (1-5) finds on the site."""
    if run <= 3:
        return run
    if run == 5 and every and i % every == every // 2:
        return 4
    return 3


_SITE = ScaleSite(BASE_URL)


def pages(pool: Any, articles: int, run: int, every: int) -> Iterator[tuple[Any, ...]]:
    """Every article's page in this run, rendered here and extracted by the pool (with
    ``extract_article`` itself, which any worker can import), in order."""
    from cfbu_crawler.extract import extract_article
    from cfbu_crawler.record import missing_fields

    block = 2000
    for start in range(0, articles, block):
        rendered = [
            _SITE.page(i, version_in_run(i, run, every))
            for i in range(start, min(start + block, articles))
        ]
        encodings = [ctype.split("charset=")[-1] for _, _, ctype in rendered]
        results = pool.map(
            extract_article,
            [body for _, body, _ in rendered],
            [url for url, _, _ in rendered],
            encodings,
            chunksize=32,
        )
        for (url, body, ctype), encoding, result in zip(rendered, encodings, results, strict=True):
            record = result.record()
            yield url, body, ctype, encoding, record, missing_fields(record)


def counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # noqa: S608
    finally:
        con.close()


def file_size(path: Path) -> int:
    """The archive's size on disk: the database, and its WAL if one is left."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def checkpoint(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def complete_crawls(path: Path) -> int:
    """How many crawls of an unfinished build completed (0 for no archive)."""
    if not path.exists():
        return 0
    con = sqlite3.connect(path)
    try:
        row = con.execute("SELECT count(*) FROM runs WHERE status = 'complete'").fetchone()
        return int(row[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        con.close()


def build(
    path: Path, articles: int, edited: float, workers: int, *, resume: bool = False
) -> dict[str, Any]:
    """Build the archive; with ``resume``, go on with an unfinished build after its last
    complete crawl (a crawl cut short is left as a killed crawl leaves it: the next run
    marks it interrupted)."""
    from cfbu_crawler.archive.db import close_engine, open_engine
    from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
    from cfbu_crawler.extract import EXTRACTOR_VERSION
    from cfbu_crawler.procpool import worker_pool

    path.parent.mkdir(parents=True, exist_ok=True)
    done = complete_crawls(path) if resume else 0
    if not done:
        for leftover in (
            path,
            path.with_name(path.name + "-wal"),
            path.with_name(path.name + "-shm"),
        ):
            leftover.unlink(missing_ok=True)
    every = round(100 / edited) if edited else 0
    info: dict[str, Any] = {"articles": articles, "edited_percent": edited, "runs": []}
    if done:
        info["resumed_after_run"] = done
    engine = open_engine(str(path), create=True)
    pool = worker_pool(workers)
    try:
        for run in range(done + 1, 6):
            if run == 4:
                checkpoint(path)
                info["before_unchanged"] = {"bytes": file_size(path), "rows": counts(path)}
            started = time.perf_counter()
            writer = ArchiveWriter(
                engine, extractor_version=EXTRACTOR_VERSION, batch_seconds=5, batch_pages=1000
            )
            writer.begin_run(start_url=f"{BASE_URL}/nyheder/", full=True, settings={})
            outcomes: dict[str, int] = {}
            for url, body, ctype, encoding, record, missing in pages(pool, articles, run, every):
                outcome = writer.record_page(
                    FetchedPage(
                        requested_url=url,
                        final_url=url,
                        identity_url=url,
                        status=200,
                        record=record,
                        raw=body,
                        content_type=ctype,
                        encoding=encoding,
                        missing=missing,
                    )
                )
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
            writer.finish_run("complete", reason="finished", listing_complete=True)
            seconds = time.perf_counter() - started
            info["runs"].append({"run": run, "seconds": round(seconds, 1), "outcomes": outcomes})
            print(f"run {run}: {outcomes} in {seconds:.0f} s", file=sys.stderr, flush=True)
            if run == 4:
                checkpoint(path)
                info["after_unchanged"] = {"bytes": file_size(path), "rows": counts(path)}
    finally:
        pool.shutdown()
        close_engine(engine)
    checkpoint(path)
    info["bytes"] = file_size(path)
    info["rows"] = counts(path)
    path.with_suffix(".json").write_text(json.dumps(info, indent=2))
    return info


def ensure(
    articles: int,
    *,
    path: Path | None = None,
    edited: float = 1.0,
    rebuild: bool = False,
    workers: int | None = None,
    resume: bool = False,
) -> tuple[Path, dict[str, Any]]:
    """The scale archive of ``articles`` articles, built if it is not there yet."""
    from cfbu_crawler.procpool import available_cores

    path = path or default_path(articles)
    meta = path.with_suffix(".json")
    if rebuild or not path.exists() or not meta.exists():
        build(path, articles, edited, workers or available_cores(), resume=resume and not rebuild)
    return path, json.loads(meta.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--edited", type=float, default=1.0, help="percent edited in run 5")
    parser.add_argument("--path", type=Path, help="where the archive is kept")
    parser.add_argument("--workers", type=int, help="extraction processes (default: cores)")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--resume", action="store_true", help="go on with a build that was cut short"
    )
    parser.add_argument("--json", action="store_true", help="print what was measured")
    args = parser.parse_args(argv)
    path, info = ensure(
        args.articles,
        path=args.path,
        edited=args.edited,
        rebuild=args.rebuild,
        workers=args.workers,
        resume=args.resume,
    )
    if args.json:
        print(json.dumps(info, indent=2))
    else:
        print(f"{path}: {info['bytes'] / 1e6:.1f} MB, {info['rows']['versions']} versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
