"""One article as archived: its history of versions (``cfbu history``) and any one of its
versions as a record (``cfbu show``; fields in docs/record.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.content import content_of
from cfbu_crawler.archive.db import ArchiveError, session_factory
from cfbu_crawler.archive.models import Article, ArticleURL, Observation, Version
from cfbu_crawler.archive.queries import resolve_article, version_record
from cfbu_crawler.archive.timeutil import iso_utc


def _versions(session: Session, article: Article) -> list[Version]:
    return list(
        session.scalars(
            select(Version).where(Version.article_id == article.id).order_by(Version.number)
        )
    )


def _aliases(session: Session, article: Article) -> list[str]:
    """Every other URL the article was reached by, sorted."""
    urls = session.scalars(select(ArticleURL.url).where(ArticleURL.article_id == article.id))
    return sorted({u for u in urls if u != article.url})


def _article_head(session: Session, article: Article) -> dict[str, Any]:
    return {
        "url": article.url,
        "slug": article.slug,
        "status": article.status,
        "gone_since": iso_utc(article.gone_since),
        "first_seen": iso_utc(article.first_seen),
        "last_seen": iso_utc(article.last_seen),
        "first_run": article.first_run_id,
        "last_run": article.last_run_id,
        "aliases": _aliases(session, article),
    }


def article_history(engine: Engine, ref: str) -> dict[str, Any]:
    """All versions of the article named by ``ref`` (URL, any alias, or slug).

    ``{"url", "slug", "status", "gone_since", "first_seen", "last_seen", "first_run",
    "last_run", "aliases", "observations", "versions": [{"number", "run_id", "created_at",
    "cause", "changed_fields", "content_hash", "extractor_version", "title", "published",
    "changes"}]}``, versions oldest first; ``changes`` maps each changed field to
    ``{"from": old, "to": new}`` (empty for the first version). Raises ArchiveError for
    an unknown or ambiguous article.
    """
    with session_factory(engine)() as session:
        article = resolve_article(session, ref)
        result = _article_head(session, article)
        result["observations"] = (
            session.scalar(
                select(func.count(Observation.id)).where(Observation.article_id == article.id)
            )
            or 0
        )
        versions = []
        previous: dict[str, Any] | None = None
        for version in _versions(session, article):
            content = content_of(version)
            fields = list(version.changed_fields or [])
            changes = {}
            if previous is not None:
                changes = {f: {"from": previous[f], "to": content[f]} for f in fields}
            versions.append(
                {
                    "number": version.number,
                    "run_id": version.run_id,
                    "created_at": iso_utc(version.created_at),
                    "cause": version.cause,
                    "changed_fields": fields,
                    "content_hash": version.content_hash,
                    "extractor_version": version.extractor_version,
                    "title": version.title,
                    "published": version.published,
                    "changes": changes,
                }
            )
            previous = content
        result["versions"] = versions
        return result


def show_article(engine: Engine, ref: str, version: int | None = None) -> dict[str, Any]:
    """One version (default: the latest) of the article named by ``ref`` as a record
    (docs/record.md), plus ``status``, ``version``, ``versions`` (count), ``cause``, ``run_id``,
    ``created_at``, ``first_seen``, ``last_seen``, ``aliases``, ``missing`` and
    ``content_hash``. Raises ArchiveError for an unknown article or version."""
    with session_factory(engine)() as session:
        article = resolve_article(session, ref)
        versions = _versions(session, article)
        if not versions:
            raise ArchiveError(f"article {article.url} has no stored version")
        if version is None:
            chosen = versions[-1]
        else:
            matches = [v for v in versions if v.number == version]
            if not matches:
                raise ArchiveError(
                    f"article {article.url} has no version {version} "
                    f"(it has versions 1 to {versions[-1].number})"
                )
            chosen = matches[0]
        record = version_record(article, chosen)
        head = _article_head(session, article)
        record.update(
            status=article.status,
            version=chosen.number,
            versions=len(versions),
            cause=chosen.cause,
            run_id=chosen.run_id,
            created_at=iso_utc(chosen.created_at),
            first_seen=head["first_seen"],
            last_seen=head["last_seen"],
            gone_since=head["gone_since"],
            aliases=head["aliases"],
            missing=list(chosen.missing or []),
            content_hash=chosen.content_hash,
        )
        return record


__all__ = ["article_history", "show_article"]
