"""Worker processes for the CPU-heavy parts of a crawl and of ``cfbu reparse``.

A crawl's reactor runs on one thread, and Python runs one thread at a time: extraction
and archive writes done there leave the machine's other cores idle and slow the crawl
down. They run in worker processes instead: the extraction of pages
(``extractproc``), the archive's writes (``archive.writerproc``) and the WARC records
(``warc.writerproc``), each worker a ``worker_process``. The crawl's reactor writes each
call to the worker's pipe and reads the answers from it (``workerpipe``), no thread in
between; the worker answers the calls one at a time, in the order they came
(``answer_calls``), with what it logged meanwhile. A call through a
``concurrent.futures.ProcessPoolExecutor`` cost the crawl's process about 0.2 ms of CPU
(its manager and feeder threads, which take Python's lock from the reactor's thread),
as much as some of the work it moved; over the pipe, about 0.05 ms.

``cfbu reparse``, which runs no reactor, extracts in a ``ProcessPoolExecutor``
(``extraction_pool``) of the same workers.

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

import logging
import logging.handlers
import multiprocessing
import multiprocessing.context
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

# How often a worker checks that the process that started it is alive.
WATCH_SECONDS = 0.5
# What a fork server imports once for all the workers it forks.
PRELOAD = ["cfbu_crawler.extract", "cfbu_crawler.archive.store"]


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


_OWNER = 0  # in a worker: the crawl's process


def owner_alive() -> bool:
    """In a worker: whether the crawl that started it is still alive."""
    return alive(_OWNER)


def _start_worker(owner: int) -> None:
    global _OWNER
    _OWNER = owner
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_watch, args=(owner,), name="watch-crawl", daemon=True).start()


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


def start_fork_server() -> None:
    """Start the fork server now, so that it imports ``PRELOAD`` while the crawl itself
    starts up (Scrapy, the archive), on the other core, instead of when the first worker
    is asked for: the crawl then waited most of a second for it before its first request.
    Does nothing where there is no fork server, or when it runs already."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver

    _context()  # sets what it preloads
    forkserver.ensure_running()


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes that follow the process that made it (see above)."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )


@dataclass(frozen=True)
class Answer:
    """A worker's answer to one call: its value or the exception it raised, and the
    records it logged meanwhile (their messages formatted, tracebacks as text)."""

    value: Any
    error: BaseException | None
    logs: list[logging.LogRecord]


def answer_calls(connection: Connection, calls: Mapping[str, Callable[..., Any]]) -> None:
    """In a worker: answer each call ``(name, args)`` read from ``connection`` with the
    ``Answer`` of ``calls[name](*args)``, one at a time, until the crawl hangs up."""
    kept: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()
    root = logging.getLogger()
    root.addHandler(logging.handlers.QueueHandler(kept))
    root.setLevel(logging.INFO)
    while True:
        try:
            name, args = connection.recv()
        except (EOFError, OSError):  # the crawl closed its end, or died
            return
        value: Any = None
        error: BaseException | None = None
        try:
            value = calls[name](*args)
        except Exception as exc:
            error = exc
        logs = []
        while not kept.empty():
            logs.append(kept.get_nowait())
        try:
            connection.send(Answer(value, error, logs))
        except OSError:  # the crawl is gone
            return
        except Exception as exc:  # what the call returned or raised cannot be pickled
            connection.send(Answer(None, RuntimeError(f"{name}: {exc!r}"), logs))


def _serve(owner: int, connection: Connection, calls: Mapping[str, Callable[..., Any]]) -> None:
    _start_worker(owner)
    answer_calls(connection, calls)


def worker_process(
    calls: Mapping[str, Callable[..., Any]], *, name: str
) -> tuple[BaseProcess, Connection]:
    """A worker process that follows the crawl (see above) and answers the calls sent
    over a pipe (``answer_calls``); returns it and the crawl's end of the pipe (for
    ``workerpipe.connect``). The functions of ``calls`` are module-level ones."""
    context: Any = _context()  # typeshed declares Process on the concrete contexts only
    here, there = context.Pipe(duplex=True)
    process = context.Process(
        target=_serve, args=(os.getpid(), there, dict(calls)), name=name, daemon=True
    )
    process.start()
    there.close()  # the worker's end is the worker's alone: it sees the crawl hang up
    return process, here


def _warm() -> int:
    import cfbu_crawler.extract  # noqa: F401  (the imports are most of a worker's start)

    return os.getpid()


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """A pool for ``extract_article`` (``cfbu reparse``), its workers started (and their
    imports done) now, rather than on the first page."""
    pool = worker_pool(workers)
    for _ in range(workers):
        pool.submit(_warm)
    return pool


__all__ = [
    "Answer",
    "answer_calls",
    "available_cores",
    "default_workers",
    "extraction_pool",
    "owner_alive",
    "start_fork_server",
    "worker_pool",
    "worker_process",
]
