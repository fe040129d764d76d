"""What a call to a worker process costs the calling process: over a pipe its reactor
reads (``procpool.worker_process`` + ``workerpipe``, as the crawl calls its workers)
against a ``concurrent.futures.ProcessPoolExecutor`` awaited from the reactor (as the
crawl called extraction and the archive writer before).

Two calls, on the pages of a generated site (bench/bigsite.py): ``extract_article`` of a
page (the worker's real work, the page sent, its ``Extraction`` back) and a call the
size of a page record (a ``FetchedPage`` with its raw page sent, answered at once by the
builtin ``id``: the transport alone). ``--in-flight`` calls at a time, one worker; the
two ways take turns, round by round. The figure is the CPU time of the calling process
(every thread of it) per call.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

BASE = "http://127.0.0.1:8000"
ZONE = "Europe/Copenhagen"


def site_pages(count: int) -> list[tuple[bytes, str]]:
    """(body, url) of ``count`` article pages of the generated site."""
    from bigsite import RenderedSite, generated_site

    site = generated_site(count)
    rendered = RenderedSite(site, BASE)
    pages = []
    for i, article in enumerate(site.listed[:count]):
        path = site.link_path(article, i // 10 + 1)
        pages.append((rendered.answer("GET", path, {}).body, BASE + path))
    return pages


def record_of(body: bytes, url: str) -> Any:
    from cfbu_crawler.archive.fetched import FetchedPage

    return FetchedPage(
        requested_url=url,
        final_url=url,
        identity_url=url,
        status=200,
        record={"title": "A title", "body": "Text. " * 500},
        raw=body,
    )


def _deferred_of(future: Future[Any]) -> Any:
    """A ``Deferred`` fired on the reactor's thread with a future's result (what the
    pipelines did with the pool's futures)."""
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    deferred: Deferred[Any] = Deferred()

    def fire(done: Future[Any]) -> None:
        try:
            deferred.callback(done.result())
        except BaseException as exc:
            deferred.errback(exc)

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return deferred


def caller(call: str, way: str) -> tuple[Callable[[bytes, str], Any], Callable[[], None]]:
    """(send a page, stop) for one kind of call over one way."""
    from cfbu_crawler.extract import extract_article
    from cfbu_crawler.extract.urls import Section
    from cfbu_crawler.extractproc import CALLS
    from cfbu_crawler.procpool import worker_pool, worker_process
    from cfbu_crawler.workerpipe import connect

    section = Section.from_start_url(BASE + "/nyheder/")
    if way == "pipe":
        _, connection = worker_process({**CALLS, "id": id}, name="bench worker")
        pipe = connect(connection, "bench worker")
        if call == "extract":
            return (
                lambda body, url: pipe.call("extract", body, url, None, section, ZONE),
                pipe.hang_up,
            )
        return lambda body, url: pipe.call("id", record_of(body, url)), pipe.hang_up
    pool = worker_pool(1)
    if call == "extract":
        return (
            lambda body, url: _deferred_of(
                pool.submit(extract_article, body, url, None, section=section, site_timezone=ZONE)
            ),
            pool.shutdown,
        )
    return lambda body, url: _deferred_of(pool.submit(id, record_of(body, url))), pool.shutdown


async def measure(call: str, way: str, pages: list[tuple[bytes, str]], in_flight: int) -> float:
    """CPU seconds of this process per call."""
    from twisted.internet.defer import DeferredSemaphore, gatherResults

    send, stop = caller(call, way)
    await send(*pages[0])  # the worker started and warm
    gate = DeferredSemaphore(in_flight)
    started = time.process_time()
    await gatherResults([gate.run(send, body, url) for body, url in pages])
    spent = time.process_time() - started
    stop()
    return spent / len(pages)


async def run(args: argparse.Namespace) -> dict[tuple[str, str], list[float]]:
    pages = site_pages(args.pages)
    found: dict[tuple[str, str], list[float]] = {}
    for round_ in range(args.rounds):
        for call in ("extract", "record"):
            ways = ("pipe", "pool") if round_ % 2 == 0 else ("pool", "pipe")
            for way in ways:
                per_call = await measure(call, way, pages, args.in_flight)
                found.setdefault((call, way), []).append(per_call)
                print(f"{round_ + 1:5d} {call:8} {way:5} {per_call * 1000:7.3f} ms", flush=True)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--in-flight", type=int, default=16)
    args = parser.parse_args(argv)

    from twisted.internet import asyncioreactor

    asyncioreactor.install()
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    found: dict[tuple[str, str], list[float]] = {}
    failed: list[str] = []

    def start() -> None:
        done = Deferred.fromCoroutine(run(args))
        done.addCallbacks(found.update, lambda failure: failed.append(str(failure)))
        done.addBoth(lambda _: reactor.stop())

    print(f"{args.pages} pages, {args.in_flight} calls in flight, one worker; CPU of the caller")
    print(f"{'round':>5} {'call':8} {'way':5} {'per call':>10}")
    reactor.callWhenRunning(start)
    reactor.run()
    if failed:
        print(failed[0], file=sys.stderr)
        return 1
    for (call, way), values in sorted(found.items()):
        print(
            f"{call} over a {way}: median {statistics.median(values) * 1000:.3f} ms per call "
            f"({min(values) * 1000:.3f}-{max(values) * 1000:.3f} over {len(values)} rounds)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
