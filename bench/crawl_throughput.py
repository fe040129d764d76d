"""Crawl throughput: `cfbu crawl --full` against a bare Scrapy spider fetching the same pages.

A generated site of N articles in four markups (bench/bigsite.py) is served on loopback
by a separate process from pages rendered in advance. Each round crawls it twice, in
alternating order: once with a bare Scrapy spider (robots.txt, the sitemaps, the listing's
pages followed through their links, every article fetched and nothing extracted or
stored), once with ``cfbu crawl --full --delay 0 --concurrency C`` into a new archive.
Both run in a fresh process at the same concurrency and politeness settings otherwise
(robots.txt obeyed, no delay, no AutoThrottle). The figure is cfbu's wall time over the
bare crawl's, per round; the median and the spread over the rounds are printed, with
the CPU time of each (children included: cfbu's worker processes count; `--processes`
prints each process's).

Run with ``--parts`` to also measure, outside the crawl, what cfbu does per page on the
same pages: extraction CPU time (``extract_article``) and archive write time
(``ArchiveWriter.record_page`` into a new archive), median and 95th percentile.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bigsite import SiteProcess  # noqa: E402
from proctree import Watched, watch  # noqa: E402

from cfbu_crawler.demo.runner import crawl_command  # noqa: E402


# -- the bare spider (run in its own process: python bench/crawl_throughput.py --bare URL C)
def bare_crawl(start_url: str, concurrency: int, log_file: str) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

    class Bare(scrapy.Spider):
        """Navigation only: the pages cfbu fetches, nothing parsed but listings and
        sitemaps, nothing kept."""

        name = "bare"

        async def start(self) -> Any:
            yield scrapy.Request(start_url.split("/nyheder/")[0] + "/robots.txt", self.robots)

        def robots(self, response: Any) -> Iterator[Any]:
            for url in sitemap_urls_from_robots(response.body, base_url=response.url):
                yield scrapy.Request(url, self.sitemap, priority=10)
            yield scrapy.Request(start_url, self.listing, priority=5)

        def sitemap(self, response: Any) -> Iterator[Any]:
            sitemap = Sitemap(response.body)
            for entry in sitemap:
                loc = entry["loc"]
                if sitemap.type == "sitemapindex":
                    yield scrapy.Request(loc, self.sitemap, priority=10)
                elif "/nyheder/" in loc and not loc.endswith("/nyheder/"):
                    yield scrapy.Request(loc, self.article)

        def listing(self, response: Any) -> Iterator[Any]:
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href)
                if "/nyheder/page/" in url and "/nyhed/" not in url:
                    yield scrapy.Request(url, self.listing, priority=5)
                elif (
                    "/nyheder/" in url
                    and url.rstrip("/").count("/") >= 4
                    and "/category/" not in url
                    and "?" not in url
                ):
                    yield scrapy.Request(url, self.article)

        def article(self, response: Any) -> None:
            return None

    process = CrawlerProcess(
        {
            "ROBOTSTXT_OBEY": True,
            "USER_AGENT": "cfbu-bench-bare/1.0",
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "CONCURRENT_REQUESTS": concurrency * 4,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "INFO",
            "LOG_FILE": log_file,
        }
    )
    process.crawl(Bare)
    process.start()


def run_bare(server: SiteProcess, concurrency: int, tmp: Path) -> tuple[Watched, int]:
    server.reset()
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--bare",
        f"{server.base_url}/nyheder/",
        str(concurrency),
        str(tmp / "bare.log"),
    ]
    watched = watch(command)
    return watched, server.stats()[0]


def source_env(source: Path) -> dict[str, str]:
    """The environment in which ``python -m cfbu_crawler`` runs the cfbu of the checkout
    ``source`` (with ``cfbu_crawler/pipelines`` linked to its ``pipelines/``): its folder
    first on PYTHONPATH, and the current folder kept off ``sys.path`` (``-m`` puts it
    first, before PYTHONPATH: run from this checkout, the baseline would be this code)."""
    env = dict(os.environ, PYTHONPATH=str(source), PYTHONSAFEPATH="1")
    found = subprocess.run(
        [sys.executable, "-c", "import cfbu_crawler.pipelines.store as m; print(m.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(source.resolve()):
        raise SystemExit(f"--baseline {source}: cfbu's pipelines load from {found} instead")
    return env


def run_cfbu(
    server: SiteProcess,
    concurrency: int,
    tmp: Path,
    label: str,
    extra: list[str],
    source: Path | None = None,
) -> tuple[Watched, int]:
    """``cfbu crawl --full`` into a new archive; with ``source``, the cfbu of another
    checkout (``source_env``), for a before/after comparison in one run."""
    server.reset()
    db = tmp / f"{label}.sqlite3"
    db.unlink(missing_ok=True)
    command = crawl_command(server.base_url, db, "--full", *extra)
    command[command.index("--concurrency") + 1] = str(concurrency)
    watched = watch(command, None if source is None else source_env(source))
    return watched, server.stats()[0]


def parts(articles: int, *, batch_seconds: float = 1.0, batch_pages: int = 500) -> None:
    """Extraction CPU and archive write time per page, measured outside the crawl."""
    from bigsite import RenderedSite, generated_site

    from cfbu_crawler.archive.db import close_engine, open_engine
    from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
    from cfbu_crawler.extract import EXTRACTOR_VERSION, extract_article
    from cfbu_crawler.record import missing_fields

    base = "http://127.0.0.1:8000"
    site = generated_site(articles)
    rendered = RenderedSite(site, base)
    extract_ms, write_ms = [], []
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_engine(str(Path(tmp) / "parts.sqlite3"), create=True)
        writer = ArchiveWriter(
            engine,
            extractor_version=EXTRACTOR_VERSION,
            batch_seconds=batch_seconds,
            batch_pages=batch_pages,
        )
        writer.begin_run(start_url=base + "/nyheder/", full=True, settings={})
        for i, a in enumerate(site.listed):
            path = site.link_path(a, i // 10 + 1)
            resp = rendered.answer("GET", path, {})
            ctype = resp.headers.get("Content-Type", "")
            encoding = ctype.split("charset=")[-1] if "charset=" in ctype else None
            started = time.process_time()
            result = extract_article(resp.body, base + path, encoding)
            extract_ms.append((time.process_time() - started) * 1000)
            record = result.record()
            started = time.process_time()
            writer.record_page(
                FetchedPage(
                    requested_url=base + path,
                    final_url=base + path,
                    identity_url=result.url,
                    status=200,
                    record=record,
                    raw=resp.body,
                    content_type=ctype,
                    encoding=encoding,
                    redirect_urls=[],
                    missing=missing_fields(record),
                )
            )
            write_ms.append((time.process_time() - started) * 1000)
        writer.finish_run("complete", reason="finished", listing_complete=True)
        close_engine(engine)
    for label, values in (("extraction CPU", extract_ms), ("archive write CPU", write_ms)):
        q = statistics.quantiles(values, n=20)
        print(
            f"{label:16} per page: median {statistics.median(values):6.2f} ms, "
            f"p95 {q[18]:6.2f} ms, total {sum(values) / 1000:6.2f} s over {len(values)} pages"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (bare, cfbu)")
    parser.add_argument("--parts", action="store_true", help="also time extraction and writes")
    parser.add_argument(
        "--processes", action="store_true", help="also the CPU of each process of each crawl"
    )
    parser.add_argument("--cfbu-arg", action="append", default=[], help="extra cfbu crawl option")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also crawl with the cfbu of this checkout (e.g. the commit before a change)",
    )
    args = parser.parse_args(argv)
    crawlers = ["bare", "cfbu"] + (["base"] if args.baseline else [])
    ratios: dict[str, list[float]] = {who: [] for who in crawlers[1:]}
    with SiteProcess() as server, tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        pages = server.load(args.articles)
        print(
            f"site: {args.articles} articles ({pages} pages rendered), concurrency "
            f"{args.concurrency}, {args.rounds} rounds"
        )
        print(f"{'round':>5} {'crawler':>6} {'requests':>9} {'wall s':>8} {'cpu s':>8}")
        for r in range(args.rounds):
            order = crawlers if r % 2 == 0 else crawlers[::-1]
            walls = {}
            for who in order:
                if who == "bare":
                    watched, requests = run_bare(server, args.concurrency, tmp)
                else:
                    source = args.baseline if who == "base" else None
                    watched, requests = run_cfbu(
                        server, args.concurrency, tmp, who, list(args.cfbu_arg), source
                    )
                walls[who] = watched.wall
                print(
                    f"{r + 1:5d} {who:>6} {requests:9d} {watched.wall:8.2f} "
                    f"{watched.cpu_total:8.2f}"
                )
                if args.processes:
                    others = ", ".join(f"{cpu:.2f}" for cpu in watched.cpu_of_others if cpu)
                    print(
                        f"{'':14}crawl process {watched.cpu.get(watched.root, 0.0):.2f} s of CPU"
                        + (f"; its workers {others} s" if others else "")
                    )
            for who in ratios:
                ratios[who].append(walls[who] / walls["bare"])
            print(
                f"{r + 1:5d}  wall / bare's: "
                + ", ".join(f"{who} {ratios[who][-1]:.2f}x" for who in ratios)
            )
    for who, values in ratios.items():
        print(
            f"{who}: median {statistics.median(values):.2f}x bare's wall time "
            f"(min {min(values):.2f}x, max {max(values):.2f}x over {len(values)} rounds)"
        )
    if args.parts:
        parts(args.articles)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--bare":
        bare_crawl(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        sys.exit(0)
    sys.exit(main())
