"""`cfbu serve` for real: the server on 127.0.0.1 over an archive of tests/freshsite,
its JSON API (tables and views, canned queries, the latest versions' search for a Danish
word, stored pages as text), serving while a crawl writes, and a headless Chromium
through its pages."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.freshcrawl import FreshArchive
from support.serving import Served, cfbu_serve, copy_archive

from cfbu_crawler.demo.runner import crawl_command

pytestmark = pytest.mark.slow

DB_NAME = "served"


@pytest.fixture(scope="module")
def served(
    fresh_archive: FreshArchive, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    db = copy_archive(fresh_archive.db, tmp_path_factory.mktemp("served") / f"{DB_NAME}.sqlite3")
    with cfbu_serve(db) as server:
        yield server


def test_the_json_api_lists_tables_and_views(served: Served) -> None:
    database = served.json(f"/{DB_NAME}.json")
    tables = {t["name"] for t in database["tables"] if not t["hidden"]}
    assert {"runs", "articles", "article_urls", "versions", "observations", "raw_pages"} <= tables
    assert {v["name"] for v in database["views"]} == {"latest_versions", "versions_text"}
    assert {q["name"] for q in database["queries"]} == {
        "latest_articles",
        "interviews",
        "changes_in_run",
        "article_history",
        "gone_or_moved",
        "coverage_per_run",
    }
    metadata = served.json("/-/metadata.json")
    columns = metadata["databases"][DB_NAME]["tables"]["observations"]["columns"]
    assert columns["warc_file"].startswith("the WARC file holding")


def test_canned_queries_give_their_rows(served: Served) -> None:
    rows = served.json(f"/{DB_NAME}/latest_articles.json", _shape="array")
    assert [r["title"] for r in rows][:2] == [
        "Grønne gårde i Sønderbro",
        "Tre spørgsmål om fællesskab i opgangen",
    ]
    assert len(rows) == 5  # six articles, one removed by run 2
    changes = served.json(f"/{DB_NAME}/changes_in_run.json", run="2", _shape="array")
    assert {(r["change"], r["title"]) for r in changes} == {
        ("changed", "Grønne gårde i Sønderbro"),
        ("removed", "Mød naboerne i Aalborg Øst"),
    }
    changed = next(r for r in changes if r["change"] == "changed")
    assert changed["changed_fields"] == '["lead", "body"]'
    history = served.json(
        f"/{DB_NAME}/article_history.json", article="groenne-gaarde-i-soenderbro", _shape="array"
    )
    assert [r["version"] for r in history] == [1, 2]
    interviews = served.json(f"/{DB_NAME}/interviews.json", _shape="array")
    assert [(r["title"], r["questions"]) for r in interviews] == [
        ("Tre spørgsmål om fællesskab i opgangen", 3),
        ("Mød naboerne i Aalborg Øst", 2),
    ]


def test_the_latest_versions_search_finds_a_danish_word(served: Served) -> None:
    rows = served.json(f"/{DB_NAME}/latest_versions.json", _search="FÆLLESSKAB", _shape="array")
    assert [r["title"] for r in rows] == ["Tre spørgsmål om fællesskab i opgangen"]
    assert (
        served.json(f"/{DB_NAME}/latest_versions.json", _search="faellesskab", _shape="array") == []
    )


def test_a_stored_page_is_text_never_html(served: Served) -> None:
    history = served.json(
        f"/{DB_NAME}/article_history.json", article="groenne-gaarde-i-soenderbro", _shape="array"
    )
    status, headers, body = served.get(f"/-/raw-page/{history[0]['raw_page_id']}")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>window.magTrack" in body.decode("utf-8")


def test_serving_never_blocks_a_crawl_writing_to_the_archive(
    fresh_archive: FreshArchive, tmp_path: Path
) -> None:
    db = copy_archive(fresh_archive.db, tmp_path / "busy.sqlite3")
    answers: list[int] = []
    with cfbu_serve(db) as server:
        before = server.json("/busy/runs.json", _shape="array")
        done = threading.Event()

        def poll() -> None:
            while not done.is_set():
                answers.append(
                    len(server.json("/busy/observations.json", _shape="array", _size="max"))
                )
                time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        try:
            crawl = subprocess.run(
                crawl_command(fresh_archive.server.base_url, db, "--full"),
                capture_output=True,
                text=True,
                timeout=180,
            )
        finally:
            done.set()
            poller.join()
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr
        after = server.json("/busy/runs.json", _shape="array")
    assert len(after) == len(before) + 1 and after[0]["status"] == "complete"
    assert len(answers) >= 3 and answers == sorted(answers)  # never an error, never less


# -- a real browser ---------------------------------------------------------------------
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(
            "no Chromium here: Debian's chromium and chromium-driver are needed "
            "(.ci/run installs them with apt-get where it can)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(tmp_path_factory.getbasetemp() / "chromium-profile0", ignore_errors=True)


def console_errors(driver: Any) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def table_rows(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [
        row.text for row in driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    ]


def test_a_browser_shows_the_index_search_and_one_articles_history(
    served: Served, browser: Any
) -> None:
    from selenium.webdriver.common.by import By

    browser.get(served.url)
    assert "cfbu" in browser.title
    assert browser.find_element(By.LINK_TEXT, DB_NAME).is_displayed()
    assert console_errors(browser) == []

    browser.get(served.url + f"{DB_NAME}/latest_versions")
    box = browser.find_element(By.CSS_SELECTOR, "input#_search")
    box.send_keys("fællesskab")
    box.submit()
    rows = table_rows(browser)
    assert len(rows) == 1 and "Tre spørgsmål om fællesskab i opgangen" in rows[0]
    assert "_search=f%C3%A6llesskab" in browser.current_url
    assert console_errors(browser) == []

    browser.get(served.url + f"{DB_NAME}/article_history")
    field = browser.find_element(By.CSS_SELECTOR, "input[name=article]")
    field.send_keys("groenne-gaarde-i-soenderbro")
    field.submit()
    rows = table_rows(browser)
    assert len(rows) == 2 and all("Grønne gårde i Sønderbro" in row for row in rows)
    assert "stored page" in rows[0]
    assert urllib.parse.urlsplit(browser.current_url).query == "article=groenne-gaarde-i-soenderbro"
    assert console_errors(browser) == []
