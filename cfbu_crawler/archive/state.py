"""What a new crawl needs to know about the archive: known articles, their validators,
and the URLs that failed last time (read once at the start of a crawl)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.db import session_factory
from cfbu_crawler.archive.models import Article, ArticleURL, HttpValidator, Observation, Run
from cfbu_crawler.archive.vocabulary import PAGE_OUTCOMES, ArticleStatus, Outcome, RunStatus
from cfbu_crawler.extract.urls import url_key


@dataclass(frozen=True)
class KnownArticle:
    id: int
    url: str
    status: str
    etag: str | None
    last_modified: str | None
    sitemap_lastmod: str | None
    sitemap_url: str | None
    needs_fetch: bool  # its last fetch failed: fetch it again whatever the validators say
    # The URL to request it by directly: the last URL the site served it under. ``url`` is
    # the identity, which need not be servable: the old scheme's ``/nyheder/nyhed/<slug>/``
    # has its ``page/N/`` segment dropped, and the trailing slash is added by normalising.
    fetch_url: str = ""

    def __post_init__(self) -> None:
        if not self.fetch_url:
            object.__setattr__(self, "fetch_url", self.url)


@dataclass
class CrawlState:
    articles: dict[int, KnownArticle] = field(default_factory=dict)
    by_key: dict[str, int] = field(default_factory=dict)  # identity and alias keys → id
    retry_urls: list[str] = field(default_factory=list)  # unknown URLs that failed last time
    # ETag / Last-Modified of listing pages and sitemaps, by URL.
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    has_complete_run: bool = False

    def article_for_key(self, key: str) -> KnownArticle | None:
        """The known article an identity or alias key (``url_key``) belongs to; a URL
        that is not a key finds nothing (ArchiveView.lookup takes URLs)."""
        article_id = self.by_key.get(key)
        return self.articles.get(article_id) if article_id is not None else None

    def live(self) -> list[KnownArticle]:
        return [a for a in self.articles.values() if a.status == ArticleStatus.LIVE]


def load_crawl_state(engine: Engine) -> CrawlState:
    state = CrawlState()
    with session_factory(engine)() as session:
        # Fetches that failed since the last complete crawl (inclusive) and have not
        # succeeded since: fetched again, whatever the validators say. Looking further back
        # than the last run matters when a run in between was interrupted or failed.
        last_complete = session.scalar(
            select(func.max(Run.id)).where(Run.kind == "crawl", Run.status == RunStatus.COMPLETE)
        )
        since = last_complete or 0
        failed: set[int] = set()
        failed_urls: dict[str, int] = {}
        later_success: dict[int, int] = {
            article_id: obs_id
            for article_id, obs_id in session.execute(
                select(Observation.article_id, func.max(Observation.id))
                .where(
                    Observation.run_id >= since,
                    Observation.article_id.is_not(None),
                    Observation.outcome != Outcome.ERROR,
                )
                .group_by(Observation.article_id)
            )
            if article_id is not None  # excluded by the query; narrows the type
        }
        for obs_id, article_id, url in session.execute(
            select(Observation.id, Observation.article_id, Observation.url).where(
                Observation.run_id >= since, Observation.outcome == Outcome.ERROR
            )
        ):
            if article_id is not None:
                if later_success.get(article_id, 0) < obs_id:
                    failed.add(article_id)
            else:
                failed_urls[url] = obs_id
        served = _served_urls(session)
        for article in session.scalars(select(Article)):
            fetch_url = served.get(article.id)
            if fetch_url is None or url_key(fetch_url) != article.key:
                fetch_url = article.url
            state.articles[article.id] = KnownArticle(
                id=article.id,
                url=article.url,
                status=article.status,
                etag=article.etag,
                last_modified=article.last_modified,
                sitemap_lastmod=article.sitemap_lastmod,
                sitemap_url=article.sitemap_url,
                needs_fetch=article.id in failed,
                fetch_url=fetch_url,
            )
            state.by_key[article.key] = article.id
        for key, article_id in session.execute(select(ArticleURL.key, ArticleURL.article_id)):
            state.by_key.setdefault(key, article_id)
        for row in session.scalars(select(HttpValidator)):
            state.validators[row.key] = (row.etag, row.last_modified)
        state.retry_urls = [u for u in failed_urls if url_key(u) not in state.by_key]
        state.has_complete_run = (
            session.scalar(
                select(Run.id).where(Run.status == RunStatus.COMPLETE, Run.kind == "crawl").limit(1)
            )
            is not None
        )
    return state


def _served_urls(session: Session) -> dict[int, str]:
    """Each article's URL in its newest page fetch answered 200 (after redirects)."""
    newest = (
        select(func.max(Observation.id).label("id"))
        .where(
            Observation.article_id.is_not(None),
            Observation.status_code == 200,
            Observation.outcome.in_(PAGE_OUTCOMES),
        )
        .group_by(Observation.article_id)
        .subquery()
    )
    rows = session.execute(
        select(Observation.article_id, Observation.final_url, Observation.url).join(
            newest, newest.c.id == Observation.id
        )
    )
    return {article_id: final or url for article_id, final, url in rows if article_id is not None}
