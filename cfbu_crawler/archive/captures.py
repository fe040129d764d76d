"""What a run fetched, as the archive recorded it: for WARC export and for tests.

``cfbu export --format warc`` copies a run's WARC files when they exist; when they are
gone it rebuilds the run's captures from these rows (the observations and the bodies in
``raw_pages``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select

from cfbu_crawler.archive.db import ArchiveError, session_factory
from cfbu_crawler.archive.models import Observation, RawPage, Run
from cfbu_crawler.archive.rawpages import raw_content


@dataclass(frozen=True)
class StoredCapture:
    """One fetch of a run: its observation and the body the archive kept of it."""

    observation_id: int
    url: str  # the URL asked for
    final_url: str | None  # the URL that answered
    status: int | None
    fetched_at: datetime
    outcome: str
    article_id: int | None
    content: bytes | None  # the body (decompressed), None when none was kept
    content_type: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_length: int | None

    @property
    def answered_url(self) -> str:
        return self.final_url or self.url


def crawl_runs(engine: Engine) -> list[int]:
    """The ids of the crawl runs (reparse runs fetch nothing), oldest first."""
    with session_factory(engine)() as session:
        return list(session.scalars(select(Run.id).where(Run.kind == "crawl").order_by(Run.id)))


def check_crawl_run(engine: Engine, run_id: int) -> None:
    """Refuse, in one line, a run that does not exist or fetched nothing."""
    with session_factory(engine)() as session:
        run = session.get(Run, run_id)
        if run is None:
            raise ArchiveError(f"the archive holds no run {run_id} (see `cfbu runs`)")
        if run.kind != "crawl":
            raise ArchiveError(f"run {run_id} is a {run.kind}: it fetched nothing")


def run_warc_files(engine: Engine, run_id: int) -> set[str]:
    """The WARC files the run's observations point to."""
    with session_factory(engine)() as session:
        return set(
            session.scalars(
                select(Observation.warc_file)
                .where(Observation.run_id == run_id, Observation.warc_file.is_not(None))
                .distinct()
            )
        )


def stored_captures(engine: Engine, run_id: int) -> Iterator[StoredCapture]:
    """The run's observations of fetches (not the skipped ones), in the order made, each
    with its stored body; one body in memory at a time."""
    query = (
        select(Observation, RawPage)
        .outerjoin(RawPage, RawPage.id == Observation.raw_page_id)
        .where(Observation.run_id == run_id, Observation.status_code.is_not(None))
        .order_by(Observation.id)
    )
    with session_factory(engine)() as session:
        for observation, raw in session.execute(query).yield_per(50):
            yield StoredCapture(
                observation_id=observation.id,
                url=observation.url,
                final_url=observation.final_url,
                status=observation.status_code,
                fetched_at=observation.fetched_at,
                outcome=observation.outcome,
                article_id=observation.article_id,
                content=raw_content(raw) if raw is not None else None,
                content_type=raw.content_type if raw is not None else None,
                warc_file=observation.warc_file,
                warc_offset=observation.warc_offset,
                warc_length=observation.warc_length,
            )
            session.expunge_all()


__all__ = [
    "StoredCapture",
    "check_crawl_run",
    "crawl_runs",
    "run_warc_files",
    "stored_captures",
]
