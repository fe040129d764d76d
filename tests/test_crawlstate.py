"""The archive's state reaches the crawl through components: the ArchiveState extension
loads it and hands it to the spider, ConditionalRequestsMiddleware turns it into
If-None-Match / If-Modified-Since headers, the store pipeline saves what the run saw."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from cfbu_crawler.archive.db import close_engine, open_engine, session_factory
from cfbu_crawler.archive.models import HttpValidator, Run
from cfbu_crawler.archive.state import CrawlState, KnownArticle
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
from cfbu_crawler.crawlstate import ArchiveState, ArchiveView
from cfbu_crawler.middlewares import ConditionalRequestsMiddleware
from cfbu_crawler.pipelines.store import StorePipeline
from cfbu_crawler.spiders.nyheder import NyhederSpider

START = "http://127.0.0.1:1/nyheder/"
EXTENSION = {"cfbu_crawler.crawlstate.ArchiveState": 100}


def view(*, full: bool = False, complete: bool = True, **article: Any) -> ArchiveView:
    state = CrawlState(has_complete_run=complete)
    state.articles[1] = KnownArticle(
        id=1,
        url=START + "a/",
        status="live",
        etag=article.get("etag", '"a1"'),
        last_modified=article.get("last_modified", "Mon, 01 Jan 2024 00:00:00 GMT"),
        sitemap_lastmod=None,
        sitemap_url=None,
        needs_fetch=article.get("needs_fetch", False),
    )
    state.by_key["//127.0.0.1:1/nyheder/a/"] = 1
    state.validators[START] = ('"l1"', None)
    return ArchiveView(known=state, full=full)


def headers_for(archive: ArchiveView, url: str, kind: str, **meta: Any) -> dict[str, str]:
    crawler = get_crawler(NyhederSpider, {"EXTENSIONS": EXTENSION})
    extension = crawler.get_extension(ArchiveState)
    assert extension is not None
    extension.view = archive
    middleware = ConditionalRequestsMiddleware.from_crawler(crawler)
    request = Request(url, meta={"cfbu_conditional": kind, **meta})
    middleware.process_request(request)
    return {k.decode(): v[0].decode() for k, v in request.headers.items()}


def test_a_known_article_is_asked_whether_it_changed() -> None:
    assert headers_for(view(), START + "a/", "article") == {
        "If-None-Match": '"a1"',
        "If-Modified-Since": "Mon, 01 Jan 2024 00:00:00 GMT",
    }
    assert headers_for(view(last_modified=None), START + "a/", "article") == {
        "If-None-Match": '"a1"'
    }


@pytest.mark.parametrize(
    "archive",
    [view(full=True), view(needs_fetch=True), view(etag=None, last_modified=None)],
    ids=["full", "failed last time", "no validators"],
)
def test_an_article_is_fetched_in_full_with_full_after_a_failure_or_without_validators(
    archive: ArchiveView,
) -> None:
    assert headers_for(archive, START + "a/", "article") == {}


def test_unknown_articles_redirects_and_unmarked_requests_are_asked_unconditionally() -> None:
    assert headers_for(view(), START + "b/", "article") == {}
    assert headers_for(view(), START + "a/", "article", redirect_urls=[START + "x/"]) == {}
    assert headers_for(view(), START + "a/", "") == {}


def test_a_listing_page_is_asked_conditionally_only_after_a_complete_run() -> None:
    assert headers_for(view(), START, "listing") == {"If-None-Match": '"l1"'}
    assert headers_for(view(complete=False), START, "listing") == {}
    assert headers_for(view(full=True), START, "listing") == {}


def test_the_middleware_needs_the_extension() -> None:
    with pytest.raises(NotConfigured):
        ConditionalRequestsMiddleware.from_crawler(get_crawler(NyhederSpider))


def test_the_extension_hands_the_spider_what_the_archive_knows(archive_url: str) -> None:
    db = archive_url
    engine = open_engine(db, create=True)
    writer = ArchiveWriter(engine, extractor_version="t")
    writer.begin_run(start_url=START, full=False, settings={})
    writer.record_page(
        FetchedPage(
            requested_url=START + "a/",
            final_url=START + "a/",
            identity_url=START + "a/",
            status=200,
            record={"title": "A", "body": "Tekst."},
            raw=b"<p>a</p>",
            etag='"a1"',
        )
    )
    writer.finish_run("complete", reason="finished", validators={START: ("listing", '"l1"', None)})
    crawler = get_crawler(NyhederSpider, {"EXTENSIONS": EXTENSION, "CFBU_DB": db})
    spider = NyhederSpider.from_crawler(crawler)
    extension = crawler.get_extension(ArchiveState)
    assert extension is not None
    extension.spider_opened(spider)
    close_engine(engine)
    assert spider.archive is extension.view and spider.archive.incremental
    known = spider.archive.lookup(START + "a/")
    assert known is not None and known.etag == '"a1"'
    assert spider.archive.known.validators == {START: ('"l1"', None)}


class NoLoop:
    """Stands in for twisted's LoopingCall, whose clock would install a reactor here."""

    def __init__(self, *args: Any) -> None:
        self.running = False

    def start(self, *args: Any, **kwargs: Any) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


def test_the_store_pipeline_takes_the_run_options_from_settings_and_validators_from_the_state(
    archive_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cfbu_crawler.pipelines.store.task", SimpleNamespace(LoopingCall=NoLoop))
    db = archive_url
    settings = {"EXTENSIONS": EXTENSION, "CFBU_DB": db, "CFBU_START_URL": START, "CFBU_FULL": True}
    crawler = get_crawler(NyhederSpider, settings)
    crawler.spider = NyhederSpider.from_crawler(crawler)
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.open_spider()
    extension = crawler.get_extension(ArchiveState)
    assert extension is not None
    extension.view.collect(START, "listing", '"l2"', None)
    crawler.stats.set_value("cfbu/listing_complete", True)
    pipeline.spider_closed(crawler.spider, "finished")
    engine = open_engine(db, create=False)
    with session_factory(engine)() as session:
        run = session.get(Run, 1)
        assert run is not None
        assert (run.start_url, run.full, run.status) == (START, True, "complete")
        assert [(v.key, v.etag) for v in session.query(HttpValidator)] == [(START, '"l2"')]
    close_engine(engine)
    assert "twisted.internet.reactor" not in sys.modules
