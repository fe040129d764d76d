"""Full-text search of the archive: the library behind ``cfbu search``.

Backend-neutral API; the database-specific part is a backend (``backend.py``): SQLite's
FTS5 (``fts5.py``) or PostgreSQL's ``tsvector`` with Danish stemming (``tsvector.py``),
sharing what SQL search needs besides (``shared.py``). What is indexed, and how to query it in SQL, is documented for
archivists in docs/schema.md, "Full-text search".

- :func:`search` runs a :class:`SearchRequest` (user input made safe by ``query.py``,
  or passed through with ``raw``) and returns a :class:`SearchResult`;
- :func:`rebuild_index` makes the index afresh, :func:`index_problems` checks it;
- the ``on_*`` functions keep the index in step from inside the archive's own
  transactions: the archive calls them where it makes, removes or merges versions (the
  versions a transaction makes are indexed together when it commits).
"""

from __future__ import annotations

import functools
import sqlite3
from typing import TYPE_CHECKING

from cfbu_crawler.archive.search.api import (
    FIELD_CHOICES,
    SEARCH_FIELDS,
    Hit,
    Marked,
    SearchError,
    SearchRequest,
    SearchResult,
    SearchSyntaxError,
    date_bound,
    expand_fields,
)
from cfbu_crawler.archive.search.backend import backend_for, backend_of
from cfbu_crawler.archive.search.query import ParsedQuery, Term, parse_query
from cfbu_crawler.archive.sqlitefile import PlainSqlite

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, SessionTransaction


def search(archive: Engine | sqlite3.Connection, request: SearchRequest) -> SearchResult:
    """Search the archive: an SQLAlchemy engine, or an SQLite archive's connection opened
    with ``sqlite3`` alone (``sqlitefile.open_current``: from the shell, loading
    SQLAlchemy takes longer than the search). Never fails on what a user typed (unless
    ``request.raw``: then bad syntax raises :class:`SearchSyntaxError`); a query
    without a word finds nothing and says so in ``note``."""
    if isinstance(archive, sqlite3.Connection):
        backend = backend_for("sqlite")
    else:
        backend = backend_for(archive.dialect.name)
    parsed = parse_query(request.query)
    if not request.raw and parsed.empty:
        note = f"nothing to search for in {request.query!r}: it holds no word"
        return SearchResult(request, [], 0, note)
    if request.raw and not request.query.strip():
        return SearchResult(request, [], 0, "nothing to search for: the query is empty")
    if isinstance(archive, sqlite3.Connection):
        return backend.search(PlainSqlite(archive), request, parsed)  # type: ignore[arg-type]
    with archive.connect() as conn:
        return backend.search(conn, request, parsed)


def rebuild_index(engine: Engine) -> dict[str, int]:
    """Rebuild the search index from the archive's versions, in one transaction (readers
    see the old index until it commits). Returns ``{"articles", "versions"}`` indexed."""
    backend = backend_for(engine.dialect.name)
    with engine.begin() as conn:
        return backend.rebuild(conn)


def index_problems(engine: Engine) -> list[str]:
    """Where the search index disagrees with the archive; empty when it is in step."""
    backend = backend_for(engine.dialect.name)
    with engine.connect() as conn:
        return backend.problems(conn)


# -- keeping the index in step: called by the archive inside its transactions ------------
#
# A version is indexed when the transaction that made it commits, with the other versions
# that transaction made: one statement per index for the lot. Three statements per
# version (each autoflushing the session) had cost a new page's record nearly a third of
# its CPU (bench/README.md, "The archive writer's CPU per page": the crawl's archive
# writer commits a batch of pages at a time). The index
# is written inside that transaction, just before its COMMIT (a session event): a crash
# leaves both the versions and their index, or neither. Whatever reads or changes the
# index inside such a transaction first indexes the versions made so far
# (``index_pending``).

PENDING = "cfbu_search_pending"  # the key in ``Session.info``: {version id: article id}


def on_version_added(session: Session, version_id: int, article_id: int) -> None:
    """A version was made (its rows written): it is indexed, and made its article's
    latest, before the session's transaction commits."""
    _listen()
    session.info.setdefault(PENDING, {})[version_id] = article_id


def index_pending(session: Session) -> None:
    """Index the versions made in the session's transaction and not indexed yet."""
    pending: dict[int, int] | None = session.info.pop(PENDING, None)
    if pending:
        session.flush()  # the ORM's changes first (a merge moves versions by it)
        backend_of(session).versions_added(
            session.connection(), list(pending), sorted(set(pending.values()))
        )


def _forget(session: Session, transaction: SessionTransaction) -> None:
    """The transaction is over: what it made and did not commit is gone, and so is
    what it was to index."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


@functools.cache
def _listen() -> None:
    """Have every session index its versions before it commits (once per process: the
    events are the Session class's; loaded on first use, as SQLAlchemy is, which a search
    from the shell does without)."""
    from sqlalchemy import event, orm

    event.listen(orm.Session, "before_commit", index_pending)
    event.listen(orm.Session, "after_transaction_end", _forget)


def on_version_removed(session: Session, version_id: int) -> None:
    """A version is about to be deleted: call before its rows go."""
    index_pending(session)
    backend_of(session).version_removed(session, version_id)


def on_articles_merged(session: Session, *, merged_id: int, into_id: int) -> None:
    """Article ``merged_id`` was folded into ``into_id`` (its versions moved over or
    dropped as duplicates) and is about to be deleted."""
    index_pending(session)
    backend = backend_of(session)
    backend.article_removed(session, merged_id)
    backend.article_changed(session, into_id)


__all__ = [
    "FIELD_CHOICES",
    "SEARCH_FIELDS",
    "Hit",
    "Marked",
    "ParsedQuery",
    "SearchError",
    "SearchRequest",
    "SearchResult",
    "SearchSyntaxError",
    "Term",
    "date_bound",
    "expand_fields",
    "index_pending",
    "index_problems",
    "on_articles_merged",
    "on_version_added",
    "on_version_removed",
    "parse_query",
    "rebuild_index",
    "search",
]
