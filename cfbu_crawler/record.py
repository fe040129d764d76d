"""The article record: the one list of the fields cfbu extracts from an article page.

Every module that names the record's fields (extraction, the pipelines, the item, the
archive's hash and exports, the CLI) takes them from here. What each field holds, and
which ones a complete record must have, is written down in docs/record.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# What makes a version: a change in any of these is a change of the article.
CONTENT_FIELDS: tuple[str, ...] = (
    "title",
    "breadcrumb",
    "category",
    "published",
    "lead",
    "body",
    "qa",
)
# The record as exported: the article's identity URL, then its content.
RECORD_FIELDS: tuple[str, ...] = ("url", *CONTENT_FIELDS)
# Fields an article should always have; a record lacking one is kept and flagged.
REQUIRED_FIELDS: tuple[str, ...] = ("title", "published", "body")
# The record's text as the full-text search indexes it (docs/schema.md, "Full-text
# search"): the Q&A split into its questions and its answers, the breadcrumb as one text.
SEARCH_FIELDS: tuple[str, ...] = (
    "title",
    "lead",
    "body",
    "questions",
    "answers",
    "breadcrumb",
    "category",
)
# Names that stand for several search fields.
SEARCH_FIELD_GROUPS: dict[str, tuple[str, ...]] = {"qa": ("questions", "answers")}


def missing_fields(record: Mapping[str, Any]) -> list[str]:
    """The required fields ``record`` lacks (``None``, ``""`` and ``[]`` are all empty)."""
    return [name for name in REQUIRED_FIELDS if not record.get(name)]


__all__ = [
    "CONTENT_FIELDS",
    "RECORD_FIELDS",
    "REQUIRED_FIELDS",
    "SEARCH_FIELDS",
    "SEARCH_FIELD_GROUPS",
    "missing_fields",
]
