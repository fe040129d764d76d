"""``extract_article``: the one extraction entry point, one page in, one ``Extraction`` out.

The crawl (``pipelines/``) and ``cfbu reparse`` both call it, so that re-extracting a
stored page gives exactly what the crawl of that page gave, crashes included. It is pure:
no I/O, no clock, no logging; it never raises.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from .body import body_and_lead, extract_body_blocks
from .breadcrumb import extract_breadcrumb
from .canonical import extract_canonical
from .category import extract_category
from .page import DEFAULT_SITE_TIMEZONE, parse_page
from .published import extract_published
from .qa import extract_qa
from .result import Extraction, QuestionAnswer
from .text import normalise_record
from .title import extract_title
from .urls import Section, article_identity

T = TypeVar("T")
D = TypeVar("D")


def describe(exc: BaseException) -> str:
    """How a crash is written down: ``"ExceptionType: message"``."""
    return f"{type(exc).__name__}: {exc}"


def extract_article(
    html: str | bytes,
    url: str,
    encoding: str | None = None,
    *,
    section: Section | None = None,
    site_timezone: str = DEFAULT_SITE_TIMEZONE,
) -> Extraction:
    """Every field of the record (docs/record.md) from the page ``html`` fetched at ``url``.

    ``encoding`` is the HTTP charset, if any; ``section`` (the crawled part of the site)
    lets the identity reject a canonical link that names no article of it;
    ``site_timezone`` gives the day of a timestamp the page shows no agreeing date for
    (docs/extraction.md, "Dates"). An extractor that crashes leaves its field empty and
    its error in ``Extraction.errors``.
    """
    try:
        return _extract(html, url, encoding, section, site_timezone)
    except Exception as exc:  # beyond the per-field guards: still one result
        return _failure(url, {"extract": describe(exc)})


def _extract(
    html: str | bytes,
    url: str,
    encoding: str | None,
    section: Section | None,
    site_timezone: str,
) -> Extraction:
    page = parse_page(html, url, encoding, site_timezone)
    crashes: dict[str, str] = {}

    def step(name: str, extractor: Callable[[], T], default: D) -> T | D:
        try:
            return extractor()
        except Exception as exc:  # an extractor bug must not lose the page
            crashes.setdefault(name, describe(exc))
            return default

    canonical = step("canonical", lambda: extract_canonical(page), None)
    blocks = step("body", lambda: extract_body_blocks(page), [])
    body, lead = body_and_lead(blocks)
    raw: dict[str, Any] = {
        "title": step("title", lambda: extract_title(page), None),
        "breadcrumb": step("breadcrumb", lambda: extract_breadcrumb(page), []),
        "category": step("category", lambda: extract_category(page), None),
        "published": step("published", lambda: extract_published(page), None),
        "lead": lead,
        "body": body,
        "qa": step("qa", lambda: extract_qa(blocks), []),
    }
    record = normalise_record(raw)
    # Crashes the extractors caught themselves (``Page.extracted``), then the ones above.
    errors = dict(page.errors)
    for name, message in crashes.items():
        errors.setdefault(name, message)
    return Extraction(
        url=article_identity(page.url, canonical, section),
        canonical=canonical,
        title=record["title"],
        breadcrumb=tuple(record["breadcrumb"]),
        category=record["category"],
        published=record["published"],
        lead=record["lead"],
        body=record["body"],
        qa=tuple(QuestionAnswer(pair["question"], pair["answer"]) for pair in record["qa"]),
        errors=errors,
    )


def _failure(url: str, errors: dict[str, str]) -> Extraction:
    """An empty result that says extraction failed (the page is kept as an error)."""
    identity = url or ""
    with contextlib.suppress(Exception):  # an unparsable URL stays as it came
        identity = article_identity(identity, None)
    return Extraction(
        url=identity,
        canonical=None,
        title=None,
        breadcrumb=(),
        category=None,
        published=None,
        lead=None,
        body="",
        qa=(),
        errors=errors,
    )


__all__ = ["describe", "extract_article"]
