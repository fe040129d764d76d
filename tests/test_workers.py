"""The crawl's worker processes (``procpool``): extraction in a pool gives what extraction
here gives, the archive writer process records pages for the crawl's run in the crawl's
name, workers neither outlive their parent nor stop at its signals, and a call sent from
the reactor (``workerpipe``) is framed as a worker's pipe reads it."""

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

import pytest

from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage
from cfbu_crawler.archive.writerproc import WriterOptions, WriterProcess
from cfbu_crawler.extract import extract_article
from cfbu_crawler.extract.urls import Section
from cfbu_crawler.procpool import extraction_pool
from cfbu_crawler.workerpipe import frame

FIXTURE = Path(__file__).parent / "fixtures" / "allcaps_subheadings"
BASE = "http://127.0.0.1:1/nyheder/"


@pytest.mark.slow  # starts a process (about a second)
def test_extraction_in_a_worker_gives_what_extraction_here_gives() -> None:
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
    engine = open_engine(str(db), create=True)
    writer = ArchiveWriter(engine, extractor_version="t")
    run_id = writer.begin_run(start_url=BASE, full=True, settings={})
    remote = WriterProcess(
        WriterOptions(
            db_url=f"sqlite:///{db}",
            extractor_version="t",
            run_id=run_id,
            pid=os.getpid(),
            batch_seconds=60,
            batch_pages=100,
        )
    )
    url = BASE + "a/"
    page = FetchedPage(
        requested_url=url,
        final_url=url,
        identity_url=url,
        status=200,
        record={"title": "A", "published": "2020-01-02", "body": "Tekst."},
        raw=b"<html>a</html>",
    )
    try:
        assert remote.call("record_page", page).result(timeout=60) == "new"
        remote.call("record_outcome", BASE + "b/", "gone", status=404).result(timeout=60)
        remote.call("heartbeat").result(timeout=60)  # commits, in the crawl's name
        con = sqlite3.connect(db)
        assert con.execute("SELECT pid FROM crawl_lock").fetchall() == [(os.getpid(),)]
        con.close()
        remote.call("record_page", page).result(timeout=60)
    finally:
        remote.close()  # commits what it holds
    run = writer.finish_run("complete", reason="finished", listing_complete=True)
    close_engine(engine)
    assert (run.pages, run.new, run.unchanged) == (2, 1, 0)  # one article, counted once
    con = sqlite3.connect(db)
    assert con.execute("SELECT outcome FROM observations ORDER BY id").fetchall() == [
        ("new",),
        ("gone",),
        ("unchanged",),
    ]
    assert con.execute("SELECT count(*) FROM crawl_lock").fetchall() == [(0,)]
    con.close()


PARENT = """
import sys, time
from cfbu_crawler.procpool import extraction_pool
pool = extraction_pool(1)
print(pool.submit(__import__("os").getpid).result(), flush=True)
print(pool.submit(__import__("os").getppid).result(), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_worker_ignores_the_crawls_signals_and_dies_with_it() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True, start_new_session=True
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
