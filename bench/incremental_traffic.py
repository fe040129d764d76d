"""Traffic of incremental crawls against a full crawl: requests and bytes.

A generated loopback site (bench/bigsite.py: N articles in four markups, the old CMS's
articles only in its listing, not in its sitemap) is crawled with `cfbu crawl` into a new
archive, then crawled again unchanged, then again after ``--edited`` percent of its
articles were edited (a paragraph rewritten: new bytes, ETag, Last-Modified and sitemap
lastmod), and finally once more with ``--full`` for reference. The server counts every
request and the bytes it sent (status line, headers and body). Three sites: with
sitemaps and validators (ETag, Last-Modified: 304s), with validators only, and with
neither (every page must be fetched again). The target: an unchanged re-crawl with
sitemaps costs at most 5 % of a full crawl's bytes.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bigsite import SiteProcess  # noqa: E402

from cfbu_crawler.demo.runner import crawl_command  # noqa: E402

SITES = (
    ("sitemaps and validators", {"sitemaps": True, "etags": True}),
    ("validators, no sitemap", {"sitemaps": False, "etags": True}),
    ("neither (full sweep every time)", {"sitemaps": False, "etags": False}),
)


def crawl(server: SiteProcess, db: Path, *extra: str) -> tuple[int, int, float]:
    """(requests, bytes, seconds) of one crawl."""
    server.reset()
    started = time.perf_counter()
    subprocess.run(crawl_command(server.base_url, db, *extra), check=True, capture_output=True)
    seconds = time.perf_counter() - started
    requests, nbytes = server.stats()
    return requests, nbytes, seconds


def scenario(
    server: SiteProcess, articles: int, edited: float, options: dict[str, bool]
) -> list[tuple[str, int, int, float]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        steps = [
            ("full crawl", 0.0, ()),
            ("unchanged re-crawl", 0.0, ()),
            (f"re-crawl after {edited:g} % edited", edited, ()),
            ("unchanged, --full", edited, ("--full",)),
        ]
        for name, share, extra in steps:
            server.load(articles, edited=share, **options)
            rows.append((name, *crawl(server, db, *extra)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--edited", type=float, default=1.0, help="percent of articles edited")
    parser.add_argument(
        "--sites", type=int, default=len(SITES), help="only the first N of the three sites"
    )
    args = parser.parse_args(argv)
    with SiteProcess() as server:
        for label, options in SITES[: args.sites]:
            rows = scenario(server, args.articles, args.edited, options)
            full = rows[0]
            print(f"\n{label}: {args.articles} articles")
            print(
                f"{'':28} {'requests':>9} {'bytes':>11} {'seconds':>8}"
                f"   {'requests':>8} {'bytes':>7}  (vs full)"
            )
            for name, requests, nbytes, seconds in rows:
                print(
                    f"{name:28} {requests:9d} {nbytes:11d} {seconds:8.2f}"
                    f"   {requests / full[1]:8.1%} {nbytes / full[2]:7.1%}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
