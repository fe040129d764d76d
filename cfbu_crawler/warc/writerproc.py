"""A run's WARC writing (``writing.RunRecorder``) in a process of its own.

Making a crawl's WARC records (warcio's record building, the payload and block digests,
a gzip member per record, the writes) took about an eighth of the reactor thread's time,
and the reactor's thread is what a fast crawl waits for. The crawl hands each exchange to
this process and awaits where its record lies, while the reactor goes on with other
responses and the records are made on another core. What the archive's earlier WARC
files hold (``PriorCaptures``, which grows with the archive) lives here, not in the
crawl.

The process is one of ``procpool``'s workers: it ignores SIGINT and SIGTERM, exits
within half a second of the crawl's death (``kill -9`` included) and writes no record
once the crawl is gone. Calls run one at a time in the order they were made — the open
first, then each record, then the close — so the revisits are those the crawl would
decide itself. What the process logs (a torn record cut off, an index that could not be
written) comes back with each call's answer and is logged by the crawl, in its log.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import queue
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from cfbu_crawler.procpool import alive, worker_pool
from cfbu_crawler.warc.records import Exchange
from cfbu_crawler.warc.writing import Recorded, RunOptions, RunRecorder

T = TypeVar("T")

# -- in the worker process ---------------------------------------------------------------
_RECORDER: RunRecorder | None = None  # the run's, once opened
_OWNER = 0  # the crawl's process
_LOGS: queue.SimpleQueue[logging.LogRecord] = queue.SimpleQueue()  # logged during a call


@dataclass(frozen=True)
class Reply:
    """A call's result (or the exception it raised) and what was logged meanwhile."""

    value: Any
    error: BaseException | None
    logs: list[logging.LogRecord]


def _start(owner: int) -> None:
    global _OWNER
    _OWNER = owner
    # Records made picklable (message formatted, traceback as text) by QueueHandler.
    root = logging.getLogger()
    root.addHandler(logging.handlers.QueueHandler(_LOGS))
    root.setLevel(logging.INFO)


def _open(options: RunOptions) -> int:
    global _RECORDER
    _RECORDER = RunRecorder.open(options)
    return _RECORDER.repaired


def _record(exchange: Exchange) -> Recorded | None:
    if not alive(_OWNER):  # the crawl was killed: what it sent last is not written
        os._exit(1)
    return _RECORDER.record(exchange) if _RECORDER is not None else None


def _close() -> list[str] | None:
    return _RECORDER.close() if _RECORDER is not None else None


def _run(function: Callable[..., Any], *args: Any) -> Reply:
    value: Any = None
    error: BaseException | None = None
    try:
        value = function(*args)
    except Exception as exc:
        error = exc
    logs = []
    while not _LOGS.empty():
        logs.append(_LOGS.get_nowait())
    return Reply(value, error, logs)


# -- in the crawl ------------------------------------------------------------------------
def _answer(reply: Future[Reply], future: Future[Any]) -> None:
    try:
        answer = reply.result()
    except BaseException as exc:  # the process died (BrokenProcessPool), or was stopped
        future.set_exception(exc)
        return
    for record in answer.logs:
        logging.getLogger(record.name).handle(record)
    if answer.error is not None:
        future.set_exception(answer.error)
    else:
        future.set_result(answer.value)


class WarcWriterProcess:
    """A run's ``RunRecorder`` in a worker process, opened at once; each call returns a
    ``Future`` and runs after every call made before it."""

    def __init__(self, options: RunOptions) -> None:
        self.pool: ProcessPoolExecutor = worker_pool(1, initializer=_start, initargs=(os.getpid(),))
        # The files of killed crawls that had a torn record cut off; raises ``OSError``
        # when the WARC folder cannot be read (the records then write nothing).
        self.opened: Future[int] = self._call(_open, options)

    def _call(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        reply = self.pool.submit(_run, function, *args)
        reply.add_done_callback(lambda done: _answer(done, future))
        return future

    def record(self, exchange: Exchange) -> Future[Recorded | None]:
        """``RunRecorder.record`` of the exchange: where its record lies (None once
        writing has stopped); the ``OSError`` of a failed write (a full disk)."""
        return self._call(_record, exchange)

    def close(self) -> Future[list[str] | None]:
        """``RunRecorder.close``, after every record: the names of the files written."""
        return self._call(_close)

    def shutdown(self) -> None:
        """Stop the process (once closed: it has nothing left to do)."""
        self.pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["WarcWriterProcess"]
