"""An ``ArchiveWriter`` in a process of its own, for a crawl's page records.

A crawl's reactor thread has Scrapy's own work to do; recording a page in the archive
(identity, versioning, bookkeeping: some eight Core statements, and the search index's
at each commit) costs CPU the reactor cannot spare, so the crawl hands its pages to this
process and carries on while they are written, on another core.

The process is a ``procpool.worker_process``: it ignores SIGINT and SIGTERM, exits
within half a second of the crawl's death (``kill -9`` included), and records nothing
more in the crawl's name once the crawl is gone. The calls go over a pipe the reactor
reads (``workerpipe``: no thread of the crawl's takes Python's lock from its reactor) and
run one at a time in the order they were made — the open first, then the records, then
the close. What the process logs (a batch rolled back, a record refused) is logged by the
crawl, in its log.

The run itself is begun and finished by the crawl's own ``ArchiveWriter`` (``begin_run``
before the process starts, ``finish_run`` after its ``close`` was answered): this process
only records pages and outcomes for that run, batched (``ArchiveWriter``'s
``batch_seconds``), keeps the lock's heartbeat in the name of the crawl's process, and
commits what it holds when closed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.archive.vocabulary import Outcome
from cfbu_crawler.procpool import owner_alive, worker_process

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

    from cfbu_crawler.archive.store import ArchiveWriter


@dataclass(frozen=True)
class WriterOptions:
    """What the worker needs to open its own ``ArchiveWriter`` on the crawl's run."""

    db_url: str
    extractor_version: str
    run_id: int
    pid: int  # the crawl's process, named by the lock
    batch_seconds: float
    batch_pages: int


# -- in the worker process ---------------------------------------------------------------
_WRITER: ArchiveWriter | None = None  # the run's, once opened


def _open(options: WriterOptions) -> None:
    global _WRITER
    from cfbu_crawler.archive.db import open_engine
    from cfbu_crawler.archive.store import ArchiveWriter

    _WRITER = ArchiveWriter(
        open_engine(options.db_url, create=False),
        extractor_version=options.extractor_version,
        batch_seconds=options.batch_seconds,
        batch_pages=options.batch_pages,
        pid=options.pid,
    )
    _WRITER.run_id = options.run_id


def _writer() -> ArchiveWriter:
    if not owner_alive():  # the crawl was killed: nothing more is written in its name
        os._exit(1)
    if _WRITER is None:
        raise RuntimeError("the archive writer process has no archive open")
    return _WRITER


def _record_fetch(page: FetchedPage, errors: list[str]) -> tuple[Outcome, str | None]:
    return _writer().record_fetch(page, errors)


def _record_outcome(url: str, outcome: Outcome, details: dict[str, Any]) -> None:
    _writer().record_outcome(url, outcome, **details)


def _heartbeat() -> None:
    _writer().heartbeat()


def _commit_if_due() -> None:
    _writer().commit_if_due()


def _close() -> None:
    global _WRITER
    from cfbu_crawler.archive.db import close_engine

    writer = _writer()
    _WRITER = None
    try:
        writer.commit()
    finally:
        close_engine(writer.engine)


CALLS: dict[str, Callable[..., Any]] = {
    "open": _open,
    "record_fetch": _record_fetch,
    "record_outcome": _record_outcome,
    "heartbeat": _heartbeat,
    "commit_if_due": _commit_if_due,
    "close": _close,
}


# -- in the crawl ------------------------------------------------------------------------
class WriterProcess:
    """The run's page records, by an ``ArchiveWriter`` in a worker process opened at
    once. Each call returns a ``Deferred`` fired on the reactor's thread with what the
    writer returned, or failed with what it raised (``BrokenPipeError`` once the process
    died), and runs after every call made before it. Made on the running reactor."""

    def __init__(self, options: WriterOptions, died: Callable[[], None] | None = None) -> None:
        """``died`` is told, once, when the process ends before the crawl hangs up."""
        from cfbu_crawler.workerpipe import connect

        self.process, connection = worker_process(CALLS, name="cfbu archive writer")
        self.pipe = connect(
            connection,
            "the archive writer process",
            None if died is None else (lambda _pipe: died()),
        )
        # Failed when the archive could not be opened: every call then fails as well.
        self.opened: Deferred[None] = self.pipe.call("open", options)

    def record_fetch(
        self, page: FetchedPage, errors: list[str]
    ) -> Deferred[tuple[Outcome, str | None]]:
        """``ArchiveWriter.record_fetch``: the page, or the fetch as an error."""
        return self.pipe.call("record_fetch", page, errors)

    def record_outcome(self, url: str, outcome: Outcome, **details: Any) -> Deferred[None]:
        """``ArchiveWriter.record_outcome``."""
        return self.pipe.call("record_outcome", url, outcome, details)

    def heartbeat(self) -> Deferred[None]:
        """``ArchiveWriter.heartbeat``: commits what the process holds."""
        return self.pipe.call("heartbeat")

    def commit_if_due(self) -> Deferred[None]:
        """``ArchiveWriter.commit_if_due``."""
        return self.pipe.call("commit_if_due")

    def close(self) -> Deferred[None]:
        """Commit what the process holds, after every record sent; the process then
        ends. Fails with what the commit raised (the database's error, or
        ``BrokenPipeError`` when the process died): what it held is then lost, as after
        a crash."""
        closed: Deferred[None] = self.pipe.call("close")
        return closed.addBoth(self._hang_up)

    def _hang_up(self, result: Any) -> Any:
        self.pipe.hang_up()
        return result


__all__ = ["CALLS", "WriterOptions", "WriterProcess"]
