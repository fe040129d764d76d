"""Tests of the bundled demo site (``cfbu_crawler.demo``), the records and diffs the tests
expect of it (``support.oracle``) and the loopback fixture server (``support.server``)."""

from __future__ import annotations

import html
import http.client
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from support.oracle import check_article, expected_diff, expected_records
from support.server import FixtureServer

from cfbu_crawler.demo.build import build_site
from cfbu_crawler.demo.content import SEED_SLUG, load_articles
from cfbu_crawler.demo.edits import (
    DATE_EDIT,
    EXPECTED_CHANGES,
    MOVED_FROM,
    MOVED_TO,
    REMOVED,
    TITLE_EDIT,
    UNLISTED,
)
from cfbu_crawler.demo.site import Site

# The project's golden case of the seed article (its expected.json is the shared seed's,
# test_extract_golden.py checks, and its URL is in url.txt).
SEED_CASE = Path(__file__).parent / "fixtures" / "seed_wordpress_yoast"

Reply = tuple[int, dict[str, str], bytes]


def fetch(
    base_url: str, path: str, *, method: str = "GET", headers: dict[str, str] | None = None
) -> Reply:
    """One request without following redirects; header names lower-cased."""
    u = urlsplit(base_url)
    conn = http.client.HTTPConnection(u.hostname or "127.0.0.1", u.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, body
    finally:
        conn.close()


@pytest.fixture(scope="module")
def v1_server() -> Iterator[FixtureServer]:
    with FixtureServer(build_site("v1")) as srv:
        yield srv


@pytest.fixture()
def fresh_server() -> Iterator[FixtureServer]:
    with FixtureServer(build_site("v1")) as srv:
        yield srv


def listing_links(body: bytes) -> list[str]:
    return re.findall(r'href="(/nyheder/(?:page/\d+/nyhed/)?[a-z0-9-]+/?)"', body.decode("utf-8"))


def crawl_listing(srv: FixtureServer) -> tuple[list[str], list[str]]:
    """Follow rel=next from /nyheder/; return (listing paths, article links in order)."""
    pages, links = [], []
    path: str | None = "/nyheder/"
    while path is not None:
        assert path not in pages, "pagination loops"
        status, _, body = fetch(srv.base_url, path)
        assert status == 200
        pages.append(path)
        text = body.decode("utf-8")
        main = text.split('id="main"', 1)[1]
        links += [
            h
            for h in re.findall(r'<h2 class="entry-title"><a href="([^"]+)"', main)
            if not h.startswith("http")
        ]
        nxt = re.search(r'<a class="next" rel="next" href="([^"]+)"', text)
        path = nxt.group(1) if nxt else None
    return pages, links


# ----- content model -----------------------------------------------------------------


def test_content_model_is_unambiguous_under_the_spec_qa_rule() -> None:
    for a in load_articles():
        check_article(a)  # raises on disagreement


def test_snapshot_has_the_required_mix_of_article_types() -> None:
    v1 = [a for a in load_articles() if a.added_in == "v1"]
    assert len(v1) >= 35
    styles = [a.interview_style for a in v1 if a.kind == "interview"]
    assert len(styles) >= 12
    assert all(styles.count(s) >= 3 for s in (1, 2, 3))
    news = [a for a in v1 if a.kind == "news"]
    assert any(any(p.kind == "quote" for p in a.paragraphs) for a in news)
    assert any(a.title.endswith("?") for a in news)
    assert any(any(p.kind == "subheading" and p.text.isupper() for p in a.paragraphs) for a in news)
    assert any(
        any(p.kind == "plain" and p.text.endswith("?") for p in a.paragraphs[1:]) for a in news
    ), "a prose paragraph ending in '?' is needed"
    assert sum(any(p.kind == "spacer" for p in a.paragraphs) for a in v1) >= 5
    assert {a.published.year for a in v1} >= set(range(2012, 2020))
    late = [a for a in v1 if a.published.date().isoformat() != a.published_date]
    assert len(late) >= 3, "late-evening articles whose UTC date differs from Copenhagen"


def test_published_is_the_copenhagen_date_of_a_late_evening_utc_timestamp() -> None:
    a = next(a for a in load_articles() if a.slug == "ny-helhedsplanperiode-skudt-i-gang")
    assert a.published.isoformat() == "2018-02-28T23:20:00+00:00"
    assert a.published_date == "2018-03-01"
    assert a.danish_date == "1. marts 2018"
    assert a.numeric_date == "01.03.2018"


# ----- expected records ------------------------------------------------------------------


def test_expected_records_are_unique_and_sorted_and_the_seed_matches_expected_json() -> None:
    base = "https://cfbu.dk"
    recs = expected_records(build_site("v1"), base)
    assert len(recs) >= 35
    urls = [r["url"] for r in recs]
    assert len(set(urls)) == len(urls)
    assert urls == sorted(urls)
    seed = next(r for r in recs if SEED_SLUG in r["url"])
    expected = json.loads((SEED_CASE / "expected.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in seed.items() if k != "url"} == {
        k: v for k, v in expected.items() if k != "url"
    }
    assert seed["url"] == (SEED_CASE / "url.txt").read_text(encoding="utf-8").strip()


def test_expected_records_use_old_generation_identity_and_fields() -> None:
    site = build_site("v1")
    old = [r for r in expected_records(site, "http://h") if "/nyheder/nyhed/" in r["url"]]
    assert len(old) == 6
    for r in old:
        assert r["url"].endswith("/") and "/page/" not in r["url"]
        assert r["category"] is None
        assert r["breadcrumb"] == ["Forside", "Nyheder", r["title"]]
        assert r["title"] != r["title"].upper()


def test_expected_records_of_the_old_generation_site_cover_every_article() -> None:
    recs = expected_records(build_site("v1", generation="old"), "http://h")
    assert len(recs) >= 35
    assert all("/nyheder/nyhed/" in r["url"] for r in recs)


def test_articles_option_trims_the_site_keeping_the_seed() -> None:
    site = build_site("v1", articles=5)
    assert len(site.articles) == 5
    assert site.article(SEED_SLUG) is not None


# ----- expected diff ------------------------------------------------------------------


def test_expected_diff_v1_to_v2_lists_exactly_the_scripted_edits() -> None:
    base = "http://127.0.0.1:9"
    v1, v2 = build_site("v1"), build_site("v2")
    d = expected_diff(v1, v2, base)
    assert [a["url"] for a in d["added"]] == [
        f"{base}/nyheder/et-aar-med-den-nye-helhedsplan-i-gellerup/",
        f"{base}/nyheder/ny-strategi-for-cfbu-2020-2023/",
    ]
    assert all(a["title"] == a["title"].upper() for a in d["added"])
    (removed,) = d["removed"]
    assert removed["url"] == f"{base}/nyheder/nyhed/{REMOVED}/" and removed["title"]
    (moved,) = d["moved"]
    assert (moved["from"], moved["to"]) == (
        f"{base}/nyheder/{MOVED_FROM}/",
        f"{base}/nyheder/{MOVED_TO}/",
    )
    assert moved["title"] == v2.display_title(v2.article(MOVED_TO))
    assert {c["url"]: c["fields"] for c in d["changed"]} == {
        f"{base}/nyheder/{slug}/": fields for slug, fields in EXPECTED_CHANGES.items()
    }
    assert d["unchanged"] == len(v1.articles) - 1 - 1 - len(EXPECTED_CHANGES)
    # the unlisted article is reported as unlisted, and with all re-themed articles it
    # counts as unchanged
    assert [u["url"] for u in d["unlisted"]] == [f"{base}/nyheder/{UNLISTED}/"]
    assert d["unlisted"][0]["title"] == v2.display_title(v2.article(UNLISTED))
    assert (d["first_archived"], d["warnings"]) == ([], [])


def test_expected_diff_of_identical_sites_is_empty() -> None:
    v1 = build_site("v1")
    d = expected_diff(v1, build_site("v1"), "http://h")
    assert d == {
        "added": [],
        "first_archived": [],
        "removed": [],
        "moved": [],
        "changed": [],
        "unlisted": [],
        "unchanged": len(v1.articles),
        "warnings": [],
    }


def test_v2_title_edit_changes_title_and_breadcrumb_only() -> None:
    v1, v2 = build_site("v1"), build_site("v2")
    r1 = next(r for r in expected_records(v1, "http://h") if TITLE_EDIT in r["url"])
    r2 = next(r for r in expected_records(v2, "http://h") if TITLE_EDIT in r["url"])
    assert r1["title"] != r2["title"] and r2["breadcrumb"][-1] == r2["title"]
    assert (r1["lead"], r1["body"], r1["published"]) == (r2["lead"], r2["body"], r2["published"])


# ----- server: listing, articles, conditional requests ------------------------------


@pytest.mark.slow
def test_listing_pagination_follows_next_links_and_ends(v1_server: FixtureServer) -> None:
    site: Site = v1_server.site
    pages, links = crawl_listing(v1_server)
    assert pages == ["/nyheder/"] + [f"/nyheder/page/{n}/" for n in range(2, site.pages + 1)]
    assert len(links) == len(site.listed)
    assert fetch(v1_server.base_url, f"/nyheder/page/{site.pages + 1}/")[0] == 404
    status, headers, _ = fetch(v1_server.base_url, "/nyheder/page/1/")
    assert status == 301 and headers["location"].endswith("/nyheder/")


@pytest.mark.slow
def test_listing_links_old_generation_articles_with_their_page_number(
    v1_server: FixtureServer,
) -> None:
    site: Site = v1_server.site
    seen = 0
    for n in range(1, site.pages + 1):
        _, _, body = fetch(v1_server.base_url, site.listing_path(n))
        for link in set(listing_links(body)):
            m = re.fullmatch(r"/nyheder/page/(\d+)/nyhed/([a-z0-9-]+)", link)
            if m:
                assert int(m.group(1)) == n
                assert site.is_old(m.group(2))
                seen += 1
    assert seen == 6


@pytest.mark.slow
def test_every_article_page_is_200_with_etag_and_304_on_if_none_match(
    v1_server: FixtureServer,
) -> None:
    site: Site = v1_server.site
    for a in site.articles:
        path = urlsplit(site.article_url(a, v1_server.base_url)).path
        status, headers, body = fetch(v1_server.base_url, path)
        assert status == 200, path
        etag = headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        assert int(headers["content-length"]) == len(body)
        status, headers2, body2 = fetch(v1_server.base_url, path, headers={"If-None-Match": etag})
        assert status == 304 and body2 == b"" and headers2["etag"] == etag


@pytest.mark.slow
def test_if_modified_since_answers_304_until_the_page_changes(v1_server: FixtureServer) -> None:
    path = f"/nyheder/{SEED_SLUG}/"
    _, headers, _ = fetch(v1_server.base_url, path)
    lm = headers["last-modified"]
    assert fetch(v1_server.base_url, path, headers={"If-Modified-Since": lm})[0] == 304
    older = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert fetch(v1_server.base_url, path, headers={"If-Modified-Since": older})[0] == 200


@pytest.mark.slow
def test_last_modified_is_stable_across_server_restarts() -> None:
    path = f"/nyheder/{SEED_SLUG}/"
    with FixtureServer(build_site("v1")) as a:
        lm1 = fetch(a.base_url, path)[1]["last-modified"]
    with FixtureServer(build_site("v1")) as b:
        lm2 = fetch(b.base_url, path)[1]["last-modified"]
    assert lm1 == lm2 == "Mon, 07 Dec 2015 16:52:00 GMT"


@pytest.mark.slow
def test_etags_false_sends_no_validators_and_never_304() -> None:
    with FixtureServer(build_site("v1", etags=False)) as srv:
        status, headers, _ = fetch(
            srv.base_url, f"/nyheder/{SEED_SLUG}/", headers={"If-None-Match": "*"}
        )
        assert status == 200 and "etag" not in headers and "last-modified" not in headers


@pytest.mark.slow
def test_head_returns_headers_without_body(v1_server: FixtureServer) -> None:
    path = f"/nyheder/{SEED_SLUG}/"
    _, get_headers, body = fetch(v1_server.base_url, path)
    status, headers, head_body = fetch(v1_server.base_url, path, method="HEAD")
    assert status == 200 and head_body == b""
    assert headers["content-length"] == str(len(body)) and headers["etag"] == get_headers["etag"]


@pytest.mark.slow
def test_current_article_has_canonical_to_its_own_url_and_jsonld(v1_server: FixtureServer) -> None:
    url = f"{v1_server.base_url}/nyheder/{SEED_SLUG}/"
    _, _, body = fetch(v1_server.base_url, f"/nyheder/{SEED_SLUG}/?utm_source=x")
    text = body.decode("utf-8")
    assert f'<link rel="canonical" href="{url}">' in text
    ld = json.loads(re.search(r'class="yoast-schema-graph">(.*?)</script>', text).group(1))
    art = next(n for n in ld["@graph"] if n["@type"] == "Article")
    assert art["datePublished"] == "2015-11-30T09:42:00+00:00"
    assert '<nav class="yoast-breadcrumbs">' in text and "Se seneste nyheder" in text


@pytest.mark.slow
def test_old_generation_article_answers_under_any_page_number(v1_server: FixtureServer) -> None:
    site: Site = v1_server.site
    old = [a for a in site.articles if site.is_old(a.slug)]
    for a in old:
        bodies = set()
        for path in (
            f"/nyheder/page/1/nyhed/{a.slug}",
            f"/nyheder/page/7/nyhed/{a.slug}",
            f"/nyheder/page/99/nyhed/{a.slug}/",
            f"/nyheder/nyhed/{a.slug}",
            f"/nyheder/nyhed/{a.slug}/",
        ):
            status, _, body = fetch(v1_server.base_url, path)
            assert status == 200, path
            bodies.add(body)
        assert len(bodies) == 1
        assert fetch(v1_server.base_url, f"/nyheder/{a.slug}/")[0] == 404


@pytest.mark.slow
def test_windows_1252_pages_decode_to_the_right_text(v1_server: FixtureServer) -> None:
    site: Site = v1_server.site
    declared = {"header": 0, "meta": 0}
    for a in (a for a in site.articles if site.is_old(a.slug)):
        _, headers, body = fetch(v1_server.base_url, f"/nyheder/nyhed/{a.slug}")
        in_header = "windows-1252" in headers["content-type"]
        in_meta = b'charset=windows-1252">' in body
        assert in_header or in_meta
        declared["header"] += in_header
        declared["meta"] += in_meta
        text = html.unescape(body.decode("cp1252"))
        assert a.title in text and a.numeric_date in text
        assert "Du er her:" in text
        if any(ch in a.body for ch in "æøåÆØÅ–’"):
            with pytest.raises(UnicodeDecodeError):
                body.decode("utf-8")
    assert declared["header"] < 6 and declared["meta"] < 6, "both declaration styles are used"


def test_every_article_page_shows_every_paragraph_in_every_theme() -> None:
    base = "http://h"
    for site in (
        build_site("v1"),
        build_site("v1", theme="wp_plain"),
        build_site("v2"),
        build_site("v1", generation="old"),
    ):
        for a in site.articles:
            resp = site.render(urlsplit(site.article_url(a, base)).path, base)
            assert resp.status == 200
            charset = "cp1252" if site.is_old(a.slug) else "utf-8"
            text = " ".join(html.unescape(resp.body.decode(charset)).split())
            assert site.display_title(a) in text
            for p in a.text_paragraphs:
                assert p.text in text, (site.themes[a.slug], a.slug, p.text[:40])


@pytest.mark.slow
def test_non_article_pages_are_linked_from_article_pages_and_answer_200(
    v1_server: FixtureServer,
) -> None:
    for path in (f"/nyheder/{SEED_SLUG}/", f"/nyheder/nyhed/{REMOVED}"):
        status, headers, body = fetch(v1_server.base_url, path)
        text = body.decode(headers["content-type"].partition("charset=")[2] or "cp1252")
        for link in (
            "/om-cfbu/",
            "/publikationer/",
            "/nyheder/category/nyheder/",
            "/tag/helhedsplaner/",
            "/?s=test",
            "/kontakt/",
            "https://www.facebook.com/",
            "https://www.linkedin.com/",
            "mailto:",
            "javascript:void(0)",
        ):
            assert link in text, (path, link)
    for path in (
        "/om-cfbu/",
        "/publikationer/",
        "/nyheder/category/nyheder/",
        "/tag/helhedsplaner/",
        "/?s=test",
        "/kontakt/",
        "/",
    ):
        assert fetch(v1_server.base_url, path)[0] == 200, path


@pytest.mark.slow
def test_robots_txt_points_to_the_sitemap_index(v1_server: FixtureServer) -> None:
    status, _, body = fetch(v1_server.base_url, "/robots.txt")
    assert status == 200
    assert f"Sitemap: {v1_server.base_url}/sitemap_index.xml" in body.decode()


def _lastmods(srv: FixtureServer) -> dict[str, str]:
    _, _, idx = fetch(srv.base_url, "/sitemap_index.xml")
    assert f"{srv.base_url}/post-sitemap.xml" in idx.decode()
    _, _, body = fetch(srv.base_url, "/post-sitemap.xml")
    return dict(re.findall(r"<loc>([^<]+)</loc><lastmod>([^<]+)</lastmod>", body.decode()))


@pytest.mark.slow
def test_sitemap_lastmod_is_present_and_changes_for_edited_articles(
    fresh_server: FixtureServer,
) -> None:
    base = fresh_server.base_url
    before = _lastmods(fresh_server)
    site: Site = fresh_server.site
    current = [a for a in site.articles if not site.is_old(a.slug)]
    assert {site.article_url(a, base) for a in current} <= set(before)
    assert not any("/nyhed/" in u for u in before), "old generation is not in the sitemap"
    fresh_server.site = build_site("v2")
    after = _lastmods(fresh_server)
    for slug in (*EXPECTED_CHANGES, DATE_EDIT, TITLE_EDIT):
        url = f"{base}/nyheder/{slug}/"
        assert after[url] > before[url]
    assert f"{base}/nyheder/{UNLISTED}/" not in after
    assert f"{base}/nyheder/{MOVED_TO}/" in after and f"{base}/nyheder/{MOVED_FROM}/" not in after


@pytest.mark.slow
def test_old_generation_site_has_no_sitemap() -> None:
    with FixtureServer(build_site("v1", generation="old")) as srv:
        assert "Sitemap:" not in fetch(srv.base_url, "/robots.txt")[2].decode()
        assert fetch(srv.base_url, "/sitemap_index.xml")[0] == 404


# ----- server: v2 ------------------------------------------------------------------------


@pytest.mark.slow
def test_v2_removed_article_is_404_and_moved_article_is_301(fresh_server: FixtureServer) -> None:
    base = fresh_server.base_url
    assert fetch(base, f"/nyheder/{MOVED_FROM}/")[0] == 200
    fresh_server.site = build_site("v2")
    for path in (f"/nyheder/nyhed/{REMOVED}", f"/nyheder/page/4/nyhed/{REMOVED}"):
        assert fetch(base, path)[0] == 404
    status, headers, _ = fetch(base, f"/nyheder/{MOVED_FROM}/")
    assert status == 301 and headers["location"] == f"{base}/nyheder/{MOVED_TO}/"
    assert fetch(base, f"/nyheder/{MOVED_TO}/")[0] == 200
    links = []
    for n in range(1, fresh_server.site.pages + 1):
        links += listing_links(fetch(base, fresh_server.site.listing_path(n))[2])
    assert f"/nyheder/{MOVED_TO}/" in links and f"/nyheder/{MOVED_FROM}/" not in links
    assert not any(REMOVED in link for link in links)


@pytest.mark.slow
def test_v2_unlisted_article_is_live_but_not_linked(fresh_server: FixtureServer) -> None:
    fresh_server.site = build_site("v2")
    base = fresh_server.base_url
    assert fetch(base, f"/nyheder/{UNLISTED}/")[0] == 200
    for n in range(1, fresh_server.site.pages + 1):
        assert UNLISTED not in fetch(base, fresh_server.site.listing_path(n))[2].decode()
    assert UNLISTED not in fetch(base, f"/nyheder/{SEED_SLUG}/")[2].decode()


def test_v2_shifts_old_generation_page_numbers_in_listing_links() -> None:
    v1, v2 = build_site("v1"), build_site("v2")
    shifted = [
        a.slug
        for a in v2.listed
        if v2.is_old(a.slug) and v1.listing_page_of(a.slug) != v2.listing_page_of(a.slug)
    ]
    assert shifted, "new articles push some old-generation links to the next listing page"


@pytest.mark.slow
def test_v2_theme_change_changes_etag_of_current_pages_but_not_old_pages(
    fresh_server: FixtureServer,
) -> None:
    base = fresh_server.base_url
    site: Site = fresh_server.site
    paths = {a.slug: urlsplit(site.article_url(a, base)).path for a in site.articles}
    etags1 = {s: fetch(base, p)[1]["etag"] for s, p in paths.items()}
    fresh_server.site = build_site("v2")
    v2: Site = fresh_server.site
    for slug, path in paths.items():
        if v2.article(slug) is None:
            continue
        status, headers, body = fetch(base, path, headers={"If-None-Match": etags1[slug]})
        if v2.is_old(slug):
            assert status == 304, slug
        else:
            assert status == 200 and b"t24-related" in body, slug


# ----- server: stats and faults ----------------------------------------------------------


@pytest.mark.slow
def test_stats_record_method_path_status_bytes_and_conditional(fresh_server: FixtureServer) -> None:
    base = fresh_server.base_url
    fresh_server.stats.reset()
    _, headers, body = fetch(base, f"/nyheder/{SEED_SLUG}/")
    fetch(base, f"/nyheder/{SEED_SLUG}/", headers={"If-None-Match": headers["etag"]})
    fetch(base, "/nope/", method="HEAD")
    recs = fresh_server.stats.records
    assert [(r.method, r.path, r.status, r.conditional) for r in recs] == [
        ("GET", f"/nyheder/{SEED_SLUG}/", 200, False),
        ("GET", f"/nyheder/{SEED_SLUG}/", 304, True),
        ("HEAD", "/nope/", 404, False),
    ]
    assert recs[0].bytes_sent > len(body) and recs[1].bytes_sent < 400
    assert fresh_server.stats.total_requests() == 3
    assert fresh_server.stats.total_bytes() == sum(r.bytes_sent for r in recs)
    fresh_server.stats.reset()
    assert fresh_server.stats.total_requests() == 0


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["503", "redirect_loop", "binary", "truncate", "reset", "timeout"])
def test_fault_fires_the_given_number_of_times_then_the_path_answers_normally(
    fresh_server: FixtureServer, kind: str
) -> None:
    base = fresh_server.base_url
    path = f"/nyheder/{SEED_SLUG}/"
    fresh_server.set_fault(path, kind, times=2, seconds=0.4)
    for _ in range(2):
        started = time.monotonic()
        try:
            status, headers, body = fetch(base, path)
        except (http.client.HTTPException, OSError):
            assert kind in ("truncate", "reset")
            continue
        if kind == "503":
            assert status == 503 and headers["retry-after"] == "1"
        elif kind == "redirect_loop":
            assert status == 302 and urlsplit(headers["location"]).path == path
        elif kind == "binary":
            assert headers["content-type"] == "application/pdf" and body.startswith(b"%PDF")
        elif kind == "timeout":
            assert time.monotonic() - started >= 0.4 and status == 200
        else:
            pytest.fail(f"{kind} answered {status}")
    assert fresh_server.faults.fired(path) == 2 and fresh_server.faults.remaining(path) == 0
    status, headers, body = fetch(base, path)
    assert status == 200 and b"DE TROV" in body


@pytest.mark.slow
def test_huge_fault_sends_a_20_mb_body_once(fresh_server: FixtureServer) -> None:
    path = f"/nyheder/{SEED_SLUG}/"
    fresh_server.set_fault(path, "huge", times=1)
    status, headers, body = fetch(fresh_server.base_url, path)
    assert status == 200 and int(headers["content-length"]) == len(body) >= 20 * 1024 * 1024
    assert len(fetch(fresh_server.base_url, path)[2]) < 100_000


@pytest.mark.slow
def test_unknown_fault_kind_is_rejected(fresh_server: FixtureServer) -> None:
    with pytest.raises(ValueError):
        fresh_server.set_fault("/x/", "explode")


@pytest.mark.slow
def test_server_keeps_connections_alive_for_http11_clients(fresh_server: FixtureServer) -> None:
    u = urlsplit(fresh_server.base_url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        sockets = []
        for path in ("/nyheder/", f"/nyheder/{SEED_SLUG}/", "/robots.txt"):
            conn.request("GET", path)
            r = conn.getresponse()
            assert r.status == 200 and r.read()
            assert not r.will_close
            sockets.append(conn.sock)  # http.client reconnects if the server closed it
        assert sockets[0] is not None and sockets == [sockets[0]] * 3
    finally:
        conn.close()
