"""`cfbu serve` in a subprocess on 127.0.0.1 (any free port), for the tests that talk to
it over HTTP or drive a browser through it."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Served:
    url: str  # http://127.0.0.1:PORT/
    process: subprocess.Popen[str]

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=30) as resp:
                return resp.status, dict(resp.headers.items()), resp.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers.items()), exc.read()

    def json(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        status, _, body = self.get(path + ("?" + query if query else ""))
        assert status == 200, body[:500]
        return json.loads(body)


def copy_archive(source: Path, target: Path) -> Path:
    """A consistent copy of an SQLite archive (the backup API, WAL included)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return target


@contextmanager
def cfbu_serve(db: Path, *extra: str) -> Iterator[Served]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("CFBU_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "cfbu_crawler", "serve", "--db", str(db), "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        if not match:
            process.kill()
            raise AssertionError(f"cfbu serve said {line!r}: {process.stderr.read()[:2000]}")
        yield Served(match.group(1), process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
