"""A crawl's pages extracted by worker processes, called from its reactor.

Extraction (``extract_article``) is the crawl's heaviest work per page. It runs in
worker processes (``procpool.worker_process``), each spoken to over a pipe the reactor
reads (``workerpipe``): sending a page and reading back its ``Extraction`` costs the
crawl's process little more than their pickles, where a ``ProcessPoolExecutor``'s
manager and feeder threads took Python's lock from the reactor's thread for about
0.2 ms a page. A page goes to the worker with the fewest pages waiting; each worker
answers its pages in the order it was given them, the workers side by side.

A worker that died (killed, out of memory) is logged, fails the pages it had with
``BrokenPipeError`` and is given none after that; the caller extracts those itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from cfbu_crawler.extract import Extraction, extract_article
from cfbu_crawler.extract.urls import Section
from cfbu_crawler.procpool import worker_process

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from twisted.internet.defer import Deferred

    from cfbu_crawler.workerpipe import WorkerPipe

logger = logging.getLogger(__name__)


# -- in a worker process -----------------------------------------------------------------
def _extract(
    raw: bytes, url: str, encoding: str | None, section: Section | None, site_timezone: str
) -> Extraction:
    return extract_article(raw, url, encoding, section=section, site_timezone=site_timezone)


CALLS = {"extract": _extract}


# -- in the crawl ------------------------------------------------------------------------
class ExtractionProcesses:
    """``processes`` extraction workers, started at once (forked from the fork server,
    which imported the extraction code already). Made on the running reactor."""

    def __init__(self, processes: int) -> None:
        from twisted.internet import reactor

        from cfbu_crawler.workerpipe import connect

        self.processes: list[BaseProcess] = []
        self.pipes: list[WorkerPipe] = []
        for number in range(1, processes + 1):
            process, connection = worker_process(CALLS, name=f"cfbu extraction {number}")
            self.processes.append(process)
            self.pipes.append(connect(connection, f"extraction process {number}", self._died))
        # Stopped at once (a second Ctrl-C), the crawl still hangs up: the workers end.
        trigger: Any = reactor.addSystemEventTrigger  # declared on a zope interface
        self.trigger = trigger("before", "shutdown", self._hang_up)

    @property
    def working(self) -> int:
        """How many workers are still there."""
        return sum(1 for pipe in self.pipes if not pipe.gone)

    def extract(
        self,
        raw: bytes,
        url: str,
        encoding: str | None,
        *,
        section: Section | None,
        site_timezone: str,
    ) -> Deferred[Extraction]:
        """``extract_article`` of the page, by the worker with the fewest pages waiting;
        ``BrokenPipeError`` when that worker died meanwhile (or none is left)."""
        pipe = min(self.pipes, key=lambda pipe: (pipe.gone, len(pipe.waiting)))
        return pipe.call("extract", raw, url, encoding, section, site_timezone)

    def _died(self, pipe: WorkerPipe) -> None:
        left = self.working
        if left:
            logger.error(
                "%s ended: the pages it had are extracted by the crawl's process, the next "
                "ones by the %d extraction process(es) left",
                pipe.worker,
                left,
            )
        else:
            logger.error(
                "%s ended: the crawl's process extracts the pages from now on", pipe.worker
            )

    def close(self) -> None:
        """Hang up: each worker finishes the pages it has and ends."""
        from twisted.internet import reactor

        remove: Any = reactor.removeSystemEventTrigger  # declared on a zope interface
        remove(self.trigger)
        self._hang_up()

    def _hang_up(self) -> None:
        for pipe in self.pipes:
            pipe.hang_up()


__all__ = ["CALLS", "ExtractionProcesses"]
