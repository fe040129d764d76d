"""The spider on its own, in process: built with Scrapy's test helpers and fed fake
responses (listing pages, pagination, articles, sitemaps, robots.txt, errors), as Scrapy
tests its SitemapSpider. No server, no reactor, no database: the archive's state is
handed to the spider as the ArchiveState extension would."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any
from unittest import mock

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import HtmlResponse, Response, TextResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from cfbu_crawler.archive.state import CrawlState, KnownArticle
from cfbu_crawler.crawlstate import ArchiveView
from cfbu_crawler.items import ArticlePage, FetchOutcome
from cfbu_crawler.spiders.nyheder import NyhederSpider

SITE = "http://127.0.0.1:1"
START = f"{SITE}/nyheder/"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def spider_with(archive: ArchiveView | None = None, **settings: Any) -> NyhederSpider:
    crawler = get_crawler(NyhederSpider, {"CFBU_START_URL": START, **settings})
    spider = NyhederSpider.from_crawler(crawler)
    crawler.spider = spider
    if archive is not None:
        spider.archive = archive
    return spider


def known(article_id: int, slug: str, **kw: Any) -> KnownArticle:
    fields: dict[str, Any] = {
        "status": "live",
        "etag": None,
        "last_modified": None,
        "sitemap_lastmod": None,
        "sitemap_url": None,
        "needs_fetch": False,
    }
    fields.update(kw)
    return KnownArticle(id=article_id, url=f"{START}{slug}/", **fields)


def archive_of(*articles: KnownArticle, complete: bool = True, **kw: Any) -> ArchiveView:
    state = CrawlState(has_complete_run=complete, **kw)
    for article in articles:
        state.articles[article.id] = article
        state.by_key[article.url.split(":", 1)[1]] = article.id
    return ArchiveView(known=state)


def response(
    url: str,
    body: str | bytes = "",
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    cls: type[Response] = HtmlResponse,
    meta: dict[str, Any] | None = None,
) -> Response:
    request = Request(url, meta=dict(meta or {}))
    if isinstance(body, str):
        body = body.encode()
    return cls(url, status=status, body=body, headers=headers or HTML, request=request)


def listing(*slugs: str, extra: str = "") -> str:
    links = "".join(f"<li><a href='/nyheder/{s}/'>{s}</a></li>" for s in slugs)
    return f"<html><body><h1>Nyheder</h1><ul>{links}</ul>{extra}</body></html>"


def article_html(title: str = "Titel", extra: str = "") -> str:
    return f"<html><body><h1>{title}</h1><p>Tekst.</p>{extra}</body></html>"


def requests_in(output: list[Any]) -> list[str]:
    return [r.url for r in output if isinstance(r, Request)]


def items_in(output: list[Any], kind: type) -> list[Any]:
    return [i for i in output if isinstance(i, kind)]


def started(spider: NyhederSpider) -> list[Any]:
    async def collect() -> list[Any]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


# -- building the spider ------------------------------------------------------------


def test_the_start_url_setting_decides_the_section_and_the_allowed_domain() -> None:
    spider = spider_with(CFBU_START_URL="https://www.cfbu.dk/nyheder/")
    assert spider.start_url == "https://www.cfbu.dk/nyheder/"
    assert spider.allowed_domains == ["cfbu.dk"]
    assert spider.section.classify("https://cfbu.dk/nyheder/page/2/") == "listing"


def test_spider_arguments_become_the_settings_every_component_reads() -> None:
    settings = Settings()
    settings.setmodule("cfbu_crawler.settings", priority="project")
    crawler = Crawler(NyhederSpider, settings)
    spider = NyhederSpider.from_crawler(crawler, start_url=START, full="1")
    assert spider.start_url == START
    assert crawler.settings.get("CFBU_START_URL") == START
    assert crawler.settings.getbool("CFBU_FULL") is True


# -- start ----------------------------------------------------------------------------


def test_a_crawl_starts_with_robots_txt_to_find_the_sitemaps() -> None:
    (request,) = started(spider_with())
    assert request.url == f"{SITE}/robots.txt"
    assert request.callback.__name__ == "parse_robots"


def test_without_sitemaps_a_crawl_starts_with_the_listing_asked_conditionally() -> None:
    (request,) = started(spider_with(CFBU_USE_SITEMAPS=False))
    assert request.url == START and request.meta["cfbu_conditional"] == "listing"
    assert not request.headers  # the headers come from ConditionalRequestsMiddleware


def test_what_failed_last_time_is_fetched_first() -> None:
    archive = archive_of(known(1, "ok"), known(2, "failed", needs_fetch=True))
    archive.known.retry_urls = [f"{START}new/", f"{SITE}/kontakt/"]
    requests = started(spider_with(archive, CFBU_USE_SITEMAPS=False))
    assert [(r.url, r.meta.get("via")) for r in requests] == [
        (f"{START}new/", "retry"),
        (f"{START}failed/", "retry"),
        (START, None),
    ]


# -- robots.txt and sitemaps -----------------------------------------------------------


def test_robots_txt_names_the_sitemaps_to_read() -> None:
    spider = spider_with()
    spider.sweep.pending_sitemaps = 1
    robots = (
        f"User-agent: *\nSitemap: {SITE}/post-sitemap.xml\nSitemap: http://other.example/s.xml\n"
    )
    out = list(spider.parse_robots(response(f"{SITE}/robots.txt", robots, cls=TextResponse)))
    assert requests_in(out) == [f"{SITE}/post-sitemap.xml"]  # on the site only
    assert out[0].meta["cfbu_conditional"] == "sitemap"


def test_without_sitemap_lines_the_usual_places_are_tried_in_turn() -> None:
    spider = spider_with()
    spider.sweep.pending_sitemaps = 1
    out = list(spider.parse_robots(response(f"{SITE}/robots.txt", status=404, cls=TextResponse)))
    assert requests_in(out) == [f"{SITE}/sitemap_index.xml"]
    missing = response(f"{SITE}/sitemap_index.xml", "<html>nope</html>", meta=out[0].meta)
    assert requests_in(list(spider.parse_sitemap(missing))) == [f"{SITE}/wp-sitemap.xml"]


SITEMAP_INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{SITE}/post-sitemap.xml</loc></sitemap>
  <sitemap><loc>http://other.example/sitemap.xml</loc></sitemap>
</sitemapindex>"""

