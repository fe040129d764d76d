"""``extract_article``: every field of SPEC §3 from one page, in the pipelines' order."""

from __future__ import annotations

from .body import body_and_lead, extract_body_blocks
from .breadcrumb import extract_breadcrumb
from .canonical import extract_canonical
from .category import extract_category
from .page import parse_page
from .published import extract_published
from .qa import extract_qa
from .text import normalise_record
from .title import extract_title


def extract_article(
    html: str | bytes,
    url: str,
    encoding: str | None = None,
    *,
    site_timezone: str = "Europe/Copenhagen",
) -> dict:
    """``{"title","breadcrumb","category","published","lead","body","qa","canonical"}``.
    ``site_timezone``: the day of a timestamp the page shows no agreeing date for."""
    page = parse_page(html, url, encoding, site_timezone)
    blocks = extract_body_blocks(page)
    body, lead = body_and_lead(blocks)
    record = {
        "title": extract_title(page),
        "breadcrumb": extract_breadcrumb(page),
        "category": extract_category(page),
        "published": extract_published(page),
        "lead": lead,
        "body": body,
        "qa": extract_qa(blocks),
        "canonical": extract_canonical(page),
    }
    return normalise_record(record)
