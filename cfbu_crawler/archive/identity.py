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

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from cfbu_crawler.archive import search
from cfbu_crawler.archive.content import changed_fields
from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.archive.models import Article, ArticleURL, Observation, Run, Version
from cfbu_crawler.archive.versioning import latest_version
from cfbu_crawler.archive.vocabulary import ArticleStatus, Outcome
from cfbu_crawler.extract.urls import slug_of, url_key


@dataclass(frozen=True)
class Identity:
    """The article a page belongs to, and what the fetch revealed about it."""

    article: Article
    moved_from: str | None = None  # the article moved: its URL before this fetch
    merged_away: Article | None = None  # a known article that now redirects to this one
    # A new article, added now: it has no versions or observations, nor an id before the
    # session's next flush.
    created: bool = False


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


def new_article(
    session: Session, url: str, *, run_id: int, now: datetime, flush: bool = True
) -> Article:
    """A new article first seen now at ``url``. Without ``flush`` it is only added to the
    session (no id yet): it is inserted with whatever is flushed next (its first version)."""
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


__all__ = [
    "Identity",
    "alias_owner_if_same",
    "article_by_url",
    "merge_into",
    "move_evidence",
    "new_article",
    "reached_through",
    "relocate",
    "resolve_identity",
]
