"""Every SQL example of docs/schema.md runs against an archive with a known history
(tests/schema_archive.py: two crawls, a reparse, a moved and a removed article, failed
pages) and returns what its text says it returns."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import schema_archive
from helpers import ROOT, archive
from schema_archive import url

from cfbu_crawler.archive.export import export_records

SCHEMA_MD = ROOT / "docs" / "schema.md"
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\n```sql\n(.*?)```", re.S)

Rows = list[tuple[Any, ...]]


def examples() -> dict[str, str]:
    return dict(EXAMPLE.findall(SCHEMA_MD.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return schema_archive.build(tmp_path_factory.mktemp("schema") / "archive.sqlite3")


def run_sql(db: Path, sql: str) -> Rows:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


TROVAERDIGE = url("de-trovaerdige-voksne")
SUNDHED = url("sundhed-i-oejenhoejde")
FRIVILLIGHED = url("frivillighed-er-ikke-gratis")
LOMMEPENGE = url("evaluering-af-lommepengeprojekter")
KORTLAEGNING_OLD = url("kortlaegning-af-tryghed")
KORTLAEGNING = url("kortlaegning-af-tryghed-2018")
HAANDBOG = url("haandbog-i-dataindsamling")
FEM = url("fem-spoergsmaal-til-en-koordinator")
STRATEGI = url("ny-strategi")


def check_live_articles(rows: Rows) -> None:
    # Gone articles are left out, a moved one is under its new URL, newest first.
    assert [r[2] for r in rows] == [
        HAANDBOG,
        STRATEGI,
        TROVAERDIGE,
        SUNDHED,
        FEM,
        FRIVILLIGHED,
        KORTLAEGNING,
    ]
    assert rows[0][:2] == ("2017-02-21", "HÅNDBOG I BOLIGSOCIAL DATAINDSAMLING")


def check_interviews_of_a_year(rows: Rows) -> None:
    # Two interviews of 2015; the one of 2014 and the news of 2015 are not.
    assert rows == [
        ("2015-04-20", "FEM SPØRGSMÅL TIL EN KOORDINATOR", 3, "live", FEM),
        ("2015-11-30", "DE TROVÆRDIGE VOKSNE I HØJE TAASTRUP", 2, "live", TROVAERDIGE),
    ]


def check_history(rows: Rows) -> None:
    assert [(r[0], r[1], r[3], r[4], r[6]) for r in rows] == [
        (1, 1, "site", "[]", "2017-02-14"),
        (2, 2, "site", '["published"]', "2017-02-21"),
    ]
    assert rows[1][2].startswith("2016-06-01")


def check_aliases(rows: Rows) -> None:
    assert [(r[0], r[1]) for r in rows] == [(KORTLAEGNING, KORTLAEGNING_OLD)]


def check_qa_mentioning_a_word(rows: Rows) -> None:
    assert rows == [
        (
            "2014-03-01",
            "FRIVILLIGHED ER IKKE GRATIS",
            1,
            "Hvad koster frivillighed?",
            "Tid, kaffe og en koordinator, siger beboerne.",
        ),
        (
            "2015-11-30",
            "DE TROVÆRDIGE VOKSNE I HØJE TAASTRUP",
            1,
            "Hvad gør caféerne?",
            "De giver beboere og unge et sted at mødes.",
        ),
    ]


def check_qa_from_json(rows: Rows) -> None:
    assert rows == [
        (TROVAERDIGE, "Hvad gør caféerne?"),
        (FRIVILLIGHED, "Hvad koster frivillighed?"),
    ]


def check_search_latest(rows: Rows) -> None:
    # An upper-case Danish word finds the lower-case one (LIKE would not).
    assert [r[:3] for r in rows] == [("2015-06-10", "SUNDHED I ØJENHØJDE", SUNDHED)]
    assert "[øjenhøjde]" in rows[0][3]


def check_search_prefix_in_title(rows: Rows) -> None:
    # The latest index holds gone articles too (the status says so).
    assert rows == [("EVALUERING AF LOMMEPENGEPROJEKTER", "gone")]


def check_search_all_versions(rows: Rows) -> None:
    # The sentence was in version 1 only, seen by run 1; the article is at version 2.
    assert rows == [(FEM, 1, 1, "1", 2)]


def check_runs(rows: Rows) -> None:
    assert [r[:3] for r in rows] == [
        (3, "reparse", "complete"),
        (2, "crawl", "complete"),
        (1, "crawl", "complete"),
    ]
    # run 2: new, changed, unchanged, moved, removed, errors, site edits (a moved article
    # is counted as moved only, not also as unchanged: docs/schema.md, ``runs``)
    assert rows[1][4:] == (1, 2, 2, 1, 1, 2, 2)
    assert rows[0][-1] == 0  # the reparse's version is no site edit


def check_added_by_a_run(rows: Rows) -> None:
    assert rows == [(STRATEGI, "NY STRATEGI FOR CFBU 2016–2019", "2016-05-20")]


def check_body_changed_between_runs(rows: Rows) -> None:
    # The date fix (haandbog) and the move (kortlaegning) are no body changes.
    assert rows == [(FEM, "FEM SPØRGSMÅL TIL EN KOORDINATOR", "body, qa")]


def check_date_changed(rows: Rows) -> None:
    assert rows == [
        (HAANDBOG, "HÅNDBOG I BOLIGSOCIAL DATAINDSAMLING", "2017-02-14", "2017-02-21", 2, "site")
    ]


def check_fields_changed_most(rows: Rows) -> None:
    # The reparse's category is the extractor's change, not the site's.
    assert rows == [("body", 1), ("published", 1), ("qa", 1)]


def check_removed(rows: Rows) -> None:
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (LOMMEPENGE, 2, "EVALUERING AF LOMMEPENGEPROJEKTER")
    ]
    assert rows[0][1].startswith("2016-06-01")


def check_moved(rows: Rows) -> None:
    assert rows == [(2, KORTLAEGNING_OLD, KORTLAEGNING)]


def check_failed_in_latest_crawl(rows: Rows) -> None:
    # Run 2's failures: not run 1's, and not nothing although the latest run is a reparse.
    assert rows == [(SUNDHED, 503, "HTTP 503"), (url("ukendt-artikel"), 500, "HTTP 500")]


def check_archive_on_a_date(rows: Rows) -> None:
    # On 2016-06-02 the last finished run is run 2 (the reparse ran that morning): the
    # removed article is gone, the edits of run 2 are in, frivillighed has no category yet.
    assert [(r[0], r[1], r[4]) for r in rows] == [
        (TROVAERDIGE, 1, "live"),
        (LOMMEPENGE, 1, "gone"),
        (FEM, 2, "live"),
        (FRIVILLIGHED, 1, "live"),
        (HAANDBOG, 2, "live"),
        (KORTLAEGNING, 1, "live"),
        (STRATEGI, 1, "live"),
        (SUNDHED, 1, "live"),
    ]
    assert rows[4][3] == "2017-02-21"


CHECKS: dict[str, Callable[[Rows], None]] = {
    name.removeprefix("check_").replace("_", "-"): check
    for name, check in list(globals().items())
    if name.startswith("check_")
}


def test_every_sql_block_is_a_named_example_with_a_check() -> None:
    text = SCHEMA_MD.read_text(encoding="utf-8")
    assert text.count("```sql") == len(examples()), "an SQL block without <!-- example: -->"
    assert sorted(examples()) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(examples()))
def test_example_returns_what_it_says(db: Path, name: str) -> None:
    CHECKS[name](run_sql(db, examples()[name]))


def test_the_fixture_archive_has_what_the_examples_need(db: Path) -> None:
    kinds = run_sql(db, "SELECT kind FROM runs ORDER BY id")
    assert kinds == [("crawl",), ("crawl",), ("reparse",)]
    # "the latest run" is the reparse, which failed on nothing: the naive query is empty.
    naive = "SELECT url FROM observations WHERE outcome = 'error' AND run_id = (SELECT MAX(id) FROM runs)"
    assert run_sql(db, naive) == []
    assert run_sql(db, "SELECT cause FROM versions WHERE run_id = 3") == [("extractor",)]


def test_the_archive_on_a_date_is_the_export_as_of_that_run(db: Path) -> None:
    rows = run_sql(db, examples()["archive-on-a-date"])
    with archive(db) as engine:
        records = export_records(engine, run=2)
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        (r["url"], r["version"], r["title"], r["published"], r["status"]) for r in records
    ]


def test_schema_md_documents_every_table_view_and_column(db: Path) -> None:
    text = SCHEMA_MD.read_text(encoding="utf-8")
    objects = run_sql(
        db,
        "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts_%'",
    )
    for name, kind in objects:
        assert f"`{name}`" in text, f"{kind} {name} is not documented"
        columns = [r[1] for r in run_sql(db, f"PRAGMA table_info('{name}')")]
        section = _section(text, name)
        for column in columns:
            if column == "id" and name not in ("latest_versions",):
                continue
            assert f"`{column}`" in section, f"{name}.{column} is not documented"


def _section(text: str, name: str) -> str:
    """The part of schema.md about one table or view: from its heading to the next."""
    match = re.search(
        rf"^###? [^\n]*`{re.escape(name)}`[^\n]*\n(.*?)(?=^###? |\Z)", text, re.S | re.M
    )
    assert match, f"no heading for {name}"
    return match.group(1)
