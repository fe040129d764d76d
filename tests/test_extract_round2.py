"""Unit tests for the rules added for round 2 of blind cases (WordPress page builders and
themes: Elementor, Divi, Avada, Astra, Enfold, Kadence, Storefront, Twenty Twenty...)."""

from __future__ import annotations

from cfbu_crawler.extract import extract_article

URL = "https://cfbu.dk/nyheder/x/"
T = "TITEL PÅ NYHEDEN"
BODY = (
    '<div class="entry-content"><p>Første afsnit af nyheden, som er langt nok til at være en'
    " rigtig tekst om noget.</p><p>Andet afsnit af nyheden, som også fortæller lidt om, hvad"
    " der er sket i området.</p></div>"
)


def page(body: str, head: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{T} - CFBU</title>{head}</head>"
        f"<body>{body}</body></html>"
    )


def test_hidden_rich_snippet_date_does_not_spoil_the_visible_date_line() -> None:
    html = page(
        f"<main><article><h1>{T}</h1><div class='meta'>Af Redaktionen<span>|</span>"
        "<span class='updated rich-snippet-hidden'>2016-01-05T09:12:00+01:00</span>"
        f"<span>30. november 2015</span>|<a href='/category/nyheder/'>nyheder</a></div>"
        f"{BODY}</article></main>"
    )
    assert extract_article(html, URL).fields()["published"] == "2015-11-30"


def test_hidden_position_numbers_are_not_trail_labels() -> None:
    html = page(
        '<div class="breadcrumbs"><span class="breadcrumb-title">Du er her:</span> '
        '<a href="/">Hjem</a><span class="hidden">1</span> / <a href="/nyheder/">Nyheder</a>'
        f'<span class="hidden">2</span> / <span class="trail-end">{T}</span></div>'
        f"<h1>{T}</h1>{BODY}"
    )
    assert extract_article(html, URL).fields()["breadcrumb"] == ["Hjem", "Nyheder", T]


def test_date_in_the_articles_meta_list_is_read_but_not_one_marked_updated() -> None:
    html = page(
        f"<main><article><header><h1>{T}</h1><ul class='post-meta'>"
        "<li class='post-author'>Af Redaktionen</li>"
        "<li class='post-modified'>Opdateret 4. december 2015</li>"
        "<li class='post-date'><a href='/x/'>30. november 2015</a></li></ul></header>"
        f"{BODY}</article></main>"
    )
    assert extract_article(html, URL).fields()["published"] == "2015-11-30"


def test_date_in_a_related_list_is_not_the_date() -> None:
    html = page(
        f"<main><article><h1>{T}</h1>{BODY}</article>"
        "<ul class='related-list'><li><a href='/y/'>Anden nyhed</a> 2. oktober 2015</li></ul>"
        "</main>"
    )
    assert extract_article(html, URL).fields()["published"] is None


def test_related_post_article_nested_in_a_related_box_is_junk() -> None:
    html = page(
        f"<main><article><h1>{T}</h1>{BODY}</article>"
        "<div class='entry-related'><article><h3>Anden nyhed</h3><time class='entry-date "
        "published' datetime='2015-10-02T09:00:00+02:00'>2. oktober 2015</time></article>"
        "</div></main>"
    )
    assert extract_article(html, URL).fields()["published"] is None


def test_post_hero_with_role_banner_holding_the_title_is_not_the_site_banner() -> None:
    html = page(
        "<header role='banner'><a href='/'><img alt='CFBU' src='/logo.png'></a></header>"
        f"<section role='banner' class='entry-hero'><header class='entry-header'>"
        f"<h1 class='entry-title'>{T}</h1><span class='posted-on'><time class='entry-date "
        "published' datetime='2015-11-30T08:15:00+01:00'>30. november 2015</time></span>"
        f"</header></section><main><article>{BODY}</article></main>"
    )
    assert extract_article(html, URL).fields()["published"] == "2015-11-30"


def test_category_link_beside_the_title_outside_article_is_found() -> None:
    html = page(
        "<div class='elementor-widget-wrap'><div class='w'><ul class='post-info'><li><a "
        f"href='/category/nyheder/'>nyheder</a></li></ul></div><div class='w'><h1>{T}</h1>"
        f"</div>{BODY}</div>"
    )
    assert extract_article(html, URL).fields()["category"] == "nyheder"


def test_category_in_the_articles_own_aside_is_found() -> None:
    html = page(
        f"<main><article><h1>{T}</h1>{BODY}<aside class='entry-taxonomy'><div "
        "class='cat-links'>Kategori: <a href='/category/nyheder/' rel='category tag'>nyheder"
        "</a></div></aside></article></main>"
        "<aside class='sidebar'><a href='/category/presse/' rel='category tag'>presse</a></aside>"
    )
    assert extract_article(html, URL).fields()["category"] == "nyheder"


def test_tag_list_alone_is_no_category() -> None:
    html = page(
        f"<main><article><h1>{T}</h1>{BODY}<footer class='entry-footer'><span "
        "class='tags-links'>Tagget <a href='/tag/unge/' rel='tag'>unge</a></span></footer>"
        "</article></main>"
    )
    assert extract_article(html, URL).fields()["category"] is None


def test_section_h1_loses_to_the_h2_that_is_the_posts_headline() -> None:
    title = "Bydelsmødre når ud til 400 kvinder"
    html = (
        f"<html><head><title>{title} - CFBU</title>"
        f"<meta property='og:title' content='{title} - CFBU'></head><body>"
        "<div class='title_container'><h1 class='main-title'><a href='/nyheder/'>Nyheder</a>"
        f"</h1></div><main><article><h2 class='post-title entry-title'>{title}</h2>{BODY}"
        "</article></main></body></html>"
    )
    assert extract_article(html, URL).fields()["title"] == title


def test_label_between_trail_and_title_without_a_date_is_the_category() -> None:
    html = page(f"<div><div>Hjem / Nyheder / {T}</div><p>nyheder</p><h1>{T}</h1>{BODY}</div>")
    got = extract_article(html, URL).fields()
    assert got["category"] == "nyheder"
    assert got["published"] is None
    assert not got["body"].startswith("nyheder")


def test_date_only_in_the_url_is_the_published_date_as_a_last_resort() -> None:
    html = page(f"<main><article><h1>{T}</h1>{BODY}</article></main>")
    got = extract_article(html, "https://cfbu.dk/nyheder/2015/11/30/x/").fields()
    assert got["published"] == "2015-11-30"
    assert extract_article(html, "https://cfbu.dk/nyheder/x/").fields()["published"] is None


def test_tailwind_hidden_with_a_responsive_display_class_is_shown() -> None:
    from lxml import html as lh

    from cfbu_crawler.extract.dom import is_hidden

    assert is_hidden(lh.fromstring("<div class='hidden'>x</div>"))
    assert not is_hidden(lh.fromstring("<div class='hidden md:block'>x</div>"))
    assert is_hidden(lh.fromstring("<span class='rich-snippet-hidden'>x</span>"))
    assert is_hidden(lh.fromstring("<span style='display: none'>x</span>"))


def test_time_classed_published_and_updated_is_the_publication_date() -> None:
    html = page(
        f"<main><article><h1>{T}</h1>{BODY}<footer class='entry-footer'><span "
        "class='posted-on'>Udgivet <time class='entry-date published updated' "
        "datetime='2015-11-29T23:30:00+00:00'>30. november 2015</time></span></footer>"
        "</article></main>"
    )
    assert extract_article(html, URL).fields()["published"] == "2015-11-30"
