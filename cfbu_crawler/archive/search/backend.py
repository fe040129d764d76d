"""Which search implementation an archive's database gets, and what one must offer.

The archive calls the *sync* methods inside its own transactions (whenever a version is
made or removed, or articles merge), the commands call ``search`` and ``rebuild``. SQLite
has FTS5 (``fts5``); on other databases the sync methods do nothing and searching says
it is not available, until a backend for them (PostgreSQL ``tsvector``) is written.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from cfbu_crawler.archive.search import fts5
from cfbu_crawler.archive.search.api import SearchError, SearchRequest, SearchResult
from cfbu_crawler.archive.search.query import ParsedQuery

Executor = Session | Connection


class SearchBackend(Protocol):
    """A full-text index of the archive's versions on one kind of database."""

    name: str

    def version_added(self, conn: Executor, version_id: int, article_id: int) -> None:
        """A version was added (flushed, with its Q&A and breadcrumb rows)."""

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

    def version_added(self, conn: Executor, version_id: int, article_id: int) -> None:
        fts5.version_added(conn, version_id, article_id)

    def version_removed(self, conn: Executor, version_id: int) -> None:
        fts5.version_removed(conn, version_id)

    def article_changed(self, conn: Executor, article_id: int) -> None:
        fts5.refresh_article(conn, article_id)

    def article_removed(self, conn: Executor, article_id: int) -> None:
        fts5.article_removed(conn, article_id)

    def search(self, conn: Executor, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
        return fts5.search(conn, request, parsed)

    def rebuild(self, conn: Executor) -> dict[str, int]:
        return fts5.rebuild(conn)

    def problems(self, conn: Executor) -> list[str]:
        return fts5.problems(conn)


class NoSearchBackend:
    """A database without a search implementation yet: the archive is written as usual
    (nothing to keep in step), and searching says why it cannot."""

    def __init__(self, dialect: str) -> None:
        self.name = f"{dialect} (no search)"
        self.dialect = dialect

    def version_added(self, conn: Executor, version_id: int, article_id: int) -> None:
        return None

    def version_removed(self, conn: Executor, version_id: int) -> None:
        return None

    def article_changed(self, conn: Executor, article_id: int) -> None:
        return None

    def article_removed(self, conn: Executor, article_id: int) -> None:
        return None

    def _unavailable(self) -> SearchError:
        return SearchError(
            f"full-text search is not available on {self.dialect} archives yet "
            "(it is on SQLite archives)"
        )

    def search(self, conn: Executor, request: SearchRequest, parsed: ParsedQuery) -> SearchResult:
        raise self._unavailable()

    def rebuild(self, conn: Executor) -> dict[str, int]:
        raise self._unavailable()

    def problems(self, conn: Executor) -> list[str]:
        return []


_FTS5 = Fts5Backend()


def backend_for(dialect: str) -> SearchBackend:
    """The search implementation for a database dialect (SQLAlchemy's name for it)."""
    return _FTS5 if dialect == "sqlite" else NoSearchBackend(dialect)


def backend_of(conn: Executor) -> SearchBackend:
    """The search implementation for the database a session or connection talks to."""
    bind = conn.get_bind() if isinstance(conn, Session) else conn
    return backend_for(bind.dialect.name)


__all__ = ["Fts5Backend", "NoSearchBackend", "SearchBackend", "backend_for", "backend_of"]
