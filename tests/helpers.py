"""Helpers for the end-to-end tests: crawls run the ``cfbu`` command line in a subprocess
(so the Twisted reactor never enters the pytest process); reading the archive afterwards
happens in process, with the library functions the read commands are thin over."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from cfbu_crawler.archive import queries
from cfbu_crawler.archive.db import close_engine, open_engine, resolve_db
from cfbu_crawler.archive.diff import diff_runs
from cfbu_crawler.archive.history import article_history
from cfbu_crawler.demo.runner import crawl_command

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


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
    base_url: str, db: Path | str, *extra: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``cfbu crawl`` of a loopback fixture site (politeness delay off) into ``db``."""
    return run_cfbu(*crawl_command(base_url, db, *extra)[3:], check=check)


@contextmanager
def archive(db: Path | str) -> Iterator[Engine]:
    """The archive at ``db`` (a path or an SQLAlchemy URL), opened for reading."""
    engine = open_engine(str(db), create=False)
    try:
        yield engine
    finally:
        close_engine(engine)


def _read(db: Path | str, read: Callable[[Engine], T]) -> T:
    """``read(engine)`` on the archive, as its command's ``--json`` prints it."""
    with archive(db) as engine:
        return json.loads(json.dumps(read(engine)))


def export(db: Path | str) -> list[dict[str, Any]]:
    """``cfbu export --format json``: the latest version of every article."""
    return _read(db, queries.export_records)


def runs(db: Path | str) -> list[dict[str, Any]]:
    """``cfbu runs --json``: the runs, newest first."""
    return _read(db, queries.list_runs)


def diff(db: Path | str, from_run: int | None = None, to_run: int | None = None) -> dict:
    """``cfbu diff [FROM [TO]] --json``."""
    return _read(db, lambda engine: diff_runs(engine, from_run, to_run))


def history(db: Path | str, ref: str) -> dict[str, Any]:
    """``cfbu history REF --json``."""
    return _read(db, lambda engine: article_history(engine, ref))


def query(db: Path | str, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """The rows of one SQL statement (``:name`` parameters) on the archive at ``db`` (a
    path or an SQLAlchemy URL), read on a connection of its own as an archivist's SQL
    would, on either backend."""
    engine = create_engine(resolve_db(str(db)), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(statement), params)]
    finally:
        engine.dispose()


def tables(db: Path | str) -> set[str]:
    """The tables in the database at ``db`` (nothing is created to find out)."""
    from sqlalchemy import inspect

    path = Path(str(db))
    if "://" not in str(db) and not path.exists():
        return set()
    engine = create_engine(resolve_db(str(db)), poolclass=NullPool)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
