"""Which article a fetched page is: identity resolution.

An article is one row whatever URL it was reached by. A page answered under URL *U* is
the article whose identity key is *U*'s — unless the fetch proves the article moved, or
*U* is an old address of a known article:

- a move needs evidence: a redirect, or a canonical link away from the URL asked for. An
  old URL merely answering again (a slug reused for a new article) is not a move;
- a page answered under an alias of a known article is that article only if it still says
  the same thing; otherwise the address was reused for a new article;
- an article first seen (under its new URL) only after a known article was last seen, and
  reached now through that article's old URL, is the known one, moved: the two are merged;
- a known article that now redirects to another known article (merged by the site's
  editors) no longer exists on its own: it is recorded as gone.

Functions here work inside the caller's transaction and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal_column,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, make_transient_to_detached

from cfbu_crawler.archive import search
from cfbu_crawler.archive.content import changed_fields
from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.archive.models import Article, ArticleURL, Observation, Run, Version
from cfbu_crawler.archive.versioning import LatestVersion, latest_version
from cfbu_crawler.archive.vocabulary import ArticleStatus, Outcome
from cfbu_crawler.extract.urls import slug_of, url_key


@dataclass(frozen=True)
class Identity:
    """The article a page belongs to, and what the fetch revealed about it."""

    article: Article
    moved_from: str | None = None  # the article moved: its URL before this fetch
    merged_away: Article | None = None  # a known article that now redirects to this one
    # A new article, added now: it has no versions or observations, nor an id before the
    # session's next flush (``find_article``: before ``bookkeeping.save_article``).
    created: bool = False
    # What ``find_article`` read with the article (None from ``resolve_identity``): its
    # latest version, and whether this run has observed it already.
    latest: LatestVersion | None = None
    seen_in_run: bool | None = None


# The statements of every page record, built once (building one costs as much as running it).
ARTICLE_BY_KEY = select(Article).where(Article.key == bindparam("key"))
ALIAS_BY_KEY = select(ArticleURL).where(ArticleURL.key == bindparam("key"))


def article_by_url(session: Session, url: str, *, key_checked: bool = False) -> Article | None:
    """The article a URL belongs to, by its identity key or any alias (``key_checked``:
    the caller knows no article has it as its identity key)."""
    key = url_key(url)
    if not key_checked:
        article = session.scalar(ARTICLE_BY_KEY, {"key": key})
        if article is not None:
            return article
    alias = session.scalar(ALIAS_BY_KEY, {"key": key})
    return alias.article if alias is not None else None


def move_evidence(page: FetchedPage) -> list[str]:
    """The URLs that prove the page was reached through another address: the redirect
    chain, else the URL asked for when the identity (canonical link) points away from it."""
    if page.redirect_urls:
        return list(page.redirect_urls)
    if url_key(page.requested_url) != url_key(page.identity_url):
        return [page.requested_url]
    return []


def reached_through(
    session: Session, evidence: list[str], article: Article | None
) -> Article | None:
    """The first known article, other than ``article``, that the evidence URLs belong to."""
    for url in evidence:
        candidate = article_by_url(session, url)
        if candidate is not None and (article is None or candidate.id != article.id):
            return candidate
    return None


def alias_owner_if_same(
    session: Session, url: str, digest: str, *, key_checked: bool = False
) -> Article | None:
    """The article ``url`` is an alias of, if its latest content is ``digest`` (the same
    article answering under an old address); None when the address was reused."""
    owner = article_by_url(session, url, key_checked=key_checked)
    latest = latest_version(session, owner.id) if owner is not None else None
    return owner if latest is not None and latest.content_hash == digest else None


# The columns a new article leaves empty.
EMPTY_ARTICLE_COLUMNS = (
    "gone_since",
    "gone_run_id",
    "etag",
    "last_modified",
    "sitemap_lastmod",
    "sitemap_url",
)


def make_article(url: str, *, run_id: int, now: datetime) -> Article:
    """A new article first seen now at ``url`` (transient: in no session, no id yet).
    Every column is set, the empty ones to None: once inserted, the object is a whole
    copy of its row (``bookkeeping.save_article``)."""
    article = Article(
        key=url_key(url),
        url=url,
        slug=slug_of(url),
        status=ArticleStatus.LIVE,
        first_seen=now,
        last_seen=now,
        first_run_id=run_id,
        last_run_id=run_id,
    )
    for name in EMPTY_ARTICLE_COLUMNS:
        setattr(article, name, None)
    return article


def new_article(
    session: Session, url: str, *, run_id: int, now: datetime, flush: bool = True
) -> Article:
    """A new article first seen now at ``url``. Without ``flush`` it is only added to the
    session (no id yet): it is inserted with whatever is flushed next (its first version)."""
    article = make_article(url, run_id=run_id, now=now)
    session.add(article)
    if flush:
        session.flush()
    return article


def relocate(article: Article, url: str) -> None:
    """The article lives at ``url`` now (its old URL stays an alias)."""
    article.key = url_key(url)
    article.url = url
    article.slug = slug_of(url)


def merge_into(session: Session, *, newer: Article, older: Article, run: Run) -> bool:
    """``newer`` appeared (in this run or an earlier one) only after ``older`` was last
    seen, under the URL that ``older`` now redirects to: it is ``older``, moved; fold it
    in (versions, observations, aliases and this run's counts). Returns False, changing
    nothing, when ``newer`` has a life of its own."""
    if newer.first_run_id <= older.last_run_id:
        return False
    for version in session.scalars(
        select(Version).where(Version.article_id == newer.id).order_by(Version.number)
    ):
        _fold_version(session, version, older, run)
    if newer.first_run_id == run.id:
        # This run fetched the new URL first and took it for a new article: it is the
        # move, and its observation says so, as the run's counts do (moved, not new).
        session.execute(
            update(Observation)
            .where(
                Observation.article_id == newer.id,
                Observation.run_id == run.id,
                Observation.outcome == Outcome.NEW,
            )
            .values(outcome=Outcome.MOVED)
        )
        run.new = max(0, run.new - 1)
    session.execute(
        update(Observation).where(Observation.article_id == newer.id).values(article_id=older.id)
    )
    session.execute(
        update(ArticleURL).where(ArticleURL.article_id == newer.id).values(article_id=older.id)
    )
    session.flush()
    search.on_articles_merged(session, merged_id=newer.id, into_id=older.id)
    session.expire(newer)
    session.execute(
        delete(Article)
        .where(Article.id == newer.id)
        .execution_options(synchronize_session=False)  # expired above
    )
    session.flush()
    return True


def _fold_version(session: Session, version: Version, older: Article, run: Run) -> None:
    """One version of a merged article: dropped when ``older`` already says the same (its
    observations then point at ``older``'s version), else appended to ``older``'s."""
    latest = latest_version(session, older.id)
    if latest is not None and latest.content_hash == version.content_hash:
        session.execute(
            update(Observation)
            .where(Observation.version_id == version.id)
            .values(version_id=latest.id)
        )
        search.on_version_removed(session, version.id)
        session.delete(version)
    else:
        version.article_id = older.id
        version.number = (latest.number if latest else 0) + 1
        version.changed_fields = changed_fields(latest, version) if latest else []
        run.changed += 1
    session.flush()


def resolve_identity(
    session: Session, page: FetchedPage, *, digest: str, run: Run, now: datetime
) -> Identity:
    """The article ``page`` (whose content hashes to ``digest``) belongs to: a known one,
    a known one that moved (merged with a newer row that turned out to be it), or a new
    one, added."""
    article = session.scalar(ARTICLE_BY_KEY, {"key": url_key(page.identity_url)})
    previous = reached_through(session, move_evidence(page), article)
    if previous is None:
        if article is None:
            article = alias_owner_if_same(session, page.identity_url, digest, key_checked=True)
        if article is None:
            # Inserted with its first version (one flush, not two).
            article = new_article(session, page.identity_url, run_id=run.id, now=now, flush=False)
            return Identity(article, created=True)
        return Identity(article)
    if article is None or merge_into(session, newer=article, older=previous, run=run):
        # Reached through a URL of a known article and answered under another one: the
        # article moved. Same row, new URL, old URL kept as an alias.
        moved_from = previous.url
        relocate(previous, page.identity_url)
        return Identity(previous, moved_from=moved_from)
    return Identity(article, merged_away=previous)


@dataclass(frozen=True)
class Found:
    """An article as ``look_up`` read it: the row (a detached object: changing it changes
    no row), its latest version, whether this run has observed it already, and whether it
    was found by an alias (not by its identity key)."""

    article: Article
    latest: LatestVersion | None
    seen_in_run: bool
    by_alias: bool


def _candidates(by_alias: bool) -> Select[Any]:
    """The article with identity key ``:key`` (or, ``by_alias``, the one ``:key`` is an
    alias of), its latest version, and whether run ``:run_id`` observed it (a failed
    fetch does not count: ``bookkeeping.seen_in_run``)."""
    latest = Version.__table__.alias("latest")
    newest = select(func.max(Version.number)).where(Version.article_id == Article.id)
    seen = exists().where(
        Observation.run_id == bindparam("run_id"),
        Observation.article_id == Article.id,
        Observation.outcome != Outcome.ERROR,
    )
    joined = Article.__table__.outerjoin(
        latest,
        and_(latest.c.article_id == Article.id, latest.c.number == newest.scalar_subquery()),
    )
    if by_alias:
        joined = ArticleURL.__table__.join(joined, ArticleURL.article_id == Article.id)
    where = (ArticleURL.key if by_alias else Article.key) == bindparam("key")
    return (
        select(
            literal_column("1" if by_alias else "0").label("by_alias"),
            *Article.__table__.c,
            latest.c.id.label("latest_id"),
            latest.c.number.label("latest_number"),
            latest.c.content_hash.label("latest_hash"),
            latest.c.extractor_version.label("latest_extractor"),
            seen.label("seen"),
        )
        .select_from(joined)
        .where(where)
    )


# One statement for what a page record asks first; built once.
LOOK_UP = union_all(_candidates(False), _candidates(True))
ARTICLE_COLUMNS = tuple(column.key for column in Article.__table__.c)


def _found(row: Any) -> Found:
    article = Article(**{name: getattr(row, name) for name in ARTICLE_COLUMNS})
    make_transient_to_detached(article)
    latest = None
    if row.latest_id is not None:
        latest = LatestVersion(
            row.latest_id, row.latest_number, row.latest_hash, row.latest_extractor
        )
    return Found(article, latest, bool(row.seen), bool(row.by_alias))


def look_up(conn: Connection, url: str, *, run_id: int) -> Found | None:
    """The article whose identity key is ``url``'s, else the article ``url`` is an alias
    of (as ``article_by_url``), by one statement (Core: no ORM object is loaded, nor the
    session flushed)."""
    rows = conn.execute(LOOK_UP, {"key": url_key(url), "run_id": run_id}).all()
    first = min(rows, key=lambda row: int(row.by_alias), default=None)
    return _found(first) if first is not None else None


def find_article(
    conn: Connection, page: FetchedPage, *, digest: str, run_id: int, now: datetime
) -> Identity:
    """``resolve_identity`` for a page without move evidence (``move_evidence``: no
    redirect, no canonical link away from the URL asked for), by one Core statement: the
    article whose identity key is the page's; else the article the URL is an alias of,
    if it still says the same; else a new article (transient: ``created``, inserted by
    ``bookkeeping.save_article``). The article is a detached object: the caller writes
    its changes (``bookkeeping.save_article``)."""
    found = look_up(conn, page.identity_url, run_id=run_id)
    if found is not None and found.by_alias:
        # An old address: the same article if it still says the same, else reused.
        same = found.latest is not None and found.latest.content_hash == digest
        found = found if same else None
    if found is None:
        article = make_article(page.identity_url, run_id=run_id, now=now)
        return Identity(article, created=True, seen_in_run=False)
    return Identity(found.article, latest=found.latest, seen_in_run=found.seen_in_run)


__all__ = [
    "Found",
    "Identity",
    "alias_owner_if_same",
    "article_by_url",
    "find_article",
    "look_up",
    "make_article",
    "merge_into",
    "move_evidence",
    "new_article",
    "reached_through",
    "relocate",
    "resolve_identity",
]
