"""What the SQL search backends share: the query's filters and limit, marked text and
snippets, the runs that saw a version, and hits made from result rows.

A backend (``fts5`` on SQLite, ``tsvector`` on PostgreSQL) finds the matching rows and
ranks them in its own SQL; both select the same columns (``article_id``, ``url``,
``status``, ``version_id``, ``published``, and with every version ``number`` and
``versions``), and for the hits shown, the marked title and snippets as ``t_title`` and
``s_<field>`` for ``SNIPPET_COLUMNS``, with matches between ``OPEN`` and ``CLOSE``.
"""

from __future__ import annotations

import functools
import re
import sqlite3
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from cfbu_crawler.archive.search.api import Hit, Marked, SearchRequest
from cfbu_crawler.archive.sqlitefile import PlainSqlite
from cfbu_crawler.archive.vocabulary import ArticleStatus

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    Executor: TypeAlias = "Session | Connection"
    AnyConnection: TypeAlias = "Session | Connection | PlainSqlite"
else:  # for annotations only (they are not evaluated)
    Executor = AnyConnection = object

# Marks around matches in the database's highlighted output; control characters that the
# archived text (whitespace-collapsed paragraphs) does not hold.
OPEN, CLOSE = "\x02", "\x03"
SNIPPET_TOKENS = 24  # words in a snippet
ELLIPSIS = "…"
WHITESPACE = re.compile(r"\s+")
# Where a hit's snippet comes from: the first of these fields that holds a match, else
# the body's opening words. The title is shown on its own, and the breadcrumb and the
# category hold little besides the title and "nyheder".
SNIPPET_COLUMNS = ("body", "lead", "questions", "answers")
# Ids per IN list: well below SQLite's limit on parameters of one statement.
ID_BATCH = 500


def execute(conn: AnyConnection, sql: str, params: dict[str, Any] | None = None) -> Any:
    """Run ``sql`` (with ``:name`` parameters) on SQLAlchemy's connection or session, or
    on a ``PlainSqlite``; either result reads the same (see ``sqlitefile.PlainResult``)."""
    if isinstance(conn, PlainSqlite):
        return conn.run(sql, params or {})
    return conn.execute(_statement(sql), params or {})


@functools.lru_cache(maxsize=512)
def _statement(sql: str) -> Any:
    from sqlalchemy import text  # only where SQLAlchemy is in use already

    return text(sql)


def is_operational_error(exc: BaseException) -> bool:
    """The database refused the statement (bad FTS5 syntax, a broken index), through
    SQLAlchemy (which wraps the driver's error) or ``sqlite3``."""
    if isinstance(exc, sqlite3.OperationalError):
        return True
    from sys import modules

    exc_module = modules.get("sqlalchemy.exc")
    return exc_module is not None and isinstance(exc, exc_module.OperationalError)


def marked(value: str | None, *, one_line: bool = False) -> Marked:
    """Highlighted output with OPEN/CLOSE marks as (text, is_match) parts; with
    ``one_line``, paragraph breaks become spaces (a snippet is one excerpt)."""
    parts: list[tuple[str, bool]] = []
    value = value or ""
    if one_line:
        value = WHITESPACE.sub(" ", value)
    for i, piece in enumerate(value.split(OPEN)):
        if i == 0:
            if piece:
                parts.append((piece.replace(CLOSE, ""), False))
            continue
        hit, _, rest = piece.partition(CLOSE)
        if hit:
            parts.append((hit, True))
        if rest:
            parts.append((rest, False))
    return Marked(tuple(parts))


def best_snippet(row: Any) -> Marked:
    """The snippet of the first ``SNIPPET_COLUMNS`` field that holds a match, else the
    body's (or the lead's) opening words."""
    for name in SNIPPET_COLUMNS:
        found = marked(getattr(row, f"s_{name}"), one_line=True)
        if found.matches:
            return found
    return marked(row.s_body or row.s_lead, one_line=True)


