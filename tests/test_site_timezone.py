"""The site timezone (docs/extraction.md, "Dates"): a crawl setting passed to extraction,
kept with the run's settings, and used again by ``cfbu reparse``."""

from __future__ import annotations

from pathlib import Path

import pytest
from changes_archive import BASE, open_db, run
from click.testing import CliRunner
from scrapy.utils.test import get_crawler
from sqlalchemy import update

from cfbu_crawler.archive.db import session_factory
from cfbu_crawler.archive.models import Run
from cfbu_crawler.archive.reparse import reparse_archive
from cfbu_crawler.archive.store import FetchedPage
from cfbu_crawler.cli import main
from cfbu_crawler.extract import extract_article
from cfbu_crawler.pipelines.extract import ExtractPipeline
from cfbu_crawler.pipelines.store import RUN_SETTINGS

# 02:30 UTC: the 19th in Copenhagen, the 18th in New York; the page shows no date.
HTML = (
    "<html><head><title>Nyhed</title><script type='application/ld+json'>"
    '{"@type":"NewsArticle","headline":"Nyhed","datePublished":"2019-11-19T02:30:00Z"}'
    "</script></head><body><article><h1>Nyhed</h1><p>Første afsnit om sagen.</p>"
    "<p>Andet afsnit om sagen.</p></article></body></html>"
).encode()


def test_the_crawl_setting_reaches_extraction_and_the_runs_settings() -> None:
    default = ExtractPipeline.from_crawler(get_crawler(settings_dict={}))
    assert default.site_timezone == "Europe/Copenhagen"
    crawler = get_crawler(settings_dict={"CFBU_SITE_TIMEZONE": "America/New_York"})
    pipeline = ExtractPipeline.from_crawler(crawler)
    assert pipeline.site_timezone == "America/New_York"
    assert "CFBU_SITE_TIMEZONE" in RUN_SETTINGS
    with pytest.raises(ValueError, match="unknown timezone"):
        ExtractPipeline.from_crawler(get_crawler(settings_dict={"CFBU_SITE_TIMEZONE": "Mars/Base"}))


def test_crawl_refuses_an_unknown_site_timezone() -> None:
    result = CliRunner().invoke(main, ["crawl", "--site-timezone", "Mars/Base"])
    assert result.exit_code == 2
    assert "unknown timezone 'Mars/Base'" in result.output
    from cfbu_crawler.overrides import SettingError, check_overrides

    with pytest.raises(SettingError, match="unknown timezone"):
        check_overrides({"CFBU_SITE_TIMEZONE": "Mars/Base"})  # -s, as scrapy crawl takes it
    check_overrides({"CFBU_SITE_TIMEZONE": "America/New_York"})


def _archive(tmp_path: Path, zone: str):
    engine = open_db(tmp_path / "a.sqlite3")
    article_url = BASE + "nyhed/"
    rec = extract_article(HTML, article_url, "utf-8", site_timezone=zone).record()
    rec["url"] = article_url
    page = FetchedPage(
        requested_url=article_url,
        final_url=article_url,
        identity_url=article_url,
        status=200,
        record=rec,
        raw=HTML,
        encoding="utf-8",
    )
    run_id = run(engine, [page])
    with session_factory(engine)() as session:
        session.execute(
            update(Run).where(Run.id == run_id).values(settings={"CFBU_SITE_TIMEZONE": zone})
        )
        session.commit()
    return engine, rec


def test_reparse_extracts_with_the_timezone_the_crawl_recorded(tmp_path: Path) -> None:
    engine, rec = _archive(tmp_path, "America/New_York")
    assert rec["published"] == "2019-11-18"
    result = reparse_archive(engine)
    assert (result["unchanged"], result["changed"]) == (1, 0)


def test_reparse_can_override_the_recorded_timezone(tmp_path: Path) -> None:
    engine, _rec = _archive(tmp_path, "America/New_York")
    result = reparse_archive(engine, site_timezone="Europe/Copenhagen")
    assert (result["unchanged"], result["changed"]) == (0, 1)
