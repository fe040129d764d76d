"""Crawl and reparse share one extraction path: ``extract_article`` and its ``Extraction``.

When an extractor crashes, the crawl keeps the page as an error observation with its raw
page and makes no version; ``cfbu reparse`` must store exactly the same thing, not an
``extractor`` version with the crashed field empty. Items carry plain values only.
"""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from support.server import FixtureServer

from cfbu_crawler.archive.db import close_engine, open_engine, session_factory
from cfbu_crawler.archive.models import Article, Observation, Run, Version
from cfbu_crawler.archive.reparse import reparse_archive
from cfbu_crawler.archive.store import ArchiveWriter
from cfbu_crawler.demo.runner import crawl_command
from cfbu_crawler.extract import EXTRACTOR_VERSION, Extraction, QuestionAnswer, extract_article
from cfbu_crawler.extract.urls import Section
from cfbu_crawler.items import ArticlePage
from cfbu_crawler.pipelines.breadcrumb import BreadcrumbPipeline
from cfbu_crawler.pipelines.content import ContentPipeline
from cfbu_crawler.pipelines.date import DatePipeline
from cfbu_crawler.pipelines.extract import ExtractPipeline
from cfbu_crawler.pipelines.normalise import NormalisePipeline
from cfbu_crawler.pipelines.qa import QAPipeline
from cfbu_crawler.pipelines.store import StorePipeline
from cfbu_crawler.pipelines.validate import ValidatePipeline
from cfbu_crawler.record import RECORD_FIELDS

FIXTURES = Path(__file__).parent / "fixtures"
START_URL = "https://cfbu.dk/nyheder/"
ARTICLE_URL = "https://cfbu.dk/nyheder/de-trovaerdige-voksne-i-hoeje-taastrup/"
INTERVIEW_URL = "https://cfbu.dk/nyheder/interview/"

# Extractors made to crash, and the step the error is reported under: one inside an
# extractor (caught by ``Page.extracted``), one around it (caught by ``extract_article``).
CRASHES = [
    ("cfbu_crawler.extract.title._extract_title", "title"),
    ("cfbu_crawler.extract.article.extract_qa", "qa"),
]


def boom(*args: Any) -> Any:
    raise RuntimeError("the extractor is broken")


def page_item(raw: bytes, url: str = ARTICLE_URL) -> ArticlePage:
    """An article page as the spider yields it."""
    return ArticlePage(
        requested_url=url,
        fetched_url=url,
        redirect_urls=[],
        status=200,
        raw=raw,
        encoding="utf-8",
        content_type="text/html; charset=utf-8",
        etag=None,
        last_modified=None,
        sitemap_lastmod=None,
        sitemap_url=None,
        fetched_at=datetime(2026, 1, 2, 3, 4, 5),
        via="listing",
    )


def extraction_pipelines() -> list[Any]:
    """The extraction pipelines of ``ITEM_PIPELINES``, in their order."""
    return [
        ExtractPipeline(Section.from_start_url(START_URL)),
        ContentPipeline(),
        BreadcrumbPipeline(),
        DatePipeline(),
        QAPipeline(),
        NormalisePipeline(),
        ValidatePipeline(),
    ]


class Stats:
    """The slice of Scrapy's stats collector the store pipeline uses."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value


def store_pipeline(writer: Any) -> StorePipeline:
    """The crawl's store pipeline, on a writer whose run the test opens and closes."""
    pipeline = StorePipeline.__new__(StorePipeline)
    pipeline.writer = writer
    pipeline.crawler = type("Crawler", (), {"stats": Stats()})()  # type: ignore[assignment]
    return pipeline


def crawl_in_process(engine: Any, raw: bytes) -> str:
    """One crawl run of one page through the pipelines, driven in this process."""
    writer = ArchiveWriter(engine, extractor_version=EXTRACTOR_VERSION)
    writer.begin_run(start_url=START_URL, full=True, settings={})
    item = page_item(raw)
    for pipeline in [*extraction_pipelines(), store_pipeline(writer)]:
        item = pipeline.process_item(item)
    writer.finish_run("complete", reason="finished", listing_complete=True)
    return item["outcome"]


def error_observations(session: Session, run_id: int) -> list[tuple]:
    rows = session.scalars(
        select(Observation)
        .where(Observation.run_id == run_id, Observation.outcome == "error")
        .order_by(Observation.article_id)
    )
    return [
        (o.article_id, o.url, o.final_url, o.raw_page_id, o.bytes, o.version_id, o.error)
        for o in rows
    ]


def seed_page() -> bytes:
    return (FIXTURES / "seed_wordpress_yoast" / "page.html").read_bytes()


