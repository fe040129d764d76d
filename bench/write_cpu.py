"""Archive writer CPU per page: ``ArchiveWriter.record_page`` on new, unchanged and
changed pages, optionally against another checkout of cfbu in the same run.

N generated articles (bench/bigsite.py) are rendered and extracted once, by this process;
the fetched pages go to a file. Each measurement then runs in a fresh process, which
records them into a new SQLite archive as the crawl's archive writer does (batched
transactions of up to 500 pages or 1 s): run 1 the pages as new articles, run 2 the
same pages again (unchanged: the same bytes, no version), run 3 every article edited (a
paragraph rewritten: a version each), run 4 a 304 for each (``record_outcome``: the
site says unchanged). The figure is the process's CPU time
(``time.process_time``) per page over the records and the batches' commits, run by run.

With ``--baseline DIR`` (a checkout of cfbu, e.g. the commit before a change: ``git
worktree add /tmp/base HEAD~1``), each pass measures both, in alternating order, on the
same pages: the machine is shared and noisy, so only figures of one run compare. The
median of the passes is printed, with the spread.

    python bench/write_cpu.py --articles 600 --passes 5 --baseline /tmp/base

``--postgres``: into databases of a throwaway PostgreSQL server (bench/pgserver.py); only
this process's CPU is measured, not the server's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

BASE_URL = "http://127.0.0.1:8000"
CASES = ("new", "unchanged", "changed", "not_modified")
HERE = Path(__file__).resolve().parents[1]


def fetched_pages(articles: int, *, edited: float) -> list[dict[str, Any]]:
    """The site's article pages, fetched and extracted: ``FetchedPage``'s fields."""
    from bigsite import RenderedSite, generated_site

    from cfbu_crawler.extract import extract_article
    from cfbu_crawler.record import missing_fields

    site = generated_site(articles, edited=edited)
    rendered = RenderedSite(site, BASE_URL)
    pages = []
    for i, article in enumerate(site.listed):
        path = site.link_path(article, i // 10 + 1)
        resp = rendered.answer("GET", path, {})
        ctype = resp.headers.get("Content-Type", "")
        encoding = ctype.split("charset=")[-1] if "charset=" in ctype else None
        record = extract_article(resp.body, BASE_URL + path, encoding).record()
        pages.append(
            {
                "requested_url": BASE_URL + path,
                "final_url": BASE_URL + path,
                "identity_url": BASE_URL + path,
                "status": 200,
                "record": record,
                "raw": resp.body,
                "content_type": ctype,
                "encoding": encoding,
                "etag": resp.headers.get("ETag"),
                "missing": missing_fields(record),
            }
        )
    return pages


def measure(pages_file: Path, db_url: str | None = None) -> dict[str, float]:
    """CPU ms per page of each run (in this process: the cfbu on ``sys.path``), into a
    new SQLite archive, or the empty database ``db_url``."""
    from cfbu_crawler.archive.db import close_engine, open_engine
    from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
    from cfbu_crawler.extract import EXTRACTOR_VERSION

    with pages_file.open("rb") as f:
        runs = pickle.load(f)
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(db_url or str(Path(tmp) / "write.sqlite3"), create=True)
        writer = ArchiveWriter(
            engine, extractor_version=EXTRACTOR_VERSION, batch_seconds=1.0, batch_pages=500
        )
        pages_of = (runs["site"], runs["site"], runs["edited"], runs["edited"])
        for case, pages in zip(CASES, pages_of, strict=True):
            fetched = [FetchedPage(**page) for page in pages]
            writer.begin_run(start_url=BASE_URL + "/nyheder/", full=True, settings={})
            started = time.process_time()
            for page in fetched:
                if case == "not_modified":
                    writer.record_outcome(page.requested_url, "not_modified", status=304)
                else:
                    writer.record_page(page)
            writer.commit()
            figures[case] = (time.process_time() - started) * 1000 / len(fetched)
            writer.finish_run("complete", reason="finished", listing_complete=True)
        close_engine(engine)
    return figures


def child(checkout: Path, pages_file: Path, db_url: str | None) -> dict[str, Any]:
    """One measurement, in a fresh process running the cfbu of ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(pages_file)]
        + (["--db-url", db_url] if db_url else []),
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    figures: dict[str, Any] = json.loads(out.splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="also measure the cfbu of this checkout")
    parser.add_argument(
        "--postgres", action="store_true", help="into a throwaway PostgreSQL server's databases"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        import cfbu_crawler

        figures = measure(args.child, args.db_url)
        print(json.dumps({**figures, "module": cfbu_crawler.__file__}))
        return 0
    with contextlib.ExitStack() as stack:
        databases = None
        if args.postgres:
            import pgserver

            reason = pgserver.unavailable()
            if reason is not None:
                print(f"skipped: {reason}")
                return 0
            databases = stack.enter_context(pgserver.Server())
        return compare(args, databases)


def compare(args: argparse.Namespace, databases: Any) -> int:
    """The passes, each measuring this checkout and the baseline in turn; ``databases``:
    a PostgreSQL server to make each measurement's database in (else SQLite files)."""
    checkouts = {"this": HERE}
    if args.baseline:
        checkouts["baseline"] = args.baseline.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        pages_file = Path(tmp) / "pages.pickle"
        with pages_file.open("wb") as f:
            runs = {
                "site": fetched_pages(args.articles, edited=0.0),
                "edited": fetched_pages(args.articles, edited=100.0),
            }
            pickle.dump(runs, f)
        where = "PostgreSQL" if databases else "SQLite"
        print(f"{args.articles} pages a run, {args.passes} passes, {where}, CPU ms per page")
        print(f"{'pass':>4} {'cfbu':>9} " + " ".join(f"{case:>9}" for case in CASES))
        results: dict[str, list[dict[str, Any]]] = {who: [] for who in checkouts}
        for n in range(args.passes):
            order = list(checkouts) if n % 2 == 0 else list(checkouts)[::-1]
            for who in order:
                db_url = databases.create_database(f"write_{who}_{n}") if databases else None
                figures = child(checkouts[who], pages_file, db_url)
                assert Path(figures["module"]).is_relative_to(checkouts[who]), figures["module"]
                results[who].append(figures)
                row = " ".join(f"{figures[case]:9.3f}" for case in CASES)
                print(f"{n + 1:>4} {who:>9} {row}", flush=True)
    print("median (min-max):")
    medians: dict[str, dict[str, float]] = {}
    for who, passes in results.items():
        medians[who] = {case: statistics.median(p[case] for p in passes) for case in CASES}
        cells = [
            f"{medians[who][case]:.3f} ({min(p[case] for p in passes):.3f}-"
            f"{max(p[case] for p in passes):.3f})"
            for case in CASES
        ]
        print(f"  {who:>9} " + "  ".join(f"{c:>22}" for c in cells))
    if "baseline" in medians:
        ratios = [medians["this"][case] / medians["baseline"][case] for case in CASES]
        print(
            "  this/baseline "
            + "  ".join(f"{c}: {r:.2f}" for c, r in zip(CASES, ratios, strict=True))
        )
    print(json.dumps(medians))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
