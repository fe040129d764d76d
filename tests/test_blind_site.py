"""Blind site: a crawl of a news section built in markups the project's own demo site
does not use, compared record for record with what docs/record.md says must come out.

The site (served on 127.0.0.1 by the suite's fixture server) paginates its listing with
``?page=2`` ("Næste side ›") and then ``/nyheder/side/3/`` ("Ældre nyheder"), links
category, tag, archive, search and static pages, external sites and dead article links,
links one article twice (with tracking parameters) and an old-generation article under
two ``/nyheder/page/N/nyhed/<slug>`` URLs. Its article pages are the ``blind_*`` golden
cases (Drupal, Joomla, Tailwind, Bootstrap, old tables in windows-1252...), so the
expected records are their hand-written ``expected.json`` plus the URL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import crawl, export
from support.server import FixtureServer

from cfbu_crawler.demo.site import Response
from cfbu_crawler.record import RECORD_FIELDS

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures"
FIELDS = RECORD_FIELDS
OLD_CASE = "blind_old_table_font"
# Listing pages in the order a reader pages through them: case names of their articles.
PAGES = [
    ["blind_drupal_fields", "blind_joomla_item_page", "blind_tailwind_utility"],
    ["blind_div_paragraphs_em", "blind_article_comments_jsonld", OLD_CASE],
    ["blind_bootstrap_lead_time_text", "blind_static_date_below_bold_style"],
    ["blind_wp_english_dates_rankmath", "blind_utility_bold_class_intro", OLD_CASE],
    ["blind_joomla25_text_dates"],
]
PAGE_PATHS = [
    "/nyheder/",
    "/nyheder/?page=2",
    "/nyheder/side/3/",
    "/nyheder/side/4/",
    "/nyheder/side/5/",
]


def slug(case: str) -> str:
    url = (FIXTURES / case / "url.txt").read_text(encoding="utf-8").strip()
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def article_path(case: str, page_no: int) -> str:
    if case == OLD_CASE:
        return f"/nyheder/page/{page_no}/nyhed/{slug(case)}"
    return f"/nyheder/{slug(case)}/"


def article_url(base: str, case: str) -> str:
    if case == OLD_CASE:
        return f"{base}/nyheder/nyhed/{slug(case)}/"
    return f"{base}/nyheder/{slug(case)}/"


def listing_html(page_no: int) -> str:
    """A listing page in a markup unlike the demo themes: cards of ``<h3><a>``, a teaser
    with its date, a pager of "‹ Forrige side" / numbers / "Næste side ›"."""
    cards = []
    for case in PAGES[page_no - 1]:
        href = article_path(case, page_no)
        title = json.loads((FIXTURES / case / "expected.json").read_text("utf-8"))["title"]
        cards.append(
            f'<div class="card"><h3 class="card-title"><a href="{href}">{title}</a></h3>'
            f'<p class="card-text">Kort resumé af nyheden.</p>'
            f'<a class="card-link" href="{href}?utm_source=forside">Læs mere</a></div>'
        )
    pager = []
    if page_no > 1:
        prev = PAGE_PATHS[page_no - 2]
        pager.append(f'<a href="{prev}">‹ Forrige side</a>')
    for n, path in enumerate(PAGE_PATHS, start=1):
        pager.append(f"<span>{n}</span>" if n == page_no else f'<a href="{path}">{n}</a>')
    if page_no < len(PAGES):
        label = "Næste side ›" if page_no == 1 else "Ældre nyheder"
        pager.append(f'<a class="pager-next" href="{PAGE_PATHS[page_no]}">{label}</a>')
    return f"""<!doctype html><html lang="da"><head><meta charset="utf-8">
<title>Nyheder – side {page_no} – CFBU</title></head><body>
<div class="top"><a href="/">CFBU</a> <a href="/om-cfbu/">Om CFBU</a>
<a href="/nyheder/kategori/interview/">Interview</a> <a href="/nyheder/tag/unge/">#unge</a>
<a href="/nyheder/arkiv/">Arkiv</a> <a href="/nyheder/?s=bolig">Søg</a>
<a href="/nyheder/feed/">RSS</a> <a href="/nyheder/rapport.pdf">Årsrapport (pdf)</a>
<a href="https://www.facebook.com/cfbu">Facebook</a> <a href="mailto:info@cfbu.dk">Skriv</a></div>
<div class="container"><h1>Nyheder</h1>{"".join(cards)}
<div class="pages">{" ".join(pager)}</div></div></body></html>"""


STATIC = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>{0}</title></head>
<body><h1>{0}</h1><p>En side, der ikke er en nyhed. <a href="/nyheder/">Nyheder</a></p>
</body></html>"""


