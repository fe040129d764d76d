"""Writing a crawl into the archive: runs, articles and aliases, versions, observations.

Each page is recorded atomically, so a crawl killed at any moment leaves a consistent
database, and the next run simply carries on. By default each call is its own
transaction. A crawl groups its pages into short transactions instead
(``ArchiveWriter(batch_seconds=…, batch_pages=…)``), committed once they are that old or
that large, together with the run's counts and the lock's heartbeat. A crawl killed with
``kill -9`` then loses at most the pages of its last open group — a second's work, which
the next run fetches again; the run's counts always match what was committed. When the
archive refuses one record of a group, the group is rolled back and its other records
are made again (a savepoint per record would cost every record what only a failure
needs), so that a refused page is undone alone. Removal is only ever applied by
``finish_run`` of a *complete* run.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, func, inspect, select, update
from sqlalchemy.orm import Session

from cfbu_crawler import __version__
from cfbu_crawler.archive import lock
from cfbu_crawler.archive.bookkeeping import (
    add_aliases,
    add_observation,
    count_page,
    observe_merged_away,
    observe_page,
    save_article,
    seen_in_run,
    touch,
    warc_columns,
)
from cfbu_crawler.archive.content import content_hash
from cfbu_crawler.archive.coverage import coverage_for_run, coverage_warnings
from cfbu_crawler.archive.db import session_factory
from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.archive.identity import (
    Found,
    Identity,
    find_article,
    look_up,
    move_evidence,
    resolve_identity,
)
from cfbu_crawler.archive.models import Article, HttpValidator, Observation, Run
from cfbu_crawler.archive.rawpages import store_raw_page
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.archive.versioning import revive, version_page
from cfbu_crawler.archive.vocabulary import (
    ANSWERED_OUTCOMES,
    PAGE_OUTCOMES,
    ArticleStatus,
    Outcome,
    RunStatus,
)
from cfbu_crawler.extract.result import error_text
from cfbu_crawler.warc.location import WarcLocation

logger = logging.getLogger(__name__)
T = TypeVar("T")
# One record's work inside a transaction: (session, the run) → its result.
Work = Callable[[Session, Run], Any]


@dataclass
class _Batch:
    """The open transaction of a batching writer: its session, the run, its age, and the
    work of the records it holds (made again if one of them fails)."""

    session: Session
    run: Run
    started: float
    done: list[Work] = field(default_factory=list)


class ArchiveWriter:
    """The crawl's connection to the archive: lock, run lifecycle and page records.

    ``batch_seconds``/``batch_pages``: group the page records into one transaction until
    it is that old or holds that many records (see the module's docstring); the default
    commits every call on its own. A batching writer is committed by ``commit()``,
    ``commit_if_due()`` (call it now and then: a group is only closed when asked),
    ``heartbeat()`` and ``finish_run()``.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        extractor_version: str,
        batch_seconds: float = 0.0,
        batch_pages: int = 1,
        pid: int | None = None,
    ) -> None:
        self.engine = engine
        self.pid = pid or os.getpid()  # the process the lock and the run name
        self.factory = session_factory(engine)
        self.extractor_version = extractor_version
        self.run_id: int | None = None
        self.replaced_holder: lock.Holder | None = None
        self.batch_seconds = batch_seconds
        self.batch_pages = max(1, batch_pages)
        self._batch: _Batch | None = None

    @property
    def batching(self) -> bool:
        return self.batch_pages > 1 or self.batch_seconds > 0

    # -- transactions ----------------------------------------------------------------
    def record(self, work: Callable[[Session, Run], T]) -> T:
        """Do one record's ``work``: in a transaction of its own, or in the open batch.
        When it fails in a batch, the batch is rolled back and its earlier records are
        made again, so that only the failed one is undone."""
        if not self.batching:
            with self.factory() as session:
                result = work(session, self._run(session))
                session.commit()
                return result
        batch = self._open_batch()
        try:
            result = work(batch.session, batch.run)
        except Exception:
            self._redo(batch)
            raise
        except BaseException:
            self.rollback()
            raise
        batch.done.append(work)
        self.commit_if_due()
        return result

    def _open_batch(self) -> _Batch:
        if self._batch is None:
            session = self.factory()
            self._batch = _Batch(session, self._run(session), time.monotonic())
        return self._batch

    def _redo(self, failed: _Batch) -> None:
        """Roll back a batch and make its records again in a new one; if even that fails
        (the database itself is in trouble), they are given up, logged, as after a crash:
        the next run fetches those pages again."""
        self.rollback()
        if not failed.done:
            return
        batch = self._open_batch()
        try:
            for work in failed.done:
                work(batch.session, batch.run)
        except Exception:
            logger.exception("archive: %d page record(s) rolled back", len(failed.done))
            self.rollback()
            return
        batch.done = list(failed.done)

    def commit_if_due(self) -> None:
        """Commit the open batch if it is old or large enough."""
        batch = self._batch
        if batch is None:
            return
        old = self.batch_seconds > 0 and time.monotonic() - batch.started >= self.batch_seconds
        if old or len(batch.done) >= self.batch_pages:
            self.commit()

    def commit(self) -> None:
        """Commit the open batch (if any): its pages, the run's counts, the heartbeat."""
        batch, self._batch = self._batch, None
        if batch is not None:
            with batch.session:
                try:
                    batch.run.heartbeat_at = utcnow()
                    lock.heartbeat(batch.session, pid=self.pid)
                    batch.session.commit()
                except Exception:
                    logger.exception("archive: %d page record(s) not committed", len(batch.done))
                    raise

    def rollback(self) -> None:
        """Give up the open batch (if any), as a crash would."""
        batch, self._batch = self._batch, None
        if batch is not None:
            batch.session.rollback()
            batch.session.close()

    # -- run lifecycle -------------------------------------------------------------
    def begin_run(
        self, *, start_url: str | None, full: bool, settings: dict[str, Any], kind: str = "crawl"
    ) -> int:
        """Take the lock (raises ``lock.LockHeld``), close stale runs, start a new run."""
        self.commit()
        self.replaced_holder = lock.acquire(self.factory, pid=self.pid)
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
                pid=self.pid,
            )
            session.add(run)
            session.commit()
            self.run_id = run.id
        lock.attach_run(self.factory, self.run_id, pid=self.pid)
        return self.run_id

    def heartbeat(self) -> None:
        """Tell other processes this crawl is alive, also while it writes nothing (long
        sitemap or listing phases): a lock without heartbeats goes stale. Commits the
        open batch first. Raises ``lock.LockHeld`` when the crawl lost its lock to another
        crawl (PostgreSQL)."""
        lock.verify(self.factory, pid=self.pid)
        self.commit()
        with self.factory() as session:
            self._run(session)
            session.commit()

    def _run(self, session: Session) -> Run:
        run = session.get(Run, self.run_id)
        assert run is not None, "begin_run() first"
        run.heartbeat_at = utcnow()
        lock.heartbeat(session, pid=self.pid)
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
        self.commit()
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
        lock.release(self.factory, pid=self.pid)
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
    def record_fetch(self, page: FetchedPage, errors: list[str]) -> tuple[Outcome, str | None]:
        """``record_fetch(self, page, errors)``: the page, or the fetch as an error."""
        return record_fetch(self, page, errors)

    def record_page(self, page: FetchedPage) -> Outcome:
        """Store one fetched article page, in one transaction: which article it is
        (``identity``), whether it makes a version (``versioning``), then its aliases,
        observation and the run's counts (``bookkeeping``). Returns the outcome: new,
        changed, unchanged or moved."""
        return self.record(lambda session, run: self._record_page(session, run, page))

    def _record_page(self, session: Session, run: Run, page: FetchedPage) -> Outcome:
        now = page.fetched_at or utcnow()
        raw_id = store_raw_page(
            session, page.raw, content_type=page.content_type, encoding=page.encoding
        )
        digest = content_hash(page.record)
        identity = self._identify(session, run, page, digest=digest, now=now)
        article = identity.article
        if identity.merged_away is not None:
            observe_merged_away(session, page, identity.merged_away, run_id=run.id, now=now)
        if identity.seen_in_run is None:
            first_in_run = identity.created or not seen_in_run(session, run.id, article.id)
        else:
            first_in_run = not identity.seen_in_run
        revive(article)
        touch(article, page, run_id=run.id, now=now)
        orm = inspect(article).session is not None
        if not orm:
            save_article(session, article, created=identity.created)
        versioned = version_page(
            session,
            article,
            page.record,
            digest=digest,
            run_id=run.id,
            raw_page_id=raw_id,
            extractor_version=self.extractor_version,
            missing=page.missing,
            now=now,
            new_article=identity.created,
            latest=identity.latest,
        )
        outcome = Outcome.MOVED if identity.moved_from is not None else versioned.outcome
        add_aliases(session, article, page.urls(), now)
        observe_page(
            session,
            page,
            run_id=run.id,
            article_id=article.id,
            outcome=outcome,
            version_id=versioned.version.id,
            raw_page_id=raw_id,
            now=now,
        )
        count_page(run, outcome, versioned, first_in_run=first_in_run)
        if orm:
            session.flush()  # nothing left for the ORM to write behind the next Core statement
        return outcome

    @staticmethod
    def _identify(
        session: Session, run: Run, page: FetchedPage, *, digest: str, now: datetime
    ) -> Identity:
        """Which article ``page`` is. Without move evidence (nearly every page) by Core
        statements (``find_article``: the article is a detached object, which
        ``_record_page`` saves). A move or a merge is resolved on the ORM's objects
        (``resolve_identity``); they must see what the batch wrote by Core statements
        (the session's objects may be older: expired) and the ORM's own changes must be
        written before the next Core statement (flushed, here and when the record is
        done)."""
        if not move_evidence(page):
            return find_article(session.connection(), page, digest=digest, run_id=run.id, now=now)
        session.flush()
        session.expire_all()
        return resolve_identity(session, page, digest=digest, run=run, now=now)

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

        def work(session: Session, run: Run) -> None:
            found = look_up(session.connection(), url, run_id=run.id)
            raw_id = None
            if raw:
                raw_id = store_raw_page(session, raw, content_type=content_type, encoding=None)
            version_id = None
            if found is not None and outcome in (Outcome.NOT_MODIFIED, Outcome.SKIPPED):
                version_id = self._confirm(session, run, found, sitemap_lastmod, sitemap_url, now)
            add_observation(
                session,
                run_id=run.id,
                article_id=found.article.id if found else None,
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
            if outcome == Outcome.ERROR:
                run.errors += 1

        self.record(work)

    @staticmethod
    def _confirm(
        session: Session,
        run: Run,
        found: Found,
        sitemap_lastmod: str | None,
        sitemap_url: str | None,
        now: datetime,
    ) -> int | None:
        """An article the site (304) or its sitemap vouched for as unchanged: seen now,
        counted unchanged once per run. Returns its latest version's id."""
        if not found.seen_in_run:
            run.unchanged += 1
        article = found.article
        article.last_seen = now
        article.last_run_id = run.id
        if sitemap_lastmod:
            # A 304 for a new sitemap lastmod: remember it, so next run skips it.
            article.sitemap_lastmod = sitemap_lastmod
            article.sitemap_url = sitemap_url
        save_article(session, article, created=False)
        return found.latest.id if found.latest else None


class PageRecorder(Protocol):
    """What ``record_fetch`` needs of a writer (an ``ArchiveWriter``, or a test's)."""

    def record_page(self, page: FetchedPage) -> Outcome: ...

    def record_outcome(
        self,
        url: str,
        outcome: Outcome,
        *,
        status: int | None = ...,
        error: str | None = ...,
        raw: bytes | None = ...,
        content_type: str | None = ...,
        final_url: str | None = ...,
        via: str | None = ...,
        warc: WarcLocation | None = ...,
    ) -> None: ...


def record_fetch(
    writer: PageRecorder, page: FetchedPage, errors: list[str]
) -> tuple[Outcome, str | None]:
    """Archive one fetched article page. When extraction crashed (``errors``: the lines of
    ``Extraction.error_lines``), or the archive refused the record, the fetch is kept as
    an ``error`` with its raw page instead: an extractor bug must not look like the site
    dropping a field, and nothing is lost silently (docs/record.md, "When extraction
    fails"). Returns the outcome and, when the archive refused the page, why (with the
    traceback, for the log)."""
    refused = None
    if not errors:
        try:
            return writer.record_page(page), None
        except Exception as exc:  # the page must still be accounted for
            refused = traceback.format_exc()
            errors = [f"archive: {type(exc).__name__}: {exc}"]
    writer.record_outcome(
        page.requested_url,
        Outcome.ERROR,
        status=page.status,
        error=error_text(errors),
        raw=page.raw,
        content_type=page.content_type,
        final_url=page.final_url,
        via=page.via,
        warc=page.warc,
    )
    return Outcome.ERROR, refused


__all__ = ["ArchiveWriter", "FetchedPage", "record_fetch"]
