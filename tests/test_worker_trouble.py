"""A crawl's worker processes killed mid-crawl (``kill -9``, as the kernel's out-of-memory
killer would): the pages of a killed extraction worker are extracted by the crawl, which
archives every article; a killed archive writer fails the records it had and the close,
which the crawl logs, and the run is still finished and the lock released: the crawl
never waits for an answer that cannot come."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import export, query
from support.oracle import expected_records
from support.server import FixtureServer

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc"),
]


def start_crawl(server: FixtureServer, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "cfbu_crawler", "crawl", "--start-url",
         f"{server.base_url}/nyheder/", "--db", str(db), "--delay", "0.15",
         "--concurrency", "1", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in task.read_text().split()]
        except OSError:  # gone meanwhile
            continue
    return found


def holds(pid: int, path: Path) -> bool:
    """Whether process ``pid`` has ``path`` open."""
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            if os.readlink(fd) == str(path):
                return True
        except OSError:
            continue
    return False


def workers(crawl: int) -> list[int]:
    """The crawl's workers: the children of the fork server it started."""
    return [worker for child in children(crawl) for worker in children(child)]


def wait_for_versions(db: Path, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if db.exists() and query(db, "SELECT count(*) FROM versions")[0][0] >= at_least:
                return
        except Exception:  # the schema is still being made
            pass
        time.sleep(0.1)
    raise AssertionError(f"no {at_least} versions archived within a minute")


def crawl_log(db: Path) -> str:
    return "".join(p.read_text() for p in (db.parent / "logs").glob("crawl-*.log"))


def test_a_killed_extraction_worker_leaves_its_pages_to_the_crawl_which_archives_them_all(
    tmp_path: Path, fresh_server: FixtureServer
) -> None:
    db = tmp_path / "a.sqlite3"
    proc = start_crawl(fresh_server, db, "-s", "CFBU_EXTRACT_PROCESSES=1")
    wait_for_versions(db, 2)
    warc = tmp_path / "warc"
    (extractor,) = [
        pid
        for pid in workers(proc.pid)
        if not holds(pid, db) and not any(holds(pid, f) for f in warc.glob("*.warc.gz"))
    ]
    os.kill(extractor, signal.SIGKILL)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-1500:]
    assert "Run 1 complete" in out
    expected = expected_records(fresh_server.site, fresh_server.base_url)
    assert sorted(r["url"] for r in export(db)) == sorted(r["url"] for r in expected)
    log = crawl_log(db)
    assert log.count("extraction process 1 ended: the crawl's process extracts the pages") == 1


def test_a_killed_archive_writer_stops_the_crawl_and_its_run_is_failed(
    tmp_path: Path, fresh_server: FixtureServer
) -> None:
    db = tmp_path / "a.sqlite3"
    proc = start_crawl(fresh_server, db)
    wait_for_versions(db, 2)
    (writer,) = [pid for pid in workers(proc.pid) if holds(pid, db)]
    os.kill(writer, signal.SIGKILL)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode is not None, err[-1500:]
    assert proc.returncode == 1, err[-1500:]  # failed (docs/operations: exit status)
    assert query(db, "SELECT status, finish_reason FROM runs") == [
        ("failed", "archive_writer_died")
    ]
    assert query(db, "SELECT count(*) FROM crawl_lock") == [(0,)]
    log = crawl_log(db)
    assert log.count("the archive writer process ended: the crawl stops") == 1
    # The records sent after the death are not archived, and say so once, not each.
    assert "Error processing" not in log
