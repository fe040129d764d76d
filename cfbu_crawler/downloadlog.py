"""A download that failed is one line in the log, not a traceback.

Scrapy logs some download failures with their traceback: robots.txt that cannot be
fetched (``RobotsTxtMiddleware``), a request without an errback (``scrapy.core.scraper``).
For a site that is down that is dozens of lines of Twisted internals per URL, in a cron
mail or the journal. This extension installs a logging filter on those loggers that
keeps the message (``Error downloading <GET …/robots.txt>: Connection was refused …``)
and drops the traceback when the exception is one of the download failures Scrapy itself
retries (``RETRY_EXCEPTIONS``) or a cancelled download. Any other exception keeps its
traceback: that is a bug worth its details.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, UnsupportedURLSchemeError
from scrapy.utils.misc import load_object

LOGGERS = ("scrapy.downloadermiddlewares.robotstxt", "scrapy.core.scraper")


class OneLineDownloadFailures(logging.Filter):
    def __init__(self, failures: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.failures = failures

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and self.is_download_failure(exc):
            record.exc_info = None
            record.exc_text = None
        return True

    def is_download_failure(self, exc: BaseException) -> bool:
        seen: set[int] = set()
        current: BaseException | None = exc
        while current is not None and id(current) not in seen:  # Scrapy chains them
            if isinstance(current, self.failures):
                return True
            seen.add(id(current))
            current = current.__cause__ or current.__context__
        return False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OneLineDownloadFailures:
        failures: list[type[BaseException]] = [DownloadCancelledError, UnsupportedURLSchemeError]
        for entry in crawler.settings.getlist("RETRY_EXCEPTIONS"):
            loaded: Any = load_object(entry) if isinstance(entry, str) else entry
            if isinstance(loaded, type) and issubclass(loaded, BaseException):
                failures.append(loaded)
        log_filter = cls(tuple(failures))
        for name in LOGGERS:
            logger = logging.getLogger(name)
            for old in [f for f in logger.filters if isinstance(f, cls)]:
                logger.removeFilter(old)
            logger.addFilter(log_filter)
        return log_filter
