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

import functools
import json
from typing import Any

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
from cfbu_crawler.archive.search.shared import CLOSE, ELLIPSIS, OPEN, SNIPPET_TOKENS, AnyConnection
from cfbu_crawler.archive.sqlitefile import PlainSqlite
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


_COLS = ", ".join(SEARCH_FIELDS)
_T_COLS = ", ".join(f"t.{c}" for c in SEARCH_FIELDS)

# The latest version of each article (or of one), with its searchable text.
_FILL_LATEST = f"""
INSERT INTO {LATEST_TABLE} (rowid, {_COLS}, version_id)
SELECT v.article_id, {_T_COLS}, v.id
FROM versions v JOIN {TEXT_VIEW} t ON t.id = v.id
WHERE v.number = (SELECT MAX(v2.number) FROM versions v2 WHERE v2.article_id = v.article_id)
"""
# External content: a row is deleted by giving FTS5 the values it was indexed with.
_DELETE_VERSION = f"""
INSERT INTO {VERSIONS_TABLE} ({VERSIONS_TABLE}, rowid, {_COLS})
SELECT 'delete', t.id, {_T_COLS} FROM {TEXT_VIEW} t WHERE t.id = :version_id
"""


# -- keeping the indexes in step (inside the caller's transaction) ----------------------


def refresh_article(conn: AnyConnection, article_id: int) -> None:
    """Index the article's latest version in place of whatever was indexed for it."""
    shared.execute(conn, (f"DELETE FROM {LATEST_TABLE} WHERE rowid = :a"), {"a": article_id})
    shared.execute(conn, (_FILL_LATEST + " AND v.article_id = :a"), {"a": article_id})


# The versions made in one transaction, and their articles, as JSON arrays of ids: one
# statement text whatever their number.
_IN_IDS = "IN (SELECT value FROM json_each(:ids))"
_ADD_VERSIONS = f"""
INSERT INTO {VERSIONS_TABLE} (rowid, {_COLS})
SELECT t.id, {_T_COLS} FROM {TEXT_VIEW} t WHERE t.id {_IN_IDS}
"""


def versions_added(conn: AnyConnection, version_ids: list[int], article_ids: list[int]) -> None:
    """New versions (with their Q&A and breadcrumb rows already written): into the index
    of all versions, and their articles' rows of the latest index replaced; one
    statement each, whatever their number."""
    shared.execute(conn, _ADD_VERSIONS, {"ids": json.dumps(version_ids)})
    ids = {"ids": json.dumps(article_ids)}
    shared.execute(conn, f"DELETE FROM {LATEST_TABLE} WHERE rowid {_IN_IDS}", ids)
    shared.execute(conn, _FILL_LATEST + f" AND v.article_id {_IN_IDS}", ids)


def version_removed(conn: AnyConnection, version_id: int) -> None:
    """A version about to be deleted (its rows still there): out of the index of all
    versions. The caller refreshes its article afterwards."""
    shared.execute(conn, (_DELETE_VERSION), {"version_id": version_id})


def article_removed(conn: AnyConnection, article_id: int) -> None:
    shared.execute(conn, (f"DELETE FROM {LATEST_TABLE} WHERE rowid = :a"), {"a": article_id})


