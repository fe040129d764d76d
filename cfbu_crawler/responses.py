"""What a response means for the archive, decided by pure functions the spider consults.

An article fetch comes to an archive outcome (304 → ``not_modified``, 404/410 →
``gone``, a permanent redirect away from the section's articles → ``gone``, a temporary
one or a page that is not HTML → ``error``) or is an article page to extract; a listing
page is walked, ends the walk (304) or is an error. Failed requests are worded here, in
a few words, for run records and messages (docs/schema.md, ``observations.error`` and
``runs.finish_reason``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cfbu_crawler.archive.vocabulary import Outcome
from cfbu_crawler.extract.urls import url_key

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from cfbu_crawler.extract.urls import Section

HTML_TYPES = ("text/html", "application/xhtml+xml")
PERMANENT_REDIRECTS = (301, 308)
# Twisted's wordier failures, shortened for run records and messages.
SHORT_REASONS = (
    ("Connection refused", "Connection refused"),
    ("DNS lookup failed", "DNS lookup failed"),
    ("TimeoutError", "timed out"),
    ("Connection was closed cleanly", "connection closed"),
)


@dataclass(frozen=True)
class Fetch:
    """The facts of one response that decide what it means."""

    requested_url: str  # the first URL asked for (before redirects)
    final_url: str  # the URL that answered
    status: int
    redirected: bool = False
    redirect_status: int | None = None  # the first status of the redirect chain
    content_type: str = ""  # the Content-Type header ("" when there is none)
    is_text: bool = True  # Scrapy decoded the body as text (a TextResponse)
    final_kind: str | None = None  # what the section makes of final_url: article, listing

    @classmethod
    def of(
        cls, response: Response, section: Section, redirect_urls: list[str] | None = None
    ) -> Fetch:
        """The facts of a Scrapy response. ``redirect_urls`` defaults to the chain that
        RedirectMiddleware recorded."""
        from scrapy.http import TextResponse

        meta = response.meta
        if redirect_urls is None:
            redirect_urls = meta.get("redirect_urls") or []
        reasons = [r for r in meta.get("redirect_reasons", []) if isinstance(r, int)]
        content_type = response.headers.get("Content-Type")
        return cls(
            requested_url=redirect_urls[0] if redirect_urls else response.url,
            final_url=response.url,
            status=response.status,
            redirected=bool(redirect_urls),
            redirect_status=reasons[0] if reasons else None,
            content_type=content_type.decode("latin-1") if content_type else "",
            is_text=isinstance(response, TextResponse),
            final_kind=section.classify(response.url),
        )

    @property
    def is_html(self) -> bool:
        """Text, and HTML by its Content-Type (a page without one is taken for HTML)."""
        media_type = self.content_type.split(";")[0].strip().lower()
        return self.is_text and (not self.content_type or media_type in HTML_TYPES)


@dataclass(frozen=True)
class Verdict:
    """What a response comes to: an archive outcome (with the URL, status and error to
    record it by), or none — an article page to extract, a listing page to walk."""

    outcome: Outcome | None = None
    url: str | None = None  # the URL the outcome is recorded under
    status: int | None = None
    error: str | None = None
    keep_body: bool = False  # record the body with the outcome (it is what the site sent)
    refetch: bool = False  # fetch the final URL again, unconditionally, to see the page
    off_section: bool = False  # redirected away from the section's articles or listing

    @property
    def is_page(self) -> bool:
        return self.outcome is None and not self.refetch


PAGE = Verdict()


def classify_article(fetch: Fetch) -> Verdict:
    """What an article fetch comes to."""
    if fetch.status == 304:
        if fetch.redirected and url_key(fetch.final_url) != url_key(fetch.requested_url):
            # A redirect answered "not modified": the move can only be recorded from the
            # target's page, fetched in full.
            return Verdict(refetch=True)
        return Verdict(Outcome.NOT_MODIFIED, fetch.requested_url, 304)
    if fetch.status in (404, 410):
        return Verdict(Outcome.GONE, fetch.requested_url, fetch.status)
    if not fetch.is_html:
        error = f"not an HTML page ({fetch.content_type or 'no Content-Type'})"
        return Verdict(Outcome.ERROR, fetch.requested_url, fetch.status, error, keep_body=True)
    if fetch.redirected and fetch.final_kind != "article":
        # Redirected away from the article (to the listing, the home page, off-site): the
        # article is no longer there, unless the redirect is temporary (maintenance,
        # login), which says nothing about removal. Only a redirect to an article is a move.
        status = fetch.redirect_status or 301
        if status in PERMANENT_REDIRECTS:
            return Verdict(Outcome.GONE, fetch.requested_url, status, off_section=True)
        error = f"temporarily redirected to {fetch.final_url}"
        return Verdict(Outcome.ERROR, fetch.requested_url, status, error, off_section=True)
    return PAGE


def classify_listing(fetch: Fetch) -> Verdict:
    """What a listing page comes to: ``not_modified`` (nothing new here, nor further on),
    an error (redirected off the section — a maintenance page, a login, the home page —
    or not HTML), or a page to walk."""
    if fetch.status == 304:
        return Verdict(Outcome.NOT_MODIFIED, fetch.final_url, 304)
    if fetch.redirected and fetch.final_kind != "listing":
        error = f"redirected to {fetch.final_url}"
        return Verdict(Outcome.ERROR, fetch.requested_url, fetch.status, error, off_section=True)
    if not fetch.is_text:
        return Verdict(Outcome.ERROR, fetch.final_url, fetch.status, "listing page is not HTML")
    return PAGE


def failure_reason(failure: Failure) -> str:
    """A failed request's reason in a few words (stored on the run, shown to users)."""
    from scrapy.spidermiddlewares.httperror import HttpError

    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage().strip().splitlines()[0] if failure.value else ""
    kind = type(failure.value).__name__
    for needle, short in SHORT_REASONS:
        if needle in message or needle == kind:
            return short
    return f"{kind}: {message}".strip().rstrip(":. ")


__all__ = [
    "PAGE",
    "Fetch",
    "Verdict",
    "classify_article",
    "classify_listing",
    "failure_reason",
]
