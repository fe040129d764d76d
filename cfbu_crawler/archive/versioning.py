"""Versioning of one fetched article page: a new version only when the extracted content
changed, the cause of a change (the site, or a newer extractor reading the same bytes),
and an article that comes back after it was removed.

Functions here work inside the caller's transaction (``ArchiveWriter.record_page`` makes
one per page; ``cfbu reparse`` one per article) and never commit. ``add_version`` is the
one place a version is made, so it is also where the full-text search index learns of
it, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached

from cfbu_crawler.archive import search
from cfbu_crawler.archive.content import CONTENT_FIELDS, changed_fields, content_of
from cfbu_crawler.archive.models import Article, BreadcrumbItem, Observation, QAPair, Version
from cfbu_crawler.archive.vocabulary import ArticleStatus, Cause, Outcome

LATEST_VERSION = (
    select(Version)
    .where(Version.article_id == bindparam("article_id"))
    .order_by(Version.number.desc())
    .limit(1)
)
LATEST_SUMMARY = (
    select(Version.id, Version.number, Version.content_hash, Version.extractor_version)
    .where(Version.article_id == bindparam("article_id"))
    .order_by(Version.number.desc())
    .limit(1)
)
LAST_RAW_PAGE = (
    select(Observation.raw_page_id)
    .where(Observation.article_id == bindparam("article_id"), Observation.raw_page_id.is_not(None))
    .order_by(Observation.id.desc())
    .limit(1)
)
CONTENT_BY_ID = select(*(getattr(Version, name) for name in CONTENT_FIELDS)).where(
    Version.id == bindparam("version_id")
)


INSERT_VERSION = insert(Version)
INSERT_BREADCRUMB = insert(BreadcrumbItem)
INSERT_QA = insert(QAPair)


@dataclass(frozen=True)
class LatestVersion:
    """What deciding on an article's next version needs of its latest one: not its
    text, which only a change reads (for the fields it changed)."""

    id: int
    number: int
    content_hash: str
    extractor_version: str


def latest_version(session: Session, article_id: int) -> Version | None:
    """The article's highest-numbered version, if it has any."""
    return session.scalar(LATEST_VERSION, {"article_id": article_id})


def latest_summary(session: Session, article_id: int) -> LatestVersion | None:
    """What ``version_page`` needs of the article's latest version, if it has any."""
    row = session.connection().execute(LATEST_SUMMARY, {"article_id": article_id}).first()
    return LatestVersion(*row) if row is not None else None


def add_version(
    session: Session,
    article: Article,
    record: dict[str, Any],
    *,
    run_id: int,
    cause: str,
    changed: list[str],
    digest: str,
    extractor_version: str,
    raw_page_id: int | None,
    missing: list[str],
    now: datetime,
    number: int | None = None,
) -> Version:
    """Add the article's next version, with its breadcrumb and Q&A rows, and index it
    for search (it is now the article's latest). ``number``: the next version's number,
    when the caller knows it (the latest's plus one). Returns the row as a detached
    object (its relationships not loaded)."""
    if number is None:
        number = (
            session.scalar(select(func.max(Version.number)).where(Version.article_id == article.id))
            or 0
        ) + 1
    if not inspect(article).has_identity:  # new, not flushed yet: its row first, for its id
        session.flush()
    values = {
        "article_id": article.id,
        "number": number,
        "run_id": run_id,
        "created_at": now,
        "cause": cause,
        "changed_fields": changed,
        "content_hash": digest,
        "extractor_version": extractor_version,
        "raw_page_id": raw_page_id,
        "url": article.url,
        "missing": list(missing),
        **content_of(record),
    }
    # Core statements on the session's connection, not ORM objects: the ORM's unit of work
    # for a version, its breadcrumb and its Q&A rows cost a page record half its time
    # (bench/README.md, "Crawl throughput").
    connection = session.connection()
    key = connection.execute(INSERT_VERSION, values).inserted_primary_key
    assert key is not None
    version_id = int(key[0])
    if values["breadcrumb"]:
        connection.execute(
            INSERT_BREADCRUMB,
            [
                {"version_id": version_id, "position": i, "label": label}
                for i, label in enumerate(values["breadcrumb"])
            ],
        )
    if values["qa"]:
        connection.execute(
            INSERT_QA,
            [
                {
                    "version_id": version_id,
                    "position": i,
                    "question": pair.get("question", ""),
                    "answer": pair.get("answer", ""),
                }
                for i, pair in enumerate(values["qa"])
            ],
        )
    # The row as an object, for the caller to read: detached (not in the session, which
    # would insert it again), every column set.
    version = Version(id=version_id, **values)
    make_transient_to_detached(version)
    search.on_version_added(session, version_id, article.id)
    return version


