"""Extraction health: per-field coverage of a run and warnings when it drops.

A site redesign rarely breaks a crawl outright; it makes extraction quietly find fewer
dates or breadcrumbs. Each run stores the share of its articles with each field, and a
complete run is compared with the previous complete one.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.models import Observation, Version
from cfbu_crawler.archive.vocabulary import COVERAGE_FIELDS
from cfbu_crawler.extract.qa import looks_like_interview

# A drop of this many percentage points (or more) is a warning.
DROP_THRESHOLD = 0.15


def coverage_of(versions: list[Version]) -> dict[str, Any]:
    total = len(versions)
    result: dict[str, Any] = {"articles": total}
    for field in COVERAGE_FIELDS:
        have = sum(1 for v in versions if getattr(v, field))
        result[field] = round(have / total, 4) if total else None
    interviews = [v for v in versions if v.qa or looks_like_interview(v.body)]
    result["interviews"] = len(interviews)
    result["qa"] = (
        round(sum(1 for v in interviews if v.qa) / len(interviews), 4) if interviews else None
    )
    return result


def coverage_for_run(session: Session, run_id: int) -> dict[str, Any]:
    """Coverage over the versions this run's fetches showed (one per article)."""
    rows = session.execute(
        select(Observation.article_id, Observation.version_id)
        .where(Observation.run_id == run_id, Observation.version_id.is_not(None))
        .order_by(Observation.id)
    ).all()
    latest: dict[int, int] = {}
    for article_id, version_id in rows:
        if article_id is not None and version_id is not None:  # as the query asks
            latest[article_id] = version_id
    versions = (
        list(session.scalars(select(Version).where(Version.id.in_(latest.values()))))
        if latest
        else []
    )
    return coverage_of(versions)


def coverage_warnings(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Human-readable warnings for every field whose coverage dropped markedly."""
    if not before or not after or not after.get("articles"):
        return []
    warnings = []
    for field in (*COVERAGE_FIELDS, "qa"):
        old, new = before.get(field), after.get(field)
        if old is None or new is None:
            continue
        if old - new >= DROP_THRESHOLD:
            warnings.append(
                f"extraction coverage of {field} dropped from {old:.0%} to {new:.0%} "
                "- has the site's markup changed?"
            )
    return warnings
