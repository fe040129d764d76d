"""An ``ArchiveWriter`` in a process of its own, for a crawl's page records.

A crawl's reactor thread has Scrapy's own work to do; recording a page in the archive
(identity, versioning, bookkeeping: some eight Core statements, and the search index's
at each commit) costs CPU the reactor cannot spare, so the crawl hands its pages to this
process and carries on while they are written, on another core. The process is one of
``procpool``'s workers: it follows its parent, and calls run in the order they were
made, one at a time.

The run itself is begun and finished by the crawl's own ``ArchiveWriter`` (``begin_run``
before the first call here, ``finish_run`` after ``close``): this process only records
pages and outcomes for that run, batched (``ArchiveWriter``'s ``batch_seconds``), keeps
the lock's heartbeat in the name of the crawl's process, and commits what it holds when
closed.
"""

from __future__ import annotations

from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from cfbu_crawler.procpool import worker_pool

_WRITER: Any = None  # the ArchiveWriter of this worker process


@dataclass(frozen=True)
class WriterOptions:
    """What the worker needs to open its own ``ArchiveWriter`` on the crawl's run."""

    db_url: str
    extractor_version: str
    run_id: int
    pid: int  # the crawl's process, named by the lock
    batch_seconds: float
    batch_pages: int


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


def _call(method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return getattr(_WRITER, method)(*args, **kwargs)


class WriterProcess:
    """Calls on an ``ArchiveWriter`` in a worker process; each returns a ``Future``."""

    def __init__(self, options: WriterOptions) -> None:
        self.pool: ProcessPoolExecutor = worker_pool(1, initializer=_open, initargs=(options,))
        self.waiting: set[Future[Any]] = set()

    def call(self, method: str, *args: Any, **kwargs: Any) -> Future[Any]:
        """``ArchiveWriter.<method>(*args, **kwargs)`` in the worker, after every call
        made before it."""
        future = self.pool.submit(_call, method, args, kwargs)
        self.waiting.add(future)
        future.add_done_callback(self.waiting.discard)
        return future

    def close(self, *, at_once: bool = False) -> None:
        """Commit what the worker holds and stop it; ``at_once``: the calls not begun yet
        are cancelled first. Raises what the commit raised (the database's error, or
        ``BrokenProcessPool`` when the worker died): what it held is then lost, as after
        a crash, and the worker is stopped all the same."""
        if at_once:
            for future in list(self.waiting):
                future.cancel()
        try:
            self.call("commit").result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)


__all__ = ["WriterOptions", "WriterProcess"]
