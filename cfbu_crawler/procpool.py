"""Worker processes for the CPU-heavy parts of a crawl and of ``cfbu reparse``.

A crawl's reactor runs on one thread, and Python runs one thread at a time: extraction
and archive writes done there leave the machine's other cores idle and slow the crawl
down. They run in worker processes instead (``concurrent.futures.ProcessPoolExecutor``):
the extraction of pages in a pool (``extraction_pool``), the archive's writes in one
process of their own (``archive.writerproc``), the WARC records in another
(``warc.writerproc``).

The workers are forked from a fork server (``forkserver``), which imported the
extraction and archive modules once: forking the crawl itself, which runs Twisted's
threads, is not safe, and a fresh interpreter per worker (``spawn``, used where there is
no fork server) would import them again each time. They belong to the crawl:

- they ignore SIGINT and SIGTERM. Ctrl-C reaches every process of a terminal's
  foreground group, and systemd signals every process of a service; the crawl decides
  how to stop (finish the run as interrupted) and then shuts its workers down itself;
- they exit within half a second of the crawl's death (``kill -9`` included), and the
  fork server once they are gone, so that no orphan keeps an archive's write
  transaction open.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

T = TypeVar("T")

# How often a worker checks that the process that started it is alive.
WATCH_SECONDS = 0.5
# What a fork server imports once for all the workers it forks.
PRELOAD = ["cfbu_crawler.extract", "cfbu_crawler.archive.store", "cfbu_crawler.warc.writerproc"]


def available_cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """Extraction workers when the user chose none: one per core but the reactor's, at
    least one (on one core a worker still keeps parsing off the reactor's thread)."""
    return max(1, available_cores() - 1)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed and not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:  # no /proc: the kill above is all there is to know
        return True


def _watch(owner: int) -> None:
    # A fork server lives on while any of its workers does (they hold its lifeline), so a
    # worker watches the crawl itself, not its parent.
    while alive(owner):
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _start_worker(
    owner: int, initializer: Callable[..., None] | None, args: tuple[Any, ...]
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(owner,), name="watch-crawl", daemon=True).start()
    if initializer is not None:
        initializer(*args)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def worker_pool(
    workers: int,
    *,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that follow the crawl (see above);
    ``initializer(*initargs)`` runs once in each."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )


async def await_future(future: Future[T]) -> T:
    """Wait, in a coroutine on the crawl's reactor, for a ``concurrent.futures`` future
    (work in a worker process): its result reaches the reactor's thread as a Deferred
    fired there, which Scrapy turns into what its reactor awaits."""
    # Twisted and Scrapy are imported here, not above: the workers import this module.
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    deferred: Deferred[T] = Deferred()

    def fire(done: Future[T]) -> None:
        try:
            result = done.result()
        except BaseException as exc:  # the work's own error, or its cancellation
            deferred.errback(exc)
        else:
            deferred.callback(result)

    future.add_done_callback(lambda done: reactor.callFromThread(fire, done))
    return await maybe_deferred_to_future(deferred)


def _warm() -> int:
    import cfbu_crawler.extract  # noqa: F401  (the imports are most of a worker's start)

    return os.getpid()


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """A pool for ``extract_article``, its workers started (and their imports done) now,
    while the crawl begins, rather than on the first page."""
    pool = worker_pool(workers)
    for _ in range(workers):
        pool.submit(_warm)
    return pool


__all__ = ["available_cores", "await_future", "default_workers", "extraction_pool", "worker_pool"]
