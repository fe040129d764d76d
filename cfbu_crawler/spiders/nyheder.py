"""The ``nyheder`` spider: walks the news listing (and sitemaps), fetches every article.

Navigation only. It decides what to fetch and how (conditional requests, early stop on
known listing pages, direct checks of articles that went missing from the listing) and
hands each response on as an item; extraction and storage happen in the pipelines.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response, TextResponse
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from cfbu_crawler.archive.db import open_engine
from cfbu_crawler.archive.state import CrawlState, KnownArticle, load_crawl_state
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.extract.urls import (
    DEFAULT_START_URL,
    Section,
    fold_host,
    listing_key,
    url_key,
)
from cfbu_crawler.items import ArticlePage, FetchOutcome

ARTICLE_STATUSES = [304, 404, 410]
HTML_TYPES = ("text/html", "application/xhtml+xml")
PERMANENT_REDIRECTS = (301, 308)
# Structured data that says "this page is one article".
ARTICLE_TYPES = ("Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle")
_PAGE_NUMBER = re.compile(r"/(?:page|side)/(\d+)/?$|[?&](?:page|paged|side)=(\d+)")
# Link texts of "the next (older) listing page" (Danish first): "Næste side ›", "Ældre
# nyheder", "Flere nyheder", "Vis flere", "Next", "Older posts", a bare "›" or "»".
_NEXT_TEXT = re.compile(
    r"^\W*(?:næste|ældre|flere\s+nyheder|vis\s+flere|next|older)\b|^[\s›»→>]+$", re.I
)
# Twisted's wordier failures, shortened for run records and messages.
SHORT_REASONS = (
    ("Connection refused", "Connection refused"),
    ("DNS lookup failed", "DNS lookup failed"),
    ("TimeoutError", "timed out"),
    ("Connection was closed cleanly", "connection closed"),
)
FALLBACK_SITEMAPS = ("/sitemap_index.xml", "/wp-sitemap.xml", "/sitemap.xml")


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


class NyhederSpider(scrapy.Spider):
    name = "nyheder"

    def __init__(self, start_url: str | None = None, full: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._start_url_arg = start_url
        self._full_arg = full

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.start_url = (
            spider._start_url_arg or settings.get("CFBU_START_URL") or DEFAULT_START_URL
        )
        spider.full = (
            truthy(spider._full_arg)
            if spider._full_arg is not None
            else settings.getbool("CFBU_FULL")
        )
        spider.section = Section.from_start_url(spider.start_url)
        if not settings.frozen:
            # The pipelines read the section from the settings: a ``-a start_url`` wins.
            priority = max(
                settings.getpriority("CFBU_START_URL") or 0, SETTINGS_PRIORITIES["spider"]
            )
            settings.set("CFBU_START_URL", spider.start_url, priority=priority)
        host = urlsplit(spider.start_url).hostname or ""
        spider.allowed_domains = [fold_host(host)]
        spider.db = settings.get("CFBU_DB")
        spider.use_sitemaps = settings.getbool("CFBU_USE_SITEMAPS", True)
        spider.max_listing_pages = settings.getint("CFBU_MAX_LISTING_PAGES", 500)
        spider.state = CrawlState()
        spider.seen_keys: set[str] = set()
        spider.seen_ids: set[int] = set()
        spider.listing_seen: set[str] = set()
        spider.sitemap_seen: set[str] = set()
        # Article entries of the sitemaps: key → (url, lastmod, sitemap URL).
        spider.sitemap_entries: dict[str, tuple[str, str, str]] = {}
        spider.sitemaps_not_modified: set[str] = set()
        # Validators of listing pages and sitemaps seen this run: url → (kind, etag, lm).
        spider.validators: dict[str, tuple[str, str | None, str | None]] = {}
        spider.pending_sitemaps = 0
        spider.listing_started = False
        spider.verified = False
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    # -- start ---------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Any]:
        self.crawler.stats.set_value("cfbu/listing_pages", 0)
        self.crawler.stats.set_value("cfbu/listing_errors", 0)
        # The same engine the store pipeline writes with (see archive.db.open_engine).
        self.state = load_crawl_state(open_engine(self.db, create=True))
        for url in self.state.retry_urls:
            if self.section.classify(url) == "article":
                yield self.article_request(url, via="retry")
        for known in self.state.live():
            if known.needs_fetch:
                yield self.article_request(known.fetch_url, via="retry", known=known)
        if self.use_sitemaps:  # with --full too: sitemaps also find articles no listing shows
            robots = urljoin(self.start_url, "/robots.txt")
            self.pending_sitemaps = 1
            yield Request(
                robots,
                callback=self.parse_robots,
                errback=self.sitemap_failed,
                dont_filter=True,
                meta={"handle_httpstatus_list": [403, 404, 410]},
                priority=10,
            )
        else:
            yield self.listing_request(self.start_url)

    @property
    def incremental(self) -> bool:
        return not self.full and self.state.has_complete_run

    def conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since for a listing page or sitemap a complete run
        saw before."""
        if not self.incremental or url not in self.state.validators:
            return {}
        etag, last_modified = self.state.validators[url]
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def remember_validators(self, response: Response, kind: str) -> None:
        etag, last_modified = header(response, "ETag"), header(response, "Last-Modified")
        if etag or last_modified:
            # Keyed by the URL we ask for (before redirects), as conditional_headers looks it up.
            requested = (response.meta.get("redirect_urls") or [response.url])[0]
            self.validators[requested] = (kind, etag, last_modified)

    def listing_request(self, url: str) -> Request:
        self.listing_started = True
        self.listing_seen.add(listing_key(url))
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            headers=self.conditional_headers(url),
            dont_filter=True,
            meta={"handle_httpstatus_list": [304]},
            priority=5,
        )

    def article_request(
        self,
        url: str,
        *,
        via: str,
        known: KnownArticle | None = None,
        lastmod: str | None = None,
        sitemap_url: str | None = None,
        conditional: bool = True,
    ) -> Request:
        key = url_key(url)
        self.seen_keys.add(key)
        known = known or self.state.lookup(key)
        headers: dict[str, str] = {}
        if known is not None:
            self.seen_ids.add(known.id)
            if conditional and not self.full and not known.needs_fetch:
                if known.etag:
                    headers["If-None-Match"] = known.etag
                if known.last_modified:
                    headers["If-Modified-Since"] = known.last_modified
        return Request(
            url,
            callback=self.parse_article,
            errback=self.article_failed,
            headers=headers,
            dont_filter=True,
            meta={
                "via": via,
                "handle_httpstatus_list": ARTICLE_STATUSES,
                "sitemap_lastmod": lastmod,
                "sitemap_url": sitemap_url,
            },
        )

    # -- sitemaps --------------------------------------------------------------------
    def _sitemap_done(self) -> Iterator[Any]:
        self.pending_sitemaps -= 1
        if self.pending_sitemaps > 0 or self.listing_started:
            return
        # All sitemaps read: fetch what they say is new or changed, skip the rest.
        for key, (url, _lastmod, _sitemap) in self.sitemap_entries.items():
            if key not in self.seen_keys:
                yield from self.schedule_article(url, via="sitemap")
        for known in self.state.live():
            if known.id not in self.seen_ids and known.sitemap_url in self.sitemaps_not_modified:
                self.seen_ids.add(known.id)
                yield FetchOutcome(url=known.url, outcome="skipped")
        yield self.listing_request(self.start_url)

    def _sitemap_request(self, url: str, fallbacks: tuple[str, ...] = ()) -> Request:
        self.sitemap_seen.add(url)
        self.pending_sitemaps += 1
        return Request(
            url,
            callback=self.parse_sitemap,
            errback=self.sitemap_failed,
            headers=self.conditional_headers(url),
            dont_filter=True,
            meta={"handle_httpstatus_list": [304, 403, 404, 410], "fallbacks": fallbacks},
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
                if url not in self.sitemap_seen:
                    yield self._sitemap_request(url)
        else:
            candidates = tuple(urljoin(self.start_url, path) for path in FALLBACK_SITEMAPS)
            yield self._sitemap_request(candidates[0], candidates[1:])
        yield from self._sitemap_done()

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if response.status == 304:
            # Unchanged since the last complete run: its articles are as we left them.
            self.sitemaps_not_modified.add(response.url)
            self.crawler.stats.inc_value("cfbu/sitemaps_not_modified")
            yield from self._sitemap_done()
            return
        sitemap = None
        if response.status == 200:
            try:
                sitemap = Sitemap(response.body)
            except Exception:  # not XML: no sitemap here
                sitemap = None
        if sitemap is None or sitemap.type not in ("sitemapindex", "urlset"):
            fallbacks = response.meta.get("fallbacks") or ()
            if fallbacks:
                yield self._sitemap_request(fallbacks[0], fallbacks[1:])
            yield from self._sitemap_done()
            return
        self.crawler.stats.inc_value("cfbu/sitemaps")
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            loc = urljoin(response.url, loc.strip())
            if sitemap.type == "sitemapindex":
                if self.section.on_site(loc) and loc not in self.sitemap_seen:
                    yield self._sitemap_request(loc)
            elif self.section.classify(loc) == "article":
                lastmod = (entry.get("lastmod") or "").strip()
                self.sitemap_entries[url_key(loc)] = (loc, lastmod, response.url)
        if sitemap.type == "urlset":
            self.remember_validators(response, "sitemap")
        yield from self._sitemap_done()

    def sitemap_failed(self, failure) -> Iterator[Any]:
        self.logger.info("No sitemap: %s", failure.getErrorMessage())
        fallbacks = failure.request.meta.get("fallbacks") or ()
        if fallbacks:
            yield self._sitemap_request(fallbacks[0], fallbacks[1:])
        yield from self._sitemap_done()

    # -- listing ---------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Any]:
        stats = self.crawler.stats
        stats.inc_value("cfbu/listing_pages")
        if response.status == 304:
            # Not changed since the last complete run: nothing new here, nor further on.
            stats.set_value("cfbu/listing_stopped_early", response.url)
            return
        origin = (response.meta.get("redirect_urls") or [response.url])[0]
        if response.meta.get("redirect_urls") and self.section.classify(response.url) != "listing":
            # A listing page redirected off the section (maintenance page, login, home):
            # there is no listing to walk. At the start URL, the run cannot be complete.
            stats.inc_value("cfbu/listing_errors")
            reason = f"redirected to {response.url}"
            if url_key(origin) == url_key(self.start_url):
                stats.set_value("cfbu/start_failed", reason)
            yield FetchOutcome(url=origin, outcome="error", status=response.status, error=reason)
            return
        if not isinstance(response, TextResponse):
            stats.inc_value("cfbu/listing_errors")
            yield FetchOutcome(
                url=response.url,
                outcome="error",
                status=response.status,
                error="listing page is not HTML",
            )
            return
        self.remember_validators(response, "listing")
        articles, listings = self.links(response)
        listings = list(listings)
        next_pages = self.next_links(response)
        listings.extend(next_pages)
        all_known = True
        for url in dict.fromkeys(articles):
            key = url_key(url)
            known = self.state.lookup(key)
            if known is None or known.status != "live":
                all_known = False
            if key not in self.seen_keys:
                yield from self.schedule_article(url, via="listing", known=known)
        stats.inc_value("cfbu/listing_articles", len(articles))
        if not articles and listing_number(response.url) > 1:
            return  # an empty page past the end: don't follow its pagination
        if self.incremental and articles and all_known:
            # This page holds only known articles, so older pages hold no news; known
            # articles the walk does not reach are still checked in on_idle().
            stats.set_value("cfbu/listing_stopped_early", response.url)
            return
        if stats.get_value("cfbu/listing_pages", 0) >= self.max_listing_pages:
            self.logger.warning(
                "Stopped following pagination after %d pages", self.max_listing_pages
            )
            stats.set_value("cfbu/listing_truncated", True)
            return
        here = listing_number(response.url)
        candidates = [u for u in dict.fromkeys(listings) if listing_key(u) not in self.listing_seen]
        # An incremental run walks page by page (so that it can stop early); the next page
        # is the rel=next / "Næste side" link, else the page numbered here + 1. Any other
        # run follows every listing page it finds (numbering schemes vary: Drupal counts
        # from 0, Joomla by item offset).
        following = [u for u in candidates if u in next_pages] or [
            u for u in candidates if listing_number(u) == here + 1
        ]
        walk = self.incremental and not self.full and following
        for url in following if walk else candidates:
            if listing_key(url) not in self.listing_seen:
                yield self.listing_request(url)

    def next_links(self, response: TextResponse) -> list[str]:
        """On-site links to the next listing page: ``rel=next`` (``<a>`` or ``<link>``) or
        a "Næste side ›" / "Ældre nyheder" link, wherever their URL points on the site."""
        found: list[str] = []
        for el in response.css("a[href], link[href]"):
            rel = (el.attrib.get("rel") or "").lower().split()
            text = " ".join(" ".join(el.css("::text").getall()).split())
            title = el.attrib.get("title") or el.attrib.get("aria-label") or ""
            if (
                "next" not in rel
                and not _NEXT_TEXT.search(text)
                and not (not text and _NEXT_TEXT.search(title))
            ):
                continue
            if el.root.tag == "link" and "next" not in rel:
                continue
            url = urljoin(response.url, el.attrib["href"].strip())
            if self.section.on_site(url) and self.section.classify(url) != "article":
                found.append(url)
        return list(dict.fromkeys(found))

    def schedule_article(
        self, url: str, *, via: str, known: KnownArticle | None = None
    ) -> Iterator[Any]:
        key = url_key(url)
        known = known or self.state.lookup(key)
        _, lastmod, sitemap_url = self.sitemap_entries.get(key, (url, None, None))
        if (
            known is not None
            and self.incremental
            and not known.needs_fetch
            and known.status == "live"
            and lastmod
            and known.sitemap_lastmod == lastmod
        ):
            # The sitemap says this article has not changed since we last fetched it.
            self.seen_keys.add(key)
            self.seen_ids.add(known.id)
            yield FetchOutcome(url=known.url, outcome="skipped")
            return
        yield self.article_request(
            url, via=via, known=known, lastmod=lastmod or None, sitemap_url=sitemap_url
        )

    def listing_failed(self, failure) -> Iterator[Any]:
        self.crawler.stats.inc_value("cfbu/listing_errors")
        request = failure.request
        if request.url == self.start_url or url_key(request.url) == url_key(self.start_url):
            self.crawler.stats.set_value("cfbu/start_failed", self._reason(failure))
        yield FetchOutcome(url=request.url, outcome="error", error=self._reason(failure))

    # -- articles --------------------------------------------------------------------
    def parse_article(self, response: Response) -> Iterator[Any]:
        redirect_urls = response.meta.get("moved_from") or response.meta.get("redirect_urls") or []
        requested = redirect_urls[0] if redirect_urls else response.url
        if response.status == 304:
            if redirect_urls and url_key(response.url) != url_key(requested):
                # A redirect answered "not modified": fetch the target in full to record the move.
                yield Request(
                    response.url,
                    callback=self.parse_article,
                    errback=self.article_failed,
                    dont_filter=True,
                    meta={**self._meta(response), "moved_from": redirect_urls},
                )
                return
            yield FetchOutcome(
                url=requested,
                outcome="not_modified",
                status=304,
                sitemap_lastmod=response.meta.get("sitemap_lastmod"),
                sitemap_url=response.meta.get("sitemap_url"),
            )
            return
        if response.status in (404, 410):
            yield FetchOutcome(
                url=requested, outcome="gone", status=response.status, final_url=response.url
            )
            return
        content_type = header(response, "Content-Type") or ""
        if not isinstance(response, TextResponse) or (
            content_type and content_type.split(";")[0].strip().lower() not in HTML_TYPES
        ):
            yield FetchOutcome(
                url=requested,
                outcome="error",
                status=response.status,
                error=f"not an HTML page ({content_type or 'no Content-Type'})",
                raw=response.body[: 2 * 1024 * 1024],
                content_type=content_type,
                final_url=response.url,
            )
            return
        if redirect_urls and self.section.classify(response.url) != "article":
            # Redirected away from the article (to the listing, the home page, off-site):
            # the article is no longer there. Only a redirect to an article is a move.
            reasons = [r for r in response.meta.get("redirect_reasons", []) if isinstance(r, int)]
            status = reasons[0] if reasons else 301
            if status in PERMANENT_REDIRECTS:
                yield FetchOutcome(
                    url=requested, outcome="gone", status=status, final_url=response.url
                )
            else:  # a temporary redirect (maintenance, login) says nothing about removal
                yield FetchOutcome(
                    url=requested,
                    outcome="error",
                    status=status,
                    error=f"temporarily redirected to {response.url}",
                    final_url=response.url,
                )
            return
        if self.looks_like_listing(response):
            # An address shaped like an article that serves a list of articles (an archive
            # or overview page): navigate it, don't archive it.
            self.crawler.stats.inc_value("cfbu/listing_like_pages")
            yield from self.parse_listing(response)
            return
        encoding = response.encoding if response.headers.get("Content-Type") else None
        yield ArticlePage(
            requested_url=requested,
            fetched_url=response.url,
            redirect_urls=list(redirect_urls),
            status=response.status,
            raw=response.body,
            encoding=encoding if "charset=" in content_type.lower() else None,
            content_type=content_type or None,
            etag=header(response, "ETag"),
            last_modified=header(response, "Last-Modified"),
            sitemap_lastmod=response.meta.get("sitemap_lastmod"),
            sitemap_url=response.meta.get("sitemap_url"),
            fetched_at=utcnow(),
            via=response.meta.get("via"),
        )
        # Articles linked from articles (related lists): discover ones we don't know yet.
        for url in self.links(response)[0]:
            key = url_key(url)
            if key in self.seen_keys or self.state.lookup(key) is not None:
                continue
            yield from self.schedule_article(url, via="link")

    def links(self, response: TextResponse) -> tuple[list[str], list[str]]:
        """The page's links to articles and to listing pages of the section, in page order
        (read and classified once per response)."""
        cached = response.meta.get("_cfbu_links")
        if cached is not None:
            return cached
        articles: list[str] = []
        listings: list[str] = []
        for href in response.css("a::attr(href)").getall():
            url = urljoin(response.url, href.strip())
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
        if response.css(
            'meta[property="og:type"][content="article"], meta[property="article:published_time"]'
        ):
            return False
        scripts = " ".join(response.css('script[type="application/ld+json"]::text').getall())
        return not any(f'"{kind}"' in scripts for kind in ARTICLE_TYPES)

    @staticmethod
    def _meta(response: Response) -> dict[str, Any]:
        keys = ("via", "sitemap_lastmod", "sitemap_url", "handle_httpstatus_list")
        return {k: response.meta[k] for k in keys if k in response.meta}

    @staticmethod
    def _reason(failure) -> str:
        """A failed request's reason in a few words (stored on the run, shown to users)."""
        if failure.check(HttpError):
            return f"HTTP {failure.value.response.status}"
        message = failure.getErrorMessage().strip().splitlines()[0] if failure.value else ""
        for needle, short in SHORT_REASONS:
            if needle in message or needle == failure.type.__name__:
                return short
        return f"{failure.type.__name__}: {message}".strip().rstrip(":. ")

    def article_failed(self, failure) -> Iterator[Any]:
        request = failure.request
        redirect_urls = request.meta.get("redirect_urls") or []
        url = redirect_urls[0] if redirect_urls else request.url
        yield FetchOutcome(url=url, outcome="error", error=self._reason(failure))

    # -- end of the sweep: check known articles that the listing no longer shows ---------
    def on_idle(self, spider) -> None:
        if self.verified or not self.listing_started:
            return
        self.verified = True
        stats = self.crawler.stats
        stats.set_value(
            "cfbu/listing_complete",
            not stats.get_value("cfbu/start_failed")
            and stats.get_value("cfbu/listing_pages", 0) > 0,
        )
        if stats.get_value("cfbu/start_failed"):
            return
        missing = [a for a in self.state.live() if a.id not in self.seen_ids]
        for known in missing:
            self.seen_ids.add(known.id)
            stats.inc_value("cfbu/verified")
            self.crawler.engine.crawl(
                self.article_request(known.fetch_url, via="verify", known=known)
            )
        if missing:
            raise DontCloseSpider
