"""Storage: every item lands in the archive (versions, observations, raw pages).

Opens the archive and takes the crawl lock in ``open_spider``; closes the run (complete,
failed or interrupted) in ``close_spider``.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from cfbu_crawler.archive.db import ArchiveError, close_engine, open_engine
from cfbu_crawler.archive.lock import LockHeld
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
from cfbu_crawler.archive.vocabulary import FORCED_STOP, Outcome, RunStatus
from cfbu_crawler.crawlstate import ArchiveState
from cfbu_crawler.extract import EXTRACTOR_VERSION, error_text
from cfbu_crawler.items import ArticlePage, FetchOutcome
from cfbu_crawler.record import RECORD_FIELDS
from cfbu_crawler.warc.location import WarcLocation

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# How often a running crawl refreshes its lock (stale after lock.STALE_AFTER).
HEARTBEAT_SECONDS = 60.0
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
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.db = crawler.settings.get("CFBU_DB")
        self.writer: ArchiveWriter | None = None
        self.heartbeat: task.LoopingCall | None = None

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
        self.writer = ArchiveWriter(engine, extractor_version=EXTRACTOR_VERSION)
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
        self.heartbeat = task.LoopingCall(self.beat)
        self.heartbeat.start(HEARTBEAT_SECONDS, now=False)
        if "twisted.internet.reactor" in sys.modules:  # the crawl's reactor; never install one
            from twisted.internet import reactor

            # Typed loosely: Twisted declares this on a zope interface mypy cannot read.
            trigger: Any = reactor.addSystemEventTrigger
            trigger("before", "shutdown", self.reactor_stopping)
        if self.writer.replaced_holder is not None:
            logger.warning("took over a stale lock left by pid %s", self.writer.replaced_holder.pid)

    def beat(self) -> None:
        """The run's heartbeat; a crawl that lost its lock to another one stops."""
        if self.writer is None:
            return
        try:
            self.writer.heartbeat()
        except LockHeld as exc:
            logger.error("%s", exc)
            self.crawler.stats.set_value("cfbu/lock_lost", str(exc))
            if self.heartbeat is not None and self.heartbeat.running:
                self.heartbeat.stop()
            assert self.crawler.engine is not None
            deferred_from_coro(self.crawler.engine.close_spider_async(reason="lock_lost"))

    def process_item(self, item: Any) -> Any:
        if self.writer is None:
            return item
        stats = self.crawler.stats
        if isinstance(item, ArticlePage):
            adapter = ItemAdapter(item)
            outcome = self.store_page(adapter)
            # What goes on to feed exports (e.g. Scrapyd's items_dir) is the record, not the
            # extraction result it was copied from or the raw bytes (those are archived).
            for transient in ("extraction", "raw"):
                adapter.pop(transient, None)
            adapter["outcome"] = outcome
            stats.inc_value(f"cfbu/outcome/{outcome}")
            if adapter.get("missing"):
                stats.inc_value("cfbu/partial")
        elif isinstance(item, FetchOutcome):
            adapter = ItemAdapter(item)
            self.writer.record_outcome(
                adapter["url"],
                adapter["outcome"],
                status=adapter.get("status"),
                error=adapter.get("error"),
                raw=adapter.get("raw"),
                content_type=adapter.get("content_type"),
                final_url=adapter.get("final_url"),
                sitemap_lastmod=adapter.get("sitemap_lastmod"),
                sitemap_url=adapter.get("sitemap_url"),
                via=adapter.get("via"),
                warc=warc_location(adapter),
            )
            stats.inc_value(f"cfbu/outcome/{adapter['outcome']}")
            adapter.pop("raw", None)
        return item

    def store_page(self, adapter: ItemAdapter) -> Outcome:
        """Archive one page. When extraction itself crashed, or the archive refused the
        record, the fetch is kept as an error with its raw page: an extractor bug must not
        look like the site dropping a field, and nothing is lost silently."""
        assert self.writer is not None
        record = {field: adapter.get(field) for field in RECORD_FIELDS}
        errors = adapter.get("extraction_errors") or []
        if not errors:
            try:
                return self.writer.record_page(
                    FetchedPage(
                        requested_url=adapter["requested_url"],
                        final_url=adapter["fetched_url"],
                        identity_url=adapter["url"],
                        status=adapter["status"],
                        record=record,
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
                )
            except Exception as exc:  # the page must still be accounted for
                logger.exception("archiving %s failed", adapter["fetched_url"])
                errors = [f"archive: {type(exc).__name__}: {exc}"]
        self.writer.record_outcome(
            adapter["requested_url"],
            Outcome.ERROR,
            status=adapter.get("status"),
            error=error_text(errors),
            raw=adapter.get("raw"),
            content_type=adapter.get("content_type"),
            final_url=adapter.get("fetched_url"),
            via=adapter.get("via"),
            warc=warc_location(adapter),
        )
        return Outcome.ERROR

    def collected_validators(self) -> dict[str, tuple[str, str | None, str | None]]:
        """The validators of listing pages and sitemaps this run saw (ArchiveState)."""
        state = self.crawler.get_extension(ArchiveState)
        return state.view.collected if state is not None else {}

    def close_spider(self) -> None:
        """Nothing to flush: every item was committed on its own. See spider_closed."""

    def reactor_stopping(self) -> None:
        """The reactor stops while the run is open: the crawl was stopped at once (a
        second Ctrl-C or SIGTERM) before Scrapy could close the spider. The run is still
        recorded as interrupted, and the lock released."""
        if self.writer is not None:
            self.spider_closed(None, FORCED_STOP)

    def spider_closed(self, spider: Spider | None, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.writer is None:
            return
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
