"""What the archive knows that a crawl navigates by, and the component that loads it.

``ArchiveState`` is a Scrapy extension (as Scrapy's own ``SpiderState`` hands a job's
state to its spider): when the spider opens, it reads the archive once — known articles
with their HTTP validators and sitemap lastmods, fetches that failed last time, the
validators of listing pages and sitemaps — and hands the spider an ``ArchiveView`` as
``spider.archive``. The spider opens no database. ``ConditionalRequestsMiddleware``
(middlewares.py) turns the view into If-None-Match / If-Modified-Since headers, and the
store pipeline saves the validators the run collected, when the run completes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scrapy import signals

from cfbu_crawler.archive.db import ArchiveError, open_engine
from cfbu_crawler.archive.state import CrawlState, KnownArticle, load_crawl_state
from cfbu_crawler.archive.vocabulary import ArticleStatus
from cfbu_crawler.extract.urls import url_key

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# What a conditional request asks about (request.meta["cfbu_conditional"]).
ARTICLE, LISTING, SITEMAP = "article", "listing", "sitemap"
# ETag and Last-Modified of a listing page or sitemap, by the URL asked for.
Validators = dict[str, tuple[str, str | None, str | None]]  # url → (kind, etag, lm)


def validator_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


@dataclass
class ArchiveView:
    """The archive as a crawl sees it, and the crawl's incremental policy over it."""

    known: CrawlState = field(default_factory=CrawlState)
    full: bool = False  # --full: fetch everything again, ask nothing conditionally
    # Validators of listing pages and sitemaps this run saw (saved if it completes).
    collected: Validators = field(default_factory=dict)

    @property
    def incremental(self) -> bool:
        """Skip, stop early and ask conditionally: only after a complete crawl, and not
        with --full."""
        return not self.full and self.known.has_complete_run

    def lookup(self, url: str) -> KnownArticle | None:
        """The known article a URL (its identity or any alias) belongs to."""
        return self.known.article_for_key(url_key(url))

    def live(self) -> list[KnownArticle]:
        return self.known.live()

    @property
    def retry_urls(self) -> list[str]:
        """URLs of no known article whose fetch failed last time."""
        return self.known.retry_urls

    def unchanged_per_sitemap(self, known: KnownArticle | None, lastmod: str | None) -> bool:
        """The sitemap says this article has not changed since we last fetched it."""
        return bool(
            known is not None
            and self.incremental
            and not known.needs_fetch
            and known.status == ArticleStatus.LIVE
            and lastmod
            and known.sitemap_lastmod == lastmod
        )

    def conditional_headers(self, url: str, kind: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a request: an article's from its last
        full response (unless its last fetch failed), a listing page's or sitemap's from
        the last complete run."""
        if kind == ARTICLE:
            known = self.lookup(url)
            if known is None or self.full or known.needs_fetch:
                return {}
            return validator_headers(known.etag, known.last_modified)
        if not self.incremental or url not in self.known.validators:
            return {}
        return validator_headers(*self.known.validators[url])

    def collect(self, url: str, kind: str, etag: str | None, last_modified: str | None) -> None:
        """Remember a listing page's or sitemap's validators, keyed by the URL asked for
        (as ``conditional_headers`` looks them up)."""
        if etag or last_modified:
            self.collected[url] = (kind, etag, last_modified)


class ArchiveState:
    """Scrapy extension: loads the archive's state when the spider opens and hands it to
    the spider as ``spider.archive``."""

    def __init__(self, db: str | None, *, full: bool) -> None:
        self.db = db
        self.view = ArchiveView(full=full)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveState:
        settings = crawler.settings
        extension = cls(settings.get("CFBU_DB"), full=settings.getbool("CFBU_FULL"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        try:
            # The store pipeline, opened just before, has made or upgraded the archive;
            # archive.db hands out its engine again (one per archive and process).
            self.view.known = load_crawl_state(open_engine(self.db, create=True))
        except ArchiveError as exc:  # the store pipeline has refused to start already
            logger.debug("no archive state: %s", exc)
        spider.archive = self.view  # type: ignore[attr-defined]


__all__ = [
    "ARTICLE",
    "LISTING",
    "SITEMAP",
    "ArchiveState",
    "ArchiveView",
    "validator_headers",
]
