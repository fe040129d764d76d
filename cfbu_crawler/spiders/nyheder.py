"""The ``nyheder`` spider: walks the news listing (and sitemaps), fetches every article.

Navigation only. It decides what to fetch (the listing's pages, the articles they and the
sitemaps list, known articles the listing no longer shows) and hands each response on as
an item; extraction and storage happen in the pipelines. What it knows of the archive
(known articles, validators, sitemap lastmods, failed fetches) is handed to it as
``self.archive`` by the ``crawlstate.ArchiveState`` extension; the conditional-request
headers come from ``middlewares.ConditionalRequestsMiddleware``; what a response means
for the archive is decided by the pure functions of ``cfbu_crawler.responses``.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.selector import Selector
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from cfbu_crawler.archive.state import KnownArticle
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.archive.vocabulary import ArticleStatus, Outcome, Via
from cfbu_crawler.crawlstate import ARTICLE, LISTING, SITEMAP, ArchiveView
from cfbu_crawler.extract.urls import (
    DEFAULT_START_URL,
    Section,
    absolute_url,
    fold_host,
    listing_key,
    url_key,
)
from cfbu_crawler.items import ArticlePage, FetchOutcome
from cfbu_crawler.responses import (
    Fetch,
    Verdict,
    classify_article,
    classify_listing,
    failure_reason,
)
from cfbu_crawler.spiders.hrefs import hrefs

ARTICLE_STATUSES = [304, 404, 410]
# Structured data that says "this page is one article".
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle")
_PAGE_NUMBER = re.compile(r"/(?:page|side)/(\d+)/?$|[?&](?:page|paged|side)=(\d+)")
# Link texts of "the next (older) listing page" (Danish first): "Næste side ›", "Ældre
# nyheder", "Flere nyheder", "Vis flere", "Next", "Older posts", a bare "›" or "»".
_NEXT_TEXT = re.compile(
    r"^\W*(?:næste|ældre|flere\s+nyheder|vis\s+flere|next|older)\b|^[\s›»→>]+$", re.I
)
FALLBACK_SITEMAPS = ("/sitemap_index.xml", "/wp-sitemap.xml", "/sitemap.xml")
# How much of a page that is not HTML is kept with its error.
MAX_ERROR_BODY = 2 * 1024 * 1024


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def listing_number(url: str) -> int:
    match = _PAGE_NUMBER.search(url)
    if not match:
        return 1
    return int(match.group(1) or match.group(2))


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


@dataclass
class Sweep:
    """Where this crawl's navigation stands (the spider's own bookkeeping)."""

    seen_keys: set[str] = field(default_factory=set)  # articles requested or settled
    seen_ids: set[int] = field(default_factory=set)  # known articles requested or settled
    listing_seen: set[str] = field(default_factory=set)  # listing_key of listing requests
    sitemap_seen: set[str] = field(default_factory=set)
    # Article entries of the sitemaps: key → (url, lastmod, sitemap URL).
    sitemap_entries: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # Sitemap articles this run will fetch, claimed (seen) but not yet asked for: handed to
    # Scrapy a few at a time as its scheduler runs dry (``feed_backlog``).
    backlog: deque[tuple[str, str, str]] = field(default_factory=deque)
    sitemaps_not_modified: set[str] = field(default_factory=set)
    sitemaps_read: set[str] = field(default_factory=set)  # urlsets read in full (200)
    pending_sitemaps: int = 0
    listing_started: bool = False
    # An incremental walk that stopped at a page of known articles: the pages it would
    # have gone on to (resumed at the end of the sweep when that proves articles unlisted).
    resume_pages: list[str] = field(default_factory=list)
    resumed: bool = False
    walk_cut: bool = False  # the walk stopped before the listing's last page
    listing_news: bool = False  # the walk found articles the archive does not know
    verified: bool = False  # the end-of-sweep check of unlisted known articles is queued


class NyhederSpider(scrapy.Spider):
    name = "nyheder"

    start_url: str
    section: Section
    allowed_domains: list[str]
    use_sitemaps: bool
    max_listing_pages: int
    backlog_batch: int = 32
    archive: ArchiveView  # handed over by the ArchiveState extension when the spider opens
    sweep: Sweep

    def __init__(self, start_url: str | None = None, full: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._start_url_arg = start_url
        self._full_arg = full
        self.archive = ArchiveView()
        self.sweep = Sweep()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NyhederSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.arguments_to_settings()
        settings = crawler.settings
        spider.start_url = (
            spider._start_url_arg or settings.get("CFBU_START_URL") or DEFAULT_START_URL
        )
        spider.section = Section.from_start_url(spider.start_url)
        spider.allowed_domains = [fold_host(urlsplit(spider.start_url).hostname or "")]
        spider.use_sitemaps = settings.getbool("CFBU_USE_SITEMAPS", True)
        spider.max_listing_pages = settings.getint("CFBU_MAX_LISTING_PAGES", 500)
        spider.backlog_batch = 2 * settings.getint("CONCURRENT_REQUESTS", 16)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.feed_backlog, signal=signals.scheduler_empty)
        return spider

    def arguments_to_settings(self) -> None:
        """Spider arguments (``-a start_url=… -a full=1``, as Scrapyd passes them) become
        the settings that every component reads: Scrapy freezes the settings only after
        ``from_crawler``."""
        arguments: dict[str, Any] = {}
        if self._start_url_arg:
            arguments["CFBU_START_URL"] = self._start_url_arg
        if self._full_arg is not None:
            arguments["CFBU_FULL"] = truthy(self._full_arg)
        if not arguments:
            return
        if self.settings.frozen:  # a crawler set up by hand, as in tests
            self.logger.warning("settings frozen: arguments %s reach the spider only", arguments)
            return
        for name, value in arguments.items():
            self.settings.set(name, value, priority="cmdline")

    # -- start ---------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        self.crawler.stats.set_value("cfbu/listing_pages", 0)
        self.crawler.stats.set_value("cfbu/listing_errors", 0)
        for url in self.archive.retry_urls:
            if self.section.classify(url) == "article":
                yield self.article_request(url, via=Via.RETRY)
        for known in self.archive.live():
            if known.needs_fetch:
                yield self.article_request(known.fetch_url, via=Via.RETRY, known=known)
        if self.use_sitemaps:  # with --full too: sitemaps also find articles no listing shows
            self.sweep.pending_sitemaps = 1
            yield Request(
                urljoin(self.start_url, "/robots.txt"),
                callback=self.parse_robots,
                errback=self.sitemap_failed,
                dont_filter=True,
                meta={"handle_httpstatus_list": [403, 404, 410]},
                priority=10,
            )
        else:
            yield self.listing_request(self.start_url)

    def listing_request(self, url: str, *, conditional: bool = True) -> Request:
        self.sweep.listing_started = True
        self.sweep.listing_seen.add(listing_key(url))
        meta: dict[str, Any] = {"handle_httpstatus_list": [304]}
        if conditional:
            meta["cfbu_conditional"] = LISTING
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            dont_filter=True,
            meta=meta,
            priority=5,
        )

    def claim(self, key: str, known: KnownArticle | None) -> None:
        """This run fetches (or has settled) the article: no other way asks for it."""
        self.sweep.seen_keys.add(key)
        if known is not None:
            self.sweep.seen_ids.add(known.id)

    def skipped(self, key: str, known: KnownArticle) -> FetchOutcome:
        self.claim(key, known)
        return FetchOutcome(url=known.url, outcome=Outcome.SKIPPED, via=Via.SITEMAP)

    def from_backlog(self) -> list[Request]:
        """The next requests of the sitemaps' backlog (``backlog_batch`` of them): the
        first batch is yielded with the listing's first page when the sitemaps are read,
        the rest is fed as Scrapy's scheduler runs dry (``feed_backlog``)."""
        backlog = self.sweep.backlog
        requests: list[Request] = []
        while backlog and len(requests) < self.backlog_batch:
            url, lastmod, sitemap_url = backlog.popleft()
            request = self.article_request(
                url, via=Via.SITEMAP, lastmod=lastmod or None, sitemap_url=sitemap_url
            )
            requests.append(request)
        return requests

    def feed_backlog(self) -> None:
        """Scrapy's scheduler ran dry (its ``scheduler_empty`` signal): the next sitemap
        articles, handed to the engine as the end-of-sweep checks are. Requests queued in
        Scrapy weigh about 2 KB each (bench/README.md, "Memory"); a sitemap of 10,000
        articles no longer queues them all at once.

        The engine takes them past the spider middlewares, so the Referer that Scrapy's
        RefererMiddleware gives the first batch (the sitemap's URL, by its default
        policy) is set here."""
        engine = self.crawler.engine
        assert engine is not None
        referer = self.settings.getbool("REFERER_ENABLED", True)
        for request in self.from_backlog():
            if referer:
                request.headers.setdefault("Referer", request.meta["sitemap_url"])
            engine.crawl(request)

    def article_request(
        self,
        url: str,
        *,
        via: str,
        known: KnownArticle | None = None,
        lastmod: str | None = None,
        sitemap_url: str | None = None,
    ) -> Request:
        known = known or self.archive.lookup(url)
        self.claim(url_key(url), known)
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            dont_filter=True,
            meta={
                "via": via,
                "handle_httpstatus_list": ARTICLE_STATUSES,
                "sitemap_lastmod": lastmod,
                "sitemap_url": sitemap_url,
                "cfbu_conditional": ARTICLE,
            },
        )

    def collect_validators(self, response: Response, kind: str) -> None:
        """Keep a listing page's or sitemap's validators for the next run, keyed by the URL
        asked for (before redirects), as conditional requests look them up."""
        requested = (response.meta.get("redirect_urls") or [response.url])[0]
        etag, last_modified = header(response, "ETag"), header(response, "Last-Modified")
        self.archive.collect(requested, kind, etag, last_modified)

    # -- sitemaps --------------------------------------------------------------------
    def _sitemap_done(self) -> Iterator[Any]:
        sweep = self.sweep
        sweep.pending_sitemaps -= 1
        if sweep.pending_sitemaps > 0 or sweep.listing_started:
            return
        # All sitemaps read: fetch what they say is new or changed, skip the rest.
        for key, (url, lastmod, sitemap_url) in sweep.sitemap_entries.items():
            if key in sweep.seen_keys:
                continue
            known = self.archive.lookup(url)
            if known is not None and self.archive.unchanged_per_sitemap(known, lastmod):
                yield self.skipped(key, known)
            else:
                self.claim(key, known)
                sweep.backlog.append((url, lastmod, sitemap_url))
        sweep.sitemap_entries.clear()  # each is settled, claimed or in the backlog now
        yield from self.from_backlog()
        for known in self.archive.live():
            if known.id not in sweep.seen_ids and known.sitemap_url in sweep.sitemaps_not_modified:
                sweep.seen_ids.add(known.id)
                yield FetchOutcome(url=known.url, outcome=Outcome.SKIPPED, via=Via.SITEMAP)
        yield self.listing_request(self.start_url)

    def _sitemap_request(self, url: str, fallbacks: tuple[str, ...] = ()) -> Request:
        self.sweep.sitemap_seen.add(url)
        self.sweep.pending_sitemaps += 1
        return Request(
            url,
            callback=self.parse_sitemap,
            errback=self.sitemap_failed,
            dont_filter=True,
            meta={
                "handle_httpstatus_list": [304, 403, 404, 410],
                "fallbacks": fallbacks,
                "cfbu_conditional": SITEMAP,
            },
            priority=10,
        )

    def parse_robots(self, response: Response) -> Iterator[Any]:
        urls: list[str] = []
        if response.status == 200 and isinstance(response, TextResponse):
            urls = [
                u
                for u in sitemap_urls_from_robots(response.body, base_url=response.url)
                if self.section.on_site(u)
            ]
        if urls:
            for url in dict.fromkeys(urls):
                if url not in self.sweep.sitemap_seen:
                    yield self._sitemap_request(url)
        else:
            candidates = tuple(urljoin(self.start_url, path) for path in FALLBACK_SITEMAPS)
            yield self._sitemap_request(candidates[0], candidates[1:])
        yield from self._sitemap_done()

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            # Unchanged since the last complete run: its articles are as we left them.
            self.sweep.sitemaps_not_modified.add(response.url)
            self.crawler.stats.inc_value("cfbu/sitemaps_not_modified")
        elif (sitemap := self._sitemap_of(response)) is not None:
            self.crawler.stats.inc_value("cfbu/sitemaps")
            yield from self._read_sitemap(sitemap, response.url)
            if sitemap.type == "urlset":
                self.sweep.sitemaps_read.add(response.url)
                self.collect_validators(response, SITEMAP)
        else:
            yield from self._next_fallback(response.meta)
        yield from self._sitemap_done()

    @staticmethod
    def _sitemap_of(response: Response) -> Sitemap | None:
        if response.status != 200:
            return None
        try:
            sitemap = Sitemap(response.body)
        except Exception:  # not XML: no sitemap here
            return None
        return sitemap if sitemap.type in ("sitemapindex", "urlset") else None

    def _read_sitemap(self, sitemap: Sitemap, url: str) -> Iterator[Request]:
        """Follow a sitemap index's sitemaps; note a urlset's articles and lastmods."""
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            loc = urljoin(url, loc.strip())
            if sitemap.type == "sitemapindex":
                if self.section.on_site(loc) and loc not in self.sweep.sitemap_seen:
                    yield self._sitemap_request(loc)
            elif self.section.classify(loc) == "article":
                lastmod = (entry.get("lastmod") or "").strip()
                self.sweep.sitemap_entries[url_key(loc)] = (loc, lastmod, url)

    def _next_fallback(self, meta: dict[str, Any]) -> Iterator[Request]:
        """No sitemap where robots.txt said nothing: try the next usual place."""
        fallbacks = meta.get("fallbacks") or ()
        if fallbacks:
            yield self._sitemap_request(fallbacks[0], fallbacks[1:])

    def sitemap_failed(self, failure: Failure) -> Iterator[Any]:
        self.logger.info("No sitemap: %s", failure.getErrorMessage())
        yield from self._next_fallback(failure.request.meta)  # type: ignore[attr-defined]
        yield from self._sitemap_done()

    # -- listing ---------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Any]:
        stats = self.crawler.stats
        stats.inc_value("cfbu/listing_pages")
        verdict = classify_listing(Fetch.of(response, self.section))
        if verdict.outcome == Outcome.NOT_MODIFIED:
            # Not changed since the last complete run: nothing new here, nor further on.
            stats.set_value("cfbu/listing_stopped_early", response.url)
            self.sweep.walk_cut = True
        elif verdict.outcome == Outcome.ERROR:
            yield self.listing_error(verdict)
        else:
            assert isinstance(response, TextResponse)
            self.collect_validators(response, LISTING)
            yield from self.walk_listing(response)

    def listing_error(self, verdict: Verdict) -> FetchOutcome:
        """A listing page that cannot be walked. Redirected off the section at the start
        URL (a maintenance page, a login), the run cannot be complete."""
        self.crawler.stats.inc_value("cfbu/listing_errors")
        if verdict.off_section and url_key(verdict.url or "") == url_key(self.start_url):
            self.crawler.stats.set_value("cfbu/start_failed", verdict.error)
        return FetchOutcome(
            url=verdict.url, outcome=Outcome.ERROR, status=verdict.status, error=verdict.error
        )

    def walk_listing(self, response: TextResponse) -> Iterator[Any]:
        """Schedule the page's articles, then the listing pages to walk next."""
        articles, listings = self.links(response)
        next_pages = self.next_links(response)
        all_known = True
        for url in dict.fromkeys(articles):
            known = self.archive.lookup(url)
            if known is None or known.status != ArticleStatus.LIVE:
                all_known = False
                self.sweep.listing_news = True
            if url_key(url) not in self.sweep.seen_keys:
                yield from self.schedule_article(url, via=Via.LISTING, known=known)
        self.crawler.stats.inc_value("cfbu/listing_articles", len(articles))
        following = [
            url
            for url in self.pages_to_follow(response.url, [*listings, *next_pages], next_pages)
            if listing_key(url) not in self.sweep.listing_seen
        ]
        if self.walk_ends(response.url, articles, all_known):
            if following and self.crawler.stats.get_value("cfbu/listing_stopped_early") == (
                response.url
            ):
                self.sweep.walk_cut = True
                self.sweep.resume_pages += following
            return
        for url in following:
            # Asked again as each request is made: Scrapy takes a callback's output as it
            # goes, interleaved with other listing pages' callbacks, which may have asked
            # for the same page meanwhile (at 1,000 listing pages that each link every
            # other, a full crawl fetched each page up to 20 times).
            if listing_key(url) not in self.sweep.listing_seen:
                yield self.listing_request(url)

    def walk_ends(self, url: str, articles: list[str], all_known: bool) -> bool:
        """The walk stops at an empty page past the end, at a page holding only known
        articles (incremental runs: older pages hold no news; known articles the walk
        does not reach are still checked in on_idle), and at the page limit."""
        stats = self.crawler.stats
        if not articles and listing_number(url) > 1:
            return True
        if self.archive.incremental and articles and all_known and not self.sweep.resumed:
            stats.set_value("cfbu/listing_stopped_early", url)
            return True
        if stats.get_value("cfbu/listing_pages", 0) >= self.max_listing_pages:
            self.logger.warning(
                "Stopped following pagination after %d pages", self.max_listing_pages
            )
            stats.set_value("cfbu/listing_truncated", True)
            return True
        return False

    def pages_to_follow(self, url: str, listings: list[str], next_pages: list[str]) -> list[str]:
        """An incremental run walks page by page (so that it can stop early); the next
        page is the rel=next / "Næste side" link, else the page numbered here + 1. Any
        other run follows every listing page it finds (numbering schemes vary: Drupal
        counts from 0, Joomla by item offset)."""
        candidates = [
            u for u in dict.fromkeys(listings) if listing_key(u) not in self.sweep.listing_seen
        ]
        following = [u for u in candidates if u in next_pages] or [
            u for u in candidates if listing_number(u) == listing_number(url) + 1
        ]
        return following if self.archive.incremental and following else candidates

    def next_links(self, response: TextResponse) -> list[str]:
        """On-site links to the next listing page: ``rel=next`` (``<a>`` or ``<link>``) or
        a "Næste side ›" / "Ældre nyheder" link, wherever their URL points on the site."""
        found: list[str] = []
        # The elements straight from the parse tree, not a Selector each: some listings
        # link every page of the listing, hundreds of links on each of hundreds of pages.
        # A tree of its own, not ``response.selector``: Scrapy caches that on the response
        # and the two then refer to each other (scrapy/scrapy#2977), so each listing
        # page's tree (a megabyte or more, outside Python's own heap) lived on until the
        # garbage collector's next full pass; this one is freed when the loop ends.
        root = Selector(response).root
        for el in root.iter("a", "link"):
            href = el.get("href")
            if href is None or not self._says_next(el):
                continue
            url = absolute_url(response.url, href.strip())
            if self.section.on_site(url) and self.section.classify(url) != "article":
                found.append(url)
        return list(dict.fromkeys(found))

    @staticmethod
    def _says_next(el: Any) -> bool:
        """An ``<a>`` or ``<link>`` element (lxml) pointing to the next page: rel=next, or
        (``<a>`` only) a "next" text, or a "next" title or aria-label on a link without
        text."""
        if "next" in (el.get("rel") or "").lower().split():
            return True
        if el.tag == "link":
            return False
        text = " ".join(" ".join(el.itertext()).split())
        title = el.get("title") or el.get("aria-label") or ""
        return bool(_NEXT_TEXT.search(text) or (not text and _NEXT_TEXT.search(title)))

    def schedule_article(
        self, url: str, *, via: str, known: KnownArticle | None = None
    ) -> Iterator[Any]:
        key = url_key(url)
        known = known or self.archive.lookup(url)
        _, lastmod, sitemap_url = self.sweep.sitemap_entries.get(key, (url, None, None))
        if known is not None and self.archive.unchanged_per_sitemap(known, lastmod):
            yield self.skipped(key, known)
            return
        yield self.article_request(
            url, via=via, known=known, lastmod=lastmod or None, sitemap_url=sitemap_url
        )

    def listing_failed(self, failure: Failure) -> Iterator[Any]:
        self.crawler.stats.inc_value("cfbu/listing_errors")
        request: Request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)
        if request.url == self.start_url or url_key(request.url) == url_key(self.start_url):
            self.crawler.stats.set_value("cfbu/start_failed", reason)
        yield FetchOutcome(url=request.url, outcome=Outcome.ERROR, error=reason)

    # -- articles --------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Any]:
        redirect_urls = response.meta.get("moved_from") or response.meta.get("redirect_urls") or []
        fetch = Fetch.of(response, self.section, redirect_urls)
        verdict = classify_article(fetch)
        if verdict.refetch:
            yield Request(
                response.url,
                callback=self.parse_article,
                errback=self.article_failed,
                dont_filter=True,
                meta={**self._meta(response), "moved_from": redirect_urls},
            )
            return
        if verdict.outcome is not None:
            yield self.outcome_item(response, fetch, verdict)
            return
        assert isinstance(response, TextResponse)  # an article page is HTML
        if self.looks_like_listing(response):
            # An address shaped like an article that serves a list of articles (an archive
            # or overview page): navigate it, don't archive it.
            self.crawler.stats.inc_value("cfbu/listing_like_pages")
            yield from self.parse_listing(response)
            return
        yield self.article_item(response, fetch, redirect_urls)
        yield from self.discover(response)
        # Scrapy keeps the response until its item is archived: not its links with it.
        response.meta.pop("_cfbu_links", None)

    @staticmethod
    def outcome_item(response: Response, fetch: Fetch, verdict: Verdict) -> FetchOutcome:
        item = FetchOutcome(
            url=verdict.url,
            outcome=verdict.outcome,
            status=verdict.status,
            via=response.meta.get("via"),
        )
        if verdict.error:
            item["error"] = verdict.error
        if verdict.outcome == Outcome.NOT_MODIFIED:
            item["sitemap_lastmod"] = response.meta.get("sitemap_lastmod")
            item["sitemap_url"] = response.meta.get("sitemap_url")
        else:
            item["final_url"] = response.url
        if verdict.keep_body:
            item["raw"] = response.body[:MAX_ERROR_BODY]
            item["content_type"] = fetch.content_type
        return item

    @staticmethod
    def article_item(response: TextResponse, fetch: Fetch, redirect_urls: list[str]) -> ArticlePage:
        content_type = fetch.content_type
        charset = "charset=" in content_type.lower()
        return ArticlePage(
            requested_url=fetch.requested_url,
            fetched_url=response.url,
            redirect_urls=list(redirect_urls),
            status=response.status,
            raw=response.body,
            encoding=response.encoding if charset else None,
            content_type=content_type or None,
            etag=header(response, "ETag"),
            last_modified=header(response, "Last-Modified"),
            sitemap_lastmod=response.meta.get("sitemap_lastmod"),
            sitemap_url=response.meta.get("sitemap_url"),
            fetched_at=utcnow(),
            via=response.meta.get("via"),
        )

    def discover(self, response: TextResponse) -> Iterator[Any]:
        """Articles linked from articles (related lists): fetch the ones we don't know."""
        for url in self.links(response)[0]:
            if url_key(url) in self.sweep.seen_keys or self.archive.lookup(url) is not None:
                continue
            yield from self.schedule_article(url, via=Via.LINK)

    def links(self, response: TextResponse) -> tuple[list[str], list[str]]:
        """The page's links to articles and to listing pages of the section, in page order
        (read and classified once per response). Read from the markup without parsing it
        (``spiders.hrefs``): the page's parse happens in an extraction worker."""
        cached: tuple[list[str], list[str]] | None = response.meta.get("_cfbu_links")
        if cached is not None:
            return cached
        articles: list[str] = []
        listings: list[str] = []
        for href in hrefs(response.text):
            url = absolute_url(response.url, href)
            kind = self.section.classify(url)
            if kind == "article":
                articles.append(url)
            elif kind == "listing":
                listings.append(url)
        response.meta["_cfbu_links"] = (articles, listings)
        return articles, listings

    def looks_like_listing(self, response: TextResponse) -> bool:
        """A page that links three or more articles and pages further through a listing
        (``/page/2/``, ``?page=2``) is an overview, not an article."""
        article_urls, listing_urls = self.links(response)
        root = listing_key(urljoin(response.url, self.section.prefix))
        paginates = any(listing_key(url) != root for url in listing_urls)
        articles = {url_key(url) for url in article_urls} - {url_key(response.url)}
        if not paginates or len(articles) < 3:
            return False
        # Pages that declare themselves one article stay articles, whatever their sidebars.
        # Parsed here only, and not cached on the response, which Scrapy keeps until the
        # page is archived (a tree weighs far more than the page).
        tree = Selector(response)
        if tree.css(
            'meta[property="og:type"][content="article"], meta[property="article:published_time"]'
        ):
            return False
        scripts = " ".join(tree.css('script[type="application/ld+json"]::text').getall())
        return not any(f'"{kind}"' in scripts for kind in ARTICLE_TYPES)

    @staticmethod
    def _meta(response: Response) -> dict[str, Any]:
        keys = ("via", "sitemap_lastmod", "sitemap_url", "handle_httpstatus_list")
        return {k: response.meta[k] for k in keys if k in response.meta}

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        redirect_urls = request.meta.get("redirect_urls") or []
        url = redirect_urls[0] if redirect_urls else request.url
        yield FetchOutcome(
            url=url,
            outcome=Outcome.ERROR,
            error=failure_reason(failure),
            via=request.meta.get("via"),
        )

    # -- end of the sweep: check known articles that the listing no longer shows ---------
    def on_idle(self, spider: scrapy.Spider) -> None:
        if self.sweep.backlog:  # fed as the scheduler runs dry; never left behind
            self.feed_backlog()
            raise DontCloseSpider
        if self.sweep.verified or not self.sweep.listing_started:
            return
        stats = self.crawler.stats
        stats.set_value(
            "cfbu/listing_complete",
            not stats.get_value("cfbu/start_failed")
            and stats.get_value("cfbu/listing_pages", 0) > 0,
        )
        if stats.get_value("cfbu/start_failed"):
            self.sweep.verified = True
            return
        missing = [a for a in self.archive.live() if a.id not in self.sweep.seen_ids]
        if self.resume_walk([a for a in missing if not self.proves_unlisted(a)]):
            raise DontCloseSpider
        self.sweep.verified = True
        for known in missing:
            self.sweep.seen_ids.add(known.id)
            stats.inc_value("cfbu/verified")
            via = Via.UNLISTED if self.proves_unlisted(known) else Via.CHECK
            self.crawler.engine.crawl(self.article_request(known.fetch_url, via=via, known=known))
        if missing:
            raise DontCloseSpider

    def resume_walk(self, unproven: list[KnownArticle]) -> bool:
        """Known articles neither the walk nor a sitemap reached are checked directly,
        and an incremental walk that stopped early cannot tell whether they are still
        listed further on. When the listing changed (it shows new articles), the walk
        goes on to the end first: what it still does not find has provably left the
        listing. A night without news keeps the early stop, and its cheapness (the
        unreached articles are then checked as ``check``, not ``unlisted``). Returns
        whether the walk was resumed."""
        sweep = self.sweep
        if not unproven or sweep.resumed or not sweep.resume_pages or not sweep.listing_news:
            return False
        self.sweep.resumed = True
        self.sweep.walk_cut = False
        self.crawler.stats.set_value("cfbu/listing_resumed", len(unproven))
        pages, self.sweep.resume_pages = self.sweep.resume_pages, []
        for url in dict.fromkeys(pages):
            if listing_key(url) not in self.sweep.listing_seen:
                # Read in full: a page answered 304 would end the walk and prove nothing.
                self.crawler.engine.crawl(self.listing_request(url, conditional=False))
        return True

    def proves_unlisted(self, known: KnownArticle) -> bool:
        """Whether this run shows that a known article it did not reach is no longer
        listed: the listing was walked to its end without it, or the sitemap that listed
        it was read in full without it. An incremental walk that stopped early proves
        nothing about the older pages it did not read."""
        stats = self.crawler.stats
        walked_to_end = not (
            self.sweep.walk_cut
            or stats.get_value("cfbu/listing_truncated")
            or stats.get_value("cfbu/listing_errors", 0)
        )
        dropped_from_sitemap = bool(known.sitemap_url) and (
            known.sitemap_url in self.sweep.sitemaps_read
        )
        return walked_to_end or dropped_from_sitemap
