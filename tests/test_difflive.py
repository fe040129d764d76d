"""``compare_liveness``: which articles were live at two runs, against the rule applied in
Python to random histories (pages, 304s, sitemap skips, 404s, errors and absences, in
complete, interrupted and failed runs)."""

from __future__ import annotations

import random
from collections import defaultdict

import pytest
from changes_archive import BASE, open_db, page, record, url, writer
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from cfbu_crawler.archive.difflive import compare_liveness, live_at_both
from cfbu_crawler.archive.vocabulary import LIVE_OUTCOMES, Outcome

SLUGS = [f"a{i}" for i in range(14)]
RUNS = 6
STATUSES = ("complete", "complete", "complete", "interrupted", "failed")
# What a run may do with an article: a page (new/changed/unchanged), another outcome,
# or nothing (not reached).
CHOICES = ("page", "edit", Outcome.NOT_MODIFIED, Outcome.SKIPPED, Outcome.GONE, Outcome.ERROR)


def _random_archive(path: str, seed: int) -> Engine:
    rng = random.Random(seed)
    engine = open_db(path)
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


def _live_at(engine: Engine, run_id: int) -> set[int]:
    """The rule of archive/diff.py, in Python: first seen by ``run_id``, and not declared
    gone by a complete crawl run newer than the newest run that saw it live."""
    with engine.connect() as db:
        first = dict(db.execute(text("SELECT id, first_run_id FROM articles")).all())
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


@pytest.mark.parametrize("seed", range(4))
def test_liveness_of_two_runs_follows_the_rule(tmp_path, seed: int) -> None:
    engine = _random_archive(str(tmp_path / "a.sqlite3"), seed)
    with engine.connect() as db:
        first = dict(db.execute(text("SELECT id, first_run_id FROM articles")).all())
    live = {r: _live_at(engine, r) for r in range(1, RUNS + 1)}
    with Session(engine) as session:
        for f in range(1, RUNS):
            for t in range(f + 1, RUNS + 1):
                got = compare_liveness(session, f, t)
                both = live[f] & live[t]
                assert got.both == len(both), (f, t)
                assert sorted(got.gone) == sorted(live[f] - live[t]), (f, t)
                assert got.appeared == {a: first[a] <= f for a in live[t] - live[f]}, (f, t)
                assert live_at_both(session, f, t, first) == both, (f, t)
