"""A run's WARC writing (``writing.RunRecorder``) in a process of its own.

Making a crawl's WARC records (warcio's record building, the payload and block digests,
a gzip member per record, the writes) took about a tenth of the reactor thread's time,
and the reactor's thread is what a fast crawl waits for. The crawl sends each exchange to
this process and awaits where its record lies, while the reactor goes on with other
responses and the records are made on another core. What the archive's earlier WARC
files hold (``PriorCaptures``, which grows with the archive) lives here, not in the
crawl.

The process is a ``procpool.worker_process``: it ignores SIGINT and SIGTERM, exits
within half a second of the crawl's death (``kill -9`` included), and writes no record
once the crawl is gone. The calls go over a pipe the reactor reads (``workerpipe``) and
run one at a time in the order they were made — the open first, then each record, then
the close — so the revisits are those the crawl would decide itself. What the process
logs (a torn record cut off, an index that could not be written) is logged by the crawl,
in its log.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from cfbu_crawler.procpool import owner_alive, worker_process
from cfbu_crawler.warc.records import Exchange
from cfbu_crawler.warc.writing import Recorded, RunOptions, RunRecorder

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

# -- in the worker process ---------------------------------------------------------------
_RECORDER: RunRecorder | None = None  # the run's, once opened


def _open(options: RunOptions) -> int:
    global _RECORDER
    _RECORDER = RunRecorder.open(options)
    return _RECORDER.repaired


def _record(exchange: Exchange) -> Recorded | None:
    if not owner_alive():  # the crawl was killed: what it sent last is not written
        os._exit(1)
    return _RECORDER.record(exchange) if _RECORDER is not None else None


def _close() -> list[str] | None:
    return _RECORDER.close() if _RECORDER is not None else None


CALLS: dict[str, Callable[..., Any]] = {"open": _open, "record": _record, "close": _close}


# -- in the crawl ------------------------------------------------------------------------
class WarcWriterProcess:
    """A run's ``RunRecorder`` in a worker process, opened at once. Each call returns a
    ``Deferred`` fired on the reactor's thread, and runs after every call made before
    it. Made on the running reactor."""

    def __init__(self, options: RunOptions) -> None:
        from twisted.internet import reactor

        from cfbu_crawler.workerpipe import connect

        self.process, connection = worker_process(CALLS, name="cfbu WARC writer")
        self.pipe = connect(connection, "the WARC writer process")
        # The files of killed crawls that had a torn record cut off; fails with
        # ``OSError`` when the WARC folder cannot be read (the records then write none).
        self.opened: Deferred[int] = self.pipe.call("open", options)
        # Stopped at once (a second Ctrl-C), the crawl still hangs up: the process ends.
        trigger: Any = reactor.addSystemEventTrigger  # declared on a zope interface
        self.trigger = trigger("before", "shutdown", self.pipe.hang_up)

    def record(self, exchange: Exchange) -> Deferred[Recorded | None]:
        """``RunRecorder.record`` of the exchange: where its record lies (None once
        writing has stopped); the ``OSError`` of a failed write (a full disk), or
        ``BrokenPipeError`` when the process died."""
        return self.pipe.call("record", exchange)

    def close(self) -> Deferred[list[str] | None]:
        """``RunRecorder.close``, after every record: the names of the files written.
        The process then ends."""
        from twisted.internet import reactor

        remove: Any = reactor.removeSystemEventTrigger
        remove(self.trigger)
        closed: Deferred[list[str] | None] = self.pipe.call("close")
        return closed.addBoth(self._hang_up)

    def _hang_up(self, result: Any) -> Any:
        self.pipe.hang_up()
        return result


__all__ = ["CALLS", "WarcWriterProcess"]
