"""Helpers for tests that run the ``cfbu`` command line in a subprocess (so the Twisted
reactor never enters the pytest process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cfbu_crawler.demo.runner import crawl_command

ROOT = Path(__file__).resolve().parents[1]


def run_cfbu(
    *args: str, timeout: float = 180, env: dict[str, str] | None = None, check: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the ``cfbu`` command line in a subprocess."""
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    full_env.pop("CFBU_DB", None)
    proc = subprocess.run(
        [sys.executable, "-m", "cfbu_crawler", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"cfbu {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def crawl(
    base_url: str, db: Path, *extra: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    return run_cfbu(*crawl_command(base_url, db, *extra)[3:], check=check)


def export(db: Path) -> list[dict]:
    proc = run_cfbu("export", "--db", str(db), "--format", "jsonl", check=True)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
