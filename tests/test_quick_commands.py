"""`cfbu runs`, `show` and `history` answer at once: on an SQLite archive whose schema is
current they read through ``sqlite3`` alone (``archive.lookup``, ``archive.runlist``),
and give exactly what reading through SQLAlchemy gives."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from changes_archive import build, url

from cfbu_crawler.archive import lookup, queries
from cfbu_crawler.archive.runlist import read_runs
from cfbu_crawler.archive.sqlitefile import PlainSqlite, open_current

REFS = ["b-interview", url("f-old"), "cfbu.dk/nyheder/c-title/", "e-gone", "i-old"]


def test_sqlite_and_sqlalchemy_readers_read_the_same(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    engine = build(db)
    con = open_current(str(db))
    assert con is not None
    try:
        quick, full = PlainSqlite(con), lookup.EngineReader(engine)
        for ref in REFS:
            assert lookup.article_history(quick, ref) == lookup.article_history(full, ref)
            assert lookup.show_article(quick, ref) == lookup.show_article(full, ref)
        assert lookup.show_article(quick, "c-title", 1) == lookup.show_article(full, "c-title", 1)
        assert read_runs(con.cursor()) == queries.list_runs(engine)
    finally:
        con.close()


def test_search_through_sqlite3_alone_finds_what_it_finds_through_sqlalchemy(
    tmp_path: Path,
) -> None:
    from cfbu_crawler.archive.search import SearchRequest, search

    db = tmp_path / "a.sqlite3"
    engine = build(db)
    con = open_current(str(db))
    assert con is not None
    try:
        requests = [
            SearchRequest("afsnit"),
            SearchRequest("afsnit", limit=2, include_gone=True),
            SearchRequest("afsnit", since="2016-01-01", limit=None),
            SearchRequest("afsnit", all_versions=True),
            SearchRequest("interview", fields=("title", "body")),
            SearchRequest('"Første afsnit" OR artikel', raw=True),
        ]
        for request in requests:
            assert search(con, request) == search(engine, request)
        assert search(con, requests[0]).hits
    finally:
        con.close()


def test_runs_read_through_the_db_api_are_the_orms_on_either_backend(archive_url: str) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from cfbu_crawler.archive.models import Run

    engine = build(archive_url)
    with Session(engine) as session:
        runs = session.scalars(select(Run).order_by(Run.id.desc())).all()
        expected = [queries.run_dict(run) for run in runs]
    assert len(expected) == 2
    assert queries.list_runs(engine) == expected
    assert queries.list_runs(engine, 1) == expected[:1]


def test_an_outdated_or_foreign_database_is_not_read_quickly(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    build(db)
    con = sqlite3.connect(db)
    con.execute("UPDATE alembic_version SET version_num = '0001'")
    con.commit()
    con.close()
    assert open_current(str(db)) is None  # archive.db upgrades it first
    assert open_current("postgresql+psycopg://u@h/db") is None


QUICK = """
import sys
from cfbu_crawler.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    heavy = sorted(m for m in ("sqlalchemy", "alembic", "scrapy", "lxml") if m in sys.modules)
    print("LOADED", ",".join(heavy), file=sys.stderr)
"""


@pytest.mark.slow  # a fresh interpreter per command
@pytest.mark.parametrize(
    "args",
    [
        ["runs"],
        ["runs", "--json"],
        ["show", "c-title"],
        ["history", "b-interview", "--json"],
        ["search", "afsnit"],
        ["search", "afsnit", "--json", "--include-gone", "--limit", "2"],
    ],
)
def test_quick_commands_load_no_sqlalchemy_scrapy_or_lxml(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "a.sqlite3"
    build(db)
    proc = subprocess.run(
        [sys.executable, "-c", QUICK, *args, "--db", str(db)], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "LOADED", proc.stderr
    if "--json" in args:
        json.loads(proc.stdout)
