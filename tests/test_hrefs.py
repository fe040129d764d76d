"""The spider's link reader (cfbu_crawler/spiders/hrefs.py): what a parse would find."""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector

from cfbu_crawler.spiders.hrefs import hrefs

FIXTURES = Path(__file__).parent / "fixtures"


def parsed_hrefs(markup: str) -> list[str]:
    """What an lxml parse gives: every <a>'s href, stripped, empty ones left out."""
    found = (str(h).strip() for h in Selector(text=markup).root.xpath("//a/@href"))
    return [h for h in found if h]


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_every_golden_page_gives_the_links_a_parse_gives(case: str) -> None:
    raw = (FIXTURES / case / "page.html").read_bytes()
    markup = raw.decode("utf-8", "replace")
    assert hrefs(markup) == parsed_hrefs(markup)


def test_quoted_single_quoted_and_bare_values_are_read_unescaped() -> None:
    markup = (
        '<p><a class="x" href="/nyheder/a/">A</a> <A HREF=\'/nyheder/b/\'>B</A>'
        '<a href=/nyheder/c/ title=c>C</a> <a\n  data-x=">" href = "/n?a=1&amp;b=2">D</a></p>'
    )
    assert hrefs(markup) == ["/nyheder/a/", "/nyheder/b/", "/nyheder/c/", "/n?a=1&b=2"]
    assert hrefs(markup) == parsed_hrefs(markup)


def test_links_in_comments_scripts_and_styles_are_not_links() -> None:
    markup = (
        "<!-- <a href='/old/'>old</a> --><script>var s = '<a href=\"/js/\">';</script>"
        "<STYLE>a[href='/css/'] {}</STYLE><a href='/real/'>real</a>"
        "<textarea><a href='/typed/'></textarea>"
    )
    assert hrefs(markup) == ["/real/"]
    assert hrefs(markup) == parsed_hrefs(markup)


def test_attributes_that_only_end_in_href_and_other_tags_are_not_links() -> None:
    markup = (
        '<a data-href="/data/" href="/real/">x</a><abbr href="/abbr/">y</abbr>'
        '<link href="/style.css"><area href="/area/"><a name="top">z</a><a href="  ">e</a>'
    )
    assert hrefs(markup) == ["/real/"]
    assert hrefs(markup) == parsed_hrefs(markup)


def test_an_unclosed_script_or_comment_hides_the_rest_of_the_page() -> None:
    assert hrefs("<a href='/a/'>a</a><script>let x = 1; <a href='/b/'>") == ["/a/"]
    assert hrefs("<a href='/a/'>a</a><!-- <a href='/b/'>") == ["/a/"]
