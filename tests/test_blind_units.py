"""Unit tests for the rules added for markups the demo site does not use (blind cases):
emphasis by style/class, unmarked and Danish-labelled trails, categories beyond the
title, dates below the body, lead paragraphs above the body, listing-page identity."""

from __future__ import annotations

import pytest

from cfbu_crawler.extract import extract_article
from cfbu_crawler.extract.urls import Section, listing_key

URL = "https://cfbu.dk/nyheder/x/"


def page(body: str, title: str = "Titel på nyheden") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"
    )


ARTICLE = """<h1>Titel på nyheden</h1>
<div class="content">
<p>Første afsnit af nyheden, som er langt nok til at være en rigtig tekst om noget.</p>
<p>Andet afsnit af nyheden, som også fortæller lidt om, hvad der er sket i området.</p>
</div>"""


@pytest.mark.parametrize(
    "question",
    [
        '<p style="font-weight: bold">Hvad er planen?</p>',
        '<p class="font-bold">Hvad er planen?</p>',
        '<p><span class="fw-bold">Hvad er planen?</span></p>',
    ],
)
def test_bold_by_style_or_utility_class_is_emphasis_for_questions(question: str) -> None:
    html = page(
        f"<main><h1>Titel på nyheden</h1><div>"
        f"<p>Vi har talt med en medarbejder om den nye plan for området i år.</p>"
        f"{question}<p>At gøre området tryggere for alle, der bor der.</p></div></main>"
    )
    got = extract_article(html, URL).fields()
    assert got["qa"] == [
        {"question": "Hvad er planen?", "answer": "At gøre området tryggere for alle, der bor der."}
    ]


def test_italic_question_without_dash_answer_is_prose() -> None:
    html = page(
        "<main><h1>Titel på nyheden</h1><div>"
        "<p>Vi har talt med en medarbejder om den nye plan for området i år.</p>"
        "<p><em>Hvad er planen?</em></p><p>At gøre området tryggere for alle.</p></div></main>"
    )
    assert extract_article(html, URL).fields()["qa"] == []


@pytest.mark.parametrize("label", ["Brødkrumme", "Du er her", "brødkrummesti"])
def test_nav_with_danish_aria_label_is_the_trail(label: str) -> None:
    html = page(
        f'<nav aria-label="{label}"><ol><li><a href="/">Forside</a></li>'
        f'<li><a href="/nyheder/">Nyheder</a></li><li>Titel på nyheden</li></ol></nav>' + ARTICLE
    )
    assert extract_article(html, URL).fields()["breadcrumb"] == [
        "Forside",
        "Nyheder",
        "Titel på nyheden",
    ]


def test_unmarked_list_from_home_to_the_title_is_the_trail() -> None:
    html = page(
        '<div><ul><li><a href="/">Hjem</a></li><li><a href="/nyheder/">Nyheder</a></li>'
        "<li>Titel på nyheden</li></ul></div>" + ARTICLE
    )
    assert extract_article(html, URL).fields()["breadcrumb"] == [
        "Hjem",
        "Nyheder",
        "Titel på nyheden",
    ]


def test_unmarked_menu_list_is_not_a_trail() -> None:
    html = page(
        '<div><ul><li><a href="/">Hjem</a></li><li><a href="/nyheder/">Nyheder</a></li>'
        '<li><a href="/kontakt/">Kontakt</a></li></ul></div>' + ARTICLE
    )
    assert extract_article(html, URL).fields()["breadcrumb"] == []


def test_category_label_above_the_title_with_the_date_below_it() -> None:
    html = page(
        '<div class="wrap"><p>nyheder</p><h1>Titel på nyheden</h1><p>30. november 2015</p>'
        '<div class="content"><p>Første afsnit af nyheden, som er langt nok til at være en '
        "rigtig tekst om noget.</p></div></div>"
    )
    got = extract_article(html, URL).fields()
    assert (got["category"], got["published"]) == ("nyheder", "2015-11-30")


def test_menu_line_beside_the_title_is_not_a_category() -> None:
    html = page(
        '<div class="left"><a href="/">Forside</a><br><a href="/kontakt">Kontakt</a></div>'
        '<div class="right"><h1>Titel på nyheden</h1><p>30. november 2015</p>'
        "<p>Første afsnit af nyheden, som er langt nok til at være en rigtig tekst.</p></div>"
    )
    assert extract_article(html, URL).fields()["category"] is None


def test_kategori_lead_in_on_the_date_line_is_not_part_of_the_label() -> None:
    html = page(
        "<h1>Titel på nyheden</h1><div>Dato: 2015-11-30 | Kategori: nyheder</div>" + ARTICLE
    )
    assert extract_article(html, URL).fields()["category"] == "nyheder"


def test_category_link_in_the_articles_own_footer_is_found() -> None:
    html = page(
        "<article>" + ARTICLE + '<footer>Kategori: <a rel="category" href="/c/">nyheder</a>'
        "</footer></article><footer><a rel='category' href='/x/'>Andet</a></footer>"
    )
    assert extract_article(html, URL).fields()["category"] == "nyheder"


