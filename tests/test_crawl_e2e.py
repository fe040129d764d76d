"""End to end: `cfbu crawl` (in a subprocess) over the fixture site on 127.0.0.1.

One module-scoped scenario crawls v1, re-crawls it unchanged, switches the server to v2
and crawls again; the tests below check the archive and the traffic of each step.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import crawl, diff, export
from helpers import history as article_history
from support.oracle import expected_diff, expected_records
from support.server import FixtureServer

from cfbu_crawler.cli import main
from cfbu_crawler.demo.build import build_site
from cfbu_crawler.record import RECORD_FIELDS

pytestmark = pytest.mark.slow

FIELDS = RECORD_FIELDS


@dataclass
class Step:
    requests: int
    bytes: int
    stdout: str
    records: list[dict] = field(default_factory=list)


@dataclass
class Scenario:
    base_url: str
    db: Path
    v1: object
    v2: object
    steps: dict[str, Step]


def versions_count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM versions").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    db = tmp_path_factory.mktemp("e2e") / "archive.sqlite3"
    v1, v2 = build_site("v1"), build_site("v2")
    steps: dict[str, Step] = {}
    with FixtureServer(v1) as server:
        for name, site in (("full", v1), ("unchanged", v1), ("v2", v2)):
            server.site = site
            server.stats.reset()
            proc = crawl(server.base_url, db)
            steps[name] = Step(
                server.stats.total_requests(), server.stats.total_bytes(), proc.stdout
            )
            steps[name].records = export(db)
            if name == "unchanged":
                steps[name].versions = versions_count(db)
            if name == "full":
                steps[name].versions = versions_count(db)
        yield Scenario(server.base_url, db, v1, v2, steps)


def by_url(records: list[dict]) -> dict[str, dict]:
    return {r["url"]: {k: r[k] for k in FIELDS} for r in records}


def test_full_crawl_exports_exactly_the_expected_articles(scenario: Scenario) -> None:
    got = by_url(scenario.steps["full"].records)
    expected = {r["url"]: r for r in expected_records(scenario.v1, scenario.base_url)}
    assert sorted(got) == sorted(expected)
    for url, record in expected.items():
        assert got[url] == {k: record[k] for k in FIELDS}, url


def test_export_has_no_listing_category_or_static_page_and_no_article_twice(
    scenario: Scenario,
) -> None:
    urls = [r["url"] for r in scenario.steps["full"].records]
    assert len(urls) == len(set(urls))
    for url in urls:
        path = url[len(scenario.base_url) :]
        assert path.startswith("/nyheder/"), url
        assert "/page/" not in path and "/category/" not in path and "/tag/" not in path
    assert len({r["title"] for r in scenario.steps["full"].records}) == len(urls)


def test_export_jsonl_carries_status_dates_versions_and_hash(scenario: Scenario) -> None:
    # `cfbu export --format jsonl` prints, one a line, the records the tests read in process.
    result = CliRunner().invoke(
        main, ["export", "--db", str(scenario.db), "--format", "jsonl"], env={"CFBU_DB": None}
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines == scenario.steps["v2"].records
    record = scenario.steps["full"].records[0]
    assert record["status"] == "live"
    assert record["versions"] == 1
    assert record["first_seen"].endswith("Z") and record["last_seen"].endswith("Z")
    assert len(record["content_hash"]) == 64


def test_unchanged_recrawl_adds_no_version(scenario: Scenario) -> None:
    assert scenario.steps["unchanged"].versions == scenario.steps["full"].versions
    assert by_url(scenario.steps["unchanged"].records) == by_url(scenario.steps["full"].records)


def test_unchanged_recrawl_costs_under_five_percent_of_full_crawl_bytes(scenario: Scenario) -> None:
    full, again = scenario.steps["full"], scenario.steps["unchanged"]
    assert again.bytes <= 0.05 * full.bytes, (again.bytes, full.bytes)
    assert again.requests < full.requests / 2, (again.requests, full.requests)


def test_recrawl_after_edits_fetches_what_changed(scenario: Scenario) -> None:
    # v2 re-themes every current-generation page, so their validators all change.
    assert scenario.steps["v2"].bytes > 0.5 * scenario.steps["full"].bytes


def test_diff_after_v2_reports_exactly_the_edits(scenario: Scenario) -> None:
    report = diff(scenario.db)
    expected = expected_diff(scenario.v1, scenario.v2, scenario.base_url)
    assert report["added"] == expected["added"]
    assert report["removed"] == expected["removed"]
    assert report["moved"] == expected["moved"]
    assert [{"url": c["url"], "fields": c["fields"]} for c in report["changed"]] == expected[
        "changed"
    ]
    assert report["unchanged"] == expected["unchanged"]


def test_export_after_v2_keeps_gone_articles_and_all_versions(scenario: Scenario) -> None:
    records = {r["url"]: r for r in scenario.steps["v2"].records}
    expected = expected_diff(scenario.v1, scenario.v2, scenario.base_url)
    for gone in expected["removed"]:
        assert records[gone["url"]]["status"] == "gone"
    for changed in expected["changed"]:
        assert records[changed["url"]]["versions"] == 2
    live = {u: r for u, r in records.items() if r["status"] == "live"}
    wanted = {r["url"]: r for r in expected_records(scenario.v2, scenario.base_url)}
    assert sorted(live) == sorted(wanted)
    for url, record in wanted.items():
        assert {k: live[url][k] for k in FIELDS} == {k: record[k] for k in FIELDS}, url


def test_moved_article_keeps_its_history_under_the_new_url(scenario: Scenario) -> None:
    moved = expected_diff(scenario.v1, scenario.v2, scenario.base_url)["moved"][0]
    history = article_history(scenario.db, moved["from"])
    assert history["url"] == moved["to"]
    assert len(history["versions"]) == 1


def test_crawl_summary_reports_counts(scenario: Scenario) -> None:
    out = scenario.steps["v2"].stdout
    assert "2 new" in out and "4 changed" in out and "1 moved" in out and "1 removed" in out


def test_crawl_logs_carry_no_scrapy_deprecation_warning(scenario: Scenario) -> None:
    logs = sorted((scenario.db.parent / "logs").glob("crawl-*.log"))
    assert len(logs) == len(scenario.steps)
    for log in logs:
        text = log.read_text(encoding="utf-8")
        assert "Spider closed (finished)" in text, log
        assert "DeprecationWarning" not in text, log


def test_site_without_sitemaps_or_etags_gives_the_same_records(tmp_path: Path) -> None:
    site = build_site("v1", sitemaps=False, etags=False)
    with FixtureServer(site) as server:
        crawl(server.base_url, tmp_path / "a.sqlite3")
        crawl(server.base_url, tmp_path / "a.sqlite3")
        got = by_url(export(tmp_path / "a.sqlite3"))
        expected = {
            r["url"]: {k: r[k] for k in FIELDS} for r in expected_records(site, server.base_url)
        }
    assert got == expected
    assert versions_count(tmp_path / "a.sqlite3") == len(expected)


def test_scrapy_crawl_command_does_the_same_crawl(
    tmp_path: Path, site_server: FixtureServer
) -> None:
    import subprocess
    import sys

    db = tmp_path / "scrapy.sqlite3"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "nyheder",
            "-a",
            f"start_url={site_server.base_url}/nyheder/",
            "-s",
            f"CFBU_DB={db}",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "AUTOTHROTTLE_ENABLED=False",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    expected = {
        r["url"]: {k: r[k] for k in FIELDS}
        for r in expected_records(site_server.site, site_server.base_url)
    }
    assert by_url(export(db)) == expected
