"""Full-text search on PostgreSQL: a ``tsvector`` per field of every version, in Danish.

The table ``versions_search`` has a row per version (``version_id`` → ``versions.id``,
deleted with it), ``latest`` (whether it is its article's latest version) and one
``tsvector`` column per searchable field (title, lead, body, questions, answers,
breadcrumb, category: the ``versions_text`` view's columns), made with PostgreSQL's
built-in ``danish`` text-search configuration: Snowball's Danish stemmer, so
``lommepengene`` finds ``lommepenge``, and Danish stop words (``og``, ``i``, ``at``…),
which are not indexed. Before PostgreSQL's parser reads a field, punctuation is made
space (``SPLIT``), so that text is cut into words as SQLite's index cuts it and as the
query parser (``query.py``) does: ``f.eks.`` is the words ``f`` and ``eks``,
``Høje-Taastrup`` the words ``høje`` and ``taastrup`` (PostgreSQL would otherwise keep
``f.eks`` as one "host name" token, and a search for ``f.eks.`` would miss it).

Two GIN indexes cover all fields together (the row's tsvectors concatenated,
``document()``): one every version (``--all-versions``), a partial one the latest versions
only. A search takes its candidates from one of them, then checks each term against the
chosen fields' own vectors (a phrase must not run from one field into the next, and
``--field`` limits where terms may match), and ranks the hits by ``ts_rank`` per field,
weighted as SQLite's bm25 columns are (``FIELD_WEIGHTS``). Snippets come from
``ts_headline`` over the original text, for the hits shown only.

The table is kept in step by the archive itself, inside the transaction that makes,
removes or merges versions (the ``on_*`` calls of the search package, as for SQLite's
FTS5). A generated column cannot do it: a version's searchable text includes its Q&A
pairs and breadcrumb, rows of other tables. Triggers would have to fire on three tables
in an order the ORM does not promise (a version row is flushed before its Q&A rows).

The table, the view and the indexes are created by the migration ``0006``; this module
fills and queries them. The documentation for archivists is docs/schema.md, "Full-text
search".
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import Integer, Text

from cfbu_crawler.archive.search import shared
from cfbu_crawler.archive.search.api import (
    FIELD_WEIGHTS,
    SEARCH_FIELDS,
    SearchRequest,
    SearchResult,
    SearchSyntaxError,
    expand_fields,
)
from cfbu_crawler.archive.search.query import ParsedQuery, Term
from cfbu_crawler.archive.search.shared import CLOSE, ELLIPSIS, OPEN, SNIPPET_TOKENS, Executor

CONFIG = "danish"
TABLE = "versions_search"
TEXT_VIEW = "versions_text"
# Punctuation read as space before PostgreSQL's parser cuts a field into words.
SPLIT = r"'[[:punct:]]+'"


def document(alias: str = "") -> str:
    """All fields' vectors together (what the GIN indexes index), of table ``alias``."""
    prefix = f"{alias}." if alias else ""
    return "(" + " || ".join(prefix + field for field in SEARCH_FIELDS) + ")"


def vector(column: str) -> str:
    """The SQL making a field's tsvector from its text (``column``)."""
    return f"to_tsvector('{CONFIG}', regexp_replace(coalesce({column}, ''), {SPLIT}, ' ', 'g'))"


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: the index table is no model's."""
    return not (type_ == "table" and name == TABLE)


# -- keeping the index in step (inside the caller's transaction) ------------------------

_COLS = ", ".join(SEARCH_FIELDS)
_VECTORS = ", ".join(vector(f"t.{field}") for field in SEARCH_FIELDS)
_INSERT = f"INSERT INTO {TABLE} (version_id, latest, {_COLS}) SELECT t.id, false, {_VECTORS} FROM {TEXT_VIEW} t"
# Whether each version is its article's latest: set where it is not already.
_LATEST = f"""
UPDATE {TABLE} s SET latest = (v.number = m.number)
FROM versions v
JOIN (SELECT article_id, MAX(number) AS number FROM versions {{where}} GROUP BY article_id) m
  ON m.article_id = v.article_id
WHERE v.id = s.version_id AND s.latest IS DISTINCT FROM (v.number = m.number)
"""


