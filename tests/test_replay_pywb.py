"""pywb, the web-archiving community's replay tool, indexes the WARC files of a crawl
(`wb-manager init` / `add`) and replays an archived article from them on 127.0.0.1:
from `cfbu export --format warc --run 1`, and from a crawl's own files (a revisit of a
full re-crawl resolved to the payload archived by run 1).

pywb pins old versions of packages the project uses (Werkzeug, pyOpenSSL, redis…), so
it lives in a virtualenv of its own, ``.venv-pywb`` in the repository (made here with pip
when missing: about 20 s)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import run_cfbu
from support.freshcrawl import FreshArchive

from cfbu_crawler.warc.files import archive_files, index_path
from cfbu_crawler.warc.index import read_index

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PYWB_VENV = ROOT / ".venv-pywb"
PYWB = "pywb==2.10.*"


def pywb_bin() -> Path:
    bin_dir = PYWB_VENV / "bin"
    if not (bin_dir / "wayback").exists():
        subprocess.run([sys.executable, "-m", "venv", str(PYWB_VENV)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", PYWB], check=True, timeout=600)
    return bin_dir


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def wayback(fresh_archive: FreshArchive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    bin_dir = pywb_bin()
    home = tmp_path_factory.mktemp("pywb")
    exported = home / "run1.warc.gz"
    run_cfbu(
        "export",
        "--db",
        str(fresh_archive.db),
        "--format",
        "warc",
        "--run",
        "1",
        "-o",
        str(exported),
        check=True,
    )
    crawl_files = [
        p for paths in archive_files(fresh_archive.warc_dir, "fresh").values() for p in paths
    ]
    for collection, files in (("run1", [exported]), ("crawl", crawl_files)):
        subprocess.run(
            [str(bin_dir / "wb-manager"), "init", collection],
            cwd=home,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(bin_dir / "wb-manager"), "add", collection, *map(str, files)],
            cwd=home,
            check=True,
            capture_output=True,
        )
    port = free_port()
    server = subprocess.Popen(
        [str(bin_dir / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=home,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def replay(base: str, collection: str, timestamp: str, url: str) -> str:
    with urllib.request.urlopen(f"{base}/{collection}/{timestamp}mp_/{url}", timeout=30) as resp:
        assert resp.status == 200
        return resp.read().decode("utf-8")


def test_pywb_replays_an_article_from_the_exported_run(
    wayback: str, fresh_archive: FreshArchive
) -> None:
    url = fresh_archive.server.url("/nyheder/groenne-gaarde-i-soenderbro/")
    page = replay(wayback, "run1", "2100", url)
    assert '<h1 class="story__headline">Grønne gårde i Sønderbro</h1>' in page
    # run 1's text, not run 2's edit
    assert "tre asfaltgårde" in page and "fire asfaltgårde" not in page


def test_pywb_replays_a_revisit_of_a_full_recrawl(
    wayback: str, fresh_archive: FreshArchive
) -> None:
    (run3,) = archive_files(fresh_archive.warc_dir, "fresh")[3]
    url = fresh_archive.server.url("/nyheder/lektiehjaelp-paa-biblioteket/")
    (entry,) = [e for e in read_index(index_path(run3)) if e.url == url]
    assert entry.is_revisit
    page = replay(wayback, "crawl", entry.timestamp, url)
    assert "Lektiehjælp på biblioteket hver tirsdag</h1>" in page
