"""Docs as tests: every `cfbu` command shown in README.md runs and succeeds.

Commands are the `$ cfbu …` lines of the README's ``console`` blocks. They run in a
scratch directory, in order (the first is `cfbu demo`, which makes the archive the others
read), with the live site's address replaced by the local fixture site and, for crawls,
the politeness delay off for that loopback server.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT
from support.server import FixtureServer

README = ROOT / "README.md"
BLOCK = re.compile(r"```console\n(.*?)```", re.S)


def readme_commands() -> list[str]:
    commands = []
    for block in BLOCK.findall(README.read_text(encoding="utf-8")):
        commands += [line[2:] for line in block.splitlines() if line.startswith("$ cfbu")]
    return commands


def test_readme_shows_the_main_commands() -> None:
    shown = {shlex.split(c)[1] for c in readme_commands()}
    assert {"demo", "crawl", "runs", "diff", "history", "show", "export", "reparse"} <= shown


def test_readme_names_the_install_and_test_commands_that_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]"' in text and 'pip install -e ".[test]"' in ci
    assert "python -m pytest -q" in text and "python -m pytest -q" in ci
    assert "mypy" in text and "mypy" in ci


def test_readme_names_the_fast_lane_and_its_marker_is_registered() -> None:
    text = README.read_text(encoding="utf-8")
    assert 'python -m pytest -q -m "not slow"' in text
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"slow: ' in config and "--strict-markers" in config


@pytest.mark.slow
def test_every_readme_command_runs(tmp_path: Path, site_server: FixtureServer) -> None:
    for command in readme_commands():
        args = shlex.split(command.replace("https://cfbu.dk", site_server.base_url))
        if args[1] == "crawl":
            args += ["--delay", "0"]
        proc = subprocess.run(
            [sys.executable, "-m", "cfbu_crawler", *args[1:]],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-1000:]}\n{proc.stderr[-1000:]}"
        assert "Traceback" not in proc.stderr
