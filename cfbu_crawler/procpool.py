"""Worker processes for the CPU-heavy parts of a crawl and of ``cfbu reparse``.

A crawl's reactor runs on one thread, and Python runs one thread at a time: extraction
and archive writes done there leave the machine's other cores idle and slow the crawl
down. They run in worker processes instead (``concurrent.futures.ProcessPoolExecutor``):
the extraction of pages in a pool (``extraction_pool``), the archive's writes in one
process of their own (``archive.writerproc``).

The workers are started with ``spawn`` (a fresh interpreter: forking a process that runs
Twisted's threads is not safe) and belong to the process that started them:

- they ignore SIGINT and SIGTERM. Ctrl-C reaches every process of a terminal's
  foreground group, and systemd signals every process of a service; the crawl decides
  how to stop (finish the run as interrupted) and then shuts its workers down itself;
- they exit when that process dies (``kill -9`` included), within half a second, so
  that no orphan keeps an archive's write transaction open.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

# How often a worker checks that the process that started it is alive.
WATCH_SECONDS = 0.5


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


def _watch_parent(parent: int) -> None:
    while True:
        if os.getppid() != parent:
            os._exit(1)
        time.sleep(WATCH_SECONDS)


def _start_worker(
    parent: int, initializer: Callable[..., None] | None, args: tuple[Any, ...]
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), name="watch-parent", daemon=True).start()
    if initializer is not None:
        initializer(*args)


def worker_pool(
    workers: int,
    *,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """A pool of ``workers`` spawned processes that follow their parent (see above);
    ``initializer(*initargs)`` runs once in each."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )


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


__all__ = ["available_cores", "default_workers", "extraction_pool", "worker_pool"]