def test_publication_line_below_the_body_is_the_date_and_not_body_text() -> None:
    html = page(
        "<main><h1>Titel på nyheden</h1>"
        "<p>Første afsnit af nyheden, som er langt nok til at være en rigtig tekst om noget.</p>"
        "<p>Andet afsnit af nyheden, som også fortæller lidt om, hvad der er sket.</p>"
        "<p><small>Publiceret d. 30.11.2015</small></p></main>"
    )
    got = extract_article(html, URL).fields()
    assert got["published"] == "2015-11-30"
    assert "Publiceret" not in got["body"]


def test_sentence_mentioning_a_date_at_the_end_of_the_body_stays() -> None:
    html = page(
        "<main><h1>Titel på nyheden</h1>"
        "<p>Første afsnit af nyheden, som er langt nok til at være en rigtig tekst om noget.</p>"
        "<p>Mødet holdes 12. juni 2016.</p></main>"
    )
    got = extract_article(html, URL).fields()
    assert got["body"].endswith("Mødet holdes 12. juni 2016.")


def test_joomla_published_dd_without_time_element_is_the_date() -> None:
    html = page(
        '<div class="item-page"><h2>Titel på nyheden</h2><dl class="article-info">'
        '<dd class="modified">Sidst opdateret: 01. december 2015</dd>'
        '<dd class="published">Udgivet: mandag, 30. november 2015 10:15</dd></dl>'
        "<p>Første afsnit af nyheden, som er langt nok til at være en rigtig tekst om noget.</p>"
        "</div>"
    )
    got = extract_article(html, URL).fields()
    assert got["published"] == "2015-11-30"
    assert got["body"].startswith("Første afsnit")


@pytest.mark.parametrize("lead", ['<p class="lead">{}</p>', '<div class="intro">{}</div>'])
def test_lead_paragraph_above_the_body_container_opens_the_body(lead: str) -> None:
    text = "Indledningen fortæller kort, hvad artiklen handler om, og hvem vi har talt med."
    html = page(
        "<main><h1>Titel på nyheden</h1><p>30. november 2015</p>"
        + lead.format(text)
        + '<div class="entry-content"><p>Første afsnit af selve brødteksten, som er langt nok.'
        "</p><p>Andet afsnit af brødteksten, som også er langt nok til at tælle.</p></div></main>"
    )
    got = extract_article(html, URL).fields()
    assert got["lead"] == text
    assert got["body"].split("\n\n")[0] == text


def test_divs_used_as_paragraphs_are_all_in_the_body() -> None:
    divs = "".join(
        f'<div class="txt">Afsnit nummer {n} af artiklen om boligområdet.</div>' for n in range(4)
    )
    html = page(
        f'<div id="menu"><a href="/">Forside</a></div><div id="main"><h1>Titel på nyheden</h1>{divs}</div>'
    )
    got = extract_article(html, URL).fields()
    assert len(got["body"].split("\n\n")) == 4


def test_listing_key_keeps_pagination_parameters_only() -> None:
    assert listing_key("http://h/nyheder/?page=2") != listing_key("http://h/nyheder/")
    assert listing_key("http://h/nyheder/?page=2&utm_source=x") == listing_key(
        "http://www.h/nyheder?page=2"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://cfbu.dk/nyheder/?page=3",
        "https://cfbu.dk/nyheder/?start=10",
        "https://cfbu.dk/nyheder/side/2/",
    ],
)
def test_query_and_side_pagination_are_listing_pages(url: str) -> None:
    assert Section.from_start_url("https://cfbu.dk/nyheder/").classify(url) == "listing"


def test_a_one_line_article_beside_its_title_beats_a_longer_sidebar_card() -> None:
    # Bootstrap: a sidebar of plain cards (no sidebar class) before the article card, whose
    # known content container holds one short sentence.
    html = page(
        '<div class="row"><div class="col-lg-4"><div class="card"><div class="card-body">'
        "<h2>Nyhedsbrev</h2><p>Få de seneste nyheder fra CFBU direkte i indbakken hver måned."
        '</p></div></div></div><div class="col-lg-8"><article class="card"><div class="card-body">'
        '<h1>Titel på nyheden</h1><div class="article-content"><p>Årsrapporten er klar.</p>'
        "</div></div></article></div></div>"
    )
    record = extract_article(html, URL).fields()
    assert record["body"] == "Årsrapporten er klar."


def test_a_one_line_article_in_an_old_table_beats_the_longer_footer_line() -> None:
    html = (
        "<html><head><title>CFBU - Arrangement i Gellerup</title></head><body><table>"
        "<tr><td><font size=1>Du er her: <a href='/'>Forside</a> &gt; "
        "<a href='/nyheder/'>Nyheder</a> &gt; Arrangement i Gellerup</font></td></tr>"
        "<tr><td><font size=1>19.03.2009</font><br><font size=3><b>Arrangement i Gellerup"
        "</b></font></td></tr>"
        "<tr><td><font size=2>Arrangementet i Gellerup finder sted i foråret.</font></td></tr>"
        "<tr><td align=center><font size=1>CFBU &middot; Valby Langgade 1 &middot; Siden er "
        "opdateret 15.05.2009</font></td></tr></table></body></html>"
    )
    record = extract_article(html, URL).fields()
    assert record["body"] == "Arrangementet i Gellerup finder sted i foråret."
    assert record["published"] == "2009-03-19"