def rebuild(conn: AnyConnection) -> dict[str, int]:
    """Both indexes made afresh from the versions; returns how many rows each holds."""
    shared.execute(conn, (f"DELETE FROM {LATEST_TABLE}"))
    shared.execute(conn, (_FILL_LATEST))
    shared.execute(conn, (f"INSERT INTO {VERSIONS_TABLE} ({VERSIONS_TABLE}) VALUES ('rebuild')"))
    for table in (LATEST_TABLE, VERSIONS_TABLE):
        shared.execute(conn, (f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
    return counts(conn)


def counts(conn: AnyConnection) -> dict[str, int]:
    latest = shared.execute(conn, (f"SELECT COUNT(*) FROM {LATEST_TABLE}")).scalar_one()
    versions = shared.execute(conn, (f"SELECT COUNT(*) FROM {VERSIONS_TABLE}_docsize")).scalar_one()
    return {"articles": int(latest), "versions": int(versions)}


def problems(conn: AnyConnection) -> list[str]:
    """Where the indexes disagree with the archive (empty when in step): articles whose
    latest version is not the one indexed, and FTS5's own check of the version index
    against its content."""
    found = []
    rows = shared.execute(
        conn,
        (
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
        ),
    ).all()
    for article_id, latest, indexed in rows:
        found.append(
            f"{LATEST_TABLE}: article {article_id} has version id {indexed} indexed, "
            f"latest is {latest}"
        )
    missing = shared.execute(
        conn,
        (
            f"SELECT COUNT(*) FROM versions v WHERE NOT EXISTS "
            f"(SELECT 1 FROM {VERSIONS_TABLE}_docsize d WHERE d.id = v.id)"
        ),
    ).scalar_one()
    extra = shared.execute(
        conn,
        (
            f"SELECT COUNT(*) FROM {VERSIONS_TABLE}_docsize d WHERE NOT EXISTS "
            f"(SELECT 1 FROM versions v WHERE v.id = d.id)"
        ),
    ).scalar_one()
    if missing or extra:
        found.append(f"{VERSIONS_TABLE}: {missing} versions not indexed, {extra} rows too many")
    try:
        shared.execute(
            conn,
            (
                f"INSERT INTO {VERSIONS_TABLE} ({VERSIONS_TABLE}, rank) VALUES ('integrity-check', 1)"
            ),
        )
    except Exception as exc:
        if not shared.is_operational_error(exc):
            raise
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


# SQLite's page cache, in KiB, of a connection that has searched. A search reads the
# index's pages for its words and the rows of the versions it shows or sorts ties by;
# the default cache (2 MB) holds few of them, so that searches one after another in a
# process (the library's, a server's) read them from the file again and again. On
# 100,000 articles searches took 0.88x the time with this one (bench/README.md,
# "Search"). The cache fills only as pages are read, up to this much per pooled
# connection that searched (an engine's pool keeps up to 5, and 10 more while busy).
SEARCH_CACHE_KIB = 32768
_ROOMY = "cfbu_search_cache"  # the key in a connection's ``info``: its cache was set


def _roomy_cache(conn: AnyConnection) -> None:
    """Give an SQLAlchemy connection the search's page cache, once: the setting lasts as
    long as the database connection, and so does the connection's ``info``. (From the
    shell a process makes one search: its connection keeps the default.)"""
    if isinstance(conn, PlainSqlite):
        return
    from sqlalchemy import Connection  # loaded already: the connection is SQLAlchemy's

    if isinstance(conn, Connection) and not conn.info.get(_ROOMY):
        conn.exec_driver_sql(f"PRAGMA cache_size = -{SEARCH_CACHE_KIB}")
        conn.info[_ROOMY] = True


def search(conn: AnyConnection, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
    """Run one search (``parsed`` is ``request.query`` parsed; unused with ``raw``)."""
    _roomy_cache(conn)
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
    except Exception as exc:
        if request.raw and shared.is_operational_error(exc):
            raise SearchSyntaxError(
                f"the search index cannot read {request.query!r}: {shared.first_line(exc)} "
                "(without --raw the words are searched as typed)"
            ) from None
        raise


def _marks(
    conn: AnyConnection, table: str, ids: list[int], params: dict[str, Any]
) -> dict[int, Any]:
    """The highlighted title and the snippets of the hits shown, only theirs: FTS5 would
    otherwise make snippets for every match before sorting them."""
    if not ids:
        return {}
    rows = shared.execute(conn, _marks_statement(table), {**params, "ids": json.dumps(ids)})
    return {row.id: row for row in rows}


@functools.cache
def _marks_statement(table: str) -> str:
    # The ids as one JSON parameter: one statement text whatever their number, built and
    # compiled once (a statement with hundreds of parameters cost more than the search).
    return (
        f"SELECT {table}.rowid AS id, {_snippet_select(table)} FROM {table} "
        f"WHERE {table} MATCH :match AND {table}.rowid IN (SELECT value FROM json_each(:ids))"
    )


# How many of the best ranked matches the top-N search reads, to see where the ties with
# the last hit shown end: at least TIE_WINDOW, and the limit times TIE_FACTOR. (Pages of
# one template can tie by the hundred; a sorter keeping 500 costs little more than
# one keeping 20.)
TIE_WINDOW = 500
TIE_FACTOR = 4


def _search_latest(
    conn: AnyConnection, request: SearchRequest, params: dict[str, Any]
) -> SearchResult:
    """The latest versions that match, best first, and how many match in all: the top of
    the ranking when there is a limit and no date filter (``_search_latest_top``), else
    every match ranked (``_search_latest_all``)."""
    if request.limit and not (request.since or request.until):
        found = _search_latest_top(conn, request, params)
        if found is not None:
            return found
    return _search_latest_all(conn, request, params)


# The statements of the top-N search, built once (their ids travel as one JSON array).
_NOT_GONE = f" AND {LATEST_TABLE}.rowid NOT IN (SELECT value FROM json_each(:gone_ids))"
_GONE_IDS = "SELECT id FROM articles WHERE status = :gone"
_MATCHES = f"FROM {LATEST_TABLE} WHERE {LATEST_TABLE} MATCH :match"
_TOP_RANKED = (
    f"SELECT {LATEST_TABLE}.rowid AS article_id, {_bm25(LATEST_TABLE)} AS rank "
    f"{_MATCHES}{{not_gone}} ORDER BY rank LIMIT :window"
)
_COUNT_MATCHES = f"SELECT COUNT(*) {_MATCHES}{{not_gone}}"
# The hits to show of those ranked up to the last shown: ``:tiers`` holds their ids in
# one array per rank, best first (the ranks themselves are not sent back: a double
# through JSON text need not come back the same), so the database sorts by rank, newest
# first (no date last), then URL. (Arrays of ``[id, tier]`` pairs, each read apart by
# ``json_extract``, took 1.5-2x the time.)
_SHOWN_ROWS = """
    SELECT a.id AS article_id, a.url, a.status, v.id AS version_id, v.published
    FROM json_each(:tiers) t, json_each(t.value) j
    JOIN articles a ON a.id = j.value
    JOIN versions v ON v.article_id = a.id
     AND v.number = (SELECT MAX(v2.number) FROM versions v2 WHERE v2.article_id = a.id)
    ORDER BY t.key, v.published DESC, a.url
    LIMIT :limit
    """


def _search_latest_top(
    conn: AnyConnection, request: SearchRequest, params: dict[str, Any]
) -> SearchResult | None:
    """The hits shown and the number of matches, by three short statements: the gone
    articles' ids (by the index on ``articles.status``; they are few), the best ranked
    matches that are not gone (FTS5 ranks every match but keeps only the best
    ``TIE_WINDOW`` in a sorter: no match is materialised, joined or sorted in
    full), and the number of matches. The best are the hits ranked up to the last shown,
    ties included, ordered as ``_search_latest_all`` orders them (rank, newest first,
    URL). None when the ties with the last shown hit may run past what was read: then
    every match must be ranked.

    Each statement was measured apart on 100,000 articles (bench/README.md, "Search"):
    leaving the gone out by a subquery on ``status <> 'live'`` cost a scan of every
    article per search, and the one-statement form materialised and sorted every match
    twice. Without gone articles the statements leave out the test for them (a tenth of
    the ranking's time for a common word)."""
    assert request.limit
    gone: list[int] = []
    if not request.include_gone:
        gone = [
            row.id for row in shared.execute(conn, _GONE_IDS, {"gone": str(ArticleStatus.GONE)})
        ]
    not_gone = _NOT_GONE if gone else ""
    # One more than the limit at least: a full window whose last is tied with the
    # last shown is how ties running past it are seen.
    window = max(TIE_WINDOW, request.limit * TIE_FACTOR, request.limit + 1)
    query = {"match": params["match"], "gone_ids": json.dumps(gone), "window": window}
    ranked: list[tuple[int, float]] = [
        (article_id, rank)
        for article_id, rank in shared.execute(conn, _TOP_RANKED.format(not_gone=not_gone), query)
    ]
    matches = len(ranked)
    if matches > request.limit:
        last = ranked[request.limit - 1][1]
        if matches == window and ranked[-1][1] == last:
            return None  # the ties may go on past the window
        ranked = [(article_id, rank) for article_id, rank in ranked if rank <= last]
    if matches < window:
        total = matches  # every match was read
    else:
        total = shared.execute(conn, _COUNT_MATCHES.format(not_gone=not_gone), query).scalar_one()
    tiers: dict[float, list[int]] = {}  # in rank order, as ``ranked`` is
    for article_id, rank in ranked:
        tiers.setdefault(rank, []).append(article_id)
    shown = {"tiers": json.dumps(list(tiers.values())), "limit": request.limit}
    rows = list(shared.execute(conn, _SHOWN_ROWS, shown))
    marks = _marks(conn, LATEST_TABLE, [row.article_id for row in rows], params)
    return SearchResult(request, shared.latest_hits(rows, marks), int(total))


def _search_latest_all(
    conn: AnyConnection, request: SearchRequest, params: dict[str, Any]
) -> SearchResult:
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
    rows = shared.execute(
        conn,
        (
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
    conn: AnyConnection, request: SearchRequest, params: dict[str, Any], filters: str
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
    total = shared.execute(
        conn, (f"WITH matched AS ({matched}) SELECT COUNT(*) {joined}"), params
    ).scalar_one()
    rows = shared.execute(
        conn,
        (
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
    "versions_added",
    "version_removed",
]
