"""Bookkeeping of one fetched article page, once its identity and version are settled:
the article's last sighting and HTTP validators, its aliases, the observation of the
fetch, and the run's counters.

Functions here work inside the caller's transaction and never commit.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, insert, select, update
from sqlalchemy.orm import Session, make_transient_to_detached

from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.archive.models import Article, ArticleURL, Observation, Run
from cfbu_crawler.archive.versioning import Versioned
from cfbu_crawler.archive.vocabulary import Cause, Outcome
from cfbu_crawler.extract.urls import url_key
from cfbu_crawler.warc.location import WarcLocation

SEEN_IN_RUN = (
    select(Observation.id)
    .where(
        Observation.run_id == bindparam("run_id"),
        Observation.article_id == bindparam("article_id"),
        Observation.outcome != Outcome.ERROR,
    )
    .limit(1)
)
INSERT_OBSERVATION = insert(Observation)
INSERT_ARTICLE = insert(Article)
# What a sighting (``touch``, ``versioning.revive``) changes of an article.
SIGHTING_COLUMNS = (
    "status",
    "gone_since",
    "gone_run_id",
    "last_seen",
    "last_run_id",
    "etag",
    "last_modified",
    "sitemap_lastmod",
    "sitemap_url",
)
UPDATE_SIGHTING = (
    update(Article)
    .where(Article.id == bindparam("article_id"))
    .values({name: bindparam(name) for name in SIGHTING_COLUMNS})
)


def seen_in_run(session: Session, run_id: int, article_id: int) -> bool:
    """Has this run already observed the article (so its counts must not grow again)?
    Failed fetches do not count: an article that answers after an error is counted."""
    return session.scalar(SEEN_IN_RUN, {"run_id": run_id, "article_id": article_id}) is not None


def touch(article: Article, page: FetchedPage, *, run_id: int, now: datetime) -> None:
    """The article was seen now: its last sighting, the validators of this response (for
    the next run's conditional request) and, when a sitemap listed it, its lastmod."""
    article.last_seen = now
    article.last_run_id = run_id
    article.etag = page.etag
    article.last_modified = page.last_modified
    if page.sitemap_lastmod:
        article.sitemap_lastmod = page.sitemap_lastmod
        article.sitemap_url = page.sitemap_url


def save_article(session: Session, article: Article, *, created: bool) -> None:
    """Write an article that is in no session (``identity.find_article``'s) by a Core
    statement: insert it when ``created`` (it is detached then, with its id), else
    update what a sighting changes of it."""
    connection = session.connection()
    if created:
        values = {c.key: getattr(article, c.key) for c in Article.__table__.c if c.key != "id"}
        key = connection.execute(INSERT_ARTICLE, values).inserted_primary_key
        assert key is not None
        article.id = int(key[0])
        make_transient_to_detached(article)
    else:
        values = {name: getattr(article, name) for name in SIGHTING_COLUMNS}
        connection.execute(UPDATE_SIGHTING, {"article_id": article.id, **values})


@functools.cache
def _upsert_alias(dialect: str) -> Insert:
    """Insert an alias, or give an existing one (same key) to the article and a new
    ``last_seen``: INSERT … ON CONFLICT, which SQLite and PostgreSQL both have (in
    SQLAlchemy, each dialect's own ``insert``)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        pg = postgresql.insert(ArticleURL)
        return pg.on_conflict_do_update(
            index_elements=[ArticleURL.key],
            set_={"article_id": pg.excluded.article_id, "last_seen": pg.excluded.last_seen},
        )
    from sqlalchemy.dialects import sqlite

    lite = sqlite.insert(ArticleURL)
    return lite.on_conflict_do_update(
        index_elements=[ArticleURL.key],
        set_={"article_id": lite.excluded.article_id, "last_seen": lite.excluded.last_seen},
    )


def add_aliases(session: Session, article: Article, urls: Iterable[str], now: datetime) -> None:
    """Every URL the article was reached by becomes (or stays) one of its aliases; an
    alias another article held passes to this one. One Core statement (an upsert): no
    alias is read first, nor loaded as an object. The article must have its id (be
    flushed, or saved by ``save_article``)."""
    by_key: dict[str, str] = {}
    for url in urls:
        by_key.setdefault(url_key(url), url)
    assert article.id is not None, "the article's row first"
    rows = [
        {"article_id": article.id, "key": key, "url": url, "first_seen": now, "last_seen": now}
        for key, url in by_key.items()
    ]
    connection = session.connection()
    connection.execute(_upsert_alias(connection.dialect.name), rows[0] if len(rows) == 1 else rows)


def warc_columns(location: WarcLocation | None) -> dict[str, Any]:
    """An observation's pointer to its WARC record (all NULL without one)."""
    if location is None:
        return {}
    return {
        "warc_file": location.file,
        "warc_offset": location.offset,
        "warc_length": location.length,
    }


def add_observation(session: Session, **columns: Any) -> None:
    """Insert an observation. A Core statement on the session's connection, not an ORM
    object: nothing reads an observation back as an object while the transaction that
    adds it is open, and the ORM's unit of work cost a page record a fifth of its time
    for this one row (bench/README.md, "Crawl throughput"). The rows it refers to (the
    article, the version, the raw page) must be in the database already (flushed)."""
    values = {"bytes": 0, **columns}
    session.connection().execute(INSERT_OBSERVATION, values)


def observe_page(
    session: Session,
    page: FetchedPage,
    *,
    run_id: int,
    article_id: int,
    outcome: Outcome,
    version_id: int,
    raw_page_id: int,
    now: datetime,
) -> None:
    """The observation of a fetched and stored page."""
    add_observation(
        session,
        run_id=run_id,
        article_id=article_id,
        url=page.requested_url,
        final_url=page.final_url,
        status_code=page.status,
        fetched_at=now,
        outcome=outcome,
        version_id=version_id,
        raw_page_id=raw_page_id,
        bytes=len(page.raw),
        via=page.via,
        **warc_columns(page.warc),
    )


def observe_merged_away(
    session: Session, page: FetchedPage, merged: Article, *, run_id: int, now: datetime
) -> None:
    """A known article now redirects to another known article (merged by the site's
    editors): like a 404, a complete run will mark it gone."""
    add_observation(
        session,
        run_id=run_id,
        article_id=merged.id,
        url=page.requested_url,
        final_url=page.final_url,
        status_code=301,
        fetched_at=now,
        outcome=Outcome.GONE,
        error=f"redirects to {page.identity_url}",
    )


def count_page(run: Run, outcome: Outcome, versioned: Versioned, *, first_in_run: bool) -> None:
    """The run's counters for one stored page. An article counts once per run: as new,
    as changed (by the site), as moved, else as unchanged (a change only a newer extractor
    made included) — as ``cfbu diff`` counts them. A move whose page's content also
    changed counts as a move and as a change."""
    run.pages += 1
    if first_in_run:
        if outcome == Outcome.NEW:
            run.new += 1
        elif outcome == Outcome.CHANGED and versioned.cause == Cause.SITE:
            run.changed += 1
        elif outcome != Outcome.MOVED:
            run.unchanged += 1
    if outcome == Outcome.MOVED:
        run.moved += 1
        if versioned.outcome == Outcome.CHANGED:
            run.changed += 1


__all__ = [
    "add_aliases",
    "add_observation",
    "count_page",
    "observe_merged_away",
    "observe_page",
    "save_article",
    "seen_in_run",
    "touch",
]
