"""One vocabulary: a run's counts and its observations say the same thing (docs/schema.md,
``runs`` and ``observations``), whichever order the crawler met a moved article's two
URLs in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from changes_archive import open_db, page, record, run, url

from cfbu_crawler.archive.diff import diff_runs


def outcomes(db: Path, run_id: int) -> dict[str, set[int]]:
    """The articles of a run by observation outcome."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT outcome, article_id FROM observations WHERE run_id = ?", (run_id,)
        ).fetchall()
    finally:
        con.close()
    out: dict[str, set[int]] = {}
    for outcome, article_id in rows:
        out.setdefault(outcome, set()).add(article_id)
    return out


def counts(db: Path, run_id: int) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        row = con.execute(
            "SELECT new, changed, unchanged, moved FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
    finally:
        con.close()
    return dict(zip(("new", "changed", "unchanged", "moved"), row, strict=True))


@pytest.mark.parametrize("order", ["new URL first", "old URL first"])
def test_a_moved_article_is_moved_in_the_counts_the_observations_and_the_diff(
    tmp_path: Path, order: str
) -> None:
    db = tmp_path / "a.sqlite3"
    engine = open_db(db)
    run(engine, [page(record("a")), page(record("b"))])
    at_new_url = {**record("b"), "url": url("b-2020")}
    arrival = page(at_new_url)  # found on the listing under its new URL
    redirect = page(at_new_url, requested=url("b"), redirects=[url("b")])  # the old URL, checked
    pages = [arrival, redirect] if order == "new URL first" else [redirect, arrival]
    run2 = run(engine, [page(record("a")), *pages])

    by_outcome = outcomes(db, run2)
    assert "new" not in by_outcome  # the new URL is no new article
    assert counts(db, run2) == {"new": 0, "changed": 0, "unchanged": 1, "moved": 1}
    assert len(by_outcome["moved"]) == 1
    # "unchanged": the articles seen only as unchanged
    only_unchanged = by_outcome["unchanged"] - by_outcome["moved"]
    assert len(only_unchanged) == counts(db, run2)["unchanged"]

    report = diff_runs(engine)
    assert report["moved"] == [{"from": url("b"), "to": url("b-2020"), "title": "Artikel b"}]
    assert (report["added"], report["unchanged"]) == ([], 1)