def refresh_article(conn: Executor, article_id: int) -> None:
    """Mark the article's latest version as the one its latest search finds."""
    conn.execute(text(_LATEST.format(where="WHERE article_id = :a")), {"a": article_id})


# The versions made in one transaction, and their articles, as arrays of ids.
_INSERT_MANY = text(_INSERT + " WHERE t.id = ANY(:ids)").bindparams(
    bindparam("ids", type_=ARRAY(Integer))
)
_LATEST_MANY = text(_LATEST.format(where="WHERE article_id = ANY(:ids)")).bindparams(
    bindparam("ids", type_=ARRAY(Integer))
)


def versions_added(conn: Executor, version_ids: list[int], article_ids: list[int]) -> None:
    """New versions (with their Q&A and breadcrumb rows already written): indexed, and
    their articles' latest marked; one statement each, whatever their number."""
    conn.execute(_INSERT_MANY, {"ids": version_ids})
    conn.execute(_LATEST_MANY, {"ids": article_ids})


def version_removed(conn: Executor, version_id: int) -> None:
    """A version about to be deleted: out of the index (the caller refreshes its
    article afterwards)."""
    conn.execute(text(f"DELETE FROM {TABLE} WHERE version_id = :v"), {"v": version_id})


def rebuild(conn: Executor) -> dict[str, int]:
    """The index made afresh from the versions (a DELETE, not a TRUNCATE: readers keep
    the old index until the caller commits)."""
    conn.execute(text(f"DELETE FROM {TABLE}"))
    conn.execute(text(_INSERT))
    conn.execute(text(_LATEST.format(where="")))
    return counts(conn)


def counts(conn: Executor) -> dict[str, int]:
    row = conn.execute(text(f"SELECT COUNT(*) FILTER (WHERE latest), COUNT(*) FROM {TABLE}")).one()
    return {"articles": int(row[0]), "versions": int(row[1])}


def problems(conn: Executor) -> list[str]:
    """Where the index disagrees with the archive (empty when in step): versions not
    indexed, latest flags wrong, and vectors that are not what the text makes now."""
    found = []
    missing = conn.execute(
        text(
            f"SELECT COUNT(*) FROM versions v WHERE NOT EXISTS "
            f"(SELECT 1 FROM {TABLE} s WHERE s.version_id = v.id)"
        )
    ).scalar_one()
    if missing:
        found.append(f"{TABLE}: {missing} versions not indexed")
    wrong = conn.execute(
        text(
            f"""
            SELECT v.id FROM versions v
            JOIN (SELECT article_id, MAX(number) AS number FROM versions GROUP BY article_id) m
              ON m.article_id = v.article_id
            JOIN {TABLE} s ON s.version_id = v.id
            WHERE s.latest IS DISTINCT FROM (v.number = m.number)
            ORDER BY v.id
            """
        )
    ).all()
    for (version_id,) in wrong:
        found.append(f"{TABLE}: version {version_id} has the wrong latest flag")
    stale = " OR ".join(f"s.{f} IS DISTINCT FROM {vector(f't.{f}')}" for f in SEARCH_FIELDS)
    drifted = conn.execute(
        text(
            f"SELECT COUNT(*) FROM {TABLE} s JOIN {TEXT_VIEW} t ON t.id = s.version_id "
            f"WHERE {stale}"
        )
    ).scalar_one()
    if drifted:
        found.append(f"{TABLE}: {drifted} versions indexed with other text than they hold")
    return found


# -- queries ------------------------------------------------------------------------------


