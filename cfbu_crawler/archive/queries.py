"""Reading the archive for the commands: runs, exports, one article and its versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive import runlist
from cfbu_crawler.archive.content import content_of
from cfbu_crawler.archive.db import ArchiveError, session_factory
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


def latest_versions(session: Session) -> list[tuple[Article, Version, int]]:
    """(article, latest version, number of versions) for every article, by URL."""
    newest = (
        select(
            Version.article_id, func.max(Version.number).label("number"), func.count().label("n")
        )
        .group_by(Version.article_id)
        .subquery()
    )
    rows = session.execute(
        select(Article, Version, newest.c.n)
        .join(newest, newest.c.article_id == Article.id)
        .join(Version, (Version.article_id == Article.id) & (Version.number == newest.c.number))
        .order_by(Article.url)
    ).all()
    return [(a, v, n) for a, v, n in rows]


def export_records(engine: Engine) -> list[dict[str, Any]]:
    """The latest version of every article (gone ones included): the record plus
    ``status``, ``first_seen``, ``last_seen``, ``versions``, ``content_hash`` and ``missing``."""
    with session_factory(engine)() as session:
        out = []
        for article, version, count in latest_versions(session):
            record = version_record(article, version)
            record.update(
                status=article.status,
                first_seen=iso_utc(article.first_seen),
                last_seen=iso_utc(article.last_seen),
                versions=count,
                content_hash=version.content_hash,
                missing=list(version.missing or []),
            )
            out.append(record)
        return out


def resolve_article(session: Session, ref: str) -> Article:
    """The article a user names by URL (any alias, any host) or slug; raises
    ``ArchiveError`` with a clear message when it is unknown or ambiguous."""
    ref = ref.strip()
    if "/" in ref:
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
        if article is None:
            raise ArchiveError(f"no article {ref!r} in this archive")
        return article
    matches = session.scalars(select(Article).where(Article.slug == ref)).all()
    if not matches:
        alias_hits = session.scalars(
            select(ArticleURL).where(ArticleURL.key.endswith("/" + ref + "/"))
        ).all()
        matches = list({a.article.id: a.article for a in alias_hits}.values())
    if not matches:
        raise ArchiveError(f"no article with slug {ref!r} in this archive")
    if len(matches) > 1:
        urls = ", ".join(a.url for a in matches[:5])
        raise ArchiveError(f"slug {ref!r} is ambiguous: {urls}")
    return matches[0]
