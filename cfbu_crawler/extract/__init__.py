"""Pure extraction: (HTML, URL) in, the article fields of SPEC §3 out. No I/O, no clock.

Every field is extracted in layers: structured data first (JSON-LD, OpenGraph/meta,
``<time datetime>``), then common markup (Yoast/WordPress classes, ``h1``, ``article``),
then the visible text patterns (``Hjem / Nyheder / X``, ``30. november 2015``, Q&A rules).

The item pipelines call the per-field functions one by one; ``extract_article`` runs the
very same steps in the same order, so that ``cfbu reparse`` reproduces a crawl exactly.
"""

from .article import extract_article
from .body import Block, body_and_lead, extract_body_blocks
from .breadcrumb import extract_breadcrumb
from .canonical import extract_canonical
from .category import extract_category
from .page import Page, parse_page
from .published import extract_published
from .qa import extract_qa
from .text import normalise_record, normalise_text
from .title import extract_title

EXTRACTOR_VERSION = "4"

__all__ = [
    "EXTRACTOR_VERSION",
    "Block",
    "body_and_lead",
    "Page",
    "extract_article",
    "extract_body_blocks",
    "extract_breadcrumb",
    "extract_canonical",
    "extract_category",
    "extract_published",
    "extract_qa",
    "extract_title",
    "normalise_record",
    "normalise_text",
    "parse_page",
]
