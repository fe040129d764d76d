"""An SQLite archive as a file, with the standard library alone: which file ``--db``
names, whether it is a cfbu archive, and which migration its schema is at.

Loading SQLAlchemy (and Alembic) takes longer than a quick command may: ``cfbu runs``
reads an SQLite archive whose schema is current through ``sqlite3`` alone, and only
falls back to ``archive.db`` (which creates and upgrades schemas) when it must.
``archive.db`` uses these functions too, so that the rules are written once.
"""

from __future__ import annotations

import os
import sqlite3
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEFAULT_DB = "data/cfbu.sqlite3"
SQLITE_HEADER = b"SQLite format 3\x00"
# The revision of the newest migration (archive/migrations/versions): an archive whose
# ``alembic_version`` says this needs no upgrade, which is known without loading Alembic.
# tests/test_migrations.py checks that it is Alembic's head.
HEAD_REVISION = "0007"


class ArchiveError(Exception):
    """A user-facing problem with the archive (one line, no traceback)."""


def db_setting(db: str | None) -> str:
    """The ``--db`` value in force: the option, else ``$CFBU_DB``, else the default."""
    return db or os.environ.get("CFBU_DB") or DEFAULT_DB


def sqlite_file(db: str | None) -> Path | None:
    """The file of a ``--db`` that names an SQLite file (a path, or a plain
    ``sqlite:///path`` URL); None for other databases and for URLs this simple reading
    does not understand (``archive.db`` reads those with SQLAlchemy)."""
    value = db_setting(db)
    if "://" not in value:
        return Path(value).expanduser()
    prefix = "sqlite:///"
    rest = value[len(prefix) :]
    if not value.startswith(prefix) or not rest or "?" in rest or rest == ":memory:":
        return None
    return Path(rest)


def check_file(path: Path, *, must_exist: bool) -> None:
    """Refuse, without touching the file, anything that is not a cfbu archive.

    With ``must_exist`` (read commands), a missing file is an error too.
    """
    if not path.exists():
        if must_exist:
            raise ArchiveError(f"no archive at {path} (run `cfbu crawl --db {path}` first)")
        return
    if path.is_dir():
        raise ArchiveError(f"{path} is a directory, not an SQLite archive")
    if path.stat().st_size == 0:
        if must_exist:
            raise ArchiveError(f"{path} is empty: not a cfbu archive")
        return
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_HEADER:
            raise ArchiveError(f"{path} is not an SQLite archive")
    try:
        con = read_only(path)
        try:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path} is not a readable SQLite archive: {exc}") from None
    if tables and not {"alembic_version", "runs", "articles"} <= tables:
        raise ArchiveError(f"{path} is an SQLite database but not a cfbu archive")
    if not tables and must_exist:
        raise ArchiveError(f"{path} holds no cfbu archive")


def read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to an SQLite file (never creates it)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    con.execute("PRAGMA busy_timeout=30000")
    return con


def revision(con: sqlite3.Connection) -> str | None:
    """The migration an archive's schema is at (None: no schema yet)."""
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no alembic_version table
        return None
    return str(row[0]) if row else None


def open_current(db: str | None) -> sqlite3.Connection | None:
    """A read-only connection to the existing SQLite archive ``--db`` names, if its schema
    needs no upgrade; None when the archive is another database or must be upgraded first
    (``archive.db.open_engine`` does both). Raises ``ArchiveError`` for a missing file or
    one that is no cfbu archive."""
    path = sqlite_file(db)
    if path is None:
        return None
    check_file(path, must_exist=True)
    con = read_only(path)
    if revision(con) == HEAD_REVISION:
        return con
    con.close()
    return None


class PlainResult:
    """The rows of a statement run through ``sqlite3``, read as SQLAlchemy's are: by
    attribute (``row.url``), by position, ``all()``, ``scalar_one()``."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        names = [column[0] for column in cursor.description or ()]
        self.row = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        self.cursor = cursor

    def __iter__(self) -> Iterator[Any]:
        return (self.row(*values) for values in self.cursor)

    def all(self) -> list[Any]:
        return list(self)

    def scalar_one(self) -> Any:
        rows = self.cursor.fetchall()
        if len(rows) != 1:
            raise ValueError(f"one row expected, {len(rows)} found")
        return rows[0][0]


class PlainSqlite:
    """An SQLite archive read with ``sqlite3`` alone (opened by :func:`open_current`),
    for the commands that must answer at once from the shell (``cfbu show``,
    ``history``, ``search``): loading SQLAlchemy takes longer than they may. ``rows``
    gives dicts (``archive.lookup``'s ``Reader``), ``run`` a :class:`PlainResult` read as
    SQLAlchemy's results are (``archive.search``)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def run(self, sql: str, params: dict[str, Any]) -> PlainResult:
        return PlainResult(self.con.execute(sql, params))


__all__ = [
    "PlainResult",
    "PlainSqlite",
    "DEFAULT_DB",
    "HEAD_REVISION",
    "ArchiveError",
    "check_file",
    "db_setting",
    "open_current",
    "read_only",
    "revision",
    "sqlite_file",
]