@dataclass
class BlindSite:
    """Routes of the blind site: path (with query for listings) → (status, type, body)."""

    routes: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)

    def build(self, base_url: str) -> None:
        for n, path in enumerate(PAGE_PATHS, start=1):
            self.routes[path] = (200, "text/html; charset=utf-8", listing_html(n).encode())
        for page_no, cases in enumerate(PAGES, start=1):
            for case in cases:
                raw = (FIXTURES / case / "page.html").read_bytes()
                # The fixtures name the real site; here they live on the loopback host.
                raw = raw.replace(b"https://cfbu.dk", base_url.encode())
                ctype = "text/html" if case == OLD_CASE else "text/html; charset=utf-8"
                self.routes[article_path(case, page_no)] = (200, ctype, raw)
        for path, title in (
            ("/om-cfbu/", "Om CFBU"),
            ("/nyheder/kategori/interview/", "Kategori: Interview"),
            ("/nyheder/tag/unge/", "Tag: unge"),
            ("/nyheder/arkiv/", "Nyhedsarkiv"),
        ):
            self.routes[path] = (200, "text/html; charset=utf-8", STATIC.format(title).encode())

    def respond(
        self,
        method: str,
        raw_path: str,
        base_url: str,
        request_headers: Mapping[str, str] | None = None,
    ) -> Response:
        parts = urlsplit(raw_path)
        for key in (raw_path, parts.path, parts.path + "/"):
            if key in self.routes:
                status, ctype, body = self.routes[key]
                return Response(status, {"Content-Type": ctype}, body)
        return Response(
            404,
            {"Content-Type": "text/html; charset=utf-8"},
            b"<html><body><h1>Siden findes ikke</h1></body></html>",
        )


@pytest.fixture(scope="module")
def blind_site() -> Iterator[FixtureServer]:
    with FixtureServer(BlindSite()) as server:
        server.site.build(server.base_url)
        yield server


def expected_records(base: str) -> dict[str, dict]:
    out = {}
    for case in dict.fromkeys(c for cases in PAGES for c in cases):
        record = json.loads((FIXTURES / case / "expected.json").read_text(encoding="utf-8"))
        record["url"] = article_url(base, case)
        out[record["url"]] = {k: record[k] for k in FIELDS}
    return out


@pytest.fixture(scope="module")
def crawled(blind_site: FixtureServer, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    db = tmp_path_factory.mktemp("blind") / "blind.sqlite3"
    crawl(blind_site.base_url, db)
    return export(db)


def test_blind_site_crawl_exports_exactly_the_expected_records(
    blind_site: FixtureServer, crawled: list[dict]
) -> None:
    got = {r["url"]: {k: r.get(k) for k in FIELDS} for r in crawled}
    expected = expected_records(blind_site.base_url)
    assert sorted(got) == sorted(expected)
    wrong = {
        url: [f for f in FIELDS if got[url][f] != record[f]] for url, record in expected.items()
    }
    assert not any(wrong.values()), wrong


def test_blind_site_export_has_no_duplicates_and_no_listing_or_static_pages(
    crawled: list[dict],
) -> None:
    urls = [r["url"] for r in crawled]
    assert len(urls) == len(set(urls))
    titles = {r["title"] for r in crawled}
    assert not titles & {"Nyheder", "Om CFBU", "Nyhedsarkiv", "Siden findes ikke"}
    assert all("page=" not in u and "/side/" not in u and "/kategori/" not in u for u in urls)


def test_blind_site_crawl_follows_query_and_side_pagination(
    blind_site: FixtureServer, crawled: list[dict]
) -> None:
    requested = blind_site.stats.paths()
    for path in PAGE_PATHS:
        assert path in requested, path