def filters(
    request: SearchRequest, params: dict[str, Any], *, article_id: str | None = None
) -> str:
    """The request's conditions on articles ``a`` and versions ``v`` (``AND …``). With
    ``article_id`` (a column holding the article's id), gone articles are left out by
    that id, through the index on ``articles.status`` (they are few), without joining
    ``a``: cheaper than reading the status of every match."""
    sql = []
    if not request.include_gone:
        if article_id is None:
            sql.append("a.status = :live")
        else:
            sql.append(f"{article_id} NOT IN (SELECT id FROM articles WHERE status <> :live)")
        params["live"] = str(ArticleStatus.LIVE)
    if request.since:
        sql.append("v.published >= :since")
        params["since"] = request.since
    if request.until:
        sql.append("v.published <= :until")
        params["until"] = request.until
    return "".join(f" AND {clause}" for clause in sql)


def limit(request: SearchRequest, params: dict[str, Any]) -> str:
    if request.limit is None:
        return ""
    params["limit"] = request.limit
    return " LIMIT :limit"


def first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).splitlines() or [type(orig).__name__])[0]


def in_list(prefix: str, values: Sequence[int], params: dict[str, Any]) -> str:
    """``:p0, :p1, …`` for an ``IN`` list, the values added to ``params``."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(f":{name}" for name in names) or "NULL"


def batches(ids: Sequence[int]) -> list[Sequence[int]]:
    return [ids[i : i + ID_BATCH] for i in range(0, len(ids), ID_BATCH)]


def runs_seen(conn: AnyConnection, version_ids: list[int]) -> dict[int, set[int]]:
    """The runs each version was seen in: the run that made it, and every run whose
    fetch (or 304, or sitemap check) showed it."""
    seen: dict[int, set[int]] = {}
    for batch in batches(sorted(set(version_ids))):
        params: dict[str, Any] = {}
        in_versions = in_list("v", batch, params)
        rows = execute(
            conn,
            (
                f"""
                SELECT id, run_id FROM versions WHERE id IN ({in_versions})
                UNION
                SELECT o.version_id, o.run_id FROM versions v
                JOIN observations o ON o.article_id = v.article_id AND o.version_id = v.id
                WHERE v.id IN ({in_versions})
                """
            ),
            params,
        )
        for version_id, run_id in rows:
            seen.setdefault(version_id, set()).add(run_id)
    return seen


def latest_hits(rows: Sequence[Any], marks: dict[int, Any]) -> list[Hit]:
    """Hits of the latest-version search (``marks`` by article id)."""
    return [
        Hit(
            url=row.url,
            title=marked(marks[row.article_id].t_title),
            published=row.published,
            status=row.status,
            snippet=best_snippet(marks[row.article_id]),
            article_id=row.article_id,
            version_id=row.version_id,
        )
        for row in rows
    ]


def version_hits(conn: AnyConnection, rows: Sequence[Any], marks: dict[int, Any]) -> list[Hit]:
    """Hits of the every-version search (``marks`` by version id), with the runs that
    saw each version."""
    runs = runs_seen(conn, [row.version_id for row in rows])
    return [
        Hit(
            url=row.url,
            title=marked(marks[row.version_id].t_title),
            published=row.published,
            status=row.status,
            snippet=best_snippet(marks[row.version_id]),
            article_id=row.article_id,
            version_id=row.version_id,
            version=row.number,
            versions=row.versions,
            runs=tuple(sorted(runs.get(row.version_id, ()))),
        )
        for row in rows
    ]


__all__ = [
    "execute",
    "is_operational_error",
    "CLOSE",
    "ELLIPSIS",
    "ID_BATCH",
    "OPEN",
    "SNIPPET_COLUMNS",
    "SNIPPET_TOKENS",
    "Executor",
    "batches",
    "best_snippet",
    "filters",
    "first_line",
    "in_list",
    "latest_hits",
    "limit",
    "marked",
    "runs_seen",
    "version_hits",
]
