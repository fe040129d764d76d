"""A maintainer's nights, on a site written for these tests (``support.harbour``: not the
demo's themes, not the blind sites): a quiet good night, a redesign that hides every
date while one page keeps failing, a crawl stopped with Ctrl-C twice, a bad ``-s``
value, and ``scrapy crawl nyheder`` against a site that is down (docs/scheduling.md)."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import ROOT, crawl, diff, runs
from support.harbour import FAILING, MOVED, NEW, REMOVED, STORIES, UNLISTED, HarbourServer
from support.harbour import harbour_site as site_version

from cfbu_crawler.cli import main

pytestmark = pytest.mark.slow

FAST_RETRY = ("-s", "CFBU_RETRY_BACKOFF_BASE=0.1")
TITLES = {s.slug: s.title for s in (*STORIES, NEW)}


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def url(base: str, slug: str) -> str:
    return f"{base}/nyheder/{slug}/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_good_night_prints_nothing_and_a_redesign_with_a_failing_page_exits_5(
    tmp_path: Path,
) -> None:
    db = tmp_path / "data" / "cfbu.sqlite3"
    with HarbourServer() as server:
        base = server.base_url
        night1 = crawl(base, db, "--quiet", check=False)
        assert (night1.returncode, night1.stdout, night1.stderr) == (0, "", "")
        (log,) = (tmp_path / "data" / "logs").glob("crawl-*.log")
        assert "Spider closed (finished)" in log.read_text()  # the log still gets everything

        server.site = site_version("v2")
        night2 = crawl(base, db, "--quiet", *FAST_RETRY, check=False)
    # A coverage drop wins over a page that still failed (5 before 4), in one line.
    assert night2.returncode == 5, night2.stderr
    assert night2.stdout == ""
    (line,) = lines(night2.stderr)
    assert line.startswith("Error: ") and "published" in line and "1 page" in line
    run = runs(db)[0]
    assert (run["status"], run["counts"]["errors"]) == ("complete", 1)

    report = json.loads(CliRunner().invoke(main, ["diff", "--db", str(db), "--json"]).stdout)
    assert report == diff(db)
    coverage = [w for w in report["warnings"] if w["kind"] == "coverage_drop"]
    assert [(w["field"], w["before"], w["after"]) for w in coverage] == [("published", 1.0, 0.0)]
    assert [w["kind"] for w in report["warnings"]] == ["coverage_drop", "page_errors"]
    # Every date lost: suspect changes, not edits; the failing page is compared as before.
    assert report["changed"] and all(
        c["fields"] == ["published"] and c["suspect_fields"] == ["published"]
        for c in report["changed"]
    )
    assert url(base, FAILING) not in json.dumps(report["changed"])
    assert report["added"] == [{"url": url(base, NEW.slug), "title": NEW.title}]
    assert report["removed"] == [{"url": url(base, REMOVED), "title": TITLES[REMOVED]}]
    assert report["moved"] == [
        {"from": url(base, MOVED[0]), "to": url(base, MOVED[1]), "title": TITLES[MOVED[0]]}
    ]
    assert report["unlisted"] == [{"url": url(base, UNLISTED), "title": TITLES[UNLISTED]}]
    people = CliRunner().invoke(main, ["diff", "--db", str(db)]).stdout
    assert "Warnings (2)" in people and "Suspect (" in people and "Changed (" not in people
    assert f"  - {url(base, REMOVED)}  {TITLES[REMOVED]}" in people


def test_the_failed_page_is_first_archived_after_failing_as_a_new_article(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    with HarbourServer() as server:
        crawl(server.base_url, db)
        server.site = site_version("v2")
        failing_new = f"/nyheder/{NEW.slug}/"
        server.set_fault(failing_new, "503", times=100)
        crawl(server.base_url, db, *FAST_RETRY, "-s", "RETRY_TIMES=1", check=False)
        server.clear_faults()
        crawl(server.base_url, db, check=False)
    report = diff(db)
    assert (report["from_run"], report["to_run"]) == (2, 3)
    assert report["added"] == []
    (first,) = report["first_archived"]
    assert (first["url"], first["title"], first["failed_in_run"]) == (
        url(server.base_url, NEW.slug),
        NEW.title,
        2,
    )
    assert "503" in first["reason"]


def read_lines(stream, into: queue.Queue) -> None:
    for line in stream:
        into.put((time.monotonic(), line.rstrip("\n")))
    into.put((time.monotonic(), None))


@pytest.mark.parametrize("signals", [("INT", "INT"), ("TERM", "TERM", "TERM"), ("INT", "TERM")])
def test_stopped_twice_or_more_the_run_is_interrupted_and_the_status_6(
    tmp_path: Path, signals: tuple[str, ...]
) -> None:
    db = tmp_path / "a.sqlite3"
    with HarbourServer() as server:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cfbu_crawler", "crawl", "--start-url",
             f"{server.base_url}/nyheder/", "--db", str(db), "--delay", "1",
             "--concurrency", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        err: queue.Queue = queue.Queue()
        threading.Thread(target=read_lines, args=(proc.stderr, err), daemon=True).start()
        seen: list[str] = []
        deadline = time.monotonic() + 60
        while not any("Spider opened" in line for line in seen):
            assert time.monotonic() < deadline, seen
            seen.append(err.get(timeout=60)[1] or "")
        time.sleep(1.5)  # a request or two in
        sent = time.monotonic()
        proc.send_signal(getattr(signal, f"SIG{signals[0]}"))
        while True:  # the first signal is announced at once
            at, line = err.get(timeout=10)
            assert line is not None, seen
            seen.append(line)
            if "stopping the crawl" in line:
                assert at - sent < 3
                break
        for name in signals[1:]:
            proc.send_signal(getattr(signal, f"SIG{name}"))
            time.sleep(0.1)
        proc.wait(timeout=60)
        out = proc.stdout.read() if proc.stdout else ""
    assert proc.returncode == 6, (seen, out)
    (run,) = runs(db)
    assert run["status"] == "interrupted"
    assert "Run 1 interrupted" in out


@pytest.mark.parametrize(
    "setting",
    ["DOWNLOAD_DELAY=abc", "RETRY_ENABLED=maybe", "CONCURRENT_REQUESTS=0", "DOWNLOAD_DELAI=1"],
)
def test_a_bad_setting_is_one_line_and_creates_nothing(tmp_path: Path, setting: str) -> None:
    target = tmp_path / "new"
    proc = subprocess.run(
        [sys.executable, "-m", "cfbu_crawler", "crawl", "--start-url",
         "http://127.0.0.1:9/nyheder/", "--db", str(target / "a.sqlite3"), "-s", setting],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    (line,) = lines(proc.stderr)
    assert line.startswith("Error: ") and setting.split("=")[0] in line
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert list(tmp_path.iterdir()) == []


def scrapy_crawl(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (cwd / "scrapy.cfg").write_text((ROOT / "scrapy.cfg").read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "CFBU_"))}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "nyheder", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_scrapy_crawl_of_a_site_that_is_down_fails_fast_in_one_line_each(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    start = f"http://127.0.0.1:{free_port()}/nyheder/"
    started = time.monotonic()
    proc = scrapy_crawl(tmp_path, "-a", f"start_url={start}", "-s", f"CFBU_DB={db}")
    elapsed = time.monotonic() - started
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert elapsed < 20
    assert "Traceback" not in proc.stderr
    assert (
        lines(proc.stderr)[-1] == f"Error: cannot fetch the start URL {start}: Connection refused"
    )
    assert [r["status"] for r in runs(db)] == ["failed"]


def test_scrapy_crawl_exits_as_cfbu_crawl_does(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    with HarbourServer() as server:
        start = ("-a", f"start_url={server.base_url}/nyheder/", "-s", f"CFBU_DB={db}")
        fast = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", *FAST_RETRY)
        assert scrapy_crawl(tmp_path, *start, *fast).returncode == 0
        server.site = site_version("v2")
        proc = scrapy_crawl(tmp_path, *start, *fast)
    assert proc.returncode == 5, proc.stderr[-2000:]
    assert "published" in lines(proc.stderr)[-1]
    bad = scrapy_crawl(tmp_path, "-s", "DOWNLOAD_DELAY=abc", "-s", f"CFBU_DB={tmp_path / 'b'}")
    assert bad.returncode == 2
    assert lines(bad.stderr)[-1] == "Error: -s DOWNLOAD_DELAY=abc: a number is expected, not 'abc'"
    assert not (tmp_path / "b").exists()
