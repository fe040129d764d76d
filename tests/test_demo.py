"""``cfbu demo``: the offline tour runs in a subprocess, explains itself, and leaves an
archive whose diff is exactly the scripted v1 → v2 edit; it never touches a foreign file."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import diff, run_cfbu, runs
from support.oracle import expected_diff

from cfbu_crawler.cli import main
from cfbu_crawler.demo.build import build_site

pytestmark = pytest.mark.slow


def _slug(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_demo_crawls_twice_and_shows_the_scripted_diff(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    started = time.monotonic()
    proc = run_cfbu("demo", "--db", str(db), timeout=120)
    elapsed = time.monotonic() - started
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert elapsed < 60
    out = proc.stdout
    base = re.search(r"(http://127\.0\.0\.1:\d+)/nyheder/", out).group(1)  # type: ignore[union-attr]
    expected = expected_diff(build_site("v1"), build_site("v2"), base)
    for item in expected["added"] + expected["removed"] + expected["changed"]:
        assert item["url"] in out, item
    for item in expected["moved"]:
        assert f"{item['from']} → {item['to']}" in out
    for word in ("cfbu runs", "cfbu history", "cfbu show", "cfbu export", f"--db {db}"):
        assert word in out

    report = diff(db)
    assert report["added"] == expected["added"]
    assert report["removed"] == expected["removed"]
    assert report["moved"] == expected["moved"]
    assert [{"url": c["url"], "fields": c["fields"]} for c in report["changed"]] == expected[
        "changed"
    ]
    assert report["unchanged"] == expected["unchanged"]
    for key in ("first_archived", "unlisted", "warnings"):
        assert report[key] == expected[key], key

    # run again: the old demo archive is replaced, not added to
    again = run_cfbu("demo", "--db", str(db), timeout=120, check=True)
    assert "replaced" in again.stdout
    assert [r["id"] for r in runs(db)] == [2, 1]
    slug = _slug(expected["changed"][0]["url"])
    shown = CliRunner().invoke(main, ["history", slug, "--db", str(db)])
    assert shown.exit_code == 0 and "Version 1 · run 1" in shown.stdout, shown.output


@pytest.mark.parametrize("kind", ["text", "sqlite"])
def test_demo_refuses_a_file_that_is_not_an_archive(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "other.db"
    if kind == "text":
        path.write_text("my notes\n")
    else:
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE notes (t TEXT)")
        con.commit()
        con.close()
    before = path.read_bytes()
    proc = run_cfbu("demo", "--db", str(path), timeout=60)
    assert proc.returncode == 1
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "not" in lines[0] and str(path) in lines[0]
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()