def _quoted(word: str) -> str:
    """A word as a quoted tsquery operand (``query.py``'s words are letters and digits;
    quotes and backslashes are escaped all the same)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def term_expression(term: Term) -> str:
    """One term in ``to_tsquery`` syntax: its words quoted, in sequence (``<->``), the
    last one a prefix (``:*``) when the term is."""
    words = [_quoted(word) for word in term.words]
    if term.prefix:
        words[-1] += ":*"
    return " <-> ".join(words)


def _term_queries(conn: Executor, expressions: list[str]) -> list[str]:
    """Each ``to_tsquery`` expression as PostgreSQL makes it (stemmed; stop words gone),
    in tsquery's own text form; the empty ones (only stop words) left out."""
    rows = conn.execute(
        text(
            f"SELECT to_tsquery('{CONFIG}', e)::text FROM unnest(:expressions) "
            "WITH ORDINALITY AS x(e, n) ORDER BY n"
        ).bindparams(bindparam("expressions", type_=ARRAY(Text))),
        {"expressions": expressions},
    ).scalars()
    made: list[str] = []
    for query in rows:
        if query and query not in made:
            made.append(query)
    return made


def _has_phrase(query: str) -> bool:
    return "<" in query  # <-> or <N>: the phrase operators


def _exact(queries: list[str], fields: tuple[str, ...], params: dict[str, Any]) -> str:
    """Each term in one of the chosen fields, whole (``AND …``): needed where the
    document of all fields together could mislead (a phrase across two fields), or
    where only some fields are searched."""
    clauses = []
    for i, query in enumerate(queries):
        if fields == SEARCH_FIELDS and not _has_phrase(query):
            continue
        params[f"t{i}"] = query
        clauses.append("(" + " OR ".join(f"s.{f} @@ CAST(:t{i} AS tsquery)" for f in fields) + ")")
    return "".join(f" AND {clause}" for clause in clauses)


def _rank(fields: tuple[str, ...]) -> str:
    return " + ".join(f"{FIELD_WEIGHTS[f]} * ts_rank(s.{f}, CAST(:q AS tsquery))" for f in fields)


def _queries(conn: Executor, request: SearchRequest, parsed: ParsedQuery) -> list[str]:
    """The request's terms as tsqueries (``raw``: the query as ``to_tsquery`` reads it)."""
    if not request.raw:
        return _term_queries(conn, [term_expression(term) for term in parsed.terms])
    try:
        with conn.begin_nested():
            return _term_queries(conn, [request.query])
    except DBAPIError as exc:
        raise SearchSyntaxError(
            f"the search index cannot read {request.query!r}: {shared.first_line(exc)} "
            "(without --raw the words are searched as typed)"
        ) from None


