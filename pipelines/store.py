"""Storage: every item lands in the archive (versions, observations, raw pages).

Opens the archive, takes the crawl lock and begins the run in ``open_spider``; finishes
the run (complete, failed or interrupted) on ``spider_closed``.

The pages are recorded in short transactions (``CFBU_ARCHIVE_BATCH_SECONDS``, a second by
default: a crawl killed with ``kill -9`` loses at most that much work, which the next run
fetches again) and, by default, by an archive writer in a process of its own
(``CFBU_ARCHIVE_WRITER_PROCESS``; ``archive.writerproc``), so that the reactor's thread
goes on crawling while they are written. ``process_item`` then returns an awaitable that
Scrapy waits for: an item leaves this pipeline with its outcome, as before. The run is
finished once that process has committed the last of them, answering over its pipe:
Scrapy waits for that (``spider_closed`` returns an awaitable), and so does the reactor
when the crawl is stopped at once.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from twisted.internet import task
from twisted.internet.defer import Deferred

from cfbu_crawler.archive import lock
from cfbu_crawler.archive.db import ArchiveError, close_engine, open_engine, resolve_db
from cfbu_crawler.archive.lock import LockHeld
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage, record_fetch
from cfbu_crawler.archive.vocabulary import FORCED_STOP, WRITER_DIED, Outcome, RunStatus
from cfbu_crawler.archive.writerproc import WriterOptions, WriterProcess
from cfbu_crawler.crawlstate import ArchiveState
from cfbu_crawler.extract import EXTRACTOR_VERSION
from cfbu_crawler.items import ArticlePage, FetchOutcome
from cfbu_crawler.record import RECORD_FIELDS
from cfbu_crawler.warc.location import WarcLocation

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

# How often a running crawl refreshes its lock (stale after lock.STALE_AFTER).
HEARTBEAT_SECONDS = 60.0
# How often a batch of page records is looked at, to be committed once it is old enough.
FLUSH_SECONDS = 0.25
# A batch holds at most this many page records, however quickly they come.
BATCH_PAGES = 1000
# Settings worth keeping with each run, to know later how it was made.
RUN_SETTINGS = (
    "CFBU_START_URL",
    "CFBU_FULL",
    "USER_AGENT",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED",
    "ROBOTSTXT_OBEY",
    "RETRY_TIMES",
    "CFBU_USE_SITEMAPS",
    "CFBU_SITE_TIMEZONE",
)


def run_status(reason: str, listing_complete: bool) -> RunStatus:
    """How a Scrapy close reason maps to a run status (docs/schema.md, ``runs.status``):
    complete only when the spider finished and walked the whole listing."""
    if reason == "finished":
        return RunStatus.COMPLETE if listing_complete else RunStatus.FAILED
    if reason in ("shutdown", "cancelled", "interrupted", FORCED_STOP):
        return RunStatus.INTERRUPTED
    return RunStatus.FAILED


def warc_location(adapter: ItemAdapter) -> WarcLocation | None:
    """The item's record in the run's WARC files (warc.recorder), if one was written."""
    if adapter.get("warc_file") is None:
        return None
    return WarcLocation(adapter["warc_file"], adapter["warc_offset"], adapter["warc_length"])


class StorePipeline:
    # The page records' writer process (CFBU_ARCHIVE_WRITER_PROCESS), started with the
    # first record (``remote_options`` until then); none: ``writer`` records the pages.
    remote: WriterProcess | None = None
    remote_options: WriterOptions | None = None
    # The run's finish, once begun while that process commits its last records.
    finishing: Deferred[None] | None = None
    # The archive writer process ended in the middle of the crawl (stop_for_dead_writer).
    writer_died = False

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db = crawler.settings.get("CFBU_DB")
        self.writer: ArchiveWriter | None = None  # the run's lifecycle (and pages, here)
        self.remote: WriterProcess | None = None  # the page records, in their own process
        self.finishing: Deferred[None] | None = None
        self.writer_died = False  # the archive writer process ended mid-crawl
        self.heartbeat: task.LoopingCall | None = None
        self.flush: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        pipeline = cls(crawler)
        # Scrapy closes pipelines before it tells anyone *why* the spider closed; the run's
        # status depends on that reason, so the run is finished on spider_closed.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        # The spider has turned its arguments (-a start_url=…, -a full=1) into settings.
        settings = self.crawler.settings
        try:
            engine = open_engine(self.db, create=True)
        except ArchiveError as exc:
            self.crawler.stats.set_value("cfbu/fatal", str(exc))
            raise CloseSpider("archive_error") from exc
        batch_seconds = settings.getfloat("CFBU_ARCHIVE_BATCH_SECONDS", 1.0)
        remote = settings.getbool("CFBU_ARCHIVE_WRITER_PROCESS", True)
        self.writer = ArchiveWriter(
            engine,
            extractor_version=EXTRACTOR_VERSION,
            batch_seconds=0.0 if remote else batch_seconds,
            batch_pages=1 if remote else BATCH_PAGES,
        )
        try:
            run_id = self.writer.begin_run(
                start_url=settings.get("CFBU_START_URL"),
                full=settings.getbool("CFBU_FULL"),
                settings={name: settings.get(name) for name in RUN_SETTINGS},
            )
        except LockHeld as exc:
            self.writer = None
            self.crawler.stats.set_value("cfbu/lock_held", str(exc))
            logger.error("%s", exc)
            raise CloseSpider("lock_held") from exc
        self.crawler.stats.set_value("cfbu/run_id", run_id)
        if remote:
            self.remote_options = WriterOptions(
                db_url=resolve_db(self.db),
                extractor_version=EXTRACTOR_VERSION,
                run_id=run_id,
                pid=os.getpid(),
                batch_seconds=batch_seconds,
                batch_pages=BATCH_PAGES,
            )
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)
        if batch_seconds > 0:
            self.flush = task.LoopingCall(self.commit_if_due)
            self.flush.start(FLUSH_SECONDS, now=False)
        if "twisted.internet.reactor" in sys.modules:  # the crawl's reactor; never install one
            from twisted.internet import reactor

            # Typed loosely: Twisted declares this on a zope interface mypy cannot read.
            trigger: Any = reactor.addSystemEventTrigger
            trigger("before", "shutdown", self.reactor_stopping)
        if self.writer.replaced_holder is not None:
            logger.warning("took over a stale lock left by pid %s", self.writer.replaced_holder.pid)

    def beat(self) -> None:
        """The lock's and the run's heartbeat (also while no page comes in); a crawl that
        lost its lock to another one stops."""
        if self.writer is None:
            return
        try:
            if self.remote is not None:
                # The lock is held by this process (its connection, on PostgreSQL); the
                # run's heartbeat is written by the page writer.
                lock.verify(self.writer.factory, pid=self.writer.pid)
                self.remote.heartbeat().addErrback(_log_failure)
            else:
                self.writer.heartbeat()
        except LockHeld as exc:
            logger.error("%s", exc)
            self.crawler.stats.set_value("cfbu/lock_lost", str(exc))
            if self.heartbeat is not None and self.heartbeat.running:
                self.heartbeat.stop()
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="lock_lost"))

    def commit_if_due(self) -> None:
        if self.remote is not None:
            self.remote.commit_if_due().addErrback(_log_failure)
        elif self.writer is not None:
            self.writer.commit_if_due()

    def process_item(self, item: Any) -> Any:
        """The item, archived; or, when the archive writer runs in its own process, an
        awaitable of it."""
        if self.writer is None or not isinstance(item, (ArticlePage, FetchOutcome)):
            return item
        if self.finishing is not None:  # stopped at once: the next run fetches it again
            return item
        if self.writer_died:  # not archived: the failed run's pages are fetched next time
            return item
        if self.remote is None and self.remote_options is not None:
            self.remote = WriterProcess(self.remote_options, died=self.stop_for_dead_writer)
            self.remote.opened.addErrback(_log_failure)
        if self.remote is not None:
            return self._process_remotely(item, self.remote)
        adapter = ItemAdapter(item)
        if isinstance(item, ArticlePage):
            self.stored(adapter, self.store_page(adapter))
        else:
            self.writer.record_outcome(
                adapter["url"], adapter["outcome"], **outcome_details(adapter)
            )
            self.outcome_recorded(adapter)
        return item

    def stop_for_dead_writer(self) -> None:
        """The archive writer process ended in the middle of the crawl (killed, out of
        memory): nothing fetched from now on could be archived. The crawl stops and its
        run is recorded as failed (reason ``archive_writer_died``), rather than fetching
        on and calling complete a run whose pages were not archived."""
        if self.writer_died or self.finishing is not None:
            return
        self.writer_died = True
        logger.error(
            "the archive writer process ended: the crawl stops and the run is recorded as "
            "failed; the pages not archived are fetched next time"
        )
        self.crawler.stats.set_value("cfbu/fatal", "the archive writer process ended")
        assert self.crawler.engine is not None
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=WRITER_DIED))

    async def _process_remotely(self, item: Any, remote: WriterProcess) -> Any:
        try:
            return await self._send(item, remote)
        except BrokenPipeError:
            if self.writer_died:  # said once already (stop_for_dead_writer)
                return item
            raise

    async def _send(self, item: Any, remote: WriterProcess) -> Any:
        adapter = ItemAdapter(item)
        if isinstance(item, ArticlePage):
            outcome, refused = await maybe_deferred_to_future(
                remote.record_fetch(fetched_page(adapter), extraction_errors(adapter))
            )
            self.stored(adapter, self.outcome_of(adapter, outcome, refused))
        else:
            await maybe_deferred_to_future(
                remote.record_outcome(
                    adapter["url"], adapter["outcome"], **outcome_details(adapter)
                )
            )
            self.outcome_recorded(adapter)
        return item

    def store_page(self, adapter: ItemAdapter) -> Outcome:
        """Archive one page. When extraction itself crashed, or the archive refused the
        record, the fetch is kept as an error with its raw page (``record_fetch``)."""
        assert self.writer is not None
        outcome, refused = record_fetch(
            self.writer, fetched_page(adapter), extraction_errors(adapter)
        )
        return self.outcome_of(adapter, outcome, refused)

    @staticmethod
    def outcome_of(adapter: ItemAdapter, outcome: Outcome, refused: str | None) -> Outcome:
        if refused is not None:
            logger.error("archiving %s failed\n%s", adapter["fetched_url"], refused.rstrip())
        return outcome

    def stored(self, adapter: ItemAdapter, outcome: Outcome) -> None:
        """What an archived page leaves on its item, and in the crawl's stats."""
        # What goes on to feed exports (e.g. Scrapyd's items_dir) is the record, not the
        # extraction result it was copied from or the raw bytes (those are archived).
        for transient in ("extraction", "raw"):
            adapter.pop(transient, None)
        adapter["outcome"] = outcome
        self.crawler.stats.inc_value(f"cfbu/outcome/{outcome}")
        if adapter.get("missing"):
            self.crawler.stats.inc_value("cfbu/partial")

    def outcome_recorded(self, adapter: ItemAdapter) -> None:
        self.crawler.stats.inc_value(f"cfbu/outcome/{adapter['outcome']}")
        adapter.pop("raw", None)

    def collected_validators(self) -> dict[str, tuple[str, str | None, str | None]]:
        """The validators of listing pages and sitemaps this run saw (ArchiveState)."""
        state = self.crawler.get_extension(ArchiveState)
        return state.view.collected if state is not None else {}

    def close_spider(self) -> None:
        """Nothing to do: the run is finished on spider_closed (see from_crawler)."""

    def reactor_stopping(self) -> Deferred[None] | None:
        """The reactor stops while the run is open: the crawl was stopped at once (a
        second Ctrl-C or SIGTERM) before Scrapy could close the spider, or while it did.
        The run is still recorded as interrupted, and the lock released; the pages not
        yet sent to the archive writer are given up (the next run fetches them again).
        The reactor waits for the Deferred returned."""
        if self.finishing is not None:  # the spider is closing: wait for its end
            return _when_fired(self.finishing)
        return self.finish(FORCED_STOP)

    def spider_closed(self, spider: Spider | None, reason: str) -> Awaitable[None] | None:
        """Finish the run (``finish``): Scrapy waits for what is returned."""
        finishing = self.finish(reason)
        return None if finishing is None else maybe_deferred_to_future(finishing)

    def finish(self, reason: str) -> Deferred[None] | None:
        """Finish the run at once or, while the archive writer process commits its last
        records, once it has (a Deferred then)."""
        for loop in (self.heartbeat, self.flush):
            if loop is not None and loop.running:
                loop.stop()
        if self.writer is None or self.finishing is not None:
            return None
        remote, self.remote = self.remote, None
        if remote is None:
            self.finish_run(reason)
            return None
        closed = remote.close().addErrback(self.page_writer_failed)
        self.finishing = closed.addCallback(lambda _: self.finish_run(reason))
        return self.finishing

    @staticmethod
    def page_writer_failed(failure: Failure) -> None:
        """The archive writer process could not commit its last records, or died."""
        logger.error(
            "the archive writer failed (%s: %s): the pages of its last second are not "
            "archived and are fetched again next time",
            type(failure.value).__name__,
            failure.value,
        )

    def finish_run(self, reason: str) -> None:
        """Record how the run ended, release the lock, close the archive."""
        assert self.writer is not None
        stats = self.crawler.stats
        listing_complete = bool(stats.get_value("cfbu/listing_complete"))
        run = self.writer.finish_run(
            run_status(reason, listing_complete),
            reason=stats.get_value("cfbu/start_failed") or reason,
            requests=stats.get_value("downloader/request_count", 0),
            bytes_received=stats.get_value("downloader/response_bytes", 0),
            listing_complete=listing_complete,
            validators=self.collected_validators(),
        )
        stats.set_value("cfbu/run_status", run.status)
        for warning in run.warnings or []:
            logger.warning("%s", warning)
        close_engine(self.writer.engine)
        self.writer = None


