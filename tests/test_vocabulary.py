"""The archive's vocabularies are defined once, as string enums whose members are the
words stored in the database and documented in docs/schema.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

from cfbu_crawler.archive.vocabulary import (
    ANSWERED_OUTCOMES,
    LIVE_OUTCOMES,
    PAGE_OUTCOMES,
    ArticleStatus,
    Cause,
    Outcome,
    RunStatus,
)

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def test_the_stored_words_are_the_documented_ones() -> None:
    assert [o.value for o in Outcome] == [
        "new",
        "changed",
        "unchanged",
        "moved",
        "not_modified",
        "skipped",
        "gone",
        "error",
    ]
    assert [s.value for s in RunStatus] == ["running", "complete", "failed", "interrupted"]
    assert [s.value for s in ArticleStatus] == ["live", "gone"]
    assert [c.value for c in Cause] == ["site", "extractor"]


def test_a_member_is_its_word_in_comparisons_formatting_and_json() -> None:
    assert Outcome.GONE == "gone" and Outcome.NOT_MODIFIED == "not_modified"
    assert f"cfbu/outcome/{Outcome.NOT_MODIFIED}" == "cfbu/outcome/not_modified"
    assert str(RunStatus.COMPLETE) == "complete"
    assert json.dumps({"status": RunStatus.FAILED}) == '{"status": "failed"}'
    assert {"new": 1}[Outcome.NEW] == 1


def test_the_outcome_groups_nest() -> None:
    assert set(PAGE_OUTCOMES) < set(ANSWERED_OUTCOMES) < set(LIVE_OUTCOMES)
    assert set(ANSWERED_OUTCOMES) - set(PAGE_OUTCOMES) == {Outcome.NOT_MODIFIED}
    assert set(LIVE_OUTCOMES) - set(ANSWERED_OUTCOMES) == {Outcome.SKIPPED}
    assert not {Outcome.GONE, Outcome.ERROR} & set(LIVE_OUTCOMES)


def column_doc(table: str, column: str) -> str:
    """The meaning docs/schema.md gives a column of a table."""
    text = SCHEMA.read_text(encoding="utf-8")
    section = text.split(f"### `{table}`", 1)[1].split("\n#", 1)[0]
    match = re.search(rf"^\| `{column}` \| (.*)\|$", section, re.M)
    assert match, (table, column)
    return match.group(1)


def test_docs_schema_names_every_outcome_run_status_and_article_status() -> None:
    for outcome in Outcome:
        assert f"`{outcome}`" in column_doc("observations", "outcome"), outcome
    for status in RunStatus:
        assert f"`{status}`" in column_doc("runs", "status"), status
    for status in ArticleStatus:
        assert f"`{status}`" in column_doc("articles", "status"), status
