"""Writing a crawl into the archive: runs, articles and aliases, versions, observations.

Each call is one transaction, so a crawl killed at any moment leaves a consistent
database, and the next run simply carries on. Removal is only ever applied by
``finish_run`` of a *complete* run.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from cfbu_crawler import __version__
from cfbu_crawler.archive import lock
from cfbu_crawler.archive.bookkeeping import (
    add_aliases,
    count_page,
    observe_merged_away,
    observe_page,
    seen_in_run,
    touch,
    warc_columns,
)
from cfbu_crawler.archive.content import content_hash
from cfbu_crawler.archive.coverage import coverage_for_run, coverage_warnings
from cfbu_crawler.archive.db import session_factory
from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.archive.identity import article_by_url, resolve_identity
from cfbu_crawler.archive.models import Article, HttpValidator, Observation, Run
from cfbu_crawler.archive.rawpages import store_raw_page
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.archive.versioning import latest_version, revive, version_page
from cfbu_crawler.archive.vocabulary import (
    ANSWERED_OUTCOMES,
    PAGE_OUTCOMES,
    ArticleStatus,
    Outcome,
    RunStatus,
)
from cfbu_crawler.warc.location import WarcLocation


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
                .where(Run.status == RunStatus.RUNNING)
                .values(
                    status=RunStatus.INTERRUPTED,
                    finished_at=func.coalesce(Run.heartbeat_at, Run.started_at),
                    finish_reason="stale",
                )
            )
            run = Run(
                kind=kind,
                status=RunStatus.RUNNING,
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
        status: RunStatus,
        *,
        reason: str | None,
        requests: int = 0,
        bytes_received: int = 0,
        listing_complete: bool = False,
        validators: dict[str, tuple[str, str | None, str | None]] | None = None,
    ) -> Run:
        """Close the run. A complete run applies the removals it verified (404/410)."""
        status = RunStatus(status)
        now = utcnow()
        with self.factory() as session:
            run = self._run(session)
            if status == RunStatus.COMPLETE:
                run.removed = self._apply_removals(session, run.id, now)
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
            if status == RunStatus.COMPLETE:
                previous = session.scalar(
                    select(Run)
                    .where(Run.status == RunStatus.COMPLETE, Run.id < run.id, Run.kind == "crawl")
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
    def _apply_removals(session: Session, run_id: int, now: datetime) -> int:
        """Mark gone the live articles this (complete) run found removed (404/410, or
        redirected away) and did not see live again later in the run (e.g. answered
        after a retry). Returns how many."""
        gone_ids = session.scalars(
            select(Observation.article_id)
            .where(
                Observation.run_id == run_id,
                Observation.outcome == Outcome.GONE,
                Observation.article_id.is_not(None),
            )
            .distinct()
        ).all()
        removed = 0
        for article_id in gone_ids:
            article = session.get(Article, article_id)
            seen_live = session.scalar(
                select(func.count(Observation.id)).where(
                    Observation.run_id == run_id,
                    Observation.article_id == article_id,
                    Observation.outcome.in_(ANSWERED_OUTCOMES),
                )
            )
            if article is not None and article.status == ArticleStatus.LIVE and not seen_live:
                article.status = ArticleStatus.GONE
                article.gone_since = now
                article.gone_run_id = run_id
                removed += 1
        return removed

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
    def record_page(self, page: FetchedPage) -> Outcome:
        """Store one fetched article page, in one transaction: which article it is
        (``identity``), whether it makes a version (``versioning``), then its aliases,
        observation and the run's counts (``bookkeeping``). Returns the outcome: new,
        changed, unchanged or moved."""
        now = page.fetched_at or utcnow()
        with self.factory() as session:
            run = self._run(session)
            raw = store_raw_page(
                session, page.raw, content_type=page.content_type, encoding=page.encoding
            )
            digest = content_hash(page.record)
            identity = resolve_identity(session, page, digest=digest, run=run, now=now)
            article = identity.article
            if identity.merged_away is not None:
                observe_merged_away(session, page, identity.merged_away, run_id=run.id, now=now)
            first_in_run = not seen_in_run(session, run.id, article.id)
            versioned = version_page(
                session,
                article,
                page.record,
                digest=digest,
                run_id=run.id,
                raw_page_id=raw.id,
                extractor_version=self.extractor_version,
                missing=page.missing,
                now=now,
            )
            outcome = Outcome.MOVED if identity.moved_from is not None else versioned.outcome
            revive(article)
            touch(article, page, run_id=run.id, now=now)
            add_aliases(session, article, page.urls(), now)
            observe_page(
                session,
                page,
                run_id=run.id,
                article_id=article.id,
                outcome=outcome,
                version_id=versioned.version.id,
                raw_page_id=raw.id,
                now=now,
            )
            count_page(run, outcome, versioned, first_in_run=first_in_run)
            session.commit()
            return outcome

    def record_outcome(
        self,
        url: str,
        outcome: Outcome,
        *,
        status: int | None = None,
        error: str | None = None,
        raw: bytes | None = None,
        content_type: str | None = None,
        final_url: str | None = None,
        sitemap_lastmod: str | None = None,
        sitemap_url: str | None = None,
        via: str | None = None,
        warc: WarcLocation | None = None,
    ) -> None:
        """Record a fetch that made no version: ``not_modified`` (304), ``gone``
        (404/410), ``error`` (failed after retries) or ``skipped`` (sitemap says unchanged)."""
        outcome = Outcome(outcome)
        if outcome in PAGE_OUTCOMES:
            raise ValueError(f"a {outcome} page is recorded with record_page()")
        now = utcnow()
        with self.factory() as session:
            run = self._run(session)
            article = article_by_url(session, url)
            raw_id = None
            if raw:
                raw_id = store_raw_page(session, raw, content_type=content_type, encoding=None).id
            version_id = None
            if article is not None and outcome in (Outcome.NOT_MODIFIED, Outcome.SKIPPED):
                version_id = self._confirm(session, run, article, sitemap_lastmod, sitemap_url, now)
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
                    via=via,
                    **warc_columns(warc),
                )
            )
            if outcome == Outcome.ERROR:
                run.errors += 1
            session.commit()

    @staticmethod
    def _confirm(
        session: Session,
        run: Run,
        article: Article,
        sitemap_lastmod: str | None,
        sitemap_url: str | None,
        now: datetime,
    ) -> int | None:
        """An article the site (304) or its sitemap vouched for as unchanged: seen now,
        counted unchanged once per run. Returns its latest version's id."""
        latest = latest_version(session, article.id)
        if not seen_in_run(session, run.id, article.id):
            run.unchanged += 1
        article.last_seen = now
        article.last_run_id = run.id
        if sitemap_lastmod:
            # A 304 for a new sitemap lastmod: remember it, so next run skips it.
            article.sitemap_lastmod = sitemap_lastmod
            article.sitemap_url = sitemap_url
        return latest.id if latest else None


__all__ = ["ArchiveWriter", "FetchedPage"]
