"""Crawl progress: a live line on a terminal, plain periodic log lines otherwise."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

from cfbu_crawler.archive.vocabulary import Outcome

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger("cfbu.progress")


class CrawlProgress:
    def __init__(self, crawler: Crawler, interval: float, live: bool) -> None:
        self.crawler = crawler
        self.interval = interval
        self.live = live
        self.loop: task.LoopingCall | None = None
        self.console: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlProgress:
        settings = crawler.settings
        live = settings.getbool("CFBU_PROGRESS_LIVE", sys.stderr.isatty())
        ext = cls(crawler, settings.getfloat("CFBU_PROGRESS_INTERVAL", 10.0), live)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def counts(self) -> dict[str, int]:
        stats = self.crawler.stats
        out = {"requests": stats.get_value("downloader/request_count", 0)}
        for outcome in Outcome:
            out[outcome] = stats.get_value(f"cfbu/outcome/{outcome}", 0)
        return out

    def line(self) -> str:
        c = self.counts()
        unchanged = c[Outcome.UNCHANGED] + c[Outcome.NOT_MODIFIED] + c[Outcome.SKIPPED]
        return (
            f"{c['requests']} requests · {c[Outcome.NEW]} new · {c[Outcome.CHANGED]} changed · "
            f"{unchanged} unchanged · {c[Outcome.MOVED]} moved · "
            f"{c[Outcome.GONE]} gone · {c[Outcome.ERROR]} errors"
        )

    def tick(self) -> None:
        if self.live and self.console is not None:
            self.console.print(
                f"[bold]cfbu[/] {self.line()}", end="\r", soft_wrap=True, highlight=False
            )
        else:
            logger.info("progress: %s", self.line())

    def spider_opened(self, spider: Spider) -> None:
        if self.live:
            from rich.console import Console

            self.console = Console(stderr=True)
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(1.0 if self.live else self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live and self.console is not None:
            self.console.print(" " * 100, end="\r")