@pytest.mark.parametrize("target,step", CRASHES, ids=[step for _, step in CRASHES])
def test_crawl_and_reparse_store_the_same_error_when_an_extractor_crashes(
    archive_url: str, monkeypatch: pytest.MonkeyPatch, target: str, step: str
) -> None:
    engine = open_engine(archive_url, create=True)
    try:
        assert crawl_in_process(engine, seed_page()) == "new"  # run 1: a healthy extractor
        monkeypatch.setattr(target, boom)
        assert crawl_in_process(engine, seed_page()) == "error"  # run 2: the crawl
        result = reparse_archive(engine)  # run 3: reparse, same broken extractor
        message = f"{step}: RuntimeError: the extractor is broken"
        assert result["run_id"] == 3
        assert (result["failed"], result["changed"], result["unchanged"]) == (1, 0, 0)
        assert result["failures"] == [{"url": ARTICLE_URL, "error": message}]
        with session_factory(engine)() as session:
            crawled, reparsed = error_observations(session, 2), error_observations(session, 3)
            assert len(crawled) == 1 and crawled[0][-1] == message
            assert reparsed == crawled  # same article, URLs, raw page, no version, message
            assert session.scalar(select(Version.number)) == 1  # and no version after run 1
            assert [session.get(Run, n).errors for n in (1, 2, 3)] == [0, 1, 1]
    finally:
        close_engine(engine)


def test_reparse_keeps_a_healthy_extraction_as_before(archive_url: str) -> None:
    engine = open_engine(archive_url, create=True)
    try:
        assert crawl_in_process(engine, seed_page()) == "new"
        result = reparse_archive(engine)
        assert (result["failed"], result["changed"], result["unchanged"]) == (0, 0, 1)
        with session_factory(engine)() as session:
            assert error_observations(session, 2) == []
            article = session.scalar(select(Article))
            assert article is not None and article.url == ARTICLE_URL
    finally:
        close_engine(engine)


INTERVIEW = (
    "<html><head><title>Et interview</title></head><body><article><h1>Et interview</h1>"
    "<p>30. november 2015</p><div class='entry-content'><p>Indledning til samtalen.</p>"
    "<p><strong>Hvem er du?</strong></p><p>– Jeg er leder.</p>"
    "<p><strong>Hvad laver du?</strong></p><p>– Jeg leder.</p></div></article></body></html>"
)