URLSET = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{START}a/</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc>{START}b/</loc><lastmod>2024-02-02</lastmod></url>
  <url><loc>{SITE}/om-os/</loc></url>
</urlset>"""


def test_a_sitemap_index_leads_to_its_sitemaps_on_the_site() -> None:
    spider = spider_with()
    spider.sweep.pending_sitemaps = 2
    out = list(
        spider.parse_sitemap(response(f"{SITE}/sitemap_index.xml", SITEMAP_INDEX, cls=XmlResponse))
    )
    assert requests_in(out) == [f"{SITE}/post-sitemap.xml"]


def test_when_the_sitemaps_are_read_their_articles_are_fetched_then_the_listing_walked() -> None:
    spider = spider_with()
    spider.sweep.pending_sitemaps = 1
    sitemap = response(
        f"{SITE}/post-sitemap.xml", URLSET, cls=XmlResponse, headers={"ETag": '"s1"'}
    )
    out = list(spider.parse_sitemap(sitemap))
    assert requests_in(out) == [f"{START}a/", f"{START}b/", START]
    assert out[0].meta["sitemap_lastmod"] == "2024-01-01"
    assert out[0].meta["sitemap_url"] == f"{SITE}/post-sitemap.xml"
    assert spider.archive.collected == {f"{SITE}/post-sitemap.xml": ("sitemap", '"s1"', None)}


def urlset(*slugs: str) -> str:
    urls = "".join(
        f"<url><loc>{START}{s}/</loc><lastmod>2024-01-0{i % 9 + 1}</lastmod></url>"
        for i, s in enumerate(slugs)
    )
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'


def test_a_big_sitemap_is_fetched_a_batch_at_a_time_as_the_scheduler_runs_dry() -> None:
    spider = spider_with()
    spider.backlog_batch = 2
    spider.crawler.engine = mock.MagicMock()
    spider.sweep.pending_sitemaps = 1
    sitemap_url = f"{SITE}/post-sitemap.xml"
    out = list(spider.parse_sitemap(response(sitemap_url, urlset(*"abcde"), cls=XmlResponse)))
    assert requests_in(out) == [f"{START}a/", f"{START}b/", START]
    spider.feed_backlog()  # Scrapy's scheduler_empty signal
    spider.feed_backlog()
    spider.feed_backlog()
    spider.feed_backlog()
    fed = [call.args[0] for call in spider.crawler.engine.crawl.call_args_list]
    assert [r.url for r in fed] == [f"{START}c/", f"{START}d/", f"{START}e/"]
    assert [r.meta["via"] for r in fed] == ["sitemap"] * 3
    assert [r.meta["sitemap_url"] for r in fed] == [sitemap_url] * 3
    assert [r.meta["sitemap_lastmod"] for r in fed] == ["2024-01-03", "2024-01-04", "2024-01-05"]
    # What RefererMiddleware gives the first batch, yielded from the sitemap's callback.
    assert {r.headers.get("Referer") for r in fed} == {sitemap_url.encode()}


def test_articles_waiting_in_the_backlog_are_not_asked_for_again_by_the_listing() -> None:
    spider = spider_with()
    spider.backlog_batch = 1
    spider.sweep.pending_sitemaps = 1
    sitemap = response(f"{SITE}/post-sitemap.xml", urlset("a", "b", "c"), cls=XmlResponse)
    assert requests_in(list(spider.parse_sitemap(sitemap))) == [f"{START}a/", START]
    out = list(spider.parse_listing(response(START, listing("b", "c", "new"))))
    assert requests_in(out) == [f"{START}new/"]


def test_the_crawl_does_not_end_while_the_backlog_holds_articles() -> None:
    spider = spider_with()
    spider.backlog_batch = 2
    spider.crawler.engine = mock.MagicMock()
    spider.sweep.pending_sitemaps = 1
    sitemap = response(f"{SITE}/post-sitemap.xml", urlset(*"abcd"), cls=XmlResponse)
    list(spider.parse_sitemap(sitemap))
    with pytest.raises(DontCloseSpider):
        spider.on_idle(spider)
    fed = [call.args[0].url for call in spider.crawler.engine.crawl.call_args_list]
    assert fed == [f"{START}c/", f"{START}d/"]


def test_an_article_whose_sitemap_lastmod_is_unchanged_is_skipped() -> None:
    archive = archive_of(known(1, "a", sitemap_lastmod="2024-01-01"), known(2, "b"))
    spider = spider_with(archive)
    spider.sweep.pending_sitemaps = 1
    out = list(spider.parse_sitemap(response(f"{SITE}/post-sitemap.xml", URLSET, cls=XmlResponse)))
    assert [(i["url"], i["outcome"]) for i in items_in(out, FetchOutcome)] == [
        (f"{START}a/", "skipped")
    ]
    assert requests_in(out) == [f"{START}b/", START]


def test_an_unchanged_sitemap_vouches_for_all_its_articles() -> None:
    sitemap_url = f"{SITE}/post-sitemap.xml"
    archive = archive_of(known(1, "a", sitemap_url=sitemap_url), known(2, "b"))
    spider = spider_with(archive)
    spider.sweep.pending_sitemaps = 1
    out = list(spider.parse_sitemap(response(sitemap_url, status=304, cls=XmlResponse)))
    assert [i["url"] for i in items_in(out, FetchOutcome)] == [f"{START}a/"]
    assert requests_in(out) == [START]
    assert spider.crawler.stats.get_value("cfbu/sitemaps_not_modified") == 1


# -- the listing ----------------------------------------------------------------------


def test_a_listing_page_yields_its_articles_and_every_listing_page_it_links() -> None:
    spider = spider_with(CFBU_USE_SITEMAPS=False)
    spider.listing_request(START)
    page = listing(
        "a", "b", "a", extra="<a href='/nyheder/page/2/'>2</a><a href='/kategori/x/'>x</a>"
    )
    out = list(spider.parse_listing(response(START, page, headers={**HTML, "ETag": '"l1"'})))
    assert requests_in(out) == [f"{START}a/", f"{START}b/", f"{START}page/2/"]
    assert [r.meta.get("via") for r in out] == ["listing", "listing", None]
    assert spider.archive.collected == {START: ("listing", '"l1"', None)}


def test_listing_pages_read_at_once_ask_for_each_page_once() -> None:
    # Scrapy takes each callback's output as it goes, so the outputs of listing pages
    # read at the same time interleave. Pages 1-3 were asked for; each links pages 2-5.
    spider = spider_with(CFBU_USE_SITEMAPS=False)
    read = [(START, "a"), (f"{START}page/2/", "b"), (f"{START}page/3/", "c")]
    for url, _ in read:
        spider.listing_request(url)
    pages = "".join(f"<a href='/nyheder/page/{n}/'>{n}</a>" for n in (2, 3, 4, 5))
    outputs = [
        spider.parse_listing(response(url, listing(slug, extra=pages))) for url, slug in read
    ]
    asked: list[str] = []
    while outputs:
        for output in list(outputs):
            request = next(output, None)
            if request is None:
                outputs.remove(output)
            else:
                asked.append(request.url)
    assert sorted(asked) == [f"{START}{path}/" for path in ("a", "b", "c", "page/4", "page/5")]


@pytest.mark.parametrize("callback", ["parse_listing", "parse_article"])
def test_a_listing_page_is_freed_when_its_callback_is_done(callback: str) -> None:
    # Freed by its reference count, not at the garbage collector's next full pass: its
    # parse tree (outside Python's heap) weighs far more than the page.
    spider = spider_with(CFBU_USE_SITEMAPS=False)
    spider.listing_request(START)
    extra = "<a href='/nyheder/page/2/'>2</a><a href='/nyheder/page/3/' rel='next'>Næste</a>"
    page = response(f"{START}oversigt/", listing("a", "b", "c", extra=extra))
    freed = weakref.ref(page)
    gc.disable()
    try:
        assert requests_in(list(getattr(spider, callback)(page)))[-1] == f"{START}page/3/"
        del page
        assert freed() is None
    finally:
        gc.enable()


def test_an_article_page_held_until_archived_holds_no_links() -> None:
    # Scrapy keeps a response until its item has been through the pipelines.
    spider = spider_with()
    page = response(f"{START}ny/", article_html(extra=f"<a href='{START}anden/'>x</a>"))
    out = list(spider.parse_article(page))
    assert requests_in(out) == [f"{START}anden/"]
    assert "_cfbu_links" not in page.meta


def test_pagination_is_followed_by_rel_next_or_a_next_link_text() -> None:
    spider = spider_with(CFBU_USE_SITEMAPS=False)
    spider.listing_request(START)
    rel = listing("a", extra=f"<link rel='next' href='{START}?side=2'>")
    assert requests_in(list(spider.parse_listing(response(START, rel))))[-1] == f"{START}?side=2"
    text = listing("b", extra="<a href='/nyheder/arkiv/2/'>Ældre nyheder ›</a>")
    page2 = f"{START}?side=2"
    out = requests_in(list(spider.parse_listing(response(page2, text))))
    assert out[-1] == f"{START}arkiv/2/"


def test_an_incremental_run_walks_page_by_page_and_stops_at_a_page_of_known_articles() -> None:
    spider = spider_with(archive_of(known(1, "a"), known(2, "b")))
    spider.listing_request(START)
    page = listing(
        "new", "a", extra="<a href='/nyheder/page/2/'>2</a><a href='/nyheder/page/3/'>3</a>"
    )
    out = list(spider.parse_listing(response(START, page)))
    assert requests_in(out) == [f"{START}new/", f"{START}a/", f"{START}page/2/"]
    assert out[1].meta["cfbu_conditional"] == "article"  # known: asked "has it changed?"
    known_only = response(
        f"{START}page/2/", listing("a", "b", extra="<a href='/nyheder/page/3/'>3</a>")
    )
    assert requests_in(list(spider.parse_listing(known_only))) == [f"{START}b/"]  # not page 3
    assert spider.crawler.stats.get_value("cfbu/listing_stopped_early") == f"{START}page/2/"


def test_an_empty_page_past_the_end_ends_the_walk() -> None:
    spider = spider_with()
    out = list(
        spider.parse_listing(
            response(f"{START}page/9/", listing(extra="<a href='/nyheder/page/10/'>10</a>"))
        )
    )
    assert out == []


def test_a_listing_not_modified_since_the_last_complete_run_ends_the_walk() -> None:
    spider = spider_with(archive_of())
    assert list(spider.parse_listing(response(START, status=304))) == []
    assert spider.crawler.stats.get_value("cfbu/listing_stopped_early") == START


def test_a_start_url_redirected_off_the_section_fails_the_run() -> None:
    spider = spider_with()
    moved = response(
        f"{SITE}/vedligeholdelse/",
        "<html>Vi opdaterer</html>",
        meta={"redirect_urls": [START], "redirect_reasons": [302]},
    )
    (item,) = spider.parse_listing(moved)
    assert (item["url"], item["outcome"], item["error"]) == (
        START,
        "error",
        f"redirected to {SITE}/vedligeholdelse/",
    )
    assert spider.crawler.stats.get_value("cfbu/start_failed") == item["error"]


def test_a_listing_that_cannot_be_fetched_at_the_start_fails_the_run() -> None:
    spider = spider_with()
    failure = Failure(TwistedTimeoutError("User timeout caused connection failure."))
    failure.request = Request(START)  # type: ignore[attr-defined]
    (item,) = spider.listing_failed(failure)
    assert (item["outcome"], item["error"]) == ("error", "timed out")
    assert spider.crawler.stats.get_value("cfbu/start_failed") == "timed out"


# -- articles ---------------------------------------------------------------------------


def test_an_article_page_is_handed_on_with_its_fetch_and_its_unknown_links_followed() -> None:
    spider = spider_with(archive_of(known(1, "kendt")))
    page = article_html(extra="<a href='/nyheder/relateret/'>r</a><a href='/nyheder/kendt/'>k</a>")
    fetched = response(
        f"{START}a/",
        page,
        headers={**HTML, "ETag": '"v1"', "Last-Modified": "Mon, 01 Jan 2024 00:00:00 GMT"},
        meta={"via": "listing", "sitemap_lastmod": "2024-01-01", "sitemap_url": "s.xml"},
    )
    out = list(spider.parse_article(fetched))
    (item,) = items_in(out, ArticlePage)
    assert item["requested_url"] == item["fetched_url"] == f"{START}a/"
    assert (item["status"], item["etag"], item["via"]) == (200, '"v1"', "listing")
    assert item["last_modified"] == "Mon, 01 Jan 2024 00:00:00 GMT"
    assert (item["sitemap_lastmod"], item["sitemap_url"]) == ("2024-01-01", "s.xml")
    assert (item["encoding"], item["content_type"]) == ("utf-8", HTML["Content-Type"])
    assert item["raw"] == page.encode()
    assert requests_in(out) == [f"{START}relateret/"]


def test_an_article_reached_by_a_redirect_carries_the_redirect_chain() -> None:
    spider = spider_with()
    fetched = response(
        f"{START}ny-slug/",
        article_html(),
        meta={"redirect_urls": [f"{START}gammel-slug/"], "redirect_reasons": [301]},
    )
    (item,) = items_in(list(spider.parse_article(fetched)), ArticlePage)
    assert item["requested_url"] == f"{START}gammel-slug/"
    assert item["redirect_urls"] == [f"{START}gammel-slug/"]


@pytest.mark.parametrize(
    ("status", "outcome"), [(304, "not_modified"), (404, "gone"), (410, "gone")]
)
def test_a_304_or_404_answer_is_an_outcome_not_a_page(status: int, outcome: str) -> None:
    spider = spider_with()
    meta = {"sitemap_lastmod": "2024-01-01", "sitemap_url": "s.xml"}
    (item,) = spider.parse_article(response(f"{START}a/", status=status, meta=meta))
    assert isinstance(item, FetchOutcome)
    assert (item["url"], item["outcome"], item["status"]) == (f"{START}a/", outcome, status)
    if outcome == "not_modified":  # a 304 for a new sitemap lastmod is remembered
        assert item["sitemap_lastmod"] == "2024-01-01"


def test_an_article_redirected_to_the_listing_is_gone_and_temporarily_redirected_an_error() -> None:
    spider = spider_with()
    for reason, outcome in ((301, "gone"), (302, "error")):
        moved = response(
            START,
            listing("b"),
            meta={"redirect_urls": [f"{START}a/"], "redirect_reasons": [reason]},
        )
        (item,) = spider.parse_article(moved)
        assert (item["url"], item["outcome"], item["status"]) == (f"{START}a/", outcome, reason)


def test_a_page_that_is_not_html_is_an_error_kept_with_its_body() -> None:
    spider = spider_with()
    pdf = response(
        f"{START}a/", b"%PDF-1.4", headers={"Content-Type": "application/pdf"}, cls=Response
    )
    (item,) = spider.parse_article(pdf)
    assert (item["outcome"], item["error"]) == ("error", "not an HTML page (application/pdf)")
    assert (item["raw"], item["content_type"]) == (b"%PDF-1.4", "application/pdf")


def test_a_redirect_answering_304_is_fetched_again_in_full_to_record_the_move() -> None:
    spider = spider_with()
    answer = response(
        f"{START}ny/",
        status=304,
        meta={"redirect_urls": [f"{START}gammel/"], "via": "verify", "cfbu_conditional": "article"},
    )
    (again,) = spider.parse_article(answer)
    assert isinstance(again, Request) and again.url == f"{START}ny/"
    assert again.meta["moved_from"] == [f"{START}gammel/"] and again.meta["via"] == "verify"
    assert "cfbu_conditional" not in again.meta  # asked unconditionally
    full = response(f"{START}ny/", article_html(), meta=again.meta)
    (item,) = items_in(list(spider.parse_article(full)), ArticlePage)
    assert item["requested_url"] == f"{START}gammel/"


def test_an_article_address_serving_a_paginated_list_is_walked_not_archived() -> None:
    spider = spider_with()
    overview = response(
        f"{START}oversigt/", listing("b", "c", "d", extra="<a href='/nyheder/page/2/'>2</a>")
    )
    out = list(spider.parse_article(overview))
    assert items_in(out, ArticlePage) == []
    assert requests_in(out) == [f"{START}b/", f"{START}c/", f"{START}d/", f"{START}page/2/"]


def test_an_article_that_cannot_be_fetched_is_an_error_under_the_url_asked_for() -> None:
    spider = spider_with()
    failed = HtmlResponse(f"{START}ny/", status=503, request=Request(f"{START}ny/"))
    failure = Failure(HttpError(failed))
    failure.request = Request(f"{START}ny/", meta={"redirect_urls": [f"{START}gammel/"]})  # type: ignore[attr-defined]
    (item,) = spider.article_failed(failure)
    assert (item["url"], item["outcome"], item["error"]) == (f"{START}gammel/", "error", "HTTP 503")


# -- the end of the sweep ---------------------------------------------------------------


def test_known_articles_the_sweep_did_not_reach_are_checked_directly() -> None:
    archive = archive_of(known(1, "a"), known(2, "b"), known(3, "c", status="gone"))
    spider = spider_with(archive)
    spider.crawler.engine = mock.MagicMock()
    spider.listing_request(START)
    spider.crawler.stats.set_value("cfbu/listing_pages", 1)
    spider.article_request(f"{START}a/", via="listing")
    with pytest.raises(DontCloseSpider):
        spider.on_idle(spider)
    (request,) = [call.args[0] for call in spider.crawler.engine.crawl.call_args_list]
    # The listing was walked to its end without b: b is checked as unlisted.
    assert (request.url, request.meta["via"]) == (f"{START}b/", "unlisted")
    assert spider.crawler.stats.get_value("cfbu/listing_complete") is True
    spider.on_idle(spider)  # only once


def test_a_walk_that_stopped_early_proves_no_article_unlisted() -> None:
    archive = archive_of(known(1, "a"), known(2, "b"), known(3, "c", sitemap_url="s.xml"))
    spider = spider_with(archive)
    spider.crawler.engine = mock.MagicMock()
    spider.listing_request(START)
    spider.crawler.stats.set_value("cfbu/listing_pages", 1)
    spider.crawler.stats.set_value("cfbu/listing_stopped_early", START)
    spider.sweep.walk_cut = True  # e.g. the listing answered 304: nothing to resume from
    spider.sweep.sitemaps_read.add("s.xml")  # read in full, without c
    with pytest.raises(DontCloseSpider):
        spider.on_idle(spider)
    requests = [call.args[0] for call in spider.crawler.engine.crawl.call_args_list]
    assert sorted((r.url, r.meta["via"]) for r in requests) == [
        (f"{START}a/", "check"),
        (f"{START}b/", "check"),
        (f"{START}c/", "unlisted"),
    ]


def test_no_direct_checks_after_the_start_url_failed() -> None:
    spider = spider_with(archive_of(known(1, "a")))
    spider.crawler.engine = mock.MagicMock()
    spider.listing_request(START)
    spider.crawler.stats.set_value("cfbu/start_failed", "timed out")
    spider.on_idle(spider)
    assert spider.crawler.engine.crawl.call_count == 0
    assert spider.crawler.stats.get_value("cfbu/listing_complete") is False


def test_a_walk_stopped_early_goes_on_to_the_end_before_articles_are_checked_directly() -> None:
    archive = archive_of(known(1, "a"), known(2, "b"), known(3, "c"), known(4, "d"))
    spider = spider_with(archive)
    spider.crawler.engine = mock.MagicMock()
    spider.listing_request(START)
    first = response(START, listing("new", "a", extra="<a href='/nyheder/page/2/'>2</a>"))
    list(spider.parse_listing(first))
    known_only = response(
        f"{START}page/2/", listing("a", "b", extra="<a href='/nyheder/page/3/'>3</a>")
    )
    assert requests_in(list(spider.parse_listing(known_only))) == [f"{START}b/"]
    with pytest.raises(DontCloseSpider):  # c and d: unreached, so the walk goes on
        spider.on_idle(spider)
    (page3,) = [call.args[0] for call in spider.crawler.engine.crawl.call_args_list]
    assert page3.url == f"{START}page/3/" and "cfbu_conditional" not in page3.meta
    spider.crawler.engine.reset_mock()
    last = response(f"{START}page/3/", listing("c"))  # the listing's last page, without d
    assert requests_in(list(spider.parse_listing(last))) == [f"{START}c/"]
    with pytest.raises(DontCloseSpider):
        spider.on_idle(spider)
    (check,) = [call.args[0] for call in spider.crawler.engine.crawl.call_args_list]
    assert (check.url, check.meta["via"]) == (f"{START}d/", "unlisted")


def test_a_night_without_news_keeps_the_early_stop() -> None:
    """Without new articles the listing is not read to its end (an unchanged re-crawl
    stays cheap): the unreached articles are checked directly, as ``check``."""
    archive = archive_of(known(1, "a"), known(2, "b"), known(3, "c"))
    spider = spider_with(archive)
    spider.crawler.engine = mock.MagicMock()
    spider.listing_request(START)
    page = response(START, listing("a", "b", extra="<a href='/nyheder/page/2/'>2</a>"))
    list(spider.parse_listing(page))
    with pytest.raises(DontCloseSpider):
        spider.on_idle(spider)
    (check,) = [call.args[0] for call in spider.crawler.engine.crawl.call_args_list]
    assert (check.url, check.meta["via"]) == (f"{START}c/", "check")
