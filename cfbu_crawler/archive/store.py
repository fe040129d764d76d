"""Writing a crawl into the archive: runs, articles and aliases, versions, observations.

Each call is one transaction, so a crawl killed at any moment leaves a consistent
database, and the next run simply carries on. Removal is only ever applied by
``finish_run`` of a *complete* run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from cfbu_crawler import __version__
from cfbu_crawler.archive import lock
from cfbu_crawler.archive.content import changed_fields, content_hash, content_of
from cfbu_crawler.archive.coverage import coverage_for_run, coverage_warnings
from cfbu_crawler.archive.db import session_factory
from cfbu_crawler.archive.models import (
    CAUSE_EXTRACTOR,
    CAUSE_SITE,
    COMPLETE,
    GONE,
    INTERRUPTED,
    LIVE,
    RUNNING,
    Article,
    ArticleURL,
    BreadcrumbItem,
    HttpValidator,
    Observation,
    QAPair,
    Run,
    Version,
)
from cfbu_crawler.archive.rawpages import store_raw_page
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.extract.urls import slug_of, url_key


@dataclass
class FetchedPage:
    """What the crawler hands the archive for one fetched article page."""

    requested_url: str
    final_url: str
    identity_url: str
    status: int
    record: dict[str, Any]
    raw: bytes
    content_type: str | None = None
    encoding: str | None = None
    redirect_urls: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    sitemap_lastmod: str | None = None
    sitemap_url: str | None = None
    fetched_at: datetime | None = None
    missing: list[str] = field(default_factory=list)


def _add_version(
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
) -> Version:
    number = (
        session.scalar(select(func.max(Version.number)).where(Version.article_id == article.id))
        or 0
    ) + 1
    content = content_of(record)
    version = Version(
        article_id=article.id,
        number=number,
        run_id=run_id,
        created_at=now,
        cause=cause,
        changed_fields=changed,
        content_hash=digest,
        extractor_version=extractor_version,
        raw_page_id=raw_page_id,
        url=article.url,
        missing=list(missing),
        **content,
    )
    version.breadcrumb_items = [
        BreadcrumbItem(position=i, label=label) for i, label in enumerate(content["breadcrumb"])
    ]
    version.qa_pairs = [
        QAPair(position=i, question=pair.get("question", ""), answer=pair.get("answer", ""))
        for i, pair in enumerate(content["qa"])
    ]
    session.add(version)
    session.flush()
    return version


def latest_version(session: Session, article_id: int) -> Version | None:
    return session.scalar(
        select(Version).where(Version.article_id == article_id).order_by(Version.number.desc())
    )


def seen_in_run(session: Session, run_id: int, article_id: int) -> bool:
    """Has this run already observed the article (so its counts must not grow again)?"""
    return bool(
        session.scalar(
            select(func.count(Observation.id)).where(
                Observation.run_id == run_id,
                Observation.article_id == article_id,
                Observation.outcome != "error",
            )
        )
    )


def find_article(session: Session, url: str) -> Article | None:
    """The article a URL belongs to, by its identity key or any alias."""
    key = url_key(url)
    article = session.scalar(select(Article).where(Article.key == key))
    if article is not None:
        return article
    alias = session.scalar(select(ArticleURL).where(ArticleURL.key == key))
    return alias.article if alias is not None else None


def _add_alias(session: Session, article: Article, url: str, now: datetime) -> None:
    key = url_key(url)
    alias = session.scalar(select(ArticleURL).where(ArticleURL.key == key))
    if alias is None:
        session.add(
            ArticleURL(article_id=article.id, key=key, url=url, first_seen=now, last_seen=now)
        )
    else:
        alias.article_id = article.id
        alias.last_seen = now


class ArchiveWriter:
    """The crawl's connection to the archive: lock, run lifecycle and page records."""

    def __init__(self, engine: Engine, *, extractor_version: str) -> None:
        self.engine = engine
        self.factory = session_factory(engine)
        self.extractor_version = extractor_version
        self.run_id: int | None = None
        self.replaced_holder: lock.Holder | None = None

    # -- run lifecycle -------------------------------------------------------------
    def begin_run(
        self, *, start_url: str | None, full: bool, settings: dict[str, Any], kind: str = "crawl"
    ) -> int:
        """Take the lock (raises ``lock.LockHeld``), close stale runs, start a new run."""
        self.replaced_holder = lock.acquire(self.factory)
        now = utcnow()
        with self.factory() as session:
            # Any run still 'running' now has no live process behind it.
            session.execute(
                update(Run)
                .where(Run.status == RUNNING)
                .values(
                    status=INTERRUPTED,
                    finished_at=func.coalesce(Run.heartbeat_at, Run.started_at),
                    finish_reason="stale",
                )
            )
            run = Run(
                kind=kind,
                status=RUNNING,
                started_at=now,
                heartbeat_at=now,
                start_url=start_url,
                full=full,
                settings=settings,
                software_version=__version__,
                extractor_version=self.extractor_version,
                host=lock.this_host(),
                pid=os.getpid(),
            )
            session.add(run)
            session.commit()
            self.run_id = run.id
        lock.attach_run(self.factory, self.run_id)
        return self.run_id

    def heartbeat(self) -> None:
        """Tell other processes this crawl is alive, also while it writes nothing (long
        sitemap or listing phases): a lock without heartbeats goes stale."""
        with self.factory() as session:
            self._run(session)
            session.commit()

    def _run(self, session: Session) -> Run:
        run = session.get(Run, self.run_id)
        assert run is not None, "begin_run() first"
        run.heartbeat_at = utcnow()
        lock.heartbeat(session)
        return run

    def finish_run(
        self,
        status: str,
        *,
        reason: str | None,
        requests: int = 0,
        bytes_received: int = 0,
        listing_complete: bool = False,
        validators: dict[str, tuple[str, str | None, str | None]] | None = None,
    ) -> Run:
        """Close the run. A complete run applies the removals it verified (404/410)."""
        now = utcnow()
        with self.factory() as session:
            run = self._run(session)
            if status == COMPLETE:
                gone_ids = session.scalars(
                    select(Observation.article_id)
                    .where(
                        Observation.run_id == run.id,
                        Observation.outcome == "gone",
                        Observation.article_id.is_not(None),
                    )
                    .distinct()
                ).all()
                removed = 0
                for article_id in gone_ids:
                    article = session.get(Article, article_id)
                    # Seen live again later in this same run (e.g. answered after a retry)?
                    seen_live = session.scalar(
                        select(func.count(Observation.id)).where(
                            Observation.run_id == run.id,
                            Observation.article_id == article_id,
                            Observation.outcome.in_(
                                ("new", "changed", "unchanged", "not_modified", "moved")
                            ),
                        )
                    )
                    if article is not None and article.status == LIVE and not seen_live:
                        article.status = GONE
                        article.gone_since = now
                        article.gone_run_id = run.id
                        removed += 1
                run.removed = removed
                # Only a complete run may vouch for listing pages and sitemaps.
                self._save_validators(session, run.id, validators or {}, now)
            run.status = status
            run.finished_at = now
            run.finish_reason = (reason or "")[:64] or None  # the column is String(64)
            run.requests = requests
            run.bytes_received = bytes_received
            run.listing_complete = listing_complete
            session.flush()
            run.coverage = coverage_for_run(session, run.id)
            if status == COMPLETE:
                previous = session.scalar(
                    select(Run)
                    .where(Run.status == COMPLETE, Run.id < run.id, Run.kind == "crawl")
                    .order_by(Run.id.desc())
                )
                run.warnings = coverage_warnings(
                    previous.coverage if previous else None, run.coverage
                )
            session.commit()
            session.refresh(run)
            session.expunge(run)
        lock.release(self.factory)
        return run

    @staticmethod
    def _save_validators(
        session: Session,
        run_id: int,
        validators: dict[str, tuple[str, str | None, str | None]],
        now: datetime,
    ) -> None:
        for url, (kind, etag, last_modified) in validators.items():
            row = session.scalar(select(HttpValidator).where(HttpValidator.key == url))
            if row is None:
                row = HttpValidator(key=url, kind=kind)
                session.add(row)
            row.etag, row.last_modified, row.run_id, row.updated_at = (
                etag,
                last_modified,
                run_id,
                now,
            )

    # -- page records ----------------------------------------------------------------
    def record_page(self, page: FetchedPage) -> str:
        """Store one fetched article page; returns the outcome
        (new, changed, unchanged or moved)."""
        now = page.fetched_at or utcnow()
        with self.factory() as session:
            run = self._run(session)
            raw = store_raw_page(
                session, page.raw, content_type=page.content_type, encoding=page.encoding
            )
            digest = content_hash(page.record)
            key = url_key(page.identity_url)
            article = session.scalar(select(Article).where(Article.key == key))
            # A move needs evidence: a redirect, or a canonical link away from the URL asked
            # for. An old URL merely answering again (a slug reused for a new article) is not.
            evidence = page.redirect_urls or (
                [page.requested_url] if url_key(page.requested_url) != key else []
            )
            previous: Article | None = None
            for url in evidence:
                candidate = find_article(session, url)
                if candidate is not None and (article is None or candidate.id != article.id):
                    previous = candidate
                    break
            outcome: str
            if article is None and previous is None:
                # Answered under a URL that is an alias of a known article: the same article
                # only if it still says the same thing; otherwise the address was reused.
                alias_owner = find_article(session, page.identity_url)
                owner_latest = latest_version(session, alias_owner.id) if alias_owner else None
                if owner_latest is not None and owner_latest.content_hash == digest:
                    article = alias_owner
            moved_from: str | None = None
            if previous is not None and (
                article is None or self._merge_new_into(session, article, previous, run)
            ):
                # Reached through a URL of a known article and answered under another one:
                # the article moved. Same row, new URL, old URL kept as an alias.
                moved_from = previous.url
                article = previous
                article.key = key
                article.url = page.identity_url
                article.slug = slug_of(page.identity_url)
            elif previous is not None:
                # A known article now redirects to another known article (merged by the
                # site's editors): the old one no longer exists on its own. Like a 404, a
                # complete run will mark it gone.
                session.add(
                    Observation(
                        run_id=run.id,
                        article_id=previous.id,
                        url=page.requested_url,
                        final_url=page.final_url,
                        status_code=301,
                        fetched_at=now,
                        outcome="gone",
                        error=f"redirects to {page.identity_url}",
                    )
                )
            if article is None:
                article = Article(
                    key=key,
                    url=page.identity_url,
                    slug=slug_of(page.identity_url),
                    status=LIVE,
                    first_seen=now,
                    last_seen=now,
                    first_run_id=run.id,
                    last_run_id=run.id,
                )
                session.add(article)
                session.flush()
            already_seen = seen_in_run(session, run.id, article.id)
            latest = latest_version(session, article.id)
            cause = CAUSE_SITE
            if latest is not None and latest.content_hash != digest:
                cause = self._cause_of_change(session, article.id, latest, raw.id)
            if latest is None or latest.content_hash != digest:
                version = _add_version(
                    session,
                    article,
                    page.record,
                    run_id=run.id,
                    cause=cause,
                    changed=changed_fields(latest, page.record) if latest else [],
                    digest=digest,
                    extractor_version=self.extractor_version,
                    raw_page_id=raw.id,
                    missing=page.missing,
                    now=now,
                )
                outcome = "new" if latest is None else "changed"
            else:
                version = latest
                outcome = "unchanged"
            if moved_from is not None:
                outcome = "moved"
            if article.status == GONE:
                article.status = LIVE  # back again
                article.gone_since = None
                article.gone_run_id = None
            article.last_seen = now
            article.last_run_id = run.id
            article.etag = page.etag
            article.last_modified = page.last_modified
            if page.sitemap_lastmod:
                article.sitemap_lastmod = page.sitemap_lastmod
                article.sitemap_url = page.sitemap_url
            for url in {page.identity_url, page.final_url, page.requested_url, *page.redirect_urls}:
                if url:
                    _add_alias(session, article, url, now)
            session.add(
                Observation(
                    run_id=run.id,
                    article_id=article.id,
                    url=page.requested_url,
                    final_url=page.final_url,
                    status_code=page.status,
                    fetched_at=now,
                    outcome=outcome,
                    version_id=version.id,
                    raw_page_id=raw.id,
                    bytes=len(page.raw),
                )
            )
            run.pages += 1
            if not already_seen:
                if outcome == "new":
                    run.new += 1
                elif outcome == "changed" and cause == CAUSE_SITE:
                    run.changed += 1
                else:  # unchanged, or changed only by a newer extractor
                    run.unchanged += 1
            if outcome == "moved":
                run.moved += 1
                if version is not latest and latest is not None:
                    run.changed += 1
            session.commit()
            return outcome

    def _cause_of_change(
        self, session: Session, article_id: int, latest: Version, raw_page_id: int
    ) -> str:
        """Same bytes as the last fetch but a different extractor: the change is ours, not
        the site's (an upgrade of cfbu must not show up in `diff` as edits of the site)."""
        last_raw = session.scalar(
            select(Observation.raw_page_id)
            .where(Observation.article_id == article_id, Observation.raw_page_id.is_not(None))
            .order_by(Observation.id.desc())
            .limit(1)
        )
        if last_raw == raw_page_id and latest.extractor_version != self.extractor_version:
            return CAUSE_EXTRACTOR
        return CAUSE_SITE

    def _merge_new_into(self, session: Session, newer: Article, older: Article, run: Run) -> bool:
        """``newer`` appeared (in this run or an earlier one) only after ``older`` was last
        seen, under the URL that ``older`` now redirects to: it is ``older``, moved; fold it
        in. Returns False when ``newer`` has a life of its own."""
        if newer.first_run_id <= older.last_run_id:
            return False
        for version in session.scalars(
            select(Version).where(Version.article_id == newer.id).order_by(Version.number)
        ):
            latest = latest_version(session, older.id)
            if latest is not None and latest.content_hash == version.content_hash:
                session.execute(
                    update(Observation)
                    .where(Observation.version_id == version.id)
                    .values(version_id=latest.id)
                )
                session.delete(version)
            else:
                version.article_id = older.id
                version.number = (latest.number if latest else 0) + 1
                version.changed_fields = changed_fields(latest, version) if latest else []
                run.changed += 1
            session.flush()
        session.execute(
            update(Observation)
            .where(Observation.article_id == newer.id)
            .values(article_id=older.id)
        )
        session.execute(
            update(ArticleURL).where(ArticleURL.article_id == newer.id).values(article_id=older.id)
        )
        if newer.first_run_id == run.id:
            run.new = max(0, run.new - 1)
        session.flush()
        session.expire(newer)
        session.execute(Article.__table__.delete().where(Article.id == newer.id))
        session.flush()
        return True

    def record_outcome(
        self,
        url: str,
        outcome: str,
        *,
        status: int | None = None,
        error: str | None = None,
        raw: bytes | None = None,
        content_type: str | None = None,
        final_url: str | None = None,
        sitemap_lastmod: str | None = None,
        sitemap_url: str | None = None,
    ) -> None:
        """Record a fetch that made no version: ``not_modified`` (304), ``gone``
        (404/410), ``error`` (failed after retries) or ``skipped`` (sitemap says unchanged)."""
        now = utcnow()
        with self.factory() as session:
            run = self._run(session)
            article = find_article(session, url)
            raw_id = None
            if raw:
                raw_id = store_raw_page(session, raw, content_type=content_type, encoding=None).id
            version_id = None
            if article is not None and outcome in ("not_modified", "skipped"):
                latest = latest_version(session, article.id)
                version_id = latest.id if latest else None
                if not seen_in_run(session, run.id, article.id):
                    run.unchanged += 1
                article.last_seen = now
                article.last_run_id = run.id
                if sitemap_lastmod:
                    # A 304 for a new sitemap lastmod: remember it, so next run skips it.
                    article.sitemap_lastmod = sitemap_lastmod
                    article.sitemap_url = sitemap_url
            session.add(
                Observation(
                    run_id=run.id,
                    article_id=article.id if article else None,
                    url=url,
                    final_url=final_url,
                    status_code=status,
                    fetched_at=now,
                    outcome=outcome,
                    version_id=version_id,
                    raw_page_id=raw_id,
                    bytes=len(raw or b""),
                    error=error,
                )
            )
            if outcome == "error":
                run.errors += 1
            session.commit()


__all__ = ["ArchiveWriter", "FetchedPage", "INTERRUPTED", "COMPLETE"]
