"""Full-text search on SQLite: two FTS5 indexes, kept in step with the versions.

``latest_versions_fts`` holds the latest version of every article, one row per article
(``rowid`` = ``articles.id``, so it joins the ``latest_versions`` view on ``article_id``).
It stores its own copy of the text: a row is replaced whenever an article gets a new
version, by a plain delete and insert by ``rowid``, and ``snippet()``/``highlight()`` read
the text from the index itself.

``versions_fts`` covers every version ever archived (``rowid`` = ``versions.id``). It is
an *external-content* index over the ``versions_text`` view: it stores only the index,
not a second copy of every version's text, which would grow with every edit ever seen.
That is safe here because a version's text never changes once written; the one thing
external content demands — deleting a row with exactly the values it was indexed with —
is met by reading them from the view before a version (only ever a duplicate folded
away when two articles prove to be one) is deleted.

Both use the ``unicode61`` tokenizer with ``remove_diacritics 0``: case is folded for all
letters (``TROVÆRDIGE`` finds ``troværdige``) while ``æ``, ``ø`` and ``å`` stay letters
of their own (``hoje`` does not find ``Høje``, nor ``aa`` ``å``). The tables and the view
are created by the migration ``0003``; this module fills and queries them. The
documentation for archivists is docs/schema.md, "Full-text search".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from cfbu_crawler.archive.search import shared
from cfbu_crawler.archive.search.api import (
    FIELD_WEIGHTS,
    SEARCH_FIELDS,
    SearchRequest,
    SearchResult,
    SearchSyntaxError,
    expand_fields,
)
from cfbu_crawler.archive.search.query import ParsedQuery
from cfbu_crawler.archive.search.shared import CLOSE, ELLIPSIS, OPEN, SNIPPET_TOKENS, Executor

LATEST_TABLE = "latest_versions_fts"
VERSIONS_TABLE = "versions_fts"
TEXT_VIEW = "versions_text"
# Every table the two indexes consist of (the virtual tables and FTS5's shadow tables).
SHADOW_SUFFIXES = ("", "_data", "_idx", "_content", "_docsize", "_config")
TABLES = tuple(f"{t}{s}" for t in (LATEST_TABLE, VERSIONS_TABLE) for s in SHADOW_SUFFIXES)


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: the index tables are no model's, leave them out
    of autogenerate's comparison."""
    return not (type_ == "table" and name in TABLES)


_COLS = ", ".join(SEARCH_FIELDS)
_T_COLS = ", ".join(f"t.{c}" for c in SEARCH_FIELDS)

# The latest version of each article (or of one), with its searchable text.
_FILL_LATEST = f"""
INSERT INTO {LATEST_TABLE} (rowid, {_COLS}, version_id)
SELECT v.article_id, {_T_COLS}, v.id
FROM versions v JOIN {TEXT_VIEW} t ON t.id = v.id
WHERE v.number = (SELECT MAX(v2.number) FROM versions v2 WHERE v2.article_id = v.article_id)
"""
_ADD_VERSION = f"""
INSERT INTO {VERSIONS_TABLE} (rowid, {_COLS})
SELECT t.id, {_T_COLS} FROM {TEXT_VIEW} t WHERE t.id = :version_id
"""
# External content: a row is deleted by giving FTS5 the values it was indexed with.
_DELETE_VERSION = f"""
INSERT INTO {VERSIONS_TABLE} ({VERSIONS_TABLE}, rowid, {_COLS})
SELECT 'delete', t.id, {_T_COLS} FROM {TEXT_VIEW} t WHERE t.id = :version_id
"""


# -- keeping the indexes in step (inside the caller's transaction) ----------------------


def refresh_article(conn: Executor, article_id: int) -> None:
    """Index the article's latest version in place of whatever was indexed for it."""
    conn.execute(text(f"DELETE FROM {LATEST_TABLE} WHERE rowid = :a"), {"a": article_id})
    conn.execute(text(_FILL_LATEST + " AND v.article_id = :a"), {"a": article_id})


def version_added(conn: Executor, version_id: int, article_id: int) -> None:
    """A new version (with its Q&A and breadcrumb rows already flushed): into the index
    of all versions, and the article's row of the latest index."""
    conn.execute(text(_ADD_VERSION), {"version_id": version_id})
    refresh_article(conn, article_id)


def version_removed(conn: Executor, version_id: int) -> None:
    """A version about to be deleted (its rows still there): out of the index of all
    versions. The caller refreshes its article afterwards."""
    conn.execute(text(_DELETE_VERSION), {"version_id": version_id})


def article_removed(conn: Executor, article_id: int) -> None:
    conn.execute(text(f"DELETE FROM {LATEST_TABLE} WHERE rowid = :a"), {"a": article_id})


