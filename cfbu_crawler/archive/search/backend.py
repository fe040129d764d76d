"""Which search implementation an archive's database gets, and what one must offer.

The archive calls the *sync* methods inside its own transactions (whenever a version is
made or removed, or articles merge), the commands call ``search`` and ``rebuild``. SQLite
has FTS5 (``fts5``), PostgreSQL a ``tsvector`` table (``tsvector``): the two databases
an archive can be kept in (``db.BACKENDS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from cfbu_crawler.archive.search import fts5
from cfbu_crawler.archive.search.api import SearchError, SearchRequest, SearchResult
from cfbu_crawler.archive.search.query import ParsedQuery

if TYPE_CHECKING:
    from cfbu_crawler.archive.search.shared import AnyConnection, Executor


class SearchBackend(Protocol):
    """A full-text index of the archive's versions on one kind of database."""

    name: str

    def versions_added(
        self, conn: Executor, version_ids: list[int], article_ids: list[int]
    ) -> None:
        """Versions were added (written, with their Q&A and breadcrumb rows), of these
        articles: index them, and make each its article's latest."""

    def version_removed(self, conn: Executor, version_id: int) -> None:
        """A version is about to be deleted (its rows are still there)."""

    def article_changed(self, conn: Executor, article_id: int) -> None:
        """The article's latest version may be another one now (versions merged in)."""

    def article_removed(self, conn: Executor, article_id: int) -> None:
        """The article is about to be deleted (merged into another)."""

    def search(self, conn: Executor, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
        """Run one search."""
        ...

    def rebuild(self, conn: Executor) -> dict[str, int]:
        """Make the index afresh; returns ``{"articles", "versions"}`` indexed."""
        ...

    def problems(self, conn: Executor) -> list[str]:
        """Where the index disagrees with the archive (empty: in step)."""
        ...


class Fts5Backend:
    """SQLite's FTS5 (``cfbu_crawler.archive.search.fts5``)."""

    name = "sqlite-fts5"

    # ``search`` also runs on a ``sqlitefile.PlainSqlite`` (an SQLite archive read with
    # ``sqlite3`` alone).

    def versions_added(
        self, conn: Executor, version_ids: list[int], article_ids: list[int]
    ) -> None:
        fts5.versions_added(conn, version_ids, article_ids)

    def version_removed(self, conn: Executor, version_id: int) -> None:
        fts5.version_removed(conn, version_id)

    def article_changed(self, conn: Executor, article_id: int) -> None:
        fts5.refresh_article(conn, article_id)

    def article_removed(self, conn: Executor, article_id: int) -> None:
        fts5.article_removed(conn, article_id)

    def search(
        self, conn: AnyConnection, request: SearchRequest, parsed: ParsedQuery
    ) -> SearchResult:
        return fts5.search(conn, request, parsed)

    def rebuild(self, conn: Executor) -> dict[str, int]:
        return fts5.rebuild(conn)

    def problems(self, conn: Executor) -> list[str]:
        return fts5.problems(conn)


class TsvectorBackend:
    """PostgreSQL's ``tsvector`` and GIN (``cfbu_crawler.archive.search.tsvector``,
    loaded on first use: it needs SQLAlchemy's PostgreSQL dialect, which a search of an
    SQLite archive from the shell does without)."""

    name = "postgresql-tsvector"

    def versions_added(
        self, conn: Executor, version_ids: list[int], article_ids: list[int]
    ) -> None:
        from cfbu_crawler.archive.search import tsvector

        tsvector.versions_added(conn, version_ids, article_ids)

    def version_removed(self, conn: Executor, version_id: int) -> None:
        from cfbu_crawler.archive.search import tsvector

        tsvector.version_removed(conn, version_id)

    def article_changed(self, conn: Executor, article_id: int) -> None:
        from cfbu_crawler.archive.search import tsvector

        tsvector.refresh_article(conn, article_id)

    def article_removed(self, conn: Executor, article_id: int) -> None:
        return None  # its versions were moved (then refreshed) or removed one by one

    def search(self, conn: Executor, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
        from cfbu_crawler.archive.search import tsvector

        return tsvector.search(conn, request, parsed)

    def rebuild(self, conn: Executor) -> dict[str, int]:
        from cfbu_crawler.archive.search import tsvector

        return tsvector.rebuild(conn)

    def problems(self, conn: Executor) -> list[str]:
        from cfbu_crawler.archive.search import tsvector

        return tsvector.problems(conn)


_BACKENDS: dict[str, SearchBackend] = {"sqlite": Fts5Backend(), "postgresql": TsvectorBackend()}


def backend_for(dialect: str) -> SearchBackend:
    """The search implementation for a database dialect (SQLAlchemy's name for it)."""
    try:
        return _BACKENDS[dialect]
    except KeyError:
        raise SearchError(
            f"no full-text search on {dialect} (cfbu keeps archives in SQLite or PostgreSQL)"
        ) from None


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's ``include_name`` hook: the search indexes' tables are no model's, leave
    them out of autogenerate's comparison."""
    from cfbu_crawler.archive.search import tsvector

    return fts5.include_name(name, type_, parent_names) and tsvector.include_name(
        name, type_, parent_names
    )


def backend_of(conn: Executor) -> SearchBackend:
    """The search implementation for the database a session or connection talks to."""
    from sqlalchemy.orm import Session

    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return backend_for(bind.dialect.name)


__all__ = [
    "Fts5Backend",
    "SearchBackend",
    "TsvectorBackend",
    "backend_for",
    "backend_of",
    "include_name",
]
