"""Traffic of full vs. incremental crawls on the bundled fixture site.

Runs `cfbu crawl` in a subprocess against the demo site served on 127.0.0.1 and reads
the server's own request log: requests and bytes (headers included) per crawl.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cfbu_crawler.demo.build import build_site
from cfbu_crawler.demo.runner import crawl_command

# The server that counts requests and bytes is the test suite's (tests/support/server.py).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.server import FixtureServer  # noqa: E402


def crawl(base_url: str, db: Path, *extra: str) -> float:
    started = time.perf_counter()
    subprocess.run(crawl_command(base_url, db, *extra), check=True, capture_output=True)
    return time.perf_counter() - started


def scenario(label: str, **site_options) -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        FixtureServer(build_site("v1", **site_options)) as server,
    ):
        db = Path(tmp) / "bench.sqlite3"
        rows = []
        steps = [
            ("full crawl", build_site("v1", **site_options), ()),
            ("unchanged re-crawl", build_site("v1", **site_options), ()),
            ("re-crawl after edits", build_site("v2", **site_options), ()),
            ("unchanged, --full", build_site("v2", **site_options), ("--full",)),
        ]
        for name, site, extra in steps:
            server.site = site
            server.stats.reset()
            seconds = crawl(server.base_url, db, *extra)
            rows.append((name, server.stats.total_requests(), server.stats.total_bytes(), seconds))
    full = rows[0]
    print(f"\n{label}")
    print(f"{'':24} {'requests':>9} {'bytes':>10} {'seconds':>8}   {'bytes vs full':>13}")
    for name, requests, nbytes, seconds in rows:
        print(f"{name:24} {requests:9d} {nbytes:10d} {seconds:8.2f}   {nbytes / full[2]:12.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=None, help="limit the site to N articles")
    args = parser.parse_args()
    scenario("site with sitemaps and ETags", articles=args.articles)
    scenario(
        "site with neither (full sweep every time)",
        sitemaps=False,
        etags=False,
        articles=args.articles,
    )


if __name__ == "__main__":
    main()