def cause_of_change(
    session: Session,
    article_id: int,
    latest: LatestVersion,
    raw_page_id: int,
    extractor_version: str,
) -> Cause:
    """Same bytes as the last fetch but a different extractor: the change is ours, not
    the site's (an upgrade of cfbu must not show up in `diff` as edits of the site).
    Asked before this fetch's own observation is added."""
    last_raw = session.connection().execute(LAST_RAW_PAGE, {"article_id": article_id}).scalar()
    if last_raw == raw_page_id and latest.extractor_version != extractor_version:
        return Cause.EXTRACTOR
    return Cause.SITE


@dataclass(frozen=True)
class Versioned:
    """What versioning made of one fetch."""

    # The version the fetch showed: a new one, or the latest, unchanged (then only what
    # ``LatestVersion`` holds of it).
    version: Version | LatestVersion
    previous: LatestVersion | None  # the article's latest version before the fetch
    cause: Cause  # of the new version (``site`` when none was made)

    @property
    def made(self) -> bool:
        return self.version is not self.previous

    @property
    def outcome(self) -> Outcome:
        if self.previous is None:
            return Outcome.NEW
        return Outcome.CHANGED if self.made else Outcome.UNCHANGED


def version_page(
    session: Session,
    article: Article,
    record: dict[str, Any],
    *,
    digest: str,
    run_id: int,
    raw_page_id: int,
    extractor_version: str,
    missing: list[str],
    now: datetime,
    new_article: bool = False,
    latest: LatestVersion | None = None,
) -> Versioned:
    """A new version when the content (``digest``) differs from the latest one, else the
    latest version, unchanged: new markup around the same content makes no version.
    ``new_article``: the article was added just now, and has no versions yet;
    ``latest``: its latest version, when the caller read it with the article
    (``identity.find_article``). The statements run on the session's connection (Core,
    no autoflush): what the caller changed through the ORM must be flushed before."""
    if latest is None and not new_article:
        latest = latest_summary(session, article.id)
    if latest is not None and latest.content_hash == digest:
        return Versioned(latest, latest, Cause.SITE)
    cause = Cause.SITE
    changed: list[str] = []
    if latest is not None:
        cause = cause_of_change(session, article.id, latest, raw_page_id, extractor_version)
        content = session.connection().execute(CONTENT_BY_ID, {"version_id": latest.id}).one()
        changed = changed_fields(content._asdict(), record)
    version = add_version(
        session,
        article,
        record,
        run_id=run_id,
        cause=cause,
        changed=changed,
        digest=digest,
        extractor_version=extractor_version,
        raw_page_id=raw_page_id,
        missing=missing,
        now=now,
        number=latest.number + 1 if latest is not None else 1,
    )
    return Versioned(version, latest, cause)


def revive(article: Article) -> bool:
    """An article answering again after a complete run removed it is live once more
    (its history kept). Returns whether it had been gone."""
    if article.status != ArticleStatus.GONE:
        return False
    article.status = ArticleStatus.LIVE
    article.gone_since = None
    article.gone_run_id = None
    return True


__all__ = [
    "LatestVersion",
    "Versioned",
    "add_version",
    "cause_of_change",
    "latest_summary",
    "latest_version",
    "revive",
    "version_page",
]
