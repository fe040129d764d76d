"""The ``diff``, ``history``, ``show`` and ``reparse`` commands (click's CliRunner)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from changes_archive import build, open_db, page, run, run1_records, url
from click.testing import CliRunner, Result

from cfbu_crawler.archive import lock
from cfbu_crawler.archive.db import session_factory
from cfbu_crawler.cli import main


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = tmp_path / "archive.sqlite3"
    build(path).dispose()
    return str(path)


def cfbu(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"CFBU_DB": None})


def assert_one_line_error(result: Result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_diff_json(db: str) -> None:
    result = cfbu("diff", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["from_run"], data["to_run"], data["unchanged"]) == (1, 2, 1)
    assert data["added"] == [{"url": url("h-new"), "title": "Helt ny artikel"}]
    assert data["removed"] == [{"url": url("e-gone"), "title": "Artikel e-gone"}]
    assert data["moved"][0] == {"from": url("f-old"), "to": url("f-new"), "title": "Artikel f-old"}
    assert (data["first_archived"], data["unlisted"], data["warnings"]) == ([], [], [])
    assert [c["fields"] for c in data["changed"]] == [
        ["body"],
        ["body", "qa"],
        ["title", "breadcrumb"],
        ["published"],
        ["body"],
    ]
    assert json.loads(cfbu("diff", "1", "2", "--db", db, "--json").stdout) == data
    assert json.loads(cfbu("diff", "1", "--db", db, "--json").stdout) == data


def test_diff_for_people(db: str) -> None:
    result = cfbu("diff", "--db", db)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == (
        "Run 1 → run 2: 1 added, 1 removed, 2 moved, 5 changed, 1 unchanged"
    )
    for heading in ("Added (1)", "Removed (1)", "Moved (2)", "Changed (5)"):
        assert heading in out
    assert f"{url('f-old')} → {url('f-new')}  Artikel f-old" in out
    assert f"  - {url('e-gone')}  Artikel e-gone" in out
    assert "title: [-Artikel c-title-]{+Ny titel for c+}" in out
    assert "breadcrumb: Hjem / Nyheder / Artikel c-title → Hjem / Nyheder / Ny titel for c" in out
    assert "published: 2015-11-30 → 2015-12-01" in out
    assert "Q&A 2 answer: Det er at finde tid{+ og penge+}." in out
    # Multi-paragraph texts keep their paragraphs, one indented line each.
    assert "      body: Første afsnit om i-old.\n        [-Andet afsnit om i-old-]" in out


def test_history_json_and_table(db: str) -> None:
    result = cfbu("history", "b-interview", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["url"] == url("b-interview")
    assert [v["changed_fields"] for v in data["versions"]] == [[], ["body", "qa"]]
    table = cfbu("history", url("b-interview"), "--db", db)
    assert table.exit_code == 0, table.output
    assert "first seen" in table.stdout
    assert "Version 2 · run 2" in table.stdout and "site · body, qa" in table.stdout
    assert "Q&A 2 answer:" in table.stdout and "body, qa" in table.stdout
    moved = cfbu("history", url("f-old"), "--db", db)
    assert f"also reached as {url('f-old')}" in moved.stdout


def test_show_text_and_json(db: str) -> None:
    result = cfbu("show", "b-interview", "--db", db)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Artikel b-interview\n")
    assert "Published:  2015-11-30" in out and "Category:   nyheder" in out
    assert "Breadcrumb: Hjem / Nyheder / Artikel b-interview" in out
    assert "version 2 of 2" in out
    assert "Q: Hvad er svært?\nA: Det er at finde tid og penge." in out
    older = json.loads(cfbu("show", "b-interview", "--version", "1", "--json", "--db", db).stdout)
    assert older["version"] == 1 and older["qa"][1]["answer"] == "Det er at finde tid."
    gone = cfbu("show", "e-gone", "--db", db)
    assert "Archive:    gone since" in gone.stdout


def test_reparse_command(db: str) -> None:
    # The stored pages are JSON, not HTML: the real extractor finds other content (a new
    # version per article) or fails; either way the command reports and exits 0.
    result = cfbu("reparse", "--db", db, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["articles"] == 9 and data["run_id"] == 3
    assert data["changed"] + data["unchanged"] + data["failed"] + data["skipped"] == 9
    text = cfbu("reparse", "--db", db)
    assert text.exit_code == 0
    assert text.stdout.startswith("Reparse run 4 (extractor ")
    # Extractor versions are not site changes.
    assert json.loads(cfbu("diff", "--db", db, "--json").stdout)["to_run"] == 2


def test_errors_are_one_line(db: str, tmp_path: Path) -> None:
    assert_one_line_error(cfbu("diff", "9", "--db", db), "no run 9")
    assert_one_line_error(cfbu("diff", "1", "7", "--db", db), "no run 7")
    assert_one_line_error(cfbu("diff", "2", "1", "--db", db), "older")
    assert_one_line_error(cfbu("diff", "2", "--db", db), "nothing newer")
    assert_one_line_error(cfbu("history", "no-such-slug", "--db", db), "no article")
    assert_one_line_error(cfbu("show", url("nope"), "--db", db), "no article")
    assert_one_line_error(cfbu("show", "c-title", "--version", "9", "--db", db), "no version 9")
    assert cfbu("show", "c-title", "--version", "0", "--db", db).exit_code != 0

    empty = tmp_path / "empty.sqlite3"
    open_db(empty).dispose()
    assert_one_line_error(cfbu("diff", "--db", str(empty)), "no complete crawl run")
    assert_one_line_error(cfbu("history", "x", "--db", str(empty)), "holds no runs yet")

    one = tmp_path / "one.sqlite3"
    engine = open_db(one)
    run(engine, [page(r) for r in run1_records()])
    engine.dispose()
    assert_one_line_error(cfbu("diff", "--db", str(one)), "only one complete crawl run")
    assert_one_line_error(cfbu("diff", "--json", "--db", str(one)), "only one")

    missing = tmp_path / "missing.sqlite3"
    assert_one_line_error(cfbu("diff", "--db", str(missing)), "no archive")
    assert not missing.exists()


def test_reparse_refuses_while_a_crawl_runs(db: str) -> None:
    engine = open_db(Path(db))
    factory = session_factory(engine)
    lock.acquire(factory, pid=os.getppid())
    try:
        assert_one_line_error(cfbu("reparse", "--db", db), "another crawl")
    finally:
        with factory() as session:
            session.execute(lock.CrawlLock.__table__.delete())
            session.commit()
        engine.dispose()


def test_the_demo_shows_the_diff_as_cfbu_diff_prints_it(db: str) -> None:
    from cfbu_crawler.archive.db import close_engine, open_engine
    from cfbu_crawler.archive.diff import diff_runs
    from cfbu_crawler.cli.demo import diff_text

    engine = open_engine(db, create=False)
    try:
        shown = diff_text(diff_runs(engine))
    finally:
        close_engine(engine)
    assert shown.startswith("Run 1 → run 2: 1 added, 1 removed, 2 moved, 5 changed")
    assert shown == cfbu("diff", "--db", db).stdout.rstrip("\n")
