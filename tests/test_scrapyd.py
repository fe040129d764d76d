"""End to end under Scrapyd: start a real Scrapyd on loopback, deploy the project egg with
``scrapyd-deploy``, schedule the ``nyheder`` spider against the local fixture site and check
that the archive named by ``setting=CFBU_DB=...`` holds a complete run.

Scrapyd and the crawl it launches run in subprocesses; nothing is sent beyond 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.server import FixtureServer

from cfbu_crawler.demo.build import build_site

pytest.importorskip("scrapyd")
pytest.importorskip("scrapyd_client")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PROJECT_FILES = ("cfbu_crawler", "pipelines", "pyproject.toml", "setup.py", "README.md")
JOB_TIMEOUT = 120.0


# -- the fixture site ------------------------------------------------------------------
@contextlib.contextmanager
def fixture_site() -> Iterator[tuple[str, int]]:
    """The demo site (v1) on loopback: (base URL, number of listed articles)."""
    with FixtureServer(build_site("v1")) as server:
        yield server.base_url, len(server.site.listed)


# -- Scrapyd ---------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(base: str, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict:
    """GET (``data`` None) or POST a Scrapyd JSON endpoint; the decoded answer."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}/{endpoint}", data=body, timeout=10) as response:
        return json.loads(response.read().decode())


def write_conf(workdir: Path, port: int) -> None:
    """contrib/scrapyd/scrapyd.conf as shipped, for an install in ``workdir``'s parent
    (``/srv/cfbu`` → it) and a free port: the folders it names do not exist yet."""
    text = (ROOT / "contrib" / "scrapyd" / "scrapyd.conf").read_text(encoding="utf-8")
    assert "/srv/cfbu/scrapyd/" in text and "http_port    = 6800" in text
    text = text.replace("/srv/cfbu", str(workdir.parent)).replace(
        "http_port    = 6800", f"http_port    = {port}"
    )
    assert not (workdir / "eggs").exists() and not (workdir / "logs").exists()
    (workdir / "scrapyd.conf").write_text(text, encoding="utf-8")


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCRAPY_", "SCRAPYD_"))}
    env.pop("CFBU_DB", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def wait_ready(base: str, proc: subprocess.Popen, out: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"scrapyd exited with {proc.returncode}:\n{out.read_text()[-3000:]}")
        with contextlib.suppress(OSError, ValueError):
            if call(base, "daemonstatus.json").get("status") == "ok":
                return
        time.sleep(0.2)
    pytest.fail(f"scrapyd did not answer within {timeout:.0f} s:\n{out.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """Stop Scrapyd and whatever it launched (its own process group)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # a crawl left behind, if any


def deploy(workdir: Path, url: str) -> None:
    """``scrapyd-deploy`` from a copy of the project whose scrapy.cfg points at ``url``."""
    project = workdir / "project"
    project.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=ignore)
        else:
            shutil.copy2(source, project / name)
    cfg = (ROOT / "scrapy.cfg").read_text(encoding="utf-8")
    assert "url = http://localhost:6800/" in cfg
    (project / "scrapy.cfg").write_text(cfg.replace("http://localhost:6800/", url + "/"))
    proc = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "--version", "test-1"],
        cwd=project,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, f"scrapyd-deploy failed:\n{proc.stdout}\n{proc.stderr}"
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["status"] == "ok", answer
    assert answer["project"] == "cfbu"
    assert answer["spiders"] == 1


def egg_files(workdir: Path) -> set[str]:
    """The files of the egg scrapyd-deploy built and Scrapyd stored."""
    eggs = sorted((workdir / "eggs" / "cfbu").glob("*.egg"))
    assert len(eggs) == 1, eggs
    with zipfile.ZipFile(eggs[0]) as egg:
        return set(egg.namelist())


def wait_finished(base: str, job: str) -> dict:
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        jobs = call(base, "listjobs.json?project=cfbu")
        for entry in jobs["finished"]:
            if entry["id"] == job:
                return entry
        time.sleep(0.5)
    with contextlib.suppress(OSError, ValueError):
        call(base, "cancel.json", [("project", "cfbu"), ("job", job)])
    pytest.fail(f"job {job} not finished within {JOB_TIMEOUT:.0f} s")


def test_scrapyd_deploy_and_schedule(tmp_path: Path) -> None:
    for tool in ("scrapyd", "scrapyd-deploy"):
        assert (BIN / tool).exists(), f"{tool} is not installed beside {sys.executable}"
    workdir = tmp_path / "srv" / "scrapyd"  # mkdir -p /srv/cfbu/scrapyd, as the docs say
    workdir.mkdir(parents=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    write_conf(workdir, port)
    archive = tmp_path / "a.sqlite3"
    out = workdir / "scrapyd.out"
    started = time.monotonic()
    with fixture_site() as (site_url, expected_articles), out.open("wb") as log:
        proc = subprocess.Popen(
            [str(BIN / "scrapyd")],
            cwd=workdir,
            env=clean_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_ready(base, proc, out)
            deploy(workdir, base)
            files = egg_files(workdir)
            # The pipelines travel inside the package (no top-level `pipelines`), no tests.
            assert "cfbu_crawler/pipelines/store.py" in files
            assert not [f for f in files if f.startswith(("pipelines/", "tests/"))]
            assert call(base, "listspiders.json?project=cfbu")["spiders"] == ["nyheder"]
            answer = call(
                base,
                "schedule.json",
                [
                    ("project", "cfbu"),
                    ("spider", "nyheder"),
                    ("start_url", f"{site_url}/nyheder/"),
                    ("setting", f"CFBU_DB={archive}"),
                    ("setting", "DOWNLOAD_DELAY=0"),
                    ("setting", "AUTOTHROTTLE_ENABLED=False"),
                ],
            )
            assert answer["status"] == "ok", answer
            job = answer["jobid"]
            wait_finished(base, job)
        finally:
            stop(proc)

    job_log = workdir / "logs" / "cfbu" / "nyheder" / f"{job}.log"
    log_text = job_log.read_text(encoding="utf-8", errors="replace") if job_log.exists() else ""
    assert archive.exists(), f"no archive written; job log:\n{log_text[-4000:]}"
    con = sqlite3.connect(archive)
    try:
        runs = [row[0] for row in con.execute("SELECT status FROM runs")]
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()
    assert runs == ["complete"], f"runs {runs}; job log:\n{log_text[-4000:]}"
    assert articles == expected_articles, log_text[-4000:]
    assert "Spider closed (finished)" in log_text
    print(f"scrapyd end-to-end: {time.monotonic() - started:.1f} s")
