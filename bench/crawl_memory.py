"""Peak memory of `cfbu crawl --full` as the site grows: flat in the number of articles?

Crawls generated loopback sites (bench/bigsite.py) of 2,000, 5,000 and 10,000 articles
(``--sizes``) into new archives, each in a fresh process, and reports the peak resident
set (VmHWM) of every process of the crawl: the crawl itself (Scrapy, the spider, the
pipelines), the extraction worker(s) and the archive writer (forked from a fork server).
The target is under 400 MB for 10,000 articles, and no growth per article beyond the
per-article structures named in bench/README.md (their cost is printed too, measured
here: the spider's sets of seen URLs, the archive state of a 10,000-article archive and
the WARC recorder's captures of the run).

``--series DIR`` adds bench/memtrace.py to each crawl: every second a line of
``DIR/<articles>/series.jsonl`` (articles archived, requests waiting in the scheduler,
resident set, glibc's heap in use and free), and a summary of it here. With
``--snapshots 2000,5000`` the crawl also runs under ``tracemalloc`` (several times slower)
and dumps snapshots at those numbers of archived articles, to compare by traceback with
``python bench/memtrace.py DIR/<articles> opened at-2000``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bigsite import SiteProcess  # noqa: E402
from proctree import watch  # noqa: E402

from cfbu_crawler import settings as project_settings  # noqa: E402
from cfbu_crawler.demo.runner import crawl_command  # noqa: E402

BENCH = Path(__file__).resolve().parent


def crawl_peaks(
    server: SiteProcess,
    articles: int,
    tmp: Path,
    series: Path | None = None,
    snapshots: str = "",
) -> tuple[float, list[tuple[str, float]]]:
    server.load(articles)
    command = crawl_command(server.base_url, tmp / f"m{articles}.sqlite3", "--full")
    command[command.index("--concurrency") + 1] = "16"
    env = None
    if series is not None:
        extensions = {**project_settings.EXTENSIONS, "memtrace.MemTrace": 900}
        command += ["-s", f"EXTENSIONS={json.dumps(extensions)}"]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(BENCH), os.environ.get("PYTHONPATH")])),
            "CFBU_MEMTRACE_DIR": str(series),
            "CFBU_MEMTRACE_AT": snapshots,
            "CFBU_MEMTRACE_FRAMES": "8" if snapshots else "0",
        }
    watched = watch(command, env=env)
    return watched.wall, watched.peaks_mb()


def series_summary(path: Path) -> str:
    """The most requests the scheduler held, and glibc's heap when the resident set was
    at its highest (bench/memtrace.py's series)."""
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    if not rows:
        return "no samples"
    peak = max(rows, key=lambda row: row["rss_mb"])
    return (
        f"scheduler held at most {max(row['queued'] or 0 for row in rows)} requests; "
        f"at the highest resident set ({peak['rss_mb']:.0f} MB, {peak['articles']} archived): "
        f"heap in use {peak['malloc_used_mb']:.0f} MB, free inside it "
        f"{peak['malloc_free_mb']:.0f} MB, traced {peak['traced_mb']:.0f} MB"
    )


def traced_mb(build: Callable[[], object]) -> float:
    """MB that what ``build`` returns holds (tracemalloc, while it is alive)."""
    from cfbu_crawler.extract.urls import normalise_url, url_key

    tracemalloc.start()
    kept = build()
    url_key.cache_clear()  # bounded caches (4,096 answers), not per-article memory
    normalise_url.cache_clear()
    mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del kept
    return mb


def article_url(i: int) -> str:
    return f"https://cfbu.dk/nyheder/en-artikel-om-boligomraader-nummer-{i}/"


def structure_costs(articles: int) -> dict[str, float]:
    """MB held by each per-article structure of a crawl of ``articles`` articles."""
    from collections import deque

    from cfbu_crawler.archive.state import CrawlState, KnownArticle
    from cfbu_crawler.extract.urls import url_key
    from cfbu_crawler.spiders.nyheder import Sweep
    from cfbu_crawler.warc import index  # noqa: F401  (imported before anything is traced)

    def seen() -> Sweep:
        sweep = Sweep()
        for i in range(articles):
            sweep.seen_keys.add(url_key(article_url(i)))
            sweep.seen_ids.add(100_000 + i)  # known articles only (a re-crawl)
        return sweep

    def sitemap_entries() -> dict[str, tuple[str, str, str]]:
        sitemap = "https://cfbu.dk/post-sitemap.xml"
        return {
            url_key(article_url(i)): (
                article_url(i),
                f"2020-01-01T10:00:{i % 60:02d}+00:00",
                sitemap,
            )
            for i in range(articles)
        }

    def backlog() -> deque[tuple[str, str, str]]:
        return deque(sitemap_entries().values())

    def archive_state() -> CrawlState:
        state = CrawlState()
        for i in range(articles):
            url = article_url(i)
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
            state.by_key[url_key(url)] = i
        return state

    return {
        "spider's seen keys and ids (all the crawl)": traced_mb(seen),
        "sitemap entries (until the sitemaps are read)": traced_mb(sitemap_entries),
        "sitemap backlog (drains as it is fed)": traced_mb(backlog),
        "archive state handed to the spider (all the crawl)": traced_mb(archive_state),
        "WARC recorder's captures of the run (all the crawl)": traced_mb(
            lambda: prior_captures(articles)
        ),
        "requests waiting in Scrapy's scheduler, were all queued": queued_requests_mb(articles),
    }


def prior_captures(articles: int) -> object:
    """What the WARC recorder remembers of each response it wrote (warc/index.py), with
    the URL string it keeps alive."""
    from cfbu_crawler.warc.index import PriorCaptures
    from cfbu_crawler.warc.location import WarcLocation
    from cfbu_crawler.warc.records import Capture, payload_digest

    captures = PriorCaptures()
    for i in range(articles):
        fetched = article_url(i)
        when = f"2026-12-01T10:{i // 60 % 60:02d}:{i % 60:02d}.123456Z"
        captures.add(
            Capture(fetched, when, payload_digest(fetched.encode())),
            WarcLocation("cfbu-run-1-00000.warc.gz", i * 9000, 9000),
        )
    return captures


def queued_requests_mb(articles: int) -> float:
    """What ``articles`` sitemap article requests weigh in Scrapy's scheduler: made by
    the spider, given their Referer and depth by the spider middlewares, queued by
    Scrapy's scheduler (whose priority queue keys each by its download slot, as the
    Downloader does). The spider now hands them over a batch at a time."""
    from scrapy import Request
    from scrapy.core.scheduler import Scheduler
    from scrapy.http import XmlResponse
    from scrapy.spidermiddlewares.depth import DepthMiddleware
    from scrapy.spidermiddlewares.referer import RefererMiddleware
    from scrapy.utils.httpobj import urlparse_cached
    from scrapy.utils.test import get_crawler

    from cfbu_crawler.spiders.nyheder import NyhederSpider, Sweep

    crawler = get_crawler(NyhederSpider, {"CFBU_START_URL": article_url(0)})
    spider = NyhederSpider.from_crawler(crawler)
    crawler.spider = spider
    # The Downloader's slot key without a Downloader (which wants a running reactor).
    downloader = SimpleNamespace(
        slots={}, get_slot_key=lambda request: urlparse_cached(request).hostname or ""
    )
    crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[assignment]
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    referer, depth = RefererMiddleware.from_crawler(crawler), DepthMiddleware.from_crawler(crawler)
    sitemap = "https://cfbu.dk/post-sitemap.xml"
    source = XmlResponse(sitemap, body=b"", request=Request(sitemap, meta={"depth": 2}))
    entries = [(article_url(i), f"2020-01-01T10:00:{i % 60:02d}+00:00") for i in range(articles)]

    def queue() -> Scheduler:
        for url, lastmod in entries:
            request = spider.article_request(
                url, via="sitemap", lastmod=lastmod, sitemap_url=sitemap
            )
            request = referer.get_processed_request(request, source) or request
            scheduler.enqueue_request(depth.get_processed_request(request, source) or request)
        spider.sweep = Sweep()  # what the spider keeps is counted on its own
        return scheduler

    mb = traced_mb(queue)
    assert len(scheduler) == articles  # type: ignore[arg-type]
    return mb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000])
    parser.add_argument("--series", type=Path, metavar="DIR", help="record each crawl's memory")
    parser.add_argument("--snapshots", default="", metavar="N,M", help="with --series")
    args = parser.parse_args(argv)
    with SiteProcess() as server, tempfile.TemporaryDirectory() as tmp:
        print(f"{'articles':>9} {'wall s':>7}  peak RSS per process (MB)")
        for articles in args.sizes:
            series = args.series / str(articles) if args.series else None
            wall, peaks = crawl_peaks(server, articles, Path(tmp), series, args.snapshots)
            shown = ", ".join(f"{name} {mb:.0f}" for name, mb in peaks if mb >= 1)
            print(f"{articles:9d} {wall:7.1f}  {shown}; sum {sum(mb for _, mb in peaks):.0f}")
            if series is not None:
                print(f"{'':18}{series_summary(series / 'series.jsonl')}")
    biggest = max(args.sizes)
    print(f"per-article structures of a crawl of {biggest} articles:")
    for name, mb in structure_costs(biggest).items():
        print(f"  {name}: {mb:.1f} MB ({mb * 1e6 / biggest:.0f} bytes/article)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
