"""``diff_runs``: what changed between two runs, on archives written with ArchiveWriter."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from changes_archive import (
    build,
    interview_record,
    json_extract,
    open_db,
    page,
    record,
    run,
    run1_records,
    url,
    writer,
)
from rich.text import Text

from cfbu_crawler.archive.db import ArchiveError
from cfbu_crawler.archive.diff import diff_runs
from cfbu_crawler.archive.reparse import reparse_archive
from cfbu_crawler.archive.textdiff import inline_diff
from cfbu_crawler.cli.render import rich_diff
from cfbu_crawler.extract import Extraction

EXPECTED_1_2 = {
    "from_run": 1,
    "to_run": 2,
    "added": [{"url": url("h-new"), "title": "Helt ny artikel"}],
    "first_archived": [],
    "removed": [{"url": url("e-gone"), "title": "Artikel e-gone"}],
    "moved": [
        {"from": url("f-old"), "to": url("f-new"), "title": "Artikel f-old"},
        {"from": url("i-old"), "to": url("i-new"), "title": "Artikel i-old"},
    ],
    "changed": [
        {
            "url": url("a-body"),
            "title": "Artikel a-body",
            "fields": ["body"],
            "changes": {
                "body": {
                    "from": "Første afsnit om a-body.\n\nAndet afsnit om a-body.",
                    "to": "Første afsnit om a-body.\n\nAndet afsnit, nu rettet.",
                }
            },
            "suspect_fields": [],
        },
        {
            "url": url("b-interview"),
            "title": "Artikel b-interview",
            "fields": ["body", "qa"],
            "changes": {
                "body": {
                    "from": interview_record("Det er at finde tid.")["body"],
                    "to": interview_record("Det er at finde tid og penge.")["body"],
                },
                "qa": {
                    "from": interview_record("Det er at finde tid.")["qa"],
                    "to": interview_record("Det er at finde tid og penge.")["qa"],
                },
            },
            "suspect_fields": [],
        },
        {
            "url": url("c-title"),
            "title": "Ny titel for c",
            "fields": ["title", "breadcrumb"],
            "changes": {
                "title": {"from": "Artikel c-title", "to": "Ny titel for c"},
                "breadcrumb": {
                    "from": ["Hjem", "Nyheder", "Artikel c-title"],
                    "to": ["Hjem", "Nyheder", "Ny titel for c"],
                },
            },
            "suspect_fields": [],
        },
        {
            "url": url("d-date"),
            "title": "Artikel d-date",
            "fields": ["published"],
            "changes": {"published": {"from": "2015-11-30", "to": "2015-12-01"}},
            "suspect_fields": [],
        },
        {
            "url": url("i-new"),
            "title": "Artikel i-old",
            "fields": ["body"],
            "changes": {
                "body": {
                    "from": "Første afsnit om i-old.\n\nAndet afsnit om i-old.",
                    "to": "Første afsnit om i-old.\n\nFlyttet og ændret.",
                }
            },
            "suspect_fields": [],
        },
    ],
    "unlisted": [],
    # g-same only: f moved without a content change counts as moved, not unchanged.
    "unchanged": 1,
    "warnings": [],
}


def test_diff_of_the_last_two_runs(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    assert diff_runs(engine) == EXPECTED_1_2
    assert diff_runs(engine, 1) == EXPECTED_1_2
    assert diff_runs(engine, 1, 2) == EXPECTED_1_2


def test_identical_runs_have_nothing_to_report(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    run3 = run(engine, [page(r) for r in _live_records_after_run2()])
    assert diff_runs(engine) == {
        "from_run": 2,
        "to_run": run3,
        "added": [],
        "first_archived": [],
        "removed": [],
        "moved": [],
        "changed": [],
        "unlisted": [],
        "unchanged": 8,
        "warnings": [],
    }
    # Across three runs, the changes of run 2 are still there.
    across = diff_runs(engine, 1, run3)
    assert across["changed"] == EXPECTED_1_2["changed"]
    assert across["removed"] == EXPECTED_1_2["removed"]
    assert across["moved"] == EXPECTED_1_2["moved"]


def _live_records_after_run2() -> list[dict]:
    return [
        record("a-body", body="Første afsnit om a-body.\n\nAndet afsnit, nu rettet."),
        interview_record("Det er at finde tid og penge."),
        record("c-title", title="Ny titel for c"),
        record("d-date", published="2015-12-01"),
        record("h-new", title="Helt ny artikel"),
        {**record("f-old"), "url": url("f-new")},
        {
            **record("i-old", body="Første afsnit om i-old.\n\nFlyttet og ændret."),
            "url": url("i-new"),
        },
        record("g-same"),
    ]


def test_a_change_and_its_reversal_cancel_out(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    records = _live_records_after_run2()
    records[3] = record("d-date")  # date back to 2015-11-30
    run3 = run(engine, [page(r) for r in records])
    d = diff_runs(engine, 2, run3)
    assert [c["url"] for c in d["changed"]] == [url("d-date")]
    across = diff_runs(engine, 1, run3)
    assert url("d-date") not in [c["url"] for c in across["changed"]]


@pytest.mark.parametrize("status", ["failed", "interrupted"])
def test_an_unfinished_run_never_removes(tmp_path: Path, status: str) -> None:
    engine = build(tmp_path / "a.sqlite3")
    run3 = run(engine, [], gone=[url("g-same"), url("a-body")], status=status)
    d = diff_runs(engine, 2, run3)  # explicit runs may be failed or interrupted ones
    assert d["removed"] == []
    assert d["unchanged"] == 8
    # ... but the report says the newer run did not see the whole site.
    (warning,) = d["warnings"]
    assert (warning["kind"], warning["run"], warning["status"]) == (
        "run_not_complete",
        run3,
        status,
    )
    assert f"run {run3} did not complete ({status}" in warning["message"]
    # The default still compares the last two *complete* runs.
    assert diff_runs(engine) == EXPECTED_1_2


def test_a_removal_is_remembered_after_the_article_comes_back(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    records = _live_records_after_run2()
    without_g = [r for r in records if r["url"] != url("g-same")]
    run3 = run(engine, [page(r) for r in without_g], gone=[url("g-same")])
    run4 = run(engine, [page(r) for r in records])
    assert diff_runs(engine, 2, run3)["removed"] == [
        {"url": url("g-same"), "title": "Artikel g-same"}
    ]
    back = diff_runs(engine, run3, run4)
    assert back["removed"] == []
    assert back["added"] == [  # back again: reported, and marked as not new
        {"url": url("g-same"), "title": "Artikel g-same", "restored": True}
    ]
    assert diff_runs(engine, 2, run4)["removed"] == []
    assert diff_runs(engine, 2, run4)["unchanged"] == 8


def test_a_gone_then_live_again_in_one_run_is_not_removed(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    w = writer(engine)
    run3 = w.begin_run(start_url=None, full=False, settings={})
    w.record_outcome(url("g-same"), "gone", status=404)
    w.record_page(page(record("g-same")))  # answered after a retry
    w.finish_run("complete", reason="finished")
    assert diff_runs(engine, 2, run3)["removed"] == []


def test_reparse_versions_are_not_site_changes(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")

    def shouting(html: bytes | str, page_url: str, encoding: str | None = None) -> Extraction:
        rec = json_extract(html, page_url, encoding)
        return dataclasses.replace(rec, title=rec.title.upper())

    result = reparse_archive(engine, extract=shouting, extractor_version="test-2")
    assert result["changed"] == 9  # every article, the gone one included
    # Nothing in the diff of runs 1 and 2 moves (run 3 is the reparse run).
    assert diff_runs(engine, 1, 2) == EXPECTED_1_2
    # A crawl with the new extractor and no site change: nothing changed.
    shouted = [{**r, "title": r["title"].upper()} for r in _live_records_after_run2()]
    run4 = run(engine, [page(r) for r in shouted])
    d = diff_runs(engine)
    assert (d["from_run"], d["to_run"]) == (2, run4)
    assert d["changed"] == [] and d["unchanged"] == 8
    # Run 1 → run 4: only the site's changes; the extractor's title change is not one.
    across = diff_runs(engine, 1, run4)
    fields = {c["url"]: c["fields"] for c in across["changed"]}
    assert fields == {
        url("a-body"): ["body"],
        url("b-interview"): ["body", "qa"],
        url("c-title"): ["title", "breadcrumb"],
        url("d-date"): ["published"],
        url("i-new"): ["body"],
    }


def test_the_article_url_at_the_later_run_is_reported(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    records = _live_records_after_run2()
    moved_again = {**records[5], "url": url("f-newest")}
    records[5] = moved_again
    run3 = run(engine, [page(moved_again, requested=url("f-new"), redirects=[url("f-new")])])
    title = "Artikel f-old"
    assert diff_runs(engine, 1, 2)["moved"][0] == {
        "from": url("f-old"),
        "to": url("f-new"),
        "title": title,
    }
    assert diff_runs(engine, 2, run3)["moved"] == [
        {"from": url("f-new"), "to": url("f-newest"), "title": title}
    ]
    assert diff_runs(engine, 1, run3)["moved"][0] == {
        "from": url("f-old"),
        "to": url("f-newest"),
        "title": title,
    }


def _expect_error(engine, *args: int | None, match: str) -> None:
    with pytest.raises(ArchiveError, match=match) as info:
        diff_runs(engine, *args)
    assert "\n" not in str(info.value)


def test_errors(tmp_path: Path) -> None:
    empty = open_db(tmp_path / "empty.sqlite3")
    _expect_error(empty, match="no complete crawl run")
    _expect_error(empty, 1, match="no run 1")

    engine = open_db(tmp_path / "one.sqlite3")
    run(engine, [page(r) for r in run1_records()])
    _expect_error(engine, match="only one complete crawl run")
    _expect_error(engine, 1, match="nothing newer")

    run(engine, run2_pages_simple())
    _expect_error(engine, 7, match="no run 7")
    _expect_error(engine, 1, 9, match="no run 9")
    _expect_error(engine, 2, 1, match="must be an older run")
    _expect_error(engine, 2, 2, match="must be an older run")
    _expect_error(engine, None, 2, match="FROM")

    reparse_archive(engine, extract=json_extract, extractor_version="test-1")  # run 3
    _expect_error(engine, 1, 3, match="reparse run, not a crawl")

    w = writer(engine)
    running = w.begin_run(start_url=None, full=False, settings={})
    _expect_error(engine, 1, running, match="still running")
    w.finish_run("interrupted", reason="test")


def run2_pages_simple() -> list:
    return [page(r) for r in run1_records()]


def test_word_diff() -> None:
    assert inline_diff("the quick brown fox", "the slow brown fox") == (
        "the [-quick-]{+slow+} brown fox"
    )
    assert inline_diff("Det er at finde tid.", "Det er at finde tid og penge.") == (
        "Det er at finde tid{+ og penge+}."
    )
    # A rewritten phrase is one change, not word by word.
    assert inline_diff("Andet afsnit om i-old.", "Flyttet og ændret.") == (
        "[-Andet afsnit om i-old-]{+Flyttet og ændret+}."
    )
    assert inline_diff(None, "ny") == "{+ny+}"
    assert (
        inline_diff("Artikel c-title", "Ny titel for c") == "[-Artikel c-title-]{+Ny titel for c+}"
    )
    long_old = " ".join(f"w{i}" for i in range(40))
    long_new = long_old.replace("w20", "W20")
    assert (
        inline_diff(long_old, long_new, context=3) == "… w17 w18 w19 [-w20-]{+W20+} w21 w22 w23 …"
    )
    # The rich variant renders to the same text, brackets in the texts included.
    rendered = Text.from_markup(rich_diff("x [a] y", "x [b] y"))
    assert rendered.plain == inline_diff("x [a] y", "x [b] y") == "x [[-a-]{+b+}] y"
    styles = [set(str(span.style).split()) for span in rendered.spans]
    assert styles == [{"red", "strike"}, {"green"}]


def test_an_article_back_after_its_removal_is_added_again_as_restored(tmp_path) -> None:
    from cfbu_crawler.archive.db import open_engine
    from cfbu_crawler.archive.diff import diff_runs
    from cfbu_crawler.archive.store import ArchiveWriter, FetchedPage

    engine = open_engine(str(tmp_path / "a.sqlite3"), create=True)
    writer = ArchiveWriter(engine, extractor_version="t")
    url = "http://127.0.0.1:1/nyheder/a/"
    rec = {
        "title": "A",
        "breadcrumb": [],
        "category": None,
        "published": None,
        "lead": "x",
        "body": "x",
        "qa": [],
    }

    def fetch(record: dict) -> FetchedPage:
        return FetchedPage(
            requested_url=url,
            final_url=url,
            identity_url=url,
            status=200,
            record=record,
            raw=repr(record).encode(),
        )

    writer.begin_run(start_url=url, full=False, settings={})
    writer.record_page(fetch(rec))
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=url, full=False, settings={})
    writer.record_outcome(url, "gone", status=404)
    writer.finish_run("complete", reason="finished")
    writer.begin_run(start_url=url, full=False, settings={})
    writer.record_page(fetch(dict(rec, body="y", lead="y")))
    writer.finish_run("complete", reason="finished")
    report = diff_runs(engine, 2, 3)
    assert report["added"] == [{"url": url, "title": "A", "restored": True}]
    assert diff_runs(engine, 1, 2)["removed"] == [{"url": url, "title": "A"}]


# -- what a maintainer must not be misled by ------------------------------------------------


def _dateless(records: list[dict]) -> list[dict]:
    return [{**r, "published": None} for r in records]


def test_a_coverage_drop_is_a_warning_and_the_vanished_fields_are_suspect(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    records = _live_records_after_run2()
    # New markup hides every date; one article also gets a real title edit.
    records = _dateless(records)
    records[0] = {**records[0], "title": "Rettet titel"}
    run3 = run(engine, [page(r) for r in records])
    d = diff_runs(engine)
    assert (d["from_run"], d["to_run"]) == (2, run3)
    (warning,) = d["warnings"]
    assert {k: warning[k] for k in ("kind", "field", "before", "after")} == {
        "kind": "coverage_drop",
        "field": "published",
        "before": 1.0,
        "after": 0.0,
    }
    assert "published" in warning["message"] and "100%" in warning["message"]
    by_url = {c["url"]: c for c in d["changed"]}
    assert len(by_url) == 8
    assert all(c["suspect_fields"] == ["published"] for c in by_url.values())
    assert by_url[url("a-body")]["fields"] == ["title", "published"]  # the title: an edit


def test_a_date_corrected_by_the_site_is_not_suspect(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    records = _live_records_after_run2()
    records[3] = record("d-date", published="2016-01-05")  # a new date, not a lost one
    run3 = run(engine, [page(r) for r in _dateless(records[:3]) + records[3:4]])
    d = diff_runs(engine, 2, run3)
    # A partial run (4 of 8 articles) that lost three dates: published dropped to 25 %.
    assert [w["kind"] for w in d["warnings"]] == ["coverage_drop"]
    suspect = {c["url"]: c["suspect_fields"] for c in d["changed"]}
    assert suspect[url("d-date")] == []
    assert suspect[url("a-body")] == ["published"]


def test_a_partial_from_run_is_named_and_the_default_skips_it(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    run3 = run(engine, [page(r) for r in _live_records_after_run2()[:2]], status="interrupted")
    run4 = run(engine, [page(r) for r in _live_records_after_run2()])
    d = diff_runs(engine)
    assert (d["from_run"], d["to_run"], d["warnings"]) == (2, run4, [])
    d = diff_runs(engine, run3)  # FROM given: TO is the latest complete run
    assert d["to_run"] == run4
    assert [(w["kind"], w["run"]) for w in d["warnings"]] == [("run_not_complete", run3)]
    assert "show as added" in d["warnings"][0]["message"]


def test_pages_that_failed_before_are_first_archived_not_added(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    w = writer(engine)
    run3 = w.begin_run(start_url=None, full=False, settings={})
    for r in _live_records_after_run2():
        w.record_page(page(r))
    w.record_outcome(url("j-late"), "error", error="HTTP 503")
    w.finish_run("complete", reason="finished")
    late = record("j-late", title="Sent arkiveret")
    fresh = record("k-fresh", title="Helt frisk")
    run4 = run(engine, [page(r) for r in [*_live_records_after_run2(), late, fresh]])
    d = diff_runs(engine, run3, run4)
    assert d["added"] == [{"url": url("k-fresh"), "title": "Helt frisk"}]
    assert d["first_archived"] == [
        {
            "url": url("j-late"),
            "title": "Sent arkiveret",
            "reason": "HTTP 503",
            "failed_in_run": run3,
        }
    ]
    assert [w["kind"] for w in diff_runs(engine, 2, run3)["warnings"]] == ["page_errors"]


def test_unlisted_articles_are_listed_with_their_title(tmp_path: Path) -> None:
    engine = build(tmp_path / "a.sqlite3")
    listed = [dataclasses.replace(page(r), via="listing") for r in _live_records_after_run2()]
    run3 = run(engine, listed)
    g_same = len(listed) - 1
    run4 = run(
        engine,
        [
            *listed[:g_same],
            dataclasses.replace(listed[g_same], via="unlisted"),
        ],
    )
    d = diff_runs(engine, run3, run4)
    assert d["unlisted"] == [{"url": url("g-same"), "title": "Artikel g-same"}]
    assert d["removed"] == [] and d["unchanged"] == 8  # still live, and unchanged
    # Unlisted already at FROM: nothing new to report; a later check that proves nothing
    # ("check") does not undo the verdict.
    run5 = run(engine, [*listed[:g_same], dataclasses.replace(listed[g_same], via="check")])
    assert diff_runs(engine, run4, run5)["unlisted"] == []
    assert diff_runs(engine, run3, run5)["unlisted"] == [
        {"url": url("g-same"), "title": "Artikel g-same"}
    ]


def test_a_page_that_failed_during_the_redesign_is_suspect_when_it_comes_back(
    tmp_path: Path,
) -> None:
    engine = build(tmp_path / "a.sqlite3")
    records = _dateless(_live_records_after_run2())
    w = writer(engine)
    run3 = w.begin_run(start_url=None, full=False, settings={})
    for r in records[1:]:
        w.record_page(page(r))
    w.record_outcome(url("a-body"), "error", error="HTTP 503")  # a-body kept failing
    w.finish_run("complete", reason="finished")
    run4 = run(engine, [page(r) for r in records])
    d = diff_runs(engine, run3, run4)
    # Between runs 3 and 4 no coverage dropped (dates were gone by run 3) — but a-body's
    # date vanished only now, against the coverage of run 2, where its version is from.
    (change,) = d["changed"]
    assert (change["url"], change["fields"], change["suspect_fields"]) == (
        url("a-body"),
        ["published"],
        ["published"],
    )
    (warning,) = d["warnings"]
    assert (warning["field"], warning["before_run"], warning["after_run"]) == ("published", 2, run4)
