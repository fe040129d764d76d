"""``reparse_archive``: re-extraction of the stored raw pages into ``extractor`` versions."""

from __future__ import annotations

import dataclasses
import os

import pytest
from changes_archive import BASE, build, json_extract, open_db, run, url
from sqlalchemy import select, update

from cfbu_crawler.archive import lock
from cfbu_crawler.archive.db import session_factory
from cfbu_crawler.archive.models import Article, Observation, Run, Version
from cfbu_crawler.archive.queries import list_runs
from cfbu_crawler.archive.reparse import reparse_archive
from cfbu_crawler.archive.store import FetchedPage
from cfbu_crawler.extract import Extraction


def _versions(engine, slug: str) -> list[Version]:
    with session_factory(engine)() as session:
        article = session.scalar(select(Article).where(Article.slug == slug))
        return list(
            session.scalars(
                select(Version).where(Version.article_id == article.id).order_by(Version.number)
            )
        )


def test_same_extractor_changes_nothing(archive_url: str) -> None:
    engine = build(archive_url)
    result = reparse_archive(engine, extract=json_extract, extractor_version="test-1")
    # The latest page of each article is used: a-body's run 2 page, not its run 1 page.
    assert {k: result[k] for k in ("articles", "changed", "unchanged", "failed", "skipped")} == {
        "articles": 9,
        "changed": 0,
        "unchanged": 9,
        "failed": 0,
        "skipped": 0,
    }
    assert result["failures"] == []
    newest = list_runs(engine)[0]
    assert newest["id"] == result["run_id"] == 3
    assert (newest["kind"], newest["status"]) == ("reparse", "complete")
    assert newest["counts"]["unchanged"] == 9 and newest["counts"]["changed"] == 0
    assert len(_versions(engine, "a-body")) == 2


def test_new_extractor_makes_extractor_versions(archive_url: str) -> None:
    engine = build(archive_url)
    seen: list[tuple[str, str]] = []

    def new_extractor(html: bytes | str, page_url: str, encoding: str | None = None) -> Extraction:
        rec = json_extract(html, page_url, encoding)
        if rec.url == url("a-body"):
            rec = dataclasses.replace(rec, body=rec.body.replace("rettet", "rettet!"))
        if rec.url == url("d-date"):
            raise ValueError("cannot parse\nthis page")
        return rec

    result = reparse_archive(
        engine,
        extract=new_extractor,
        extractor_version="test-2",
        progress=lambda u, outcome: seen.append((u, outcome)),
    )
    assert (result["changed"], result["unchanged"], result["failed"]) == (1, 7, 1)
    assert result["failures"] == [{"url": url("d-date"), "error": "ValueError: cannot parse"}]
    assert (url("a-body"), "changed") in seen and len(seen) == 9
    versions = _versions(engine, "a-body")
    assert [(v.number, v.cause, v.run_id) for v in versions] == [
        (1, "site", 1),
        (2, "site", 2),
        (3, "extractor", 3),
    ]
    assert versions[-1].changed_fields == ["body"]
    assert versions[-1].extractor_version == "test-2"
    assert versions[-1].raw_page_id == versions[1].raw_page_id
    run3 = list_runs(engine)[0]
    assert run3["status"] == "complete" and run3["extractor_version"] == "test-2"
    assert run3["counts"]["changed"] == 1 and run3["counts"]["errors"] == 1
    # Running it again changes nothing more.
    again = reparse_archive(engine, extract=new_extractor, extractor_version="test-2")
    assert (again["changed"], again["unchanged"], again["failed"]) == (0, 8, 1)


def test_articles_without_a_raw_page_are_skipped(archive_url: str) -> None:
    engine = build(archive_url)
    with session_factory(engine)() as session:
        article_id = session.scalar(select(Article.id).where(Article.slug == "g-same"))
        session.execute(
            update(Observation).where(Observation.article_id == article_id).values(raw_page_id=None)
        )
        session.commit()
    result = reparse_archive(engine, extract=json_extract, extractor_version="test-1")
    assert (result["articles"], result["skipped"], result["unchanged"]) == (9, 1, 8)


def test_reparse_refuses_while_a_crawl_runs(archive_url: str) -> None:
    engine = build(archive_url)
    factory = session_factory(engine)
    # Another live process (our parent) holds the lock.
    lock.acquire(factory, pid=os.getppid())
    try:
        with pytest.raises(lock.LockHeld, match="another crawl"):
            reparse_archive(engine, extract=json_extract, extractor_version="test-1")
    finally:
        lock.release(factory, pid=os.getppid())
    with factory() as session:
        assert session.scalar(select(Run).where(Run.kind == "reparse")) is None


def test_a_failing_reparse_is_recorded_as_failed(archive_url: str) -> None:
    engine = build(archive_url)

    def broken(html: bytes | str, page_url: str, encoding: str | None = None) -> Extraction:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reparse_archive(engine, extract=broken, extractor_version="test-2")
    newest = list_runs(engine)[0]
    assert (newest["kind"], newest["status"]) == ("reparse", "interrupted")
    # The lock is released: a crawl can start.
    assert run(engine, []) == newest["id"] + 1


def test_default_extractor_over_real_html(archive_url: str) -> None:
    from cfbu_crawler.extract import EXTRACTOR_VERSION, extract_article

    engine = open_db(archive_url)
    article_url = BASE + "en-nyhed/"
    html = (
        "<html><head><meta charset='utf-8'><title>En nyhed</title></head><body>"
        "<article><h1>En nyhed</h1><p>Første afsnit.</p><p>Andet afsnit.</p></article>"
        "</body></html>"
    ).encode()
    rec = extract_article(html, article_url, "utf-8").record()
    rec["url"] = article_url
    run(
        engine,
        [
            FetchedPage(
                requested_url=article_url,
                final_url=article_url,
                identity_url=article_url,
                status=200,
                record=rec,
                raw=html,
                encoding="utf-8",
            )
        ],
    )
    result = reparse_archive(engine)
    assert result["extractor_version"] == EXTRACTOR_VERSION
    assert (result["articles"], result["unchanged"], result["changed"]) == (1, 1, 0)