def rebuild(conn: Executor) -> dict[str, int]:
    """Both indexes made afresh from the versions; returns how many rows each holds."""
    conn.execute(text(f"DELETE FROM {LATEST_TABLE}"))
    conn.execute(text(_FILL_LATEST))
    conn.execute(text(f"INSERT INTO {VERSIONS_TABLE} ({VERSIONS_TABLE}) VALUES ('rebuild')"))
    for table in (LATEST_TABLE, VERSIONS_TABLE):
        conn.execute(text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
    return counts(conn)


def counts(conn: Executor) -> dict[str, int]:
    latest = conn.execute(text(f"SELECT COUNT(*) FROM {LATEST_TABLE}")).scalar_one()
    versions = conn.execute(text(f"SELECT COUNT(*) FROM {VERSIONS_TABLE}_docsize")).scalar_one()
    return {"articles": int(latest), "versions": int(versions)}


def problems(conn: Executor) -> list[str]:
    """Where the indexes disagree with the archive (empty when in step): articles whose
    latest version is not the one indexed, and FTS5's own check of the version index
    against its content."""
    found = []
    rows = conn.execute(
        text(
            f"""
            SELECT v.article_id, v.id, f.version_id
            FROM versions v LEFT JOIN {LATEST_TABLE} f ON f.rowid = v.article_id
            WHERE v.number = (SELECT MAX(v2.number) FROM versions v2
                              WHERE v2.article_id = v.article_id)
              AND f.version_id IS NOT v.id
            UNION ALL
            SELECT f.rowid, NULL, f.version_id FROM {LATEST_TABLE} f
            WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = f.rowid)
            """
        )
    ).all()
    for article_id, latest, indexed in rows:
        found.append(
            f"{LATEST_TABLE}: article {article_id} has version id {indexed} indexed, "
            f"latest is {latest}"
        )
    missing = conn.execute(
        text(
            f"SELECT COUNT(*) FROM versions v WHERE NOT EXISTS "
            f"(SELECT 1 FROM {VERSIONS_TABLE}_docsize d WHERE d.id = v.id)"
        )
    ).scalar_one()
    extra = conn.execute(
        text(
            f"SELECT COUNT(*) FROM {VERSIONS_TABLE}_docsize d WHERE NOT EXISTS "
            f"(SELECT 1 FROM versions v WHERE v.id = d.id)"
        )
    ).scalar_one()
    if missing or extra:
        found.append(f"{VERSIONS_TABLE}: {missing} versions not indexed, {extra} rows too many")
    try:
        conn.execute(
            text(
                f"INSERT INTO {VERSIONS_TABLE} ({VERSIONS_TABLE}, rank) VALUES ('integrity-check', 1)"
            )
        )
    except OperationalError as exc:
        found.append(f"{VERSIONS_TABLE}: {shared.first_line(exc)}")
    return found


# -- queries ------------------------------------------------------------------------------


def match_expression(parsed: ParsedQuery) -> str:
    """The user's terms as an FTS5 query: every word a quoted string (so nothing typed is
    read as syntax), words written together as a phrase, a trailing ``*`` kept as a
    prefix, all terms required."""
    parts = []
    for term in parsed.terms:
        phrase = " ".join(word.replace('"', '""') for word in term.words)
        parts.append(f'"{phrase}"' + ("*" if term.prefix else ""))
    return " ".join(parts)


def _with_fields(expression: str, fields: tuple[str, ...]) -> str:
    if fields == SEARCH_FIELDS:
        return expression
    return "{" + " ".join(fields) + "} : (" + expression + ")"


def _snippet_select(table: str) -> str:
    cols = []
    for name in shared.SNIPPET_COLUMNS:
        index = SEARCH_FIELDS.index(name)
        cols.append(
            f"snippet({table}, {index}, :open, :close, :ellipsis, {SNIPPET_TOKENS}) AS s_{name}"
        )
    return ",\n       ".join([f"highlight({table}, 0, :open, :close) AS t_title", *cols])


def _bm25(table: str) -> str:
    weights = ", ".join(str(FIELD_WEIGHTS[f]) for f in SEARCH_FIELDS)
    return f"bm25({table}, {weights})"


def search(conn: Executor, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
    """Run one search (``parsed`` is ``request.query`` parsed; unused with ``raw``)."""
    expression = request.query if request.raw else match_expression(parsed)
    fields = expand_fields(request.fields)
    params: dict[str, Any] = {
        "match": _with_fields(expression, fields),
        "open": OPEN,
        "close": CLOSE,
        "ellipsis": ELLIPSIS,
    }
    try:
        if request.all_versions:
            return _search_versions(conn, request, params, shared.filters(request, params))
        return _search_latest(conn, request, params)
    except OperationalError as exc:
        if request.raw:
            raise SearchSyntaxError(
                f"the search index cannot read {request.query!r}: {shared.first_line(exc)} "
                "(without --raw the words are searched as typed)"
            ) from None
        raise


def _marks(conn: Executor, table: str, ids: list[int], params: dict[str, Any]) -> dict[int, Any]:
    """The highlighted title and the snippets of the hits shown, only theirs: FTS5 would
    otherwise make snippets for every match before sorting them."""
    found: dict[int, Any] = {}
    for batch in shared.batches(ids):
        batch_params = dict(params)
        in_list = shared.in_list("r", batch, batch_params)
        rows = conn.execute(
            text(
                f"SELECT {table}.rowid AS id, {_snippet_select(table)} FROM {table} "
                f"WHERE {table} MATCH :match AND {table}.rowid IN ({in_list})"
            ),
            batch_params,
        )
        found.update((row.id, row) for row in rows)
    return found


def _search_latest(conn: Executor, request: SearchRequest, params: dict[str, Any]) -> SearchResult:
    """The latest versions that match, best first, and how many match in all.

    One statement. The index ranks every match by itself (bm25 reads only the index);
    gone articles are left out by id (``shared.filters``) and the rest counted. Only the
    hits that can be shown (those ranked up to the last shown, ties included) are joined
    with their versions to break ties by date: reading a version (or the index's own copy
    of the text) for each of tens of thousands of matches is what made common words slow.
    A date filter needs every match's version, and then joins them all.
    """
    t = LATEST_TABLE
    filters = shared.filters(request, params, article_id="r.article_id")
    dated = bool(request.since or request.until)
    versions = (
        f" JOIN {t} fv ON fv.rowid = r.article_id JOIN versions v ON v.id = fv.version_id"
        if dated
        else ""
    )
    cut, shown, limit = "", "", ""
    if request.limit is not None:
        # At least one row, which carries the total (``limit=0`` asks for the total only).
        params["limit"] = max(request.limit, 1)
        params["last"] = params["limit"] - 1
        limit = " LIMIT :limit"
        cut = """,
        cut AS (SELECT rank FROM kept ORDER BY rank LIMIT 1 OFFSET :last)"""
        shown = " AND k.rank <= COALESCE((SELECT rank FROM cut), k.rank)"
    rows = conn.execute(
        text(
            f"""
            WITH ranked AS MATERIALIZED (
                SELECT {t}.rowid AS article_id, {_bm25(t)} AS rank
                FROM {t} WHERE {t} MATCH :match
            ),
            kept AS MATERIALIZED (
                SELECT r.article_id, r.rank, COUNT(*) OVER () AS total
                FROM ranked r{versions}
                WHERE 1 = 1{filters}
            ){cut}
            SELECT a.id AS article_id, a.url, a.status, v.id AS version_id, v.published,
                   k.total
            FROM kept k
            JOIN {t} f ON f.rowid = k.article_id
            JOIN articles a ON a.id = k.article_id
            JOIN versions v ON v.id = f.version_id
            WHERE 1 = 1{shown}
            ORDER BY k.rank, v.published DESC, a.url{limit}
            """
        ),
        params,
    ).all()
    total = rows[0].total if rows else 0
    rows = rows[: request.limit] if request.limit is not None else rows
    marks = _marks(conn, t, [row.article_id for row in rows], params)
    hits = shared.latest_hits(rows, marks)
    return SearchResult(request, hits, int(total))


def _search_versions(
    conn: Executor, request: SearchRequest, params: dict[str, Any], filters: str
) -> SearchResult:
    """Every version that matches, grouped by article (articles by their best match),
    oldest version first within an article."""
    t = VERSIONS_TABLE
    matched = f"""
        SELECT {t}.rowid AS version_id, {_bm25(t)} AS rank
        FROM {t} WHERE {t} MATCH :match"""
    joined = f"""
        FROM matched m
        JOIN versions v ON v.id = m.version_id
        JOIN articles a ON a.id = v.article_id
        WHERE 1 = 1{filters}"""
    total = conn.execute(
        text(f"WITH matched AS ({matched}) SELECT COUNT(*) {joined}"), params
    ).scalar_one()
    rows = conn.execute(
        text(
            f"""
            WITH matched AS ({matched})
            SELECT a.id AS article_id, a.url, a.status, v.id AS version_id, v.number,
                   v.published,
                   (SELECT COUNT(*) FROM versions v2 WHERE v2.article_id = a.id) AS versions,
                   MIN(m.rank) OVER (PARTITION BY a.id) AS best
            {joined}
            ORDER BY best, a.url, v.number
            """
            + shared.limit(request, params)
        ),
        params,
    ).all()
    marks = _marks(conn, t, [row.version_id for row in rows], params)
    hits = shared.version_hits(conn, rows, marks)
    return SearchResult(request, hits, int(total))


__all__ = [
    "LATEST_TABLE",
    "include_name",
    "TABLES",
    "TEXT_VIEW",
    "VERSIONS_TABLE",
    "article_removed",
    "counts",
    "match_expression",
    "problems",
    "rebuild",
    "refresh_article",
    "search",
    "version_added",
    "version_removed",
]
