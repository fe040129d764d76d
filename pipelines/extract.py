"""Extraction: run ``extract_article`` once on the fetched page and put its one typed
result on the item (``extraction``) for the pipelines that follow.

The parse tree lives and dies inside ``extract_article``: what rides on the item from
here on is plain values only (text, tuples, dicts).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from itemadapter import ItemAdapter

from cfbu_crawler.extract import DEFAULT_SITE_TIMEZONE, check_timezone, extract_article
from cfbu_crawler.extract.urls import DEFAULT_START_URL, Section

from .base import FieldPipeline

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ExtractPipeline(FieldPipeline):
    def __init__(
        self, section: Section | None = None, site_timezone: str = DEFAULT_SITE_TIMEZONE
    ) -> None:
        self.section = section
        self.site_timezone = site_timezone

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractPipeline:
        # The crawled section (from the start URL) decides whether a canonical link names
        # an article of it; the spider writes a ``-a start_url`` back into this setting.
        start_url = crawler.settings.get("CFBU_START_URL") or DEFAULT_START_URL
        # The site's timezone gives the day of a timestamp the page shows no date for; it
        # is kept with the run's settings, so that ``cfbu reparse`` uses the same one.
        zone = crawler.settings.get("CFBU_SITE_TIMEZONE") or DEFAULT_SITE_TIMEZONE
        return cls(Section.from_start_url(start_url), site_timezone=check_timezone(zone))

    def fill(self, adapter: ItemAdapter) -> None:
        result = extract_article(
            adapter["raw"],
            adapter["fetched_url"],
            adapter.get("encoding"),
            section=self.section,
            site_timezone=self.site_timezone,
        )
        adapter["extraction"] = result
        if result.failed:
            logger.error(
                "extracting %s failed: %s", adapter["fetched_url"], "; ".join(result.error_lines())
            )
