"""Dates written in the languages news sites use, numeric order, two-digit years, and the
day of a timestamp (see docs/extraction.md, "Dates")."""

from __future__ import annotations

import pytest

from cfbu_crawler.extract import extract_article
from cfbu_crawler.extract.dates import numeric_order, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 de Abril de 2020", "2020-04-15"),
        ("27 juin 2019", "2019-06-27"),
        ("1er mars 2018", "2018-03-01"),
        ("3. März 2019", "2019-03-03"),
        ("12 settembre 2017", "2017-09-12"),
        ("5 de março de 2016", "2016-03-05"),
        ("3 mei 2020", "2020-05-03"),
        ("7 augusti 2015", "2015-08-07"),
        ("7. desember 2015", "2015-12-07"),
        ("1st of May, 2019", "2019-05-01"),
        ("Nov. 30th 2015", "2015-11-30"),
        ("2019/11/20", "2019-11-20"),
    ],
)
def test_month_names_and_formats_of_other_languages_are_read(text: str, expected: str) -> None:
    found = parse_date(text)
    assert found is not None and found.isoformat() == expected


def test_two_digit_years_are_read_in_numeric_dates_only() -> None:
    assert str(parse_date("Veröffentlicht am 8.5.12")) == "2012-05-08"
    assert str(parse_date("01/02/99")) == "1999-02-01"
    assert parse_date("15 april 20 people") is None
    assert parse_date("score 12-05-20") is None


def test_numeric_order_follows_the_pages_other_dates_then_its_language() -> None:
    assert numeric_order("da", ["11/20/2019"]) is True  # only month-first can be read
    assert numeric_order("en-US", ["20.11.2019"]) is False  # only day-first can be read
    assert numeric_order("en-US", ["03/04/2019"]) is True
    assert numeric_order("en-GB", ["03/04/2019"]) is False
    assert numeric_order(None, []) is False
    assert str(parse_date("03/04/2019", month_first=True)) == "2019-03-04"
    assert str(parse_date("11/20/2019")) == "2019-11-20"  # unambiguous whatever the order


def _page(stamp: str, shown: str = "") -> str:
    return (
        '<html><head><script type="application/ld+json">{"@type":"NewsArticle",'
        f'"headline":"Titel","datePublished":"{stamp}"}}</script></head><body><article>'
        f"<h1>Titel</h1>{shown}<p>Brødtekst om sagen, som er lang nok til at være en tekst.</p>"
        "</article></body></html>"
    )


def test_a_timestamp_takes_the_day_its_page_shows() -> None:
    # 21:30 at -05:00 is already the 20th in Copenhagen; the page shows the 19th.
    html = _page("2019-11-19T21:30:00-05:00", "<p>November 19, 2019</p>")
    assert extract_article(html, "https://example.org/a").published == "2019-11-19"


def test_a_utc_timestamp_takes_the_shown_local_day() -> None:
    html = _page("2019-06-30T22:30:00Z", "<p>1. juli 2019</p>")
    assert extract_article(html, "https://cfbu.dk/nyheder/a/").published == "2019-07-01"


def test_without_a_shown_day_the_sites_timezone_decides() -> None:
    html = _page("2019-11-19T21:30:00-05:00")
    assert extract_article(html, "https://example.org/a").published == "2019-11-20"
    new_york = extract_article(html, "https://example.org/a", site_timezone="America/New_York")
    assert new_york.published == "2019-11-19"


def test_the_urls_day_picks_among_the_instants_days() -> None:
    html = _page("2019-11-19T02:30:00Z")  # Copenhagen: the 19th; New York: the 18th
    assert extract_article(html, "https://example.org/2019/11/18/a/").published == "2019-11-18"


def test_a_day_in_the_url_is_read_only_when_the_page_gives_none() -> None:
    undated = _page("").replace(',"datePublished":""', "")
    url = "https://example.org/2019/11/18/a/"
    assert extract_article(undated, url).published == "2019-11-18"
    assert extract_article(undated, "https://example.org/a/").published is None
    shown = undated.replace("<h1>Titel</h1>", "<h1>Titel</h1><p>17. november 2019</p>")
    assert extract_article(shown, url).published == "2019-11-17"
