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


def _article(inner: str, head: str = "", lang: str = "en") -> str:
    return (
        f'<html lang="{lang}"><head><title>Titel</title>{head}</head><body>'
        '<header class="site-header"><a href="/">Site</a></header><main><article>'
        f"<h1>Titel</h1>{inner}"
        "<p>The first paragraph of the article is long enough to be running text.</p>"
        "<p>The second paragraph of the article is long enough to be running text too.</p>"
        "</article></main><footer>© 2021 Site</footer></body></html>"
    )


def _published(html: str, url: str = "https://example.org/a/") -> str | None:
    return extract_article(html, url).published


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/2019/11/18/slug/", ["2019-11-18"]),
        ("https://example.org/news/2019-11-18-slug", ["2019-11-18"]),
        ("https://example.org/2019/6/26/slug", ["2019-06-26"]),
        ("https://example.org/archive/20191118/slug.html", ["2019-11-18"]),
        ("https://example.org/a/20948348/slug", []),  # an id, not a day
        ("https://example.org/a/201911181077343476-slug", []),
        ("https://example.org/2019/11/slug", []),  # a month is not a day
        ("https://example.org/a?date=2019-11-18", []),  # the query is not the address
        ("https://example.org/2019/02/30/slug", []),
    ],
)
def test_days_in_a_urls_path(url: str, expected: list[str]) -> None:
    from cfbu_crawler.extract.urldates import days_in

    assert [d.isoformat() for d in days_in(url)] == expected


def test_words_of_two_elements_do_not_run_together() -> None:
    html = _article("<time>Published Tue, Nov 19 2019<span>7:05 AM EST</span></time>")
    assert _published(html) == "2019-11-19"


def test_the_published_date_of_a_line_with_an_update_is_read_in_either_order() -> None:
    html = _article('<p class="dates">Updated Nov 20, 2019 · Published Nov 19, 2019</p>')
    assert _published(html) == "2019-11-19"
    only_update = _article('<p class="dates">Updated Nov 20, 2019</p>')
    assert _published(only_update) is None


def test_a_label_before_a_time_marks_it_as_the_update() -> None:
    html = _article(
        '<div class="byline">By Ann Lee <span>Updated <time class="stamp">'
        "Nov 13, 2019, 10:28am EST</time></span></div>"
    )
    assert _published(html) is None
    assert _published(html, "https://example.org/2019/11/8/a/") == "2019-11-08"


def test_an_embedded_posts_date_is_not_the_articles() -> None:
    tweet = (
        '<blockquote class="twitter-tweet"><p>What a day!</p>— Team (@team) '
        '<a href="https://twitter.com/team/status/1">November 1, 2019</a></blockquote>'
    )
    assert _published(_article(tweet)) is None


def test_a_link_free_list_item_beside_the_title_is_the_articles_date() -> None:
    mini = '<ul class="mini-info-list"><li><div class="date">19 November 2019</div></li></ul>'
    assert _published(_article(mini)) == "2019-11-19"
    teasers = (
        '<ul class="mini-info-list"><li><a href="/other">Other story</a>'
        '<div class="date">18 November 2019</div></li></ul>'
    )
    assert _published(_article(teasers)) is None


def test_a_sentence_that_mentions_a_date_is_no_date_line() -> None:
    html = _article("<p>On 12 April 2020 the council met and decided to build it.</p>")
    assert _published(html) is None


def test_dates_in_attributes_of_date_elements() -> None:
    epoch = _article('<span class="post-date" data-timestamp="1438091078">a while ago</span>')
    assert _published(epoch) == "2015-07-28"
    title = _article('<a class="ribbon date" title="12th December 2018" href="/">Text</a>')
    assert _published(title) == "2018-12-12"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19 ноября 2019 г.", "2019-11-19"),
        ("5 Kasım 2019", "2019-11-05"),
        ("12 ledna 2020", "2020-01-12"),
        ("2020. május 5.", "2020-05-05"),
        ("2019年11月19日", "2019-11-19"),
        ("17 Agustus 2018", "2018-08-17"),
    ],
)
def test_more_languages_are_read(text: str, expected: str) -> None:
    found = parse_date(text)
    assert found is not None and found.isoformat() == expected


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:publish_date" content="2017-09-01">',
        '<meta name="publication_date" content="2017-09-01">',
        '<meta name="dc.date.publication" content="2017-09-01">',
        '<meta itemprop="dateCreated" content="2017-09-01">',
    ],
)
def test_more_publication_metas_are_read(head: str) -> None:
    assert _published(_article("", head=head)) == "2017-09-01"


def test_a_timestamp_takes_the_day_a_byline_below_the_lead_shows() -> None:
    byline = (
        "<p>A first paragraph that is long enough to count as running text here.</p>" * 6
        + '<p class="byline">By Ann Lee | November 18, 2019</p>'
    )
    html = _page("2019-11-19T02:30:00Z", byline)  # Copenhagen: the 19th; New York: the 18th
    assert extract_article(html, "https://example.org/a").published == "2019-11-18"


def test_a_javascript_date_string_is_a_timestamp_with_its_offset() -> None:
    from cfbu_crawler.extract.dates import parse_timestamp

    parsed = parse_timestamp("Tue Nov 19 2019 03:05:46 GMT+0000")
    assert parsed is not None and parsed[1] is not None
    assert parsed[1].isoformat() == "2019-11-19T03:05:46+00:00"
    # The URL's day picks the New York day of 03:05 UTC.
    html = _page("Tue Nov 19 2019 03:05:46 GMT+0000")
    assert extract_article(html, "https://example.org/2019/11/18/a/").published == "2019-11-18"
