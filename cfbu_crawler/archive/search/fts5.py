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

import re
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from cfbu_crawler.archive.search.api import (
    FIELD_WEIGHTS,
    SEARCH_FIELDS,
    Hit,
    Marked,
    SearchRequest,
    SearchResult,
    SearchSyntaxError,
    expand_fields,
)
from cfbu_crawler.archive.search.query import ParsedQuery
from cfbu_crawler.archive.vocabulary import ArticleStatus

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


# Marks around matches in snippet()/highlight() output; control characters that the
# archived text (whitespace-collapsed paragraphs) does not hold.
OPEN, CLOSE = "\x02", "\x03"
SNIPPET_TOKENS = 24
ELLIPSIS = "…"

Executor = Session | Connection

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
        found.append(f"{VERSIONS_TABLE}: {_first_line(exc)}")
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


def _marked(value: str | None, *, one_line: bool = False) -> Marked:
    """FTS5 output with OPEN/CLOSE marks as (text, is_match) parts; with ``one_line``,
    paragraph breaks become spaces (a snippet is one excerpt)."""
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


# Where a hit's snippet comes from: the first of these columns that holds a match, else
# the body's opening words. The title is shown on its own, and the breadcrumb and the
# category hold little besides the title and "nyheder".
_SNIPPET_COLUMNS = ("body", "lead", "questions", "answers")
WHITESPACE = re.compile(r"\s+")


def _snippet_select(table: str) -> str:
    cols = []
    for name in _SNIPPET_COLUMNS:
        index = SEARCH_FIELDS.index(name)
        cols.append(
            f"snippet({table}, {index}, :open, :close, :ellipsis, {SNIPPET_TOKENS}) AS s_{name}"
        )
    return ",\n       ".join([f"highlight({table}, 0, :open, :close) AS t_title", *cols])


def _best_snippet(row: Any) -> Marked:
    for name in _SNIPPET_COLUMNS:
        marked = _marked(getattr(row, f"s_{name}"), one_line=True)
        if marked.matches:
            return marked
    return _marked(row.s_body or row.s_lead, one_line=True)


def _bm25(table: str) -> str:
    weights = ", ".join(str(FIELD_WEIGHTS[f]) for f in SEARCH_FIELDS)
    return f"bm25({table}, {weights})"


def _filters(request: SearchRequest, params: dict[str, Any]) -> str:
    sql = []
    if not request.include_gone:
        sql.append("a.status = :live")
        params["live"] = str(ArticleStatus.LIVE)
    if request.since:
        sql.append("v.published >= :since")
        params["since"] = request.since
    if request.until:
        sql.append("v.published <= :until")
        params["until"] = request.until
    return "".join(f" AND {clause}" for clause in sql)


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return (str(orig).splitlines() or [type(orig).__name__])[0]


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
    filters = _filters(request, params)
    try:
        if request.all_versions:
            return _search_versions(conn, request, params, filters)
        return _search_latest(conn, request, params, filters)
    except OperationalError as exc:
        if request.raw:
            raise SearchSyntaxError(
                f"the search index cannot read {request.query!r}: {_first_line(exc)} "
                "(without --raw the words are searched as typed)"
            ) from None
        raise


def _limit(request: SearchRequest, params: dict[str, Any]) -> str:
    if request.limit is None:
        return ""
    params["limit"] = request.limit
    return " LIMIT :limit"


def _in_list(prefix: str, values: list[int], params: dict[str, Any]) -> str:
    """``:p0, :p1, …`` for an ``IN`` list, the values added to ``params``."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(f":{name}" for name in names) or "NULL"


# Ids per IN list: well below SQLite's limit on parameters of one statement.
ID_BATCH = 500


def _batches(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + ID_BATCH] for i in range(0, len(ids), ID_BATCH)]


def _marks(conn: Executor, table: str, ids: list[int], params: dict[str, Any]) -> dict[int, Any]:
    """The highlighted title and the snippets of the hits shown, only theirs: FTS5 would
    otherwise make snippets for every match before sorting them."""
    found: dict[int, Any] = {}
    for batch in _batches(ids):
        batch_params = dict(params)
        in_list = _in_list("r", batch, batch_params)
        rows = conn.execute(
            text(
                f"SELECT {table}.rowid AS id, {_snippet_select(table)} FROM {table} "
                f"WHERE {table} MATCH :match AND {table}.rowid IN ({in_list})"
            ),
            batch_params,
        )
        found.update((row.id, row) for row in rows)
    return found


def _search_latest(
    conn: Executor, request: SearchRequest, params: dict[str, Any], filters: str
) -> SearchResult:
    t = LATEST_TABLE
    source = f"""
        FROM {t}
        JOIN articles a ON a.id = {t}.rowid
        JOIN versions v ON v.id = {t}.version_id
        WHERE {t} MATCH :match{filters}"""
    total = conn.execute(text("SELECT COUNT(*)" + source), params).scalar_one()
    rows = conn.execute(
        text(
            f"""
            SELECT a.id AS article_id, a.url, a.status, v.id AS version_id, v.published
            {source}
            ORDER BY {_bm25(t)}, v.published DESC, a.url
            """
            + _limit(request, params)
        ),
        params,
    ).all()
    marks = _marks(conn, t, [row.article_id for row in rows], params)
    hits = [
        Hit(
            url=row.url,
            title=_marked(marks[row.article_id].t_title),
            published=row.published,
            status=row.status,
            snippet=_best_snippet(marks[row.article_id]),
            article_id=row.article_id,
            version_id=row.version_id,
        )
        for row in rows
    ]
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
            + _limit(request, params)
        ),
        params,
    ).all()
    marks = _marks(conn, t, [row.version_id for row in rows], params)
    runs = _runs_seen(conn, [row.version_id for row in rows])
    hits = [
        Hit(
            url=row.url,
            title=_marked(marks[row.version_id].t_title),
            published=row.published,
            status=row.status,
            snippet=_best_snippet(marks[row.version_id]),
            article_id=row.article_id,
            version_id=row.version_id,
            version=row.number,
            versions=row.versions,
            runs=tuple(sorted(runs.get(row.version_id, ()))),
        )
        for row in rows
    ]
    return SearchResult(request, hits, int(total))


def _runs_seen(conn: Executor, version_ids: list[int]) -> dict[int, set[int]]:
    """The runs each version was seen in: the run that made it, and every run whose
    fetch (or 304, or sitemap check) showed it."""
    seen: dict[int, set[int]] = {}
    for batch in _batches(sorted(set(version_ids))):
        params: dict[str, Any] = {}
        in_versions = _in_list("v", batch, params)
        rows = conn.execute(
            text(
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