def plain(value: Any) -> bool:
    """Is ``value`` built only of plain, serialisable values (no parse tree, no Block)?"""
    if value is None or isinstance(value, (str, bytes, int, float, bool, datetime)):
        return True
    if isinstance(value, (list, tuple)):
        return all(plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    if isinstance(value, (Extraction, QuestionAnswer)):
        return all(plain(getattr(value, f.name)) for f in dataclasses.fields(value))
    return False


def test_items_carry_only_plain_values_through_the_pipelines() -> None:
    item = page_item(INTERVIEW.encode(), INTERVIEW_URL)
    writer = type("Writer", (), {"record_page": lambda self, page: "new"})()
    for pipeline in [*extraction_pipelines(), store_pipeline(writer)]:
        item = pipeline.process_item(item)
        adapter = ItemAdapter(item)
        bad = {k: type(v).__name__ for k, v in adapter.items() if not plain(v)}
        assert not bad, f"after {type(pipeline).__name__}: {bad}"
        assert pickle.loads(pickle.dumps(item)) == item
    # What leaves the pipelines (to feed exports, Scrapyd's items) is the record, as JSON.
    data = json.loads(json.dumps(ItemAdapter(item).asdict(), default=datetime.isoformat))
    assert "extraction" not in data and "raw" not in data
    assert {k: data[k] for k in RECORD_FIELDS} == extract_article(
        INTERVIEW.encode(), INTERVIEW_URL, "utf-8"
    ).record()
    assert data["qa"] == [
        {"question": "Hvem er du?", "answer": "Jeg er leder."},
        {"question": "Hvad laver du?", "answer": "Jeg leder."},
    ]
    assert data["outcome"] == "new" and data["missing"] == [] and data["extraction_errors"] == []


def test_the_pipelines_copy_the_one_extraction_result_onto_the_item() -> None:
    item = page_item(seed_page())
    for pipeline in extraction_pipelines():
        item = pipeline.process_item(item)
    result = item["extraction"]
    assert isinstance(result, Extraction) and not result.failed
    assert {name: item[name] for name in RECORD_FIELDS} == result.record()
    assert (item["canonical"], item["missing"]) == (result.canonical, result.missing)


def test_the_extraction_result_is_typed_and_converts_to_plain_values() -> None:
    result = extract_article(INTERVIEW.encode(), INTERVIEW_URL, "utf-8")
    assert result.qa == (
        QuestionAnswer("Hvem er du?", "Jeg er leder."),
        QuestionAnswer("Hvad laver du?", "Jeg leder."),
    )
    assert tuple(result.record()) == RECORD_FIELDS
    assert Extraction.from_dict(json.loads(json.dumps(result.as_dict()))) == result
    assert result.url == INTERVIEW_URL and result.missing == [] and result.errors == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.title = "x"  # type: ignore[misc]


def test_a_page_missing_required_fields_is_flagged_not_failed() -> None:
    result = extract_article("<p>Kun en linje tekst.</p>", "https://cfbu.dk/nyheder/x/")
    assert not result.failed
    assert result.missing == ["title", "published"]


@pytest.mark.parametrize("target,step", CRASHES, ids=[step for _, step in CRASHES])
def test_a_crashing_extractor_is_reported_not_swallowed(
    monkeypatch: pytest.MonkeyPatch, target: str, step: str
) -> None:
    monkeypatch.setattr(target, boom)
    result = extract_article(INTERVIEW.encode(), INTERVIEW_URL, "utf-8")
    assert result.failed
    assert result.error_lines() == [f"{step}: RuntimeError: the extractor is broken"]


def test_extract_article_never_raises_even_when_parsing_crashes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("cfbu_crawler.extract.article.parse_page", boom)
    result = extract_article(b"<p>x</p>", "https://www.cfbu.dk/nyheder/x")
    assert result.errors == {"extract": "RuntimeError: the extractor is broken"}
    assert result.url == "https://cfbu.dk/nyheder/x/" and result.body == ""


@pytest.mark.parametrize("cmdline", [None, "https://cfbu.dk/nyheder/"])
def test_the_extract_pipeline_judges_canonical_links_by_the_spiders_start_url(
    cmdline: str | None,
) -> None:
    from scrapy.crawler import Crawler

    from cfbu_crawler.crawl import project_settings
    from cfbu_crawler.spiders.nyheder import NyhederSpider

    settings = project_settings()
    if cmdline:
        settings.set("CFBU_START_URL", cmdline, priority="cmdline")
    crawler = Crawler(NyhederSpider, settings)
    # ``scrapy crawl nyheder -a start_url=...``: the argument wins over any setting.
    NyhederSpider.from_crawler(crawler, start_url="http://127.0.0.1:1/nyheder/")
    section = ExtractPipeline.from_crawler(crawler).section
    assert section == Section.from_start_url("http://127.0.0.1:1/nyheder/")


# A crawl in a subprocess (the real Scrapy pipelines) with the title extractor broken.
BROKEN_CRAWL = """
import sys
import cfbu_crawler.extract.title as title

def boom(page):
    raise RuntimeError("the extractor is broken")

title._extract_title = boom
from cfbu_crawler.cli import main

main(sys.argv[1:])
"""


@pytest.mark.slow
def test_a_real_crawl_and_reparse_store_the_same_errors(
    tmp_path: Path, site_server: FixtureServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "a.sqlite3"
    healthy = subprocess.run(crawl_command(site_server.base_url, db), capture_output=True)
    assert healthy.returncode == 0, healthy.stderr
    # The extractor is broken by a patch in the crawl's own process, which extraction
    # worker processes would not share: this crawl extracts on its own thread.
    args = crawl_command(site_server.base_url, db, "--full", "-s", "CFBU_EXTRACT_PROCESSES=0")[3:]
    broken = subprocess.run(
        [sys.executable, "-c", BROKEN_CRAWL, *args], capture_output=True, text=True
    )
    assert broken.returncode == 4, broken.stderr  # complete, but pages failed
    monkeypatch.setattr("cfbu_crawler.extract.title._extract_title", boom)
    engine = open_engine(str(db), create=False)
    try:
        result = reparse_archive(engine)
        with session_factory(engine)() as session:
            crawled = error_observations(session, 2)
            reparsed = error_observations(session, result["run_id"])
            versions = session.scalar(select(func.count(Version.id)))
            articles = len(session.scalars(select(Article.id)).all())
    finally:
        close_engine(engine)
    assert len(crawled) == articles == result["failed"] and result["changed"] == 0
    assert {row[-1] for row in crawled} == {"title: RuntimeError: the extractor is broken"}
    # Same articles, same raw pages, same message; neither made a version.
    key = [(row[0], row[3], row[6]) for row in crawled]
    assert [(row[0], row[3], row[6]) for row in reparsed] == key
    assert versions == articles  # one version per article, from the healthy crawl
