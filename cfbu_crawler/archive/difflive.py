"""Which articles were live at two runs, worked out by the database (for ``cfbu diff``).

The rule is ``cfbu diff``'s (see archive/diff.py): an article is live at run R when it
was first seen in a run <= R and the newest complete crawl run <= R that declared it
removed (an observation ``gone``) is not newer than the newest run <= R that saw it live.
An article seen live *in* run R is live at R whatever came before, so the articles seen
live in both runs (after a full crawl, nearly all of them) are counted by the database
from the two runs' observations alone; the rule is applied, one pass over their
observations grouped by article, only to the others (usually few). An archive of 100,000
articles is neither read into Python nor held in memory: what comes back is the number
of articles live at both runs and the articles live at only one. Questions about a
handful of articles (are they live at both?) are asked of those alone, in chunks of
``CHUNK`` ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, null, select, true, union_all
from sqlalchemy.orm import Session

from cfbu_crawler.archive.models import Article, Observation, Run
from cfbu_crawler.archive.vocabulary import LIVE_OUTCOMES, Outcome, RunStatus

# Ids asked about at a time: well below the parameters SQLite takes in one statement.
CHUNK = 500


def chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """``ids`` sorted, in lists of at most ``CHUNK``."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _last_run(condition: ColumnElement[bool], run_id: int) -> ColumnElement[Any]:
    """The newest run <= ``run_id`` of an article's observations matching ``condition``."""
    return func.max(case((and_(Observation.run_id <= run_id, condition), Observation.run_id)))


def _states(
    f: int, t: int, ids: Sequence[int] | Select[int] | None = None
) -> Select[int, bool, bool, bool]:
    """``(article id, existed at f, live at f, live at t)`` of every article that existed
    at ``t`` (or of those among ``ids``: a list, or a query selecting them)."""
    live = Observation.outcome.in_(LIVE_OUTCOMES)
    # Only a complete crawl run removes: failed and interrupted runs never do.
    gone = and_(
        Observation.outcome == Outcome.GONE,
        Run.status == RunStatus.COMPLETE,
        Run.kind == "crawl",
    )
    last = (
        select(
            Observation.article_id.label("article_id"),
            _last_run(live, f).label("live_f"),
            _last_run(gone, f).label("gone_f"),
            _last_run(live, t).label("live_t"),
            _last_run(gone, t).label("gone_t"),
        )
        .join(Run, Run.id == Observation.run_id)
        .where(Observation.article_id.is_not(None), Observation.run_id <= t)
        .group_by(Observation.article_id)
    )
    if ids is not None:
        last = last.where(Observation.article_id.in_(ids))
    per = last.subquery()
    existed_f = Article.first_run_id <= f

    def is_live(live_run: Any, gone_run: Any) -> ColumnElement[bool]:
        return func.coalesce(gone_run, 0) <= func.coalesce(live_run, 0)

    query = (
        select(
            Article.id,
            existed_f.label("existed_f"),
            and_(existed_f, is_live(per.c.live_f, per.c.gone_f)).label("at_f"),
            is_live(per.c.live_t, per.c.gone_t).label("at_t"),
        )
        .outerjoin(per, per.c.article_id == Article.id)
        .where(Article.first_run_id <= t)
    )
    return query if ids is None else query.where(Article.id.in_(ids))


@dataclass
class Liveness:
    """How the articles' liveness compares between two runs."""

    both: int = 0  # live at both runs
    appeared: dict[int, bool] = field(default_factory=dict)  # live at t only: existed at f?
    gone: list[int] = field(default_factory=list)  # live at f only


def _seen_live_in_both(f: int, t: int) -> Select[int]:
    """The articles that existed at run ``f`` and were seen live in run ``f`` and in run
    ``t`` (so live at both, whatever else their history holds)."""

    def seen_live_in(run_id: int) -> Select[int | None]:
        return select(Observation.article_id).where(
            Observation.run_id == run_id, Observation.outcome.in_(LIVE_OUTCOMES)
        )

    return select(Article.id).where(
        Article.first_run_id <= f,
        Article.id.in_(seen_live_in(f)),
        Article.id.in_(seen_live_in(t)),
    )


def compare_liveness(session: Session, f: int, t: int) -> Liveness:
    """The articles live at run ``f``, at run ``t``, at both."""
    result = Liveness()
    # The rule is applied only to the articles not seen live in both runs (not reached
    # at f, say, or failing at t). Applying it to every article (one pass over all
    # observations) had taken 0.9 s of the 2 s `cfbu diff` took at 100,000 articles
    # (bench/README.md). Those the rule finds live at both are counted by the database,
    # one row for all of them, the others come one row each, and the articles seen live
    # in both runs are counted in a last row: one statement, so one snapshot of an
    # archive a crawl may be writing. EXCEPT, not NOT IN: PostgreSQL turns NOT IN
    # (subquery) into an anti-join only while the subquery fits in work_mem, and else
    # reads the subquery once per article (minutes at 400,000 articles).
    seen_both = _seen_live_in_both(f, t).cte("seen_both")
    others = (
        select(Article.id)
        .where(Article.first_run_id <= t)
        .except_(select(seen_both.c.id))
        .cte("others")
    )
    states = _states(f, t, select(others.c.id)).subquery()
    both = and_(states.c.at_f, states.c.at_t)
    key = case((both, None), else_=states.c.id)
    grouped = select(key, states.c.existed_f, states.c.at_f, states.c.at_t, func.count()).group_by(
        key, states.c.existed_f, states.c.at_f, states.c.at_t
    )
    counted = select(null(), true(), true(), true(), func.count()).select_from(seen_both)
    # On the session's connection: plain rows, without the ORM's per-row work; streamed
    # (a server-side cursor on PostgreSQL), so memory stays flat however many articles.
    rows = session.connection().execute(
        union_all(grouped, counted), execution_options={"stream_results": True}
    )
    for article_id, existed_f, at_f, at_t, count in rows:
        if at_f and at_t:
            result.both += count
        elif at_t:
            result.appeared[article_id] = bool(existed_f)
        elif at_f:
            result.gone.append(article_id)
    return result


def live_at_both(session: Session, f: int, t: int, ids: Iterable[int]) -> set[int]:
    """Of ``ids``, the articles live at run ``f`` and at run ``t``."""
    both: set[int] = set()
    for chunk in chunks(set(ids)):
        for article_id, _, at_f, at_t in session.execute(_states(f, t, chunk)):
            if at_f and at_t:
                both.add(article_id)
    return both


def existed_at(session: Session, run_id: int, ids: Iterable[int]) -> set[int]:
    """Of ``ids``, the articles first seen in a run <= ``run_id``."""
    found: set[int] = set()
    for chunk in chunks(set(ids)):
        found.update(
            session.scalars(
                select(Article.id).where(Article.id.in_(chunk), Article.first_run_id <= run_id)
            )
        )
    return found


__all__ = ["CHUNK", "Liveness", "chunks", "compare_liveness", "existed_at", "live_at_both"]
