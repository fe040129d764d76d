"""What the spider does with pages that are not what their address suggests."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import crawl, diff, export
from support.routes import RoutesSite, article, html, redirect

pytestmark = pytest.mark.slow


def listing(*slugs: str, extra: str = "") -> object:
    links = "".join(f"<li><a href='/nyheder/{s}/'>{s}</a></li>" for s in slugs)
    return html(f"<h1>Nyheder</h1><ul>{links}</ul>{extra}")


def two_articles() -> dict:
    """A listing of two articles, a and b."""
    return {
        "/nyheder/": listing("a", "b"),
        "/nyheder/a/": article("Artikel A", "Tekst a."),
        "/nyheder/b/": article("Artikel B", "Tekst b."),
    }


def test_article_shaped_address_serving_a_paginated_list_is_navigated_not_archived(
    tmp_path: Path,
) -> None:
    routes = {
        "/nyheder/": listing("a", "oversigt"),
        "/nyheder/oversigt/": listing("b", "c", "d", extra="<a href='/nyheder/page/2/'>2</a>"),
        "/nyheder/page/2/": listing("e"),
        **{f"/nyheder/{s}/": article(f"Artikel {s.upper()}", f"Tekst {s}.") for s in "abcde"},
    }
    with RoutesSite(routes) as site:
        crawl(site.base_url, tmp_path / "a.sqlite3")
        urls = sorted(r["url"] for r in export(tmp_path / "a.sqlite3"))
    assert urls == [f"{site.base_url}/nyheder/{s}/" for s in "abcde"]


def test_article_redirected_to_the_listing_is_removed_not_moved(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    routes = two_articles()
    with RoutesSite(routes) as site:
        crawl(site.base_url, db)
        site.routes = {**routes, "/nyheder/": listing("a"), "/nyheder/b/": redirect("/nyheder/")}
        crawl(site.base_url, db)
        report = diff(db)
    assert report["removed"] == [{"url": f"{site.base_url}/nyheder/b/", "title": "Artikel B"}]
    assert report["moved"] == [] and report["added"] == [] and report["changed"] == []
    records = {r["url"]: r for r in export(db)}
    assert records[f"{site.base_url}/nyheder/b/"]["status"] == "gone"
    assert len(records) == 2


def test_maintenance_redirect_of_the_whole_section_removes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    routes = two_articles()
    with RoutesSite(routes) as site:
        crawl(site.base_url, db)
        site.routes = {
            **{path: redirect("/vedligeholdelse/", 302) for path in routes},
            "/vedligeholdelse/": html("<h1>Vi opdaterer siden</h1>"),
        }
        proc = crawl(site.base_url, db, check=False)
    assert proc.returncode == 1
    assert "redirected to" in proc.stderr.splitlines()[-1]
    assert {r["status"] for r in export(db)} == {"live"}


def test_temporary_redirect_of_one_article_is_an_error_not_a_removal(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    routes = two_articles()
    with RoutesSite(routes) as site:
        crawl(site.base_url, db)
        site.routes = {
            **routes,
            "/nyheder/b/": redirect("/login/", 302),
            "/login/": html("Log ind"),
        }
        proc = crawl(site.base_url, db, "--full", check=False)
    assert proc.returncode == 4
    assert {r["status"] for r in export(db)} == {"live"}


def test_page_declaring_itself_an_article_is_archived_despite_listing_links(
    tmp_path: Path,
) -> None:
    page = article("Artikel A", "Tekst a.")[2].replace(
        b"<head>", b"<head><meta property='og:type' content='article'>"
    )
    sidebar = "".join(f"<a href='/nyheder/{s}/'>{s}</a>" for s in "bcd")
    page = page.replace(
        b"</body>", f"{sidebar}<a href='/nyheder/page/2/'>Ældre</a></body>".encode()
    )
    routes = {
        "/nyheder/": listing("a"),
        "/nyheder/a/": (200, {"Content-Type": "text/html; charset=utf-8"}, page),
        **{f"/nyheder/{s}/": article(f"Artikel {s}", "x") for s in "bcd"},
        "/nyheder/page/2/": listing("b"),
    }
    with RoutesSite(routes) as site:
        crawl(site.base_url, db := tmp_path / "a.sqlite3")
        urls = {r["url"] for r in export(db)}
    assert f"{site.base_url}/nyheder/a/" in urls
