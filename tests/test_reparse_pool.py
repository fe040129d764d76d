"""``cfbu reparse`` at scale: extraction in worker processes gives what extraction here
gives, and the progress it reports (a bar on a terminal, plain lines otherwise)."""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import pytest

from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.archive.reparse import reparse_archive
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
from cfbu_crawler.cli import progressbar
from cfbu_crawler.cli.progressbar import ArticleProgress

FIXTURES = Path(__file__).parent / "fixtures"


def archive_of_fixture_pages(db: Path) -> int:
    """An archive of every golden fixture page, recorded by an older extractor whose
    records lack the lead (so that reparse has versions to make)."""
    engine = open_engine(str(db), create=True)
    writer = ArchiveWriter(engine, extractor_version="old")
    writer.begin_run(start_url="https://cfbu.dk/nyheder/", full=True, settings={})
    pages = 0
    for case in sorted(FIXTURES.iterdir()):
        if not (case / "url.txt").is_file():
            continue
        url = (case / "url.txt").read_text().strip()
        record = {"title": case.name, "body": "gammel tekst", "published": "2015-01-01"}
        writer.record_page(
            FetchedPage(
                requested_url=url,
                final_url=url,
                identity_url=url,
                status=200,
                record=record,
                raw=(case / "page.html").read_bytes(),
            )
        )
        pages += 1
    writer.finish_run("complete", reason="finished", listing_complete=True)
    close_engine(engine)
    return pages


def versions(db: Path) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT a.url, v.number, v.cause, v.content_hash, v.changed_fields, v.raw_page_id"
            " FROM versions v JOIN articles a ON a.id = v.article_id ORDER BY a.url, v.number"
        ).fetchall()
    finally:
        con.close()


@pytest.mark.slow  # starts worker processes
def test_reparse_in_worker_processes_stores_what_reparse_here_stores(tmp_path: Path) -> None:
    here, there = tmp_path / "here.sqlite3", tmp_path / "there.sqlite3"
    pages = archive_of_fixture_pages(here)
    shutil.copy(here, there)
    results = []
    for db, workers in ((here, 0), (there, 2)):
        engine = open_engine(str(db), create=False)
        try:
            results.append(reparse_archive(engine, workers=workers))
        finally:
            close_engine(engine)
    for result in results:
        result.pop("run_id")
    assert results[0] == results[1]
    assert results[0]["articles"] == pages and results[0]["changed"] > 0
    assert versions(here) == versions(there)


def test_progress_off_a_terminal_is_a_plain_line_now_and_then(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = io.StringIO()
    monkeypatch.setattr(progressbar, "PLAIN_EVERY", 0.0)
    with ArticleProgress("reparse", stream=out, live=False) as progress:
        progress.total(4)
        for _ in range(2):
            progress.advance("https://cfbu.dk/nyheder/a/", "unchanged")
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("reparse: 1/4 articles (25%), ") and "ETA" in lines[0]
    assert lines[-1].startswith("reparse: 2/4 articles (50%)")


def test_a_short_run_off_a_terminal_prints_no_progress() -> None:
    out = io.StringIO()
    with ArticleProgress("reparse", stream=out, live=False) as progress:
        progress.total(2)
        progress.advance("u", "unchanged")
    assert out.getvalue() == ""


def test_progress_on_a_terminal_is_a_bar_with_an_eta() -> None:
    out = io.StringIO()
    with ArticleProgress("reparse", stream=out, live=True) as progress:
        progress.total(3)
        progress.advance("u", "changed")
        progress.bar.refresh()
        shown = out.getvalue()
    assert "reparse" in shown and "1/3" in shown and "ETA" in shown
