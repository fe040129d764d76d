"""``extract_article``: every field of SPEC §3 from one page, in the pipelines' order."""

from __future__ import annotations

from .body import extract_body_blocks
from .breadcrumb import extract_breadcrumb
from .canonical import extract_canonical
from .category import extract_category
from .page import parse_page
from .published import extract_published
from .qa import extract_qa
from .text import normalise_record
from .title import extract_title


def extract_article(html: str | bytes, url: str, encoding: str | None = None) -> dict:
    """``{"title","breadcrumb","category","published","lead","body","qa","canonical"}``."""
    page = parse_page(html, url, encoding)
    blocks = extract_body_blocks(page)
    record = {
        "title": extract_title(page),
        "breadcrumb": extract_breadcrumb(page),
        "category": extract_category(page),
        "published": extract_published(page),
        "lead": blocks[0].text if blocks else None,
        "body": "\n\n".join(block.text for block in blocks),
        "qa": extract_qa(blocks),
        "canonical": extract_canonical(page),
    }
    return normalise_record(record)
