"""Behaviour under trouble (docs/scheduling.md): faults, kill -9, SIGTERM, overlapping crawls."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import crawl, export, query
from helpers import runs as read_runs
from support.oracle import expected_records
from support.server import FixtureServer

from cfbu_crawler.record import RECORD_FIELDS

pytestmark = pytest.mark.slow

SEED_PATH = "/nyheder/de-trovaerdige-voksne-i-hoeje-taastrup/"
FIELDS = RECORD_FIELDS
FAST_RETRY = ("-s", "CFBU_RETRY_BACKOFF_BASE=0.2")


def seed_record(db: Path | str) -> dict | None:
    for record in export(db):
        if record["url"].endswith(SEED_PATH):
            return record
    return None


@pytest.mark.parametrize(
    ("kind", "times", "extra"),
    [
        ("503", 2, ()),
        ("timeout", 1, ("-s", "DOWNLOAD_TIMEOUT=1")),
        ("truncate", 1, ()),
        ("reset", 1, ()),
    ],
)
def test_transient_failures_are_retried_and_the_page_is_archived(
    tmp_path: Path, fresh_server: FixtureServer, kind: str, times: int, extra: tuple[str, ...]
) -> None:
    fresh_server.set_fault(SEED_PATH, kind, times=times, seconds=3)
    db = tmp_path / "a.sqlite3"
    proc = crawl(fresh_server.base_url, db, *FAST_RETRY, *extra)
    assert proc.returncode == 0, proc.stderr[-1500:]
    deadline = time.monotonic() + 10  # a timed-out request is logged once its sleep ends
    while fresh_server.stats.count(path=SEED_PATH) < times + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert fresh_server.stats.count(path=SEED_PATH) == times + 1
    record = seed_record(db)
    assert record is not None and record["title"] == "DE TROVÆRDIGE VOKSNE I HØJE TAASTRUP"
    assert query(db, "SELECT errors FROM runs") == [(0,)]


def test_retry_after_is_honoured(tmp_path: Path, fresh_server: FixtureServer) -> None:
    fresh_server.set_fault(SEED_PATH, "503", times=1)  # answers Retry-After: 1
    crawl(fresh_server.base_url, tmp_path / "a.sqlite3", "-s", "CFBU_RETRY_BACKOFF_BASE=0")
    times = [r for r in fresh_server.stats.records if r.path == SEED_PATH]
    assert [r.status for r in times] == [503, 200]
    # Without Retry-After the retry would follow at once (backoff base 0).
    assert times[1].at - times[0].at >= 1.0


def test_page_that_keeps_failing_is_an_error_not_a_removal_and_is_fetched_next_run(
    tmp_path: Path, fresh_server: FixtureServer
) -> None:
    db = tmp_path / "a.sqlite3"
    crawl(fresh_server.base_url, db)
    fresh_server.set_fault(SEED_PATH, "503", times=100)
    proc = crawl(
        fresh_server.base_url, db, "--full", *FAST_RETRY, "-s", "RETRY_TIMES=1", check=False
    )
    assert proc.returncode == 4, proc.stderr[-1500:]
    runs = read_runs(db)
    assert runs[0]["status"] == "complete"
    assert runs[0]["counts"]["errors"] == 1 and runs[0]["counts"]["removed"] == 0
    errors = query(db, "SELECT url, error FROM observations WHERE outcome = 'error'")
    assert errors and errors[0][0].endswith(SEED_PATH) and "503" in errors[0][1]
    assert seed_record(db)["status"] == "live"
    fresh_server.clear_faults()
    fresh_server.stats.reset()
    crawl(fresh_server.base_url, db)
    assert fresh_server.stats.count(path=SEED_PATH) == 1  # fetched again, in full
    assert query(db, "SELECT errors FROM runs ORDER BY id DESC LIMIT 1") == [(0,)]


def test_first_fetch_failure_of_an_unknown_article_is_retried_next_run(
    tmp_path: Path, fresh_server: FixtureServer
) -> None:
    db = tmp_path / "a.sqlite3"
    fresh_server.set_fault(SEED_PATH, "503", times=100)
    crawl(fresh_server.base_url, db, *FAST_RETRY, "-s", "RETRY_TIMES=1", check=False)
    assert seed_record(db) is None
    fresh_server.clear_faults()
    crawl(fresh_server.base_url, db)
    assert seed_record(db) is not None


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("binary", "not an HTML page"), ("redirect_loop", "redirect"), ("huge", "max size")],
)
def test_bad_responses_are_per_page_errors_and_the_rest_is_archived(
    tmp_path: Path, fresh_server: FixtureServer, kind: str, reason: str
) -> None:
    fresh_server.set_fault(SEED_PATH, kind, times=100)
    db = tmp_path / "a.sqlite3"
    proc = crawl(
        fresh_server.base_url,
        db,
        *FAST_RETRY,
        "-s",
        "RETRY_TIMES=0",
        "-s",
        "DOWNLOAD_MAXSIZE=2000000",
        check=False,
    )
    assert proc.returncode == 4, proc.stderr[-1500:]
    errors = query(db, "SELECT url, error FROM observations WHERE outcome = 'error'")
    assert len(errors) == 1 and SEED_PATH.strip("/") in errors[0][0]
    assert reason.lower() in errors[0][1].lower()
    assert len(export(db)) == len(expected_records(fresh_server.site, fresh_server.base_url)) - 1


def start_crawl(server: FixtureServer, db: Path | str, delay: str = "0.15") -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cfbu_crawler",
            "crawl",
            "--start-url",
            f"{server.base_url}/nyheder/",
            "--db",
            str(db),
            "--delay",
            delay,
            "--concurrency",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(db: Path | str, sql: str, at_least: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "://" in str(db) or Path(db).exists():  # never make the file before the crawl
            try:
                if query(db, sql)[0][0] >= at_least:
                    return
            except Exception:  # the schema is still being made
                pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {sql} >= {at_least}")


def test_crawl_killed_with_sigkill_leaves_a_consistent_archive_that_the_next_run_completes(
    archive_url: str, fresh_server: FixtureServer
) -> None:
    db = archive_url
    proc = start_crawl(fresh_server, db)
    wait_for(db, "SELECT count(*) FROM versions", 5)
    proc.kill()
    proc.wait(timeout=30)
    if "://" not in db:
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "SELECT status FROM runs") == [("running",)]
    assert query(db, "SELECT count(*) FROM crawl_lock") == [(1,)]  # the dead crawl's row
    # The next crawl starts: on PostgreSQL the advisory lock went with the dead
    # process's connection; on SQLite the lock's process is gone.
    crawl(fresh_server.base_url, db)
    assert query(db, "SELECT status FROM runs ORDER BY id") == [("interrupted",), ("complete",)]
    expected = expected_records(fresh_server.site, fresh_server.base_url)
    records = export(db)
    assert sorted(r["url"] for r in records) == sorted(r["url"] for r in expected)
    assert query(db, "SELECT count(*) FROM versions") == [(len(expected),)]
    assert query(db, "SELECT count(*) FROM crawl_lock") == [(0,)]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_sigterm_and_ctrl_c_end_the_run_cleanly_as_interrupted(
    archive_url: str, fresh_server: FixtureServer, signum: int
) -> None:
    db = archive_url
    proc = start_crawl(fresh_server, db)
    wait_for(db, "SELECT count(*) FROM versions", 3)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 6, err[-1500:]
    assert query(db, "SELECT status FROM runs") == [("interrupted",)]
    assert query(db, "SELECT count(*) FROM crawl_lock") == [(0,)]
    assert query(db, "SELECT count(*) FROM articles WHERE status = 'gone'") == [(0,)]


def test_second_crawl_on_a_database_in_use_exits_at_once_with_a_clear_message(
    archive_url: str, fresh_server: FixtureServer
) -> None:
    db = archive_url
    first = start_crawl(fresh_server, db, delay="0.3")
    try:
        wait_for(db, "SELECT count(*) FROM crawl_lock", 1)
        started = time.monotonic()
        second = crawl(fresh_server.base_url, db, check=False)
        assert second.returncode == 3
        assert time.monotonic() - started < 15
        assert f"another crawl (pid {first.pid} on " in second.stderr
        assert "Traceback" not in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=60)
    assert query(db, "SELECT status FROM runs") == [("interrupted",)]


def test_readers_see_committed_articles_while_a_crawl_writes(
    archive_url: str, fresh_server: FixtureServer
) -> None:
    db = archive_url
    proc = start_crawl(fresh_server, db, delay="0.2")
    try:
        wait_for(db, "SELECT count(*) FROM versions", 3)
        during = export(db)
        runs = read_runs(db)
        assert 3 <= len(during) < len(expected_records(fresh_server.site, fresh_server.base_url))
        assert runs[0]["status"] == "running"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)


def test_two_crawls_started_together_on_a_new_archive_one_runs_one_refuses(
    new_archive: Callable[..., str], fresh_server: FixtureServer
) -> None:
    db = new_archive("new", empty=True)  # no file yet; a database without a table
    first, second = (
        start_crawl(fresh_server, db, delay="0.1"),
        start_crawl(fresh_server, db, delay="0.1"),
    )
    results = sorted(
        (proc.wait(timeout=120), proc.communicate()[1].strip().splitlines()[-1])
        for proc in (first, second)
    )
    assert [code for code, _ in results] == [0, 3], results
    assert "another crawl" in results[1][1]
    assert query(db, "SELECT status FROM runs") == [("complete",)]
