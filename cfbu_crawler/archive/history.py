"""One article as archived: its history of versions (``cfbu history``) and any one of its
versions as a record (``cfbu show``; fields in docs/record.md).

The reading itself is ``archive.lookup`` (plain SQL, so that the commands can run it
through ``sqlite3`` without loading SQLAlchemy); these functions take an engine, or a
``lookup.Reader``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from cfbu_crawler.archive import lookup


def _reader(source: Engine | lookup.Reader) -> lookup.Reader:
    return lookup.EngineReader(source) if isinstance(source, Engine) else source


def article_history(source: Engine | lookup.Reader, ref: str) -> dict[str, Any]:
    """All versions of the article named by ``ref`` (URL, any alias, or slug).

    ``{"url", "slug", "status", "gone_since", "first_seen", "last_seen", "first_run",
    "last_run", "aliases", "observations", "versions": [{"number", "run_id", "created_at",
    "cause", "changed_fields", "content_hash", "extractor_version", "title", "published",
    "changes"}]}``, versions oldest first; ``changes`` maps each changed field to
    ``{"from": old, "to": new}`` (empty for the first version). Raises ArchiveError for
    an unknown or ambiguous article.
    """
    return lookup.article_history(_reader(source), ref)


def show_article(
    source: Engine | lookup.Reader, ref: str, version: int | None = None
) -> dict[str, Any]:
    """One version (default: the latest) of the article named by ``ref`` as a record
    (docs/record.md), plus ``status``, ``version``, ``versions`` (count), ``cause``, ``run_id``,
    ``created_at``, ``first_seen``, ``last_seen``, ``aliases``, ``missing`` and
    ``content_hash``. Raises ArchiveError for an unknown article or version."""
    return lookup.show_article(_reader(source), ref, version)


__all__ = ["article_history", "show_article"]
