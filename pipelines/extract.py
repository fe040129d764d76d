"""Extraction: run ``extract_article`` once on the fetched page and put its one typed
result on the item (``extraction``) for the pipelines that follow.

The parse tree lives and dies inside ``extract_article``: what rides on the item from
here on is plain values only (text, tuples, dicts).

Extraction is the crawl's heaviest work per page, and the reactor's thread has the crawl
to run: it happens in worker processes (``extractproc``; ``CFBU_EXTRACT_PROCESSES``, by
default one per core but one; 0 extracts on the reactor's thread, as a pipeline built
without a crawler does). ``process_item`` then returns an awaitable of the item, which
Scrapy waits for before the next pipeline. A page whose worker died (killed) is extracted
here; once no worker is left, every page is.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.utils.defer import maybe_deferred_to_future

from cfbu_crawler.extract import (
    DEFAULT_SITE_TIMEZONE,
    Extraction,
    check_timezone,
    extract_article,
)
from cfbu_crawler.extract.urls import DEFAULT_START_URL, Section
from cfbu_crawler.extractproc import ExtractionProcesses
from cfbu_crawler.items import ArticlePage
from cfbu_crawler.procpool import default_workers

from .base import FieldPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ExtractPipeline(FieldPipeline):
    def __init__(
        self,
        section: Section | None = None,
        site_timezone: str = DEFAULT_SITE_TIMEZONE,
        *,
        processes: int = 0,
    ) -> None:
        self.section = section
        self.site_timezone = site_timezone
        self.processes = processes
        self.workers: ExtractionProcesses | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        # The crawled section (from the start URL) decides whether a canonical link names
        # an article of it; the spider writes a ``-a start_url`` back into this setting.
        settings = crawler.settings
        start_url = settings.get("CFBU_START_URL") or DEFAULT_START_URL
        # The site's timezone gives the day of a timestamp the page shows no date for; it
        # is kept with the run's settings, so that ``cfbu reparse`` uses the same one.
        zone = settings.get("CFBU_SITE_TIMEZONE") or DEFAULT_SITE_TIMEZONE
        processes = settings.get("CFBU_EXTRACT_PROCESSES")
        return cls(
            Section.from_start_url(start_url),
            site_timezone=check_timezone(zone),
            processes=default_workers() if processes in (None, "") else int(processes),
        )

    def open_spider(self) -> None:
        if self.processes > 0:
            self.workers = ExtractionProcesses(self.processes)

    def close_spider(self) -> None:
        workers, self.workers = self.workers, None
        if workers is not None:
            workers.close()

    def process_item(self, item: Any) -> Any:
        if self.workers is None or not isinstance(item, ArticlePage):
            return super().process_item(item)
        return self._extract_there(item, self.workers)

    async def _extract_there(self, item: ArticlePage, workers: ExtractionProcesses) -> Any:
        adapter = ItemAdapter(item)
        try:
            result: Extraction = await maybe_deferred_to_future(
                workers.extract(
                    adapter["raw"],
                    adapter["fetched_url"],
                    adapter.get("encoding"),
                    section=self.section,
                    site_timezone=self.site_timezone,
                )
            )
        except Exception:  # its worker died (killed): extract here
            if self.workers is workers and not workers.working:
                self.close_spider()  # none left: here from now on
            self.fill(adapter)
        else:
            self.use(adapter, result)
        return item

    def fill(self, adapter: ItemAdapter) -> None:
        self.use(
            adapter,
            extract_article(
                adapter["raw"],
                adapter["fetched_url"],
                adapter.get("encoding"),
                section=self.section,
                site_timezone=self.site_timezone,
            ),
        )

    @staticmethod
    def use(adapter: ItemAdapter, result: Extraction) -> None:
        adapter["extraction"] = result
        if result.failed:
            logger.error(
                "extracting %s failed: %s", adapter["fetched_url"], "; ".join(result.error_lines())
            )
