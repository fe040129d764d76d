"""Which articles were live at two runs (``compare_liveness``), and which were newly
unlisted (``diff._newly_unlisted``), against the rules written in Python, on random
histories: written by the archive (pages, 304s, sitemap skips, 404s, errors and
absences, in complete, interrupted and failed runs), and written straight into the
tables (reparse runs, observations of no article, two of one article in one run, ids
out of run order, articles never observed). On both backends."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime

import pytest
from changes_archive import BASE, open_db, page, record, url, writer
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from cfbu_crawler.archive.db import close_engine
from cfbu_crawler.archive.diff import _newly_unlisted
from cfbu_crawler.archive.difflive import compare_liveness, live_at_both
from cfbu_crawler.archive.models import Article, Observation, Run
from cfbu_crawler.archive.vocabulary import LISTED_VIAS, LIVE_OUTCOMES, Outcome, Via

SLUGS = [f"a{i}" for i in range(14)]
RUNS = 6
STATUSES = ("complete", "complete", "complete", "interrupted", "failed")
# What a run may do with an article: a page (new/changed/unchanged), another outcome,
# or nothing (not reached).
CHOICES = ("page", "edit", Outcome.NOT_MODIFIED, Outcome.SKIPPED, Outcome.GONE, Outcome.ERROR)


def _random_archive(archive_url: str, seed: int) -> Engine:
    rng = random.Random(seed)
    engine = open_db(archive_url)
    edits: dict[str, int] = defaultdict(int)
    for _ in range(RUNS):
        w = writer(engine)
        w.begin_run(start_url=BASE, full=False, settings={})
        for slug in SLUGS:
            choice = rng.choice((*CHOICES, None, None))
            if choice in ("page", "edit"):
                edits[slug] += choice == "edit"
                w.record_page(page(record(slug, body=f"Tekst om {slug}, udgave {edits[slug]}.")))
            elif choice is not None:
                w.record_outcome(url(slug), choice, status=404 if choice == Outcome.GONE else None)
        status = rng.choice(STATUSES)
        w.finish_run(status, reason="finished" if status == "complete" else status)
    return engine


def _live_at(engine: Engine, first: dict[int, int], run_id: int) -> set[int]:
    """The rule of archive/diff.py, in Python: first seen by ``run_id``, and not declared
    gone by a complete crawl run newer than the newest run that saw it live."""
    with engine.connect() as db:
        rows = db.execute(
            text(
                "SELECT o.article_id, o.run_id, o.outcome, r.status, r.kind"
                " FROM observations o JOIN runs r ON r.id = o.run_id"
                " WHERE o.article_id IS NOT NULL AND o.run_id <= :r"
            ),
            {"r": run_id},
        ).all()
    last_live: dict[int, int] = defaultdict(int)
    last_gone: dict[int, int] = defaultdict(int)
    for article, run, outcome, status, kind in rows:
        if outcome in LIVE_OUTCOMES:
            last_live[article] = max(last_live[article], run)
        elif outcome == Outcome.GONE and status == "complete" and kind == "crawl":
            last_gone[article] = max(last_gone[article], run)
    return {a for a, r in first.items() if r <= run_id and last_gone[a] <= last_live[a]}


VERDICTS = (Via.UNLISTED, *LISTED_VIAS)


def _unlisted_at(engine: Engine, run_id: int) -> set[int]:
    """The articles whose latest verdict by ``run_id`` on the listing (an answered fetch
    found via the listing or a sitemap, or checked as ``unlisted``) was ``unlisted``."""
    with engine.connect() as db:
        rows = db.execute(
            text(
                "SELECT article_id, id, outcome, via FROM observations"
                " WHERE article_id IS NOT NULL AND run_id <= :r"
            ),
            {"r": run_id},
        ).all()
    latest: dict[int, tuple[int, str]] = {}
    verdicts = [row for row in rows if row[2] in LIVE_OUTCOMES and row[3] in VERDICTS]
    for article, obs_id, _, via in verdicts:
        if article not in latest or obs_id > latest[article][0]:
            latest[article] = (obs_id, via)
    return {a for a, (_, via) in latest.items() if via == Via.UNLISTED}


def _check(engine: Engine, runs: int) -> None:
    with engine.connect() as db:
        first = dict(db.execute(text("SELECT id, first_run_id FROM articles")).all())
    live = {r: _live_at(engine, first, r) for r in range(1, runs + 1)}
    unlisted = {r: _unlisted_at(engine, r) for r in range(1, runs + 1)}
    with Session(engine) as session:
        for f in range(1, runs):
            for t in range(f + 1, runs + 1):
                got = compare_liveness(session, f, t)
                both = live[f] & live[t]
                assert got.both == len(both), (f, t)
                assert sorted(got.gone) == sorted(live[f] - live[t]), (f, t)
                assert got.appeared == {a: first[a] <= f for a in live[t] - live[f]}, (f, t)
                assert live_at_both(session, f, t, first) == both, (f, t)
                assert _newly_unlisted(session, f, t) == unlisted[t] - unlisted[f], (f, t)


@pytest.mark.parametrize("seed", range(4))
def test_liveness_of_two_runs_follows_the_rule(archive_url: str, seed: int) -> None:
    engine = _random_archive(archive_url, seed)
    try:
        _check(engine, RUNS)
    finally:
        close_engine(engine)


NOW = datetime(2026, 1, 1)


def _random_tables(engine: Engine, rng: random.Random, runs: int, articles: int) -> None:
    """Runs, articles and observations written straight into the tables, with what the
    archive writes rarely: reparse runs, observations of no article, two observations
    of one article in one run, observation ids out of run order, unlisted verdicts."""
    with engine.begin() as db:
        for r in range(1, runs + 1):
            db.execute(
                insert(Run).values(
                    id=r,
                    kind=rng.choice(["crawl", "crawl", "crawl", "reparse"]),
                    status=rng.choice(["complete", "complete", "failed", "interrupted"]),
                    started_at=NOW,
                    software_version="x",
                    extractor_version="x",
                    settings={},
                    warnings=[],
                )
            )
        observations = []
        for a in range(1, articles + 1):
            first = rng.randint(1, runs)
            db.execute(
                insert(Article).values(
                    id=a,
                    key=f"k{a}",
                    url=f"u{a}",
                    slug=f"s{a}",
                    first_seen=NOW,
                    last_seen=NOW,
                    first_run_id=first,
                    last_run_id=first,
                )
            )
            for r in range(first, runs + 1):
                for _ in range(rng.choice([0, 1, 1, 2])):  # none, one, or two in one run
                    outcome, via = rng.choice(list(Outcome)), rng.choice([None, *Via])
                    observations.append((r, a, outcome, via))
        for _ in range(10):
            observations.append((rng.randint(1, runs), None, rng.choice(list(Outcome)), None))
        if rng.random() < 0.5:
            rng.shuffle(observations)
        for run_id, article_id, outcome, via in observations:
            db.execute(
                insert(Observation).values(
                    run_id=run_id,
                    article_id=article_id,
                    url="u",
                    fetched_at=NOW,
                    outcome=str(outcome),
                    via=None if via is None else str(via),
                )
            )


@pytest.mark.parametrize("seed", range(6))
def test_liveness_and_unlisting_follow_the_rules_on_odd_histories(
    archive_url: str, seed: int
) -> None:
    engine = open_db(archive_url)
    try:
        _random_tables(engine, random.Random(seed), runs=6, articles=25)
        _check(engine, 6)
    finally:
        close_engine(engine)
