"""Extraction health: per-field coverage of a run and warnings when it drops.

A site redesign rarely breaks a crawl outright; it makes extraction quietly find fewer
dates or breadcrumbs. Each run stores the share of its articles with each field, and a
complete run is compared with the previous complete one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.models import Observation, Version
from cfbu_crawler.archive.vocabulary import COVERAGE_FIELDS
from cfbu_crawler.extract.qa import looks_like_interview

# A drop of this many percentage points (or more) is a warning.
DROP_THRESHOLD = 0.15


def coverage_of(versions: Iterable[Any]) -> dict[str, Any]:
    """The coverage of some versions (anything with the record's fields as attributes),
    read in one pass."""
    total = interviews = with_qa = 0
    have = dict.fromkeys(COVERAGE_FIELDS, 0)
    for v in versions:
        total += 1
        for field in COVERAGE_FIELDS:
            if getattr(v, field):
                have[field] += 1
        if v.qa or looks_like_interview(v.body):
            interviews += 1
            with_qa += bool(v.qa)
    result: dict[str, Any] = {"articles": total}
    for field in COVERAGE_FIELDS:
        result[field] = round(have[field] / total, 4) if total else None
    result["interviews"] = interviews
    result["qa"] = round(with_qa / interviews, 4) if interviews else None
    return result


# Versions read at a time: a run of 100,000 articles is neither held in memory at once nor
# asked for with more parameters than SQLite takes in one statement.
CHUNK = 500
# What coverage reads of a version.
_FIELDS = tuple(getattr(Version, field) for field in (*COVERAGE_FIELDS, "qa"))


def _versions(session: Session, ids: list[int]) -> Iterator[Any]:
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        yield from session.execute(select(*_FIELDS).where(Version.id.in_(chunk)))


def coverage_for_run(session: Session, run_id: int) -> dict[str, Any]:
    """Coverage over the versions this run's fetches showed (one per article)."""
    rows = session.execute(
        select(Observation.article_id, Observation.version_id)
        .where(Observation.run_id == run_id, Observation.version_id.is_not(None))
        .order_by(Observation.id)
    )
    latest: dict[int, int] = {}
    for article_id, version_id in rows:
        if article_id is not None and version_id is not None:  # as the query asks
            latest[article_id] = version_id
    return coverage_of(_versions(session, sorted(set(latest.values()))))


@dataclass(frozen=True)
class CoverageDrop:
    """A field found on markedly fewer articles than before (shares from 0 to 1)."""

    field: str
    before: float
    after: float

    def message(self) -> str:
        return (
            f"extraction coverage of {self.field} dropped from {self.before:.0%} to "
            f"{self.after:.0%} - has the site's markup changed?"
        )


def coverage_drops(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[CoverageDrop]:
    """Every field whose coverage dropped by ``DROP_THRESHOLD`` or more from ``before`` to
    ``after`` (two runs' ``coverage``), in the order of ``COVERAGE_FIELDS`` then Q&A."""
    if not before or not after or not after.get("articles"):
        return []
    drops = []
    for field in (*COVERAGE_FIELDS, "qa"):
        old, new = before.get(field), after.get(field)
        if old is None or new is None:
            continue
        if old - new >= DROP_THRESHOLD:
            drops.append(CoverageDrop(field, old, new))
    return drops


def coverage_warnings(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Human-readable warnings for every field whose coverage dropped markedly."""
    return [drop.message() for drop in coverage_drops(before, after)]
