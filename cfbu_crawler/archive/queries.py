"""Reading the archive for the commands: runs, exports, one article and its versions."""

from __future__ import annotations

import difflib
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive import runlist
from cfbu_crawler.archive.content import content_of
from cfbu_crawler.archive.db import ArchiveError, session_factory
from cfbu_crawler.archive.export import iter_records
from cfbu_crawler.archive.models import Article, ArticleURL, Run, Version
from cfbu_crawler.archive.timeutil import iso_utc
from cfbu_crawler.extract.urls import url_key


def run_dict(run: Run) -> dict[str, Any]:
    """A run described for people and machines (``archive.runlist.run_dict``)."""
    return runlist.run_dict({column: getattr(run, column) for column in runlist.RUN_COLUMNS})


def list_runs(engine: Engine, limit: int | None = None) -> list[dict[str, Any]]:
    """The runs, newest first (the newest ``limit``), as ``cfbu runs --json`` gives them."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            return runlist.read_runs(cursor, limit)
        finally:
            cursor.close()
    finally:
        connection.close()


def version_record(article: Article, version: Version) -> dict[str, Any]:
    """One version as a record (docs/record.md): the article's URL and the content."""
    return {"url": article.url, **content_of(version)}


def export_records(engine: Engine, *, run: int | None = None) -> list[dict[str, Any]]:
    """The latest version of every article (gone ones included), as ``cfbu export``
    writes it (``cfbu_crawler.archive.export``, which streams; this is the whole list)."""
    return list(iter_records(engine, run=run))


def _suggest(session: Session, slug: str) -> str:
    """`` (did you mean: a, b?)`` with the archive's closest slugs, or nothing."""
    slugs = set(session.scalars(select(Article.slug)))
    close = difflib.get_close_matches(slug, sorted(slugs), n=3, cutoff=0.6)
    return f" (did you mean: {', '.join(close)}?)" if close else ""


def _article_by_url_ref(session: Session, ref: str) -> Article | None:
    """The article a URL (any alias, any host; scheme optional) names, or None."""
    key = url_key(ref if "://" in ref else "https://" + ref.lstrip("/"))
    article = session.scalar(select(Article).where(Article.key == key))
    if article is None:
        alias = session.scalar(select(ArticleURL).where(ArticleURL.key == key))
        article = alias.article if alias else None
    if article is None:
        # Same path on any host (e.g. an archive of a loopback copy of the site).
        path = "/" + key.split("/", 3)[-1] if key.count("/") >= 3 else key
        matches = session.scalars(select(Article).where(Article.key.endswith(path))).all()
        article = matches[0] if len(matches) == 1 else None
    return article


def _articles_by_slug(session: Session, slug: str) -> list[Article]:
    """The articles whose slug, or one of whose former URLs' last segment, is ``slug``."""
    matches = list(session.scalars(select(Article).where(Article.slug == slug)).all())
    if not matches:
        alias_hits = session.scalars(
            select(ArticleURL).where(ArticleURL.key.endswith("/" + slug + "/"))
        ).all()
        matches = list({a.article.id: a.article for a in alias_hits}.values())
    return matches


def resolve_article(session: Session, ref: str) -> Article:
    """The article a user names by URL (any alias, any host) or slug; raises
    ``ArchiveError`` with a clear message when it is unknown or ambiguous."""
    ref = ref.strip()
    if "://" not in ref and "/" not in ref.strip("/"):
        ref = ref.strip("/")  # a slug typed with slashes (``slug/``, ``/slug/``)
    if "/" in ref:
        article = _article_by_url_ref(session, ref)
        if article is None:
            last = ref.rstrip("/").rsplit("/", 1)[-1]
            raise ArchiveError(f"no article {ref!r} in this archive{_suggest(session, last)}")
        return article
    matches = _articles_by_slug(session, ref)
    if not matches:
        raise ArchiveError(f"no article with slug {ref!r} in this archive{_suggest(session, ref)}")
    if len(matches) > 1:
        urls = ", ".join(a.url for a in matches[:5])
        raise ArchiveError(f"slug {ref!r} is ambiguous: {urls}")
    return matches[0]