def search(conn: Executor, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
    """Run one search (``parsed`` is ``request.query`` parsed; unused with ``raw``)."""
    queries = _queries(conn, request, parsed)
    if not queries:
        note = (
            f"nothing to search for in {request.query!r}: only words too common to be "
            "indexed (Danish stop words such as og, i, at)"
        )
        return SearchResult(request, [], 0, note)
    fields = expand_fields(request.fields)
    params: dict[str, Any] = {"q": " & ".join(f"( {q} )" for q in queries)}
    match = f"{document('s')} @@ CAST(:q AS tsquery)" + _exact(queries, fields, params)
    if not request.all_versions:
        match = "s.latest AND " + match
    # The matches and their rank first, on their own (MATERIALIZED): so PostgreSQL takes
    # them from a GIN index, rather than scanning the table to sort by rank as it goes.
    found = f"""
        WITH found AS MATERIALIZED (
            SELECT s.version_id, {_rank(fields)} AS rank FROM {TABLE} s WHERE {match}
        )"""
    filters = shared.filters(request, params)
    if request.all_versions:
        return _search_versions(conn, request, params, found, filters)
    return _search_latest(conn, request, params, found, filters)


def _search_latest(
    conn: Executor, request: SearchRequest, params: dict[str, Any], found: str, filters: str
) -> SearchResult:
    rows = conn.execute(
        text(
            f"""{found}
            SELECT a.id AS article_id, a.url, a.status, v.id AS version_id, v.published,
                   COUNT(*) OVER () AS total
            FROM found f
            JOIN versions v ON v.id = f.version_id
            JOIN articles a ON a.id = v.article_id
            WHERE 1 = 1{filters}
            ORDER BY f.rank DESC, v.published DESC NULLS LAST, a.url COLLATE "C"
            """
            + shared.limit(request, params)
        ),
        params,
    ).all()
    marks = _marks(conn, [row.version_id for row in rows], params["q"])
    by_article = {row.article_id: marks[row.version_id] for row in rows}
    return SearchResult(request, shared.latest_hits(rows, by_article), _total(rows))


def _total(rows: Sequence[Any]) -> int:
    """How many match in all (``COUNT(*) OVER ()``: counted before the limit)."""
    return int(rows[0].total) if rows else 0


def _search_versions(
    conn: Executor, request: SearchRequest, params: dict[str, Any], found: str, filters: str
) -> SearchResult:
    """Every version that matches, grouped by article (articles by their best match),
    oldest version first within an article."""
    rows = conn.execute(
        text(
            f"""{found}
            SELECT a.id AS article_id, a.url, a.status, v.id AS version_id, v.number,
                   v.published,
                   (SELECT COUNT(*) FROM versions v2 WHERE v2.article_id = a.id) AS versions,
                   MAX(f.rank) OVER (PARTITION BY a.id) AS best,
                   COUNT(*) OVER () AS total
            FROM found f
            JOIN versions v ON v.id = f.version_id
            JOIN articles a ON a.id = v.article_id
            WHERE 1 = 1{filters}
            ORDER BY best DESC, a.url COLLATE "C", v.number
            """
            + shared.limit(request, params)
        ),
        params,
    ).all()
    marks = _marks(conn, [row.version_id for row in rows], params["q"])
    return SearchResult(request, shared.version_hits(conn, rows, marks), _total(rows))


# ts_headline's options: the marks, and a snippet of about SNIPPET_TOKENS words.
_TITLE_OPTIONS = f"StartSel={OPEN}, StopSel={CLOSE}, HighlightAll=true"
_SNIPPET_OPTIONS = (
    f"StartSel={OPEN}, StopSel={CLOSE}, MaxWords={SNIPPET_TOKENS}, "
    f"MinWords={SNIPPET_TOKENS // 2}, MaxFragments=1"
)


def _marks(conn: Executor, version_ids: list[int], query: str) -> dict[int, Any]:
    """The highlighted title and the snippets of the hits shown (by version id)."""
    headlines = ", ".join(
        f"ts_headline('{CONFIG}', coalesce(t.{name}, ''), CAST(:q AS tsquery), :snippet) "
        f"AS s_{name}, t.{name} AS full_{name}"
        for name in shared.SNIPPET_COLUMNS
    )
    found: dict[int, Any] = {}
    for batch in shared.batches(version_ids):
        params: dict[str, Any] = {"q": query, "title": _TITLE_OPTIONS, "snippet": _SNIPPET_OPTIONS}
        in_list = shared.in_list("r", batch, params)
        rows = conn.execute(
            text(
                f"SELECT t.id, ts_headline('{CONFIG}', coalesce(t.title, ''), "
                f"CAST(:q AS tsquery), :title) AS t_title, {headlines} "
                f"FROM {TEXT_VIEW} t WHERE t.id IN ({in_list})"
            ),
            params,
        )
        for row in rows:
            found[row.id] = SimpleNamespace(
                t_title=row.t_title,
                **{
                    f"s_{name}": _with_ellipses(
                        getattr(row, f"s_{name}"), getattr(row, f"full_{name}")
                    )
                    for name in shared.SNIPPET_COLUMNS
                },
            )
    return found


def _with_ellipses(snippet: str | None, whole: str | None) -> str | None:
    """A headline with ``…`` where it cuts the text short (as SQLite's snippets are)."""
    if not snippet or not whole:
        return snippet
    shown = shared.WHITESPACE.sub(" ", snippet.replace(OPEN, "").replace(CLOSE, "")).strip()
    text_ = shared.WHITESPACE.sub(" ", whole).strip()
    if not text_.startswith(shown):
        snippet = ELLIPSIS + snippet
    if not text_.endswith(shown):
        snippet += ELLIPSIS
    return snippet


__all__ = [
    "CONFIG",
    "SPLIT",
    "TABLE",
    "TEXT_VIEW",
    "counts",
    "document",
    "include_name",
    "problems",
    "rebuild",
    "refresh_article",
    "search",
    "term_expression",
    "vector",
    "versions_added",
    "version_removed",
]
