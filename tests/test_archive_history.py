"""``article_history`` and ``show_article``: one article's versions and any one of them."""

from __future__ import annotations

import dataclasses

import pytest
from changes_archive import build, interview_record, json_extract, record, url

from cfbu_crawler.archive.db import ArchiveError
from cfbu_crawler.archive.history import article_history, show_article
from cfbu_crawler.archive.reparse import reparse_archive
from cfbu_crawler.extract import Extraction
from cfbu_crawler.record import RECORD_FIELDS


def test_history_of_an_edited_interview(archive_url: str) -> None:
    engine = build(archive_url)
    for ref in (url("b-interview"), "b-interview", "cfbu.dk/nyheder/b-interview/"):
        history = article_history(engine, ref)
        assert history["url"] == url("b-interview")
    assert history["slug"] == "b-interview"
    assert history["status"] == "live"
    assert history["aliases"] == []
    assert history["observations"] == 2
    assert (history["first_run"], history["last_run"]) == (1, 2)
    assert history["first_seen"].endswith("Z") and history["last_seen"].endswith("Z")
    first, second = history["versions"]
    assert {k: first[k] for k in ("number", "run_id", "cause", "changed_fields", "changes")} == {
        "number": 1,
        "run_id": 1,
        "cause": "site",
        "changed_fields": [],
        "changes": {},
    }
    assert second["number"] == 2 and second["run_id"] == 2 and second["cause"] == "site"
    assert second["changed_fields"] == ["body", "qa"]
    assert second["changes"]["qa"] == {
        "from": interview_record("Det er at finde tid.")["qa"],
        "to": interview_record("Det er at finde tid og penge.")["qa"],
    }
    assert second["title"] == "Artikel b-interview" and second["published"] == "2015-11-30"
    assert len(second["content_hash"]) == 64 and second["content_hash"] != first["content_hash"]


def test_history_of_moved_and_gone_articles(archive_url: str) -> None:
    engine = build(archive_url)
    moved = article_history(engine, url("f-old"))  # the old URL is an alias
    assert moved["url"] == url("f-new")
    assert moved["aliases"] == [url("f-old")]
    assert [v["number"] for v in moved["versions"]] == [1]
    gone = article_history(engine, "e-gone")
    assert gone["status"] == "gone" and gone["gone_since"] is not None
    assert gone["observations"] == 2


def test_history_marks_reparse_versions(archive_url: str) -> None:
    engine = build(archive_url)

    def shouting(html: bytes | str, page_url: str, encoding: str | None = None) -> Extraction:
        rec = json_extract(html, page_url, encoding)
        return dataclasses.replace(rec, title=rec.title.upper())

    reparse_archive(engine, extract=shouting, extractor_version="test-2")
    versions = article_history(engine, "g-same")["versions"]
    assert [(v["number"], v["run_id"], v["cause"]) for v in versions] == [
        (1, 1, "site"),
        (2, 3, "extractor"),
    ]
    assert versions[1]["changed_fields"] == ["title"]
    assert versions[1]["extractor_version"] == "test-2"
    assert versions[1]["changes"] == {"title": {"from": "Artikel g-same", "to": "ARTIKEL G-SAME"}}


def test_show_latest_and_older_versions(archive_url: str) -> None:
    engine = build(archive_url)
    latest = show_article(engine, "c-title")
    expected = record("c-title", title="Ny titel for c")
    for field in RECORD_FIELDS:
        assert latest[field] == expected[field], field
    assert latest["version"] == 2 and latest["versions"] == 2
    assert latest["status"] == "live" and latest["cause"] == "site" and latest["run_id"] == 2
    assert latest["missing"] == [] and latest["aliases"] == []
    first = show_article(engine, url("c-title"), version=1)
    assert first["title"] == "Artikel c-title" and first["version"] == 1
    assert first["breadcrumb"] == ["Hjem", "Nyheder", "Artikel c-title"]
    moved = show_article(engine, "i-old")
    assert moved["url"] == url("i-new") and moved["aliases"] == [url("i-old")]


def test_unknown_article_or_version(archive_url: str) -> None:
    engine = build(archive_url)
    with pytest.raises(ArchiveError, match="no article with slug 'nope'"):
        article_history(engine, "nope")
    with pytest.raises(ArchiveError, match="no article"):
        show_article(engine, "https://cfbu.dk/nyheder/nope/")
    with pytest.raises(ArchiveError, match=r"has no version 5 \(it has versions 1 to 2\)"):
        show_article(engine, "c-title", version=5)
