"""Pure extraction: (HTML, URL) in, one ``Extraction`` out. No I/O, no clock.

``extract_article`` is the one entry point: the crawl's pipelines and ``cfbu reparse``
both call it, so that re-extracting a stored page gives exactly what its crawl gave,
crashes of an extractor included (docs/record.md says what each field holds).

Every field is extracted in layers: structured data first (JSON-LD, OpenGraph/meta,
``<time datetime>``), then common markup (Yoast/WordPress classes, ``h1``, ``article``),
then the visible text patterns (``Hjem / Nyheder / X``, ``30. november 2015``, Q&A rules).
The per-field functions are exported for tests and tools that study one field.
"""

from .article import extract_article
from .body import Block, body_and_lead, extract_body_blocks
from .breadcrumb import extract_breadcrumb
from .canonical import extract_canonical
from .category import extract_category
from .page import DEFAULT_SITE_TIMEZONE, Page, check_timezone, parse_page
from .published import extract_published
from .qa import extract_qa
from .result import Extraction, QuestionAnswer, error_text
from .text import normalise_record, normalise_text
from .title import extract_title

EXTRACTOR_VERSION = "5"

__all__ = [
    "DEFAULT_SITE_TIMEZONE",
    "EXTRACTOR_VERSION",
    "Block",
    "Extraction",
    "Page",
    "QuestionAnswer",
    "body_and_lead",
    "check_timezone",
    "error_text",
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
