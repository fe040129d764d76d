"""What a response means for the archive: the pure classification of article and listing
responses into outcomes, and the wording of failed requests."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TimeoutError
from twisted.python.failure import Failure

from cfbu_crawler.archive.vocabulary import Outcome
from cfbu_crawler.extract.urls import Section
from cfbu_crawler.responses import (
    PAGE,
    Fetch,
    Verdict,
    classify_article,
    classify_listing,
    failure_reason,
)

START = "http://127.0.0.1:1/nyheder/"
A, B = START + "a/", START + "b/"
HTML = "text/html; charset=utf-8"


def fetch(status: int = 200, final: str = A, **kw) -> Fetch:
    kw.setdefault("content_type", HTML)
    kw.setdefault("final_kind", "article")
    return Fetch(requested_url=kw.pop("requested", A), final_url=final, status=status, **kw)


def redirected(final: str, kind: str | None, reason: int | None, status: int = 200) -> Fetch:
    return fetch(
        status,
        final,
        redirected=True,
        redirect_status=reason,
        final_kind=kind,
    )


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        (fetch(), PAGE),
        (fetch(content_type=""), PAGE),  # no Content-Type: taken for HTML
        (fetch(content_type="application/xhtml+xml"), PAGE),
        (fetch(304), Verdict(Outcome.NOT_MODIFIED, A, 304)),
        (fetch(404), Verdict(Outcome.GONE, A, 404)),
        (fetch(410), Verdict(Outcome.GONE, A, 410)),
        (redirected(B, "article", 301), PAGE),  # a move: the page tells which article
        (redirected(START, "listing", 301), Verdict(Outcome.GONE, A, 301, off_section=True)),
        (redirected(START, "listing", 308), Verdict(Outcome.GONE, A, 308, off_section=True)),
        (redirected(START, "listing", None), Verdict(Outcome.GONE, A, 301, off_section=True)),
        (
            redirected("http://127.0.0.1:1/login/", "other", 302),
            Verdict(
                Outcome.ERROR,
                A,
                302,
                "temporarily redirected to http://127.0.0.1:1/login/",
                off_section=True,
            ),
        ),
        (redirected(B, "article", 301, status=304), Verdict(refetch=True)),
        (redirected(A + "?x=1", "article", 301, status=304), Verdict(Outcome.NOT_MODIFIED, A, 304)),
    ],
)
def test_an_article_response_comes_to_an_outcome_or_a_page(facts: Fetch, verdict: Verdict) -> None:
    assert classify_article(facts) == verdict


@pytest.mark.parametrize(
    ("content_type", "is_text"),
    [("application/pdf", False), ("image/jpeg", False), ("text/plain", True), ("; x", True)],
)
def test_a_page_that_is_not_html_is_an_error_kept_with_its_body(
    content_type: str, is_text: bool
) -> None:
    verdict = classify_article(fetch(content_type=content_type, is_text=is_text))
    assert verdict == Verdict(
        Outcome.ERROR, A, 200, f"not an HTML page ({content_type})", keep_body=True
    )


def test_a_body_scrapy_could_not_read_as_text_is_not_html_whatever_its_header() -> None:
    verdict = classify_article(fetch(content_type="", is_text=False))
    assert verdict.error == "not an HTML page (no Content-Type)"


@pytest.mark.parametrize(
    ("facts", "verdict"),
    [
        (fetch(final=START, final_kind="listing"), PAGE),
        (fetch(304, final=START), Verdict(Outcome.NOT_MODIFIED, START, 304)),
        (
            redirected("http://127.0.0.1:1/vedligeholdelse/", "other", 302),
            Verdict(
                Outcome.ERROR,
                A,
                200,
                "redirected to http://127.0.0.1:1/vedligeholdelse/",
                off_section=True,
            ),
        ),
        (redirected(START + "page/2/", "listing", 301), PAGE),
        (
            fetch(final=START, final_kind="listing", is_text=False),
            Verdict(Outcome.ERROR, START, 200, "listing page is not HTML"),
        ),
    ],
)
def test_a_listing_response_is_walked_ends_the_walk_or_is_an_error(
    facts: Fetch, verdict: Verdict
) -> None:
    assert classify_listing(facts) == verdict


def test_the_facts_of_a_scrapy_response() -> None:
    request = Request(B, meta={"redirect_urls": [A], "redirect_reasons": [301]})
    response = HtmlResponse(B, body=b"<p>x</p>", headers={"Content-Type": HTML}, request=request)
    assert Fetch.of(response, Section.from_start_url(START)) == Fetch(
        requested_url=A,
        final_url=B,
        status=200,
        redirected=True,
        redirect_status=301,
        content_type=HTML,
        is_text=True,
        final_kind="article",
    )
    moved = Fetch.of(response, Section.from_start_url(START), redirect_urls=["http://x/"])
    assert moved.requested_url == "http://x/"


def failed(exc: Exception) -> Failure:
    try:
        raise exc
    except Exception:
        return Failure()


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (TimeoutError("User timeout caused connection failure."), "timed out"),
        (ConnectionRefusedError("111: Connection refused"), "Connection refused"),
        (DNSLookupError("no such host"), "DNS lookup failed"),
        (ValueError("Unsupported URL scheme 'ftp':."), "ValueError: Unsupported URL scheme 'ftp'"),
    ],
)
def test_a_failed_request_is_worded_in_a_few_words(exc: Exception, reason: str) -> None:
    assert failure_reason(failed(exc)) == reason


def test_an_http_error_is_its_status() -> None:
    response = HtmlResponse(A, status=503, request=Request(A))
    assert failure_reason(failed(HttpError(response))) == "HTTP 503"
