"""A crawl's page records in short transactions (``ArchiveWriter(batch_seconds=…)``): nothing
is visible before its batch commits, a batch commits when old or large enough, a record
the archive refuses is undone alone, and the run's counts always match what was kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage, record_fetch

BASE = "http://127.0.0.1:1/nyheder/"


def page(slug: str, body: object = "Tekst.") -> FetchedPage:
    url = BASE + slug + "/"
    record = {"title": slug.upper(), "published": "2015-11-30", "body": body}
    return FetchedPage(
        requested_url=url,
        final_url=url,
        identity_url=url,
        status=200,
        record=record,
        raw=f"<html>{slug}</html>".encode(),
    )


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "a.sqlite3"


@pytest.fixture
def writer(db: Path) -> Iterator[ArchiveWriter]:
    engine = open_engine(str(db), create=True)
    writer = ArchiveWriter(engine, extractor_version="t", batch_seconds=60, batch_pages=3)
    writer.begin_run(start_url=BASE, full=True, settings={})
    yield writer
    close_engine(engine)


def seen(db: Path, sql: str) -> list[tuple]:
    """What another process reading the archive sees."""
    con = sqlite3.connect(db)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_records_are_invisible_until_their_batch_commits(writer: ArchiveWriter, db: Path) -> None:
    writer.record_page(page("a"))
    writer.record_page(page("b"))
    assert seen(db, "SELECT count(*) FROM versions") == [(0,)]
    assert seen(db, "SELECT pages FROM runs") == [(0,)]
    writer.commit()
    assert seen(db, "SELECT count(*) FROM versions") == [(2,)]
    assert seen(db, "SELECT pages, new FROM runs") == [(2, 2)]


def test_a_batch_commits_once_it_holds_its_number_of_records(
    writer: ArchiveWriter, db: Path
) -> None:
    for slug in ("a", "b", "c"):
        writer.record_page(page(slug))
    assert seen(db, "SELECT count(*) FROM versions") == [(3,)]
    writer.record_page(page("d"))
    assert seen(db, "SELECT count(*) FROM versions") == [(3,)]


def test_a_batch_commits_once_it_is_old_enough(db: Path) -> None:
    engine = open_engine(str(db), create=True)
    try:
        writer = ArchiveWriter(engine, extractor_version="t", batch_seconds=1e-9, batch_pages=99)
        writer.begin_run(start_url=BASE, full=True, settings={})
        writer.record_page(page("a"))
        writer.commit_if_due()
        assert seen(db, "SELECT count(*) FROM versions") == [(1,)]
    finally:
        close_engine(engine)


def test_a_refused_record_is_undone_alone_and_kept_as_an_error(
    writer: ArchiveWriter, db: Path
) -> None:
    assert writer.record_page(page("a")) == "new"
    # A body the archive cannot store (not text): the record fails half-way.
    outcome, refused = record_fetch(writer, page("b", body=object()), [])
    assert outcome == "error" and refused is not None and "TypeError" in refused
    writer.finish_run("complete", reason="finished", listing_complete=True)
    assert seen(db, "SELECT url FROM articles") == [(BASE + "a/",)]
    assert seen(db, "SELECT outcome, url FROM observations ORDER BY id") == [
        ("new", BASE + "a/"),
        ("error", BASE + "b/"),
    ]
    assert seen(db, "SELECT pages, new, errors, status FROM runs") == [(1, 1, 1, "complete")]


def test_a_heartbeat_commits_what_the_batch_holds(writer: ArchiveWriter, db: Path) -> None:
    writer.record_page(page("a"))
    writer.heartbeat()
    assert seen(db, "SELECT count(*) FROM versions") == [(1,)]
    assert seen(db, "SELECT count(*) FROM crawl_lock WHERE heartbeat_at IS NOT NULL") == [(1,)]


def test_a_batch_given_up_leaves_the_archive_as_it_was(writer: ArchiveWriter, db: Path) -> None:
    writer.record_page(page("a"))
    writer.commit()
    writer.record_page(page("b"))
    writer.rollback()  # as a crash would
    writer.finish_run("interrupted", reason="shutdown")
    assert seen(db, "SELECT url FROM articles") == [(BASE + "a/",)]
    assert seen(db, "SELECT pages, new FROM runs") == [(1, 1)]
