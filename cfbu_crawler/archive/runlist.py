"""The runs of an archive as plain data, read with one SQL query through the DB-API.

``cfbu runs`` must answer at once: on an SQLite archive it reads through ``sqlite3``
alone (``archive.sqlitefile``), without loading SQLAlchemy; on any other database through
an engine's DB-API connection. Both read the same columns with the same query, and a
``Run`` loaded through the ORM becomes the same dict (``run_dict``), so that every
command describes a run alike (``--json``: docs/schema.md, ``runs``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from cfbu_crawler.archive.timeutil import iso_utc

# The columns of ``runs`` a run's description is made of.
RUN_COLUMNS = (
    "id",
    "kind",
    "status",
    "started_at",
    "finished_at",
    "finish_reason",
    "start_url",
    "full",
    "software_version",
    "extractor_version",
    "requests",
    "bytes_received",
    "pages",
    "new",
    "changed",
    "unchanged",
    "removed",
    "moved",
    "errors",
    "coverage",
    "warnings",
    "settings",
)
# The run's counts: key in the description → column.
COUNTS = (
    ("requests", "requests"),
    ("bytes", "bytes_received"),
    ("pages", "pages"),
    ("new", "new"),
    ("changed", "changed"),
    ("unchanged", "unchanged"),
    ("removed", "removed"),
    ("moved", "moved"),
    ("errors", "errors"),
)


class Cursor(Protocol):
    """The part of a DB-API cursor this module uses."""

    def execute(self, sql: str) -> Any: ...

    def fetchall(self) -> Any: ...


def time_text(value: datetime | str | None) -> str | None:
    """A stored timestamp (a datetime, or SQLite's text) as ISO 8601 UTC with ``Z``."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return iso_utc(value)


def json_value(value: Any) -> Any:
    """A JSON column's value: decoded already (PostgreSQL, the ORM) or text (SQLite)."""
    return json.loads(value) if isinstance(value, str) else value


def run_dict(values: Mapping[str, Any]) -> dict[str, Any]:
    """A run described for people and machines, from its ``RUN_COLUMNS`` values."""
    return {
        "id": values["id"],
        "kind": values["kind"],
        "status": values["status"],
        "started_at": time_text(values["started_at"]),
        "finished_at": time_text(values["finished_at"]),
        "finish_reason": values["finish_reason"],
        "start_url": values["start_url"],
        "full": bool(values["full"]),
        "software_version": values["software_version"],
        "extractor_version": values["extractor_version"],
        "counts": {key: values[column] for key, column in COUNTS},
        "coverage": json_value(values["coverage"]),
        "warnings": json_value(values["warnings"]) or [],
        "settings": json_value(values["settings"]),
    }


def runs_query(limit: int | None = None) -> str:
    # Quoted: ``full`` is a reserved word in PostgreSQL.
    columns = ", ".join(f'"{column}"' for column in RUN_COLUMNS)
    sql = f"SELECT {columns} FROM runs ORDER BY id DESC"  # noqa: S608
    return sql + (f" LIMIT {int(limit)}" if limit else "")


def read_runs(cursor: Cursor, limit: int | None = None) -> list[dict[str, Any]]:
    """The runs, newest first (the newest ``limit``), through a DB-API cursor."""
    cursor.execute(runs_query(limit))
    return [run_dict(dict(zip(RUN_COLUMNS, row, strict=True))) for row in cursor.fetchall()]


__all__ = ["RUN_COLUMNS", "json_value", "read_runs", "run_dict", "runs_query", "time_text"]
