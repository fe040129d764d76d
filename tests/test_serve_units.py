"""`cfbu serve` without a server: the schema's one description against the archive and
docs/schema.md, the Datasette metadata built from it, and Datasette in process (its
ASGI client, no socket) over an archive built with ArchiveWriter: canned queries, search
of the latest versions, stored pages as text, links, read-only."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from changes_archive import build, url
from click.testing import CliRunner

from cfbu_crawler.archive.canned import CANNED_QUERIES
from cfbu_crawler.archive.db import close_engine
from cfbu_crawler.archive.schemadoc import RELATIONS, SEARCH_COLUMNS, markdown_table
from cfbu_crawler.cli import main
from cfbu_crawler.serve.app import make_datasette, served_archive
from cfbu_crawler.serve.metadata import build_metadata

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DOC = ROOT / "docs" / "schema.md"
FTS_SHADOW = re.compile(r"^(latest_versions_fts|versions_fts)_(data|idx|content|docsize|config)$")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "changes.sqlite3"
    close_engine(build(path))
    return path


def relations_in(db: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        names = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            )
            if not name.startswith("sqlite_") and not FTS_SHADOW.match(name)
        ]
        return {
            name: [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')] for name in names
        }
    finally:
        con.close()


def test_every_table_view_and_column_of_the_archive_is_described(archive: Path) -> None:
    found = relations_in(archive)
    described = {relation.name: relation for relation in RELATIONS}
    assert sorted(found) == sorted(described)
    for name, columns in found.items():
        assert sorted(described[name].columns()) == sorted(columns), name
        assert all(described[name].columns().values()), f"{name}: a column without meaning"


def _section(doc: str, name: str) -> str:
    """The text under the heading of ``name`` up to the next heading of its level or
    above."""
    match = re.search(rf"^(#{{2,3}}) (?:View )?`{name}`.*$", doc, re.MULTILINE)
    assert match, f"docs/schema.md has no heading for {name}"
    rest = doc[match.end() :]
    end = re.search(r"^#{2,3} ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def test_docs_schema_holds_exactly_these_descriptions() -> None:
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    for relation in RELATIONS:
        if not relation.own_table:  # described by the full-text search section's table
            assert re.search(rf"^### (View )?`{relation.name}`", doc, re.MULTILINE), relation.name
            continue
        heading = f"`{relation.name}`: {relation.title}"
        assert heading in doc, heading
        assert relation.markdown() in _section(doc, relation.name), (
            f"docs/schema.md's table of {relation.name} differs from "
            "cfbu_crawler/archive/schemadoc.py (python -m cfbu_crawler.archive.schemadoc)"
        )
    assert markdown_table("text", SEARCH_COLUMNS) in doc


def test_metadata_describes_every_column_with_units_and_search() -> None:
    metadata = build_metadata("cfbu", "data/cfbu.sqlite3")
    assert metadata["title"] and metadata["description"]
    tables = metadata["databases"]["cfbu"]["tables"]
    for relation in RELATIONS:
        assert tables[relation.name]["columns"] == relation.columns()
        assert tables[relation.name]["description"]
    assert tables["observations"]["units"]["bytes"] == "B"
    assert "`" not in tables["versions"]["columns"]["changed_fields"]
    latest = tables["latest_versions"]
    assert (latest["fts_table"], latest["fts_pk"]) == ("latest_versions_fts", "article_id")
    queries = metadata["databases"]["cfbu"]["queries"]
    assert set(queries) == {q.name for q in CANNED_QUERIES}


def get(ds: Any, path: str) -> Any:
    async def fetch() -> Any:
        return await ds.client.get(path)

    return asyncio.run(fetch())


@pytest.fixture(scope="module")
def datasette(archive: Path) -> Any:
    return make_datasette(served_archive(str(archive)))


def rows(ds: Any, path: str) -> list[dict[str, Any]]:
    response = get(ds, path + ("&" if "?" in path else "?") + "_shape=array")
    assert response.status_code == 200, response.text
    return response.json()


def test_canned_queries_answer_what_they_say(datasette: Any) -> None:
    latest = rows(datasette, "/changes/latest_articles.json")
    assert len(latest) == 8  # 9 articles, one gone
    assert all(r["url"].startswith("https://cfbu.dk/") for r in latest)
    interviews = rows(datasette, "/changes/interviews.json")
    assert [r["questions"] for r in interviews] == [2]  # the one interview, 2 questions
    changes = rows(datasette, "/changes/changes_in_run.json?run=2")
    kinds = {(r["change"], r["url"]) for r in changes}
    assert ("new", url("h-new")) in kinds
    assert ("changed", url("c-title")) in kinds
    assert ("moved", url("f-new")) in kinds and ("removed", url("e-gone")) in kinds
    title = next(r for r in changes if r["url"] == url("c-title"))
    assert title["changed_fields"] == '["title", "breadcrumb"]' and title["cause"] == "site"
    history = rows(datasette, "/changes/article_history.json?article=c-title")
    assert [(r["version"], r["run"]) for r in history] == [(1, 1), (2, 2)]
    by_old_url = rows(datasette, f"/changes/article_history.json?article={url('f-old')}")
    by_new_url = rows(datasette, f"/changes/article_history.json?article={url('f-new')}")
    assert by_old_url and by_old_url == by_new_url  # any URL the article was reached by
    gone = {(r["what"], r["url"]) for r in rows(datasette, "/changes/gone_or_moved.json")}
    assert gone == {("gone", url("e-gone")), ("moved", url("f-old")), ("moved", url("i-old"))}
    coverage = rows(datasette, "/changes/coverage_per_run.json")
    assert [r["run"] for r in coverage] == [2, 1]
    assert coverage[1]["title_pct"] == 100.0


def test_the_latest_versions_view_searches_danish_words(datasette: Any) -> None:
    found = rows(datasette, "/changes/latest_versions.json?_search=F%C3%98RSTE+afsnit")
    assert found and all("Første afsnit" in r["body"] for r in found)
    assert rows(datasette, "/changes/latest_versions.json?_search=forste") == []
    unsafe = get(datasette, "/changes/latest_versions.json?_search=%22unge+AND(")
    assert unsafe.status_code == 200


def test_a_stored_page_is_served_as_plain_text(datasette: Any) -> None:
    page = get(datasette, "/-/raw-page/1")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/plain")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in page.headers["content-security-policy"]
    assert '"url"' in page.text  # this archive's stored pages are JSON records
    download = get(datasette, "/-/raw-page/1?download=1")
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"].startswith("attachment")
    assert get(datasette, "/-/raw-page/999").status_code == 404


def test_cells_link_to_live_pages_and_stored_pages(datasette: Any) -> None:
    versions = get(datasette, "/changes/versions").text
    assert 'href="/-/raw-page/1"' in versions
    latest = get(datasette, "/changes/latest_versions").text
    assert f'<a href="{url("a-body")}" rel="noopener noreferrer nofollow">' in latest
    assert 'href="/changes/versions/' in latest  # version_id of a view row
    raw = get(datasette, "/changes/raw_pages").text
    assert "show as text" in raw


def test_datasette_opens_the_archive_read_only(datasette: Any) -> None:
    database = datasette.get_database("changes")
    assert database.is_mutable  # so: mode=ro, not immutable (a crawl may write)

    async def write() -> None:
        await database.execute("DELETE FROM runs")

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(write())


def test_serve_refuses_a_postgresql_archive_in_one_line() -> None:
    result = CliRunner().invoke(main, ["serve", "--db", "postgresql+psycopg://u@localhost/cfbu"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: cfbu serve needs an SQLite archive: Datasette reads SQLite only, and "
        "postgresql+psycopg://u@localhost/cfbu is not one"
    ]


def test_serve_refuses_a_missing_archive_in_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "none.sqlite3")])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "no archive at" in result.output