def fetched_page(adapter: ItemAdapter) -> FetchedPage:
    """What the archive keeps of an article page item."""
    return FetchedPage(
        requested_url=adapter["requested_url"],
        final_url=adapter["fetched_url"],
        identity_url=adapter.get("url") or adapter["fetched_url"],
        status=adapter["status"],
        record={field: adapter.get(field) for field in RECORD_FIELDS},
        raw=adapter["raw"],
        content_type=adapter.get("content_type"),
        encoding=adapter.get("encoding"),
        redirect_urls=adapter.get("redirect_urls") or [],
        etag=adapter.get("etag"),
        last_modified=adapter.get("last_modified"),
        sitemap_lastmod=adapter.get("sitemap_lastmod"),
        sitemap_url=adapter.get("sitemap_url"),
        fetched_at=adapter.get("fetched_at"),
        missing=adapter.get("missing") or [],
        via=adapter.get("via"),
        warc=warc_location(adapter),
    )


def extraction_errors(adapter: ItemAdapter) -> list[str]:
    return list(adapter.get("extraction_errors") or [])


def outcome_details(adapter: ItemAdapter) -> dict[str, Any]:
    """The keyword arguments of ``record_outcome`` for a ``FetchOutcome`` item."""
    return {
        "status": adapter.get("status"),
        "error": adapter.get("error"),
        "raw": adapter.get("raw"),
        "content_type": adapter.get("content_type"),
        "final_url": adapter.get("final_url"),
        "sitemap_lastmod": adapter.get("sitemap_lastmod"),
        "sitemap_url": adapter.get("sitemap_url"),
        "via": adapter.get("via"),
        "warc": warc_location(adapter),
    }


def _log_failure(failure: Failure) -> None:
    logger.error("the archive writer failed: %s", failure.value)


def _when_fired(deferred: Deferred[Any]) -> Deferred[None]:
    """A Deferred fired when ``deferred`` is (whatever its result, left to it)."""
    fired: Deferred[None] = Deferred()

    def fire(result: Any) -> Any:
        fired.callback(None)
        return result

    deferred.addBoth(fire)
    return fired
