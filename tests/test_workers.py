"""The crawl's worker processes (``procpool``): extraction by worker processes spoken to
over pipes (``extractproc``) and in reparse's pool gives what extraction here gives, a
killed extraction worker's pages are extracted elsewhere, the archive writer process
records pages for the crawl's run in the crawl's name and answers in turn, a killed one
fails its calls, workers neither outlive their parent nor stop at its signals, and a call
sent from the reactor (``workerpipe``) is framed as a worker's pipe reads it.

The reactor stays out of pytest: the scenarios run in a subprocess
(tests/support/workers.py)."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from support import reactorrun

from cfbu_crawler.extract import extract_article
from cfbu_crawler.extract.urls import Section
from cfbu_crawler.procpool import extraction_pool
from cfbu_crawler.workerpipe import frame

FIXTURE = Path(__file__).parent / "fixtures" / "allcaps_subheadings"
TESTS = Path(__file__).parent


def drive(scenario: str, arg: str = "-") -> dict[str, Any]:
    return reactorrun.drive("workers", scenario, arg)


@pytest.mark.slow  # starts processes (about a second)
def test_extraction_by_worker_processes_gives_what_extraction_here_gives_spread_over_them() -> None:
    outcome = drive("extract")
    assert outcome["waiting"] == [2, 2]  # four pages sent at once: the least busy each time
    assert outcome["same"] == [True] * 4


@pytest.mark.slow  # starts processes
def test_a_killed_extraction_worker_fails_its_page_once_and_the_others_go_on() -> None:
    outcome = drive("extract_dies")
    assert outcome["failed"] == ["extraction process 1 ended"]
    assert outcome["second"] is True
    assert outcome["after"] == [True] * 3  # all to the worker left
    # The pipeline whose only worker died extracts here, from then on.
    assert outcome["pipeline"] == [True, True]
    assert outcome["pipeline_workers"] is False
    assert outcome["logged"] == [
        "extraction process 1 ended: the pages it had are extracted by the crawl's process, "
        "the next ones by the 1 extraction process(es) left",
        "extraction process 1 ended: the crawl's process extracts the pages from now on",
    ]


@pytest.mark.slow  # starts a process (about a second)
def test_extraction_in_reparses_pool_gives_what_extraction_here_gives() -> None:
    html = (FIXTURE / "page.html").read_bytes()
    url = (FIXTURE / "url.txt").read_text().strip()
    section = Section.from_start_url("https://cfbu.dk/nyheder/")
    pool = extraction_pool(1)
    try:
        there = pool.submit(extract_article, html, url, None, section=section).result(timeout=60)
    finally:
        pool.shutdown()
    assert there == extract_article(html, url, None, section=section)


@pytest.mark.slow  # starts a process (about a second)
def test_the_writer_process_records_pages_for_the_crawls_run_in_its_name(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    outcome = drive("writer", str(db))
    # Answered in turn; the refused call fails alone, the ones after it are made.
    assert outcome["refused"] == "a new page is recorded with record_page()"
    assert outcome["answers"] == [["new", None], None, ["unchanged", None], ["error", None]]
    assert outcome["last"] == ["new", None]
    assert outcome["lock_pid"] == [[outcome["here"]]]  # the heartbeat, in the crawl's name
    # Pages stored: a/ twice and e/, committed at the close; two new articles; d/ an error.
    assert outcome["counts"] == [3, 2, 0, 1]
    con = sqlite3.connect(db)
    assert con.execute("SELECT url, outcome FROM observations ORDER BY id").fetchall() == [
        ("http://127.0.0.1:1/nyheder/a/", "new"),
        ("http://127.0.0.1:1/nyheder/b/", "gone"),
        ("http://127.0.0.1:1/nyheder/a/", "unchanged"),
        ("http://127.0.0.1:1/nyheder/d/", "error"),
        ("http://127.0.0.1:1/nyheder/e/", "new"),
    ]
    assert con.execute("SELECT count(*) FROM crawl_lock").fetchall() == [(0,)]
    con.close()


@pytest.mark.slow  # starts a process
def test_calls_fail_once_the_writer_process_died_and_what_it_held_is_lost(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    outcome = drive("writer_dies", str(db))
    assert outcome["errors"] == ["BrokenPipeError", "BrokenPipeError"]
    assert outcome["pages"] == 0  # its batch was never committed, as after a crash
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM observations").fetchall() == [(0,)]
    con.close()


# A crawl's workers (a worker process spoken to over its pipe) and reparse's (a pool).
PARENTS = {
    "process": """
import os, time
from cfbu_crawler.procpool import worker_process
process, pipe = worker_process({"pid": os.getpid, "ppid": os.getppid}, name="test")
for call in ("pid", "ppid"):
    pipe.send((call, ()))
    print(pipe.recv().value, flush=True)
time.sleep(120)
""",
    "pool": """
import os, time
from cfbu_crawler.procpool import extraction_pool
pool = extraction_pool(1)
print(pool.submit(os.getpid).result(), flush=True)
print(pool.submit(os.getppid).result(), flush=True)
time.sleep(120)
""",
}


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("kind", sorted(PARENTS))
def test_a_worker_ignores_the_crawls_signals_and_dies_with_it(kind: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENTS[kind]],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert parent.stdout is not None
        worker = int(parent.stdout.readline())
        server = int(parent.stdout.readline())  # the fork server, or the parent itself
        # Ctrl-C and systemd's SIGTERM reach every process of the group: the crawl decides.
        os.kill(worker, signal.SIGINT)
        os.kill(worker, signal.SIGTERM)
        time.sleep(1)
        assert _alive(worker)
        parent.kill()
        parent.wait(timeout=10)
        deadline = time.monotonic() + 5
        while (_alive(worker) or _alive(server)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(worker) and not _alive(server)
    finally:
        if parent.poll() is None:
            parent.kill()


def test_a_call_from_the_reactor_is_framed_as_the_worker_reads_it() -> None:
    here, there = multiprocessing.Pipe()
    try:
        for data in (b"", pickle.dumps(("record", (1, "x" * 70_000)))):
            os.write(here.fileno(), b"".join(frame(data)))
            assert there.recv_bytes() == data
    finally:
        here.close()
        there.close()
