"""Peak memory of `cfbu crawl --full` as the site grows: flat in the number of articles?

Crawls generated loopback sites (bench/bigsite.py) of 2,000, 5,000 and 10,000 articles
(``--sizes``) into new archives, each in a fresh process, and reports the peak resident
set (VmHWM) of every process of the crawl: the crawl itself (Scrapy, the spider, the
pipelines), the extraction worker(s) and the archive writer (forked from a fork server).
The target is under 400 MB for 10,000 articles, and no growth per article beyond the
per-article structures named in bench/README.md (their cost is printed too, measured
here: the spider's sets of seen URLs and the archive state of a 10,000-article archive).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bigsite import SiteProcess  # noqa: E402
from proctree import watch  # noqa: E402

from cfbu_crawler.demo.runner import crawl_command  # noqa: E402


def crawl_peaks(
    server: SiteProcess, articles: int, tmp: Path
) -> tuple[float, list[tuple[str, float]]]:
    server.load(articles)
    command = crawl_command(server.base_url, tmp / f"m{articles}.sqlite3", "--full")
    command[command.index("--concurrency") + 1] = "16"
    watched = watch(command)
    return watched.wall, watched.peaks_mb()


def structure_costs(articles: int) -> dict[str, float]:
    """MB held by the per-article structures of a crawl of ``articles`` articles."""
    from cfbu_crawler.archive.state import CrawlState, KnownArticle
    from cfbu_crawler.extract.urls import url_key
    from cfbu_crawler.spiders.nyheder import Sweep

    urls = [
        f"https://cfbu.dk/nyheder/en-artikel-om-boligomraader-nummer-{i}/" for i in range(articles)
    ]
    out = {}
    tracemalloc.start()
    sweep = Sweep()
    for i, url in enumerate(urls):
        sweep.seen_keys.add(url_key(url))
        sweep.seen_ids.add(i)
        sweep.sitemap_entries[url_key(url) + "x"] = (url, "2020-01-01T10:00:00+00:00", "s.xml")
    out["spider's seen sets and sitemap entries"] = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    tracemalloc.start()
    state = CrawlState()
    for i, url in enumerate(urls):
        state.articles[i] = KnownArticle(
            i,
            url,
            "live",
            '"etag-1234567890"',
            "Tue, 01 Dec 2026 10:00:00 GMT",
            "2020-01-01T10:00:00+00:00",
            "https://cfbu.dk/post-sitemap.xml",
            False,
            url,
        )
        state.by_key[url_key(url) + "y"] = i
    out["archive state handed to the spider"] = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del sweep, state
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000])
    args = parser.parse_args(argv)
    with SiteProcess() as server, tempfile.TemporaryDirectory() as tmp:
        print(f"{'articles':>9} {'wall s':>7}  peak RSS per process (MB)")
        for articles in args.sizes:
            wall, peaks = crawl_peaks(server, articles, Path(tmp))
            shown = ", ".join(f"{name} {mb:.0f}" for name, mb in peaks if mb >= 1)
            print(f"{articles:9d} {wall:7.1f}  {shown}; sum {sum(mb for _, mb in peaks):.0f}")
    biggest = max(args.sizes)
    for name, mb in structure_costs(biggest).items():
        print(f"{name}, {biggest} articles: {mb:.1f} MB ({mb * 1e6 / biggest:.0f} bytes/article)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
