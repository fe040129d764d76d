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
from pathlib import Path

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
    out["WARC recorder's captures of the run"] = prior_captures_mb(articles)
    return out


def prior_captures_mb(articles: int) -> float:
    """What the WARC recorder remembers of each response it wrote (warc/index.py), with
    the URL string it keeps alive."""
    from cfbu_crawler.warc.index import PriorCaptures
    from cfbu_crawler.warc.location import WarcLocation
    from cfbu_crawler.warc.records import Capture, payload_digest

    tracemalloc.start()
    captures = PriorCaptures()
    for i in range(articles):
        fetched = f"https://cfbu.dk/nyheder/en-artikel-om-boligomraader-nummer-{i}/"
        when = f"2026-12-01T10:{i // 60 % 60:02d}:{i % 60:02d}.123456Z"
        captures.add(
            Capture(fetched, when, payload_digest(fetched.encode())),
            WarcLocation("cfbu-run-1-00000.warc.gz", i * 9000, 9000),
        )
    mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
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
    for name, mb in structure_costs(biggest).items():
        print(f"{name}, {biggest} articles: {mb:.1f} MB ({mb * 1e6 / biggest:.0f} bytes/article)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
