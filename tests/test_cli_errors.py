"""Bad input gets one line on stderr and a non-zero exit, never a traceback (README.md,
"The commands");
``cfbu --verbose`` shows the details. Read commands run in-process (CliRunner), crawls
in a subprocess."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import pytest
from changes_archive import build
from click.testing import CliRunner, Result
from helpers import crawl, run_cfbu
from helpers import runs as read_runs
from support.server import FixtureServer

from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.cli import main

READ_COMMANDS = (["runs"], ["diff"], ["export"], ["history", "x"], ["show", "x"], ["reparse"])
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \[")


def cfbu(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"CFBU_DB": None})


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    return lines[0]


def assert_refused(result: Result, *needles: str) -> str:
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    line = one_error_line(result.stderr)
    assert line.startswith("Error: "), line
    for needle in needles:
        assert needle in line, line
    return line


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, site_server: FixtureServer) -> Path:
    """Two complete crawls of the fixture site; crawl creates the missing folders."""
    db = tmp_path_factory.mktemp("errors") / "new" / "folder" / "archive.sqlite3"
    crawl(site_server.base_url, db)
    crawl(site_server.base_url, db)
    return db


@pytest.fixture
def empty_archive(tmp_path: Path) -> Path:
    db = tmp_path / "empty.sqlite3"
    close_engine(open_engine(str(db), create=True))
    return db


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a database\n")
    return path


@pytest.fixture
def foreign_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.execute("INSERT INTO contacts VALUES ('Ada')")
    con.commit()
    con.close()
    return path


# -- --db that is not an archive ---------------------------------------------------------
@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_a_text_file_is_refused_and_left_untouched(text_file: Path, command: list[str]) -> None:
    before = text_file.read_bytes()
    assert_refused(cfbu(*command, "--db", str(text_file)), "not an SQLite archive")
    assert text_file.read_bytes() == before


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_another_programs_sqlite_is_refused_and_byte_identical(
    foreign_sqlite: Path, command: list[str]
) -> None:
    before = foreign_sqlite.read_bytes()
    assert_refused(cfbu(*command, "--db", str(foreign_sqlite)), "not a cfbu archive")
    assert foreign_sqlite.read_bytes() == before
    assert sorted(p.name for p in foreign_sqlite.parent.iterdir()) == [foreign_sqlite.name]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: c[0])
def test_a_missing_archive_is_named_and_not_created(tmp_path: Path, command: list[str]) -> None:
    db = tmp_path / "missing" / "archive.sqlite3"
    assert_refused(cfbu(*command, "--db", str(db)), f"no archive at {db}")
    assert not db.parent.exists()


def test_a_directory_is_not_an_archive(tmp_path: Path) -> None:
    assert_refused(cfbu("runs", "--db", str(tmp_path)), "is a directory")


# -- an archive without runs ---------------------------------------------------------------
@pytest.mark.parametrize("command", [c for c in READ_COMMANDS if c not in (["export"], ["diff"])])
def test_an_empty_archive_says_it_holds_no_runs(empty_archive: Path, command: list[str]) -> None:
    assert_refused(cfbu(*command, "--db", str(empty_archive)), "holds no runs yet", "cfbu crawl")


def test_diff_of_an_empty_archive_says_there_is_nothing_to_compare(empty_archive: Path) -> None:
    assert_refused(cfbu("diff", "--db", str(empty_archive)), "no complete crawl run", "cfbu runs")


@pytest.mark.parametrize("fmt,stdout", [("jsonl", ""), ("json", "[]\n"), ("csv", None)])
def test_exporting_an_empty_archive_exports_nothing(
    empty_archive: Path, fmt: str, stdout: str | None
) -> None:
    result = cfbu("export", "--db", str(empty_archive), "--format", fmt)
    assert result.exit_code == 0
    if stdout is not None:
        assert result.stdout == stdout
    else:
        assert result.stdout.splitlines()[0].startswith("url,status,title")
        assert len(result.stdout.splitlines()) == 1
    assert "no articles" in one_error_line(result.stderr)


def test_runs_json_of_an_empty_archive_is_an_empty_list(empty_archive: Path) -> None:
    result = cfbu("runs", "--db", str(empty_archive), "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


# -- unknown runs, articles, versions, options -------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    "args,needle",
    [
        (["diff", "99"], "no run 99"),
        (["diff", "1", "99"], "no run 99"),
        (["diff", "2", "1"], "must be an older run"),
        (["diff", "--json", "99"], "no run 99"),
        (["history", "no-such-article"], "no article"),
        (["show", "no-such-article"], "no article"),
        (["show", "http://127.0.0.1:1/nyheder/unknown/"], "no article"),
        (["show", "frivillighed-er-ikke-gratis", "--version", "99"], "no version 99"),
    ],
)
def test_unknown_runs_articles_and_versions(archive: Path, args: list[str], needle: str) -> None:
    assert_refused(cfbu(*args, "--db", str(archive)), needle)


@pytest.mark.slow
@pytest.mark.parametrize(
    "args,needle",
    [
        (["export", "--format", "xml"], "'xml' is not one of"),
        (["show", "x", "--version", "0"], "--version"),
        (["diff", "abc"], "Invalid value for 'FROM': 'abc' is not a valid integer"),
        (["diff", "1", "abc"], "Invalid value for 'TO'"),
        (["crawl", "-s", "DOWNLOAD_DELAY=abc"], "DOWNLOAD_DELAY=abc: a number is expected"),
        (["history"], "Missing argument"),
        (["nosuch"], "No such command 'nosuch'"),
        (["--bogus", "runs"], "No such option '--bogus'"),
        (["crawl", "--delay", "-1"], "--delay"),
        (["crawl", "--set", "novalue"], "NAME=VALUE"),
    ],
)
def test_usage_errors_are_one_line_with_where_to_get_help(
    archive: Path, args: list[str], needle: str
) -> None:
    result = cfbu(*args, "--db", str(archive)) if args[0] != "--bogus" else cfbu(*args)
    assert result.exit_code == 2
    line = assert_refused(result, needle)
    assert "--help'" in line


def test_verbose_shows_the_traceback(text_file: Path) -> None:
    result = cfbu("--verbose", "runs", "--db", str(text_file))
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"Error: {text_file} is not an SQLite archive"


# -- crawl (subprocess) -------------------------------------------------------------------
def crawl_error(proc) -> str:
    """The crawl's one error line. Crawls mirror their log on stderr when it is not a
    terminal (cron mail, journal); the error is the only other line, and the last."""
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if not LOG_LINE.match(line)]
    assert len(errors) == 1, proc.stderr
    assert lines[-1] == errors[0]
    return errors[0]


@pytest.mark.slow
def test_an_unreachable_start_url_fails_fast_with_the_reason(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    started = time.monotonic()
    proc = run_cfbu("crawl", "--start-url", "http://127.0.0.1:1/nyheder/", "--db", str(db))
    assert time.monotonic() - started < 20
    assert proc.returncode == 1
    line = crawl_error(proc)
    assert (
        line == "Error: cannot fetch the start URL http://127.0.0.1:1/nyheder/: Connection refused"
    )
    runs = read_runs(db)
    assert [r["status"] for r in runs] == ["failed"]
    assert "refused" in runs[0]["finish_reason"]


@pytest.mark.slow
def test_a_start_url_that_answers_404_names_the_status(tmp_path: Path, site_server) -> None:
    url = f"{site_server.base_url}/no-such-listing/"
    proc = crawl(site_server.base_url, tmp_path / "b.sqlite3", "--start-url", url, check=False)
    assert proc.returncode == 1
    assert crawl_error(proc) == f"Error: cannot fetch the start URL {url}: HTTP 404"


@pytest.mark.slow
@pytest.mark.parametrize(
    "url,needle",
    [
        ("ftp://cfbu.dk/nyheder/", "http(s) URL"),
        ("not a url", "http(s) URL"),
        ("http://127.0.0.1:99999/", "Port out of range"),
    ],
)
def test_a_start_url_that_is_not_http_is_refused_before_crawling(
    tmp_path: Path, url: str, needle: str
) -> None:
    db = tmp_path / "c.sqlite3"
    proc = run_cfbu("crawl", "--start-url", url, "--db", str(db))
    assert proc.returncode == 1
    assert needle in one_error_line(proc.stderr)
    assert not db.exists()


@pytest.mark.slow
def test_crawl_refuses_a_db_that_is_not_an_archive(
    text_file: Path, foreign_sqlite: Path, site_server: FixtureServer
) -> None:
    for path, needle in ((text_file, "not an SQLite archive"), (foreign_sqlite, "not a cfbu")):
        before = path.read_bytes()
        proc = crawl(site_server.base_url, path, check=False)
        assert proc.returncode == 1
        assert needle in one_error_line(proc.stderr)
        assert path.read_bytes() == before
    assert sorted(p.name for p in foreign_sqlite.parent.iterdir()) == sorted(
        [text_file.name, foreign_sqlite.name]
    )


@pytest.mark.slow
def test_crawl_into_a_folder_under_a_file_is_one_line(tmp_path: Path, text_file: Path) -> None:
    proc = run_cfbu(
        "crawl", "--start-url", "http://127.0.0.1:1/", "--db", str(text_file / "a.sqlite3")
    )
    assert proc.returncode == 1
    assert "cannot create the folder" in one_error_line(proc.stderr)


@pytest.mark.slow
def test_the_crawl_created_its_folders(archive: Path) -> None:
    assert archive.exists() and archive.parent.name == "folder"
    runs = json.loads(cfbu("runs", "--db", str(archive), "--json").stdout)
    assert [r["status"] for r in runs] == ["complete", "complete"]


@pytest.mark.slow
def test_runs_fit_80_columns_and_json_keeps_its_shape(archive: Path) -> None:
    result = CliRunner().invoke(main, ["runs", "--db", str(archive)], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["run", "started", "(UTC)"]
    assert all(len(line) < 80 for line in lines), result.stdout
    assert sum(1 for line in lines if line.strip().startswith("coverage: title")) == 2
    data = json.loads(cfbu("runs", "--db", str(archive), "--json").stdout)
    assert {"id", "kind", "status", "started_at", "finished_at", "counts", "coverage"} <= set(
        data[0]
    )


# -- raw exception names never reach the user ----------------------------------------------
@pytest.mark.parametrize(
    "db,needles",
    [
        ("mysql://user@localhost/cfbu", ("SQLite or PostgreSQL", "not 'mysql'")),
        ("foo://bar", ("SQLite or PostgreSQL", "not 'foo'")),
        ("postgresql+nosuchdriver://u@localhost/db", ("unknown database driver",)),
    ],
)
@pytest.mark.parametrize("command", [["runs"], ["crawl", "--start-url", "http://127.0.0.1:9/"]])
def test_a_db_url_cfbu_cannot_use_is_named_in_words(
    db: str, needles: tuple[str, ...], command: list[str]
) -> None:
    line = assert_refused(cfbu(*command, "--db", db), *needles)
    assert "Error" not in line[len("Error: ") :] and "Module" not in line


def test_export_to_a_missing_folder_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    build(db).dispose()
    target = tmp_path / "no" / "such" / "folder" / "x.jsonl"
    line = assert_refused(cfbu("export", "--db", str(db), "--output", str(target)), str(target))
    assert "does not exist" in line and "Errno" not in line and "FileNotFound" not in line


def test_crawl_with_a_log_folder_that_cannot_be_made_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    result = cfbu(
        "crawl",
        "--start-url",
        "http://127.0.0.1:9/",
        "--db",
        str(db),
        "--log-dir",
        "/proc/cfbu-logs",
    )
    line = assert_refused(result, "cannot create the log folder /proc/cfbu-logs", "--log-dir")
    assert "Errno" not in line and "FileNotFound" not in line
    assert list(tmp_path.iterdir()) == []
