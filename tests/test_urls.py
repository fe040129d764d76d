"""Article identity and link classification (README.md, "Crawl": the section's articles and
nothing else)."""

from __future__ import annotations

import pytest

from cfbu_crawler.extract.urls import Section, article_identity, normalise_url, url_key

CURRENT = Section.from_start_url("https://cfbu.dk/nyheder/")
LOOPBACK = Section.from_start_url("http://127.0.0.1:8123/nyheder/")


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://cfbu.dk/nyheder/de-trovaerdige-voksne/", "article"),
        ("https://www.cfbu.dk/nyheder/de-trovaerdige-voksne", "article"),
        ("http://cfbu.dk/nyheder/de-trovaerdige-voksne/?utm_source=x#top", "article"),
        ("https://www.cfbu.dk/nyheder/page/3/nyhed/ny-rapport", "article"),
        ("https://cfbu.dk/nyheder/nyhed/ny-rapport/", "article"),
        ("https://cfbu.dk/nyheder/2015/11/30/ny-rapport/", "article"),
        ("https://cfbu.dk/nyheder/", "listing"),
        ("https://cfbu.dk/nyheder/page/2/", "listing"),
        ("https://cfbu.dk/nyheder/?paged=2", "listing"),
        ("https://cfbu.dk/nyheder/category/nyheder/", "other"),
        ("https://cfbu.dk/nyheder/tag/helhedsplaner/", "other"),
        ("https://cfbu.dk/nyheder/feed/", "other"),
        ("https://cfbu.dk/nyheder/2015/11/", "other"),
        ("https://cfbu.dk/nyheder/?s=bolig", "other"),
        ("https://cfbu.dk/om-cfbu/", "other"),
        ("https://cfbu.dk/publikationer/rapport/", "other"),
        ("https://cfbu.dk/tag/helhedsplaner/", "other"),
        ("https://cfbu.dk/wp-content/uploads/rapport.pdf", "other"),
        ("https://cfbu.dk/nyheder/rapport.pdf", "other"),
        ("https://www.facebook.com/cfbu.dk", "other"),
        ("https://www.linkedin.com/company/cfbu", "other"),
        ("mailto:info@cfbu.dk", "other"),
        ("javascript:void(0)", "other"),
        ("https://example.org/nyheder/x/", "other"),
    ],
)
def test_classify_tells_articles_from_listings_and_everything_else(url: str, kind: str) -> None:
    assert CURRENT.classify(url) == kind


def test_allowed_site_follows_a_loopback_start_url() -> None:
    assert LOOPBACK.classify("http://127.0.0.1:8123/nyheder/a/") == "article"
    assert LOOPBACK.classify("http://127.0.0.1:9999/nyheder/a/") == "other"
    assert LOOPBACK.classify("https://cfbu.dk/nyheder/a/") == "other"


def test_start_url_on_a_listing_page_still_names_the_section() -> None:
    assert Section.from_start_url("https://cfbu.dk/nyheder/page/4/").prefix == "/nyheder/"
    assert Section.from_start_url("http://127.0.0.1:1/").prefix == "/nyheder/"


def test_old_scheme_page_segment_is_not_part_of_identity() -> None:
    a = url_key("https://www.cfbu.dk/nyheder/page/3/nyhed/ny-rapport")
    b = url_key("http://cfbu.dk/nyheder/page/7/nyhed/ny-rapport/")
    assert a == b == "//cfbu.dk/nyheder/nyhed/ny-rapport/"


def test_normalise_folds_www_adds_trailing_slash_and_drops_query_and_fragment() -> None:
    assert normalise_url("https://WWW.CFBU.dk:443/nyheder/x?a=1#f") == "https://cfbu.dk/nyheder/x/"
    assert normalise_url("http://127.0.0.1:8123/nyheder/x") == "http://127.0.0.1:8123/nyheder/x/"


def test_identity_uses_canonical_link_only_on_the_same_site() -> None:
    fetched = "https://cfbu.dk/nyheder/page/2/nyhed/x"
    assert (
        article_identity(fetched, "https://www.cfbu.dk/nyheder/x-ny/")
        == "https://cfbu.dk/nyheder/x-ny/"
    )
    assert (
        article_identity(fetched, "https://other.example/x/") == "https://cfbu.dk/nyheder/nyhed/x/"
    )
    assert article_identity(fetched, None) == "https://cfbu.dk/nyheder/nyhed/x/"
    assert article_identity(fetched, "/nyheder/x/") == "https://cfbu.dk/nyheder/x/"


def test_canonical_pointing_outside_the_sections_articles_is_ignored() -> None:
    fetched = "https://cfbu.dk/nyheder/x/"
    assert article_identity(fetched, "https://cfbu.dk/", CURRENT) == fetched
    assert article_identity(fetched, "https://cfbu.dk/nyheder/", CURRENT) == fetched
    assert article_identity(fetched, "/nyheder/x-ny/", CURRENT) == "https://cfbu.dk/nyheder/x-ny/"


def test_absolute_url_is_urljoin() -> None:
    from urllib.parse import urljoin

    from cfbu_crawler.extract.urls import absolute_url

    bases = [
        "http://127.0.0.1:8000/nyheder/page/2/",
        "https://cfbu.dk/nyheder/x/?a=1#f",
        "https://cfbu.dk",
        "http://user@h:81/a/b",
    ]
    hrefs = [
        "/nyheder/x/", "http://other/a/../b", "https://cfbu.dk/x", "x/y", "../z", "?p=2",
        "#top", "//cdn/x", "/a/./b/../c", "http://h", "mailto:x@y", "javascript:void(0)",
        "/", "https:x", "HTTP://Foo/bar", "",
    ]  # fmt: skip
    for base in bases:
        for href in hrefs:
            assert absolute_url(base, href) == urljoin(base, href), (base, href)
