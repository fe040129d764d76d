"""Extraction health: a complete run whose field coverage drops warns, is stored, and can
fail the crawl (`--fail-on-coverage-drop`)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import crawl
from helpers import runs as read_runs
from support.server import FixtureServer

from cfbu_crawler.archive.coverage import coverage_of, coverage_warnings, looks_like_interview
from cfbu_crawler.archive.models import Version
from cfbu_crawler.demo.build import build_site
from cfbu_crawler.demo.site import Response

DATES = re.compile(
    r"<time[^>]*>.*?</time>|\"datePublished\"\s*:\s*\"[^\"]*\",?|"
    r"<meta[^>]+published_time[^>]*>|\b\d{1,2}\.\s*\w+\.?\s+\d{4}\b|\b\d{1,2}\.\d{1,2}\.\d{4}\b",
    re.S,
)


class DatelessSite:
    """The fixture site after a 'redesign' that dropped every publication date."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def respond(self, method, path, base_url, request_headers=None) -> Response:
        resp = self.inner.respond(method, path, base_url, request_headers)
        if resp.status != 200 or "html" not in resp.headers.get("Content-Type", ""):
            return resp
        charset = "windows-1252" if "1252" in resp.headers.get("Content-Type", "") else "utf-8"
        body = DATES.sub("", resp.body.decode(charset, "replace")).encode(charset, "replace")
        headers = {k: v for k, v in resp.headers.items() if k not in ("ETag", "Content-Length")}
        return replace(resp, headers=headers, body=body)


@pytest.mark.slow
def test_coverage_drop_is_warned_stored_and_fails_the_crawl_on_request(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    with FixtureServer(build_site("v1")) as server:
        crawl(server.base_url, db)
        server.site = DatelessSite(build_site("v1"))
        proc = crawl(server.base_url, db, "--full", "--fail-on-coverage-drop", check=False)
    assert proc.returncode == 5, proc.stderr[-1500:]
    assert "coverage of published dropped from 100%" in proc.stderr
    runs = read_runs(db)
    assert runs[0]["coverage"]["published"] < 0.2
    assert runs[0]["warnings"] and "published" in runs[0]["warnings"][0]
    assert runs[1]["warnings"] == []


def test_no_warning_when_coverage_holds() -> None:
    before = {
        "articles": 40,
        "title": 1.0,
        "published": 0.98,
        "breadcrumb": 1.0,
        "body": 1.0,
        "qa": 1.0,
    }
    after = dict(before, published=0.95)
    assert coverage_warnings(before, after) == []
    assert coverage_warnings(before, dict(before, published=0.4)) == [
        "extraction coverage of published dropped from 98% to 40% - has the site's markup changed?"
    ]


def test_interviews_without_qa_lower_qa_coverage() -> None:
    body = "Indledning.\n\nHvad gør I?\n\n– Vi arbejder.\n\nHvorfor?\n\n– Fordi."
    assert looks_like_interview(body)
    assert not looks_like_interview("En nyhed.\n\n– Vi er glade, siger hun.")
    versions = [
        Version(title="A", published="2015-11-30", breadcrumb=["a"], body=body, qa=[]),
        Version(title="B", published=None, breadcrumb=[], body="x", qa=[]),
    ]
    coverage = coverage_of(versions)
    assert coverage["articles"] == 2 and coverage["published"] == 0.5
    assert coverage["interviews"] == 1 and coverage["qa"] == 0.0
