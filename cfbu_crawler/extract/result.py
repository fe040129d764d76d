"""``Extraction``: what ``extract_article`` makes of one page, as one typed value.

It holds the record (docs/record.md) with typed fields, the page's canonical link and
the extractors that crashed (``errors``); ``missing`` names the required fields found
empty.
A result with errors is not a record of the page: the crawl and ``cfbu reparse`` both
keep it as an error, never as a version (docs/record.md, "When extraction fails").

Only plain values (text, tuples, a dict of text): it can be pickled, copied onto a
Scrapy item, or turned into JSON with :meth:`Extraction.as_dict`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cfbu_crawler.record import CONTENT_FIELDS, RECORD_FIELDS, missing_fields

# An error observation keeps this much of the message (the column is unbounded; the
# text is for people, and a traceback-sized message helps nobody).
ERROR_TEXT_LIMIT = 1000


@dataclass(frozen=True)
class QuestionAnswer:
    """One question of an interview and its answer (paragraphs joined by a blank line)."""

    question: str
    answer: str

    def as_dict(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer}


@dataclass(frozen=True)
class Extraction:
    """One page's record, how complete it is, and whether extraction itself failed."""

    url: str  # the article's identity URL (docs/record.md, "Identity")
    canonical: str | None
    title: str | None
    breadcrumb: tuple[str, ...]
    category: str | None
    published: str | None  # YYYY-MM-DD, the date in Europe/Copenhagen
    lead: str | None
    body: str
    qa: tuple[QuestionAnswer, ...]
    # Extractors that crashed: step name -> "ExceptionType: message". Not hashed.
    errors: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def failed(self) -> bool:
        """Did an extractor crash? Then the fields are incomplete for a reason of cfbu's,
        not of the page's, and the result must not become a version."""
        return bool(self.errors)

    @property
    def missing(self) -> list[str]:
        """The required fields found empty: the record is still kept, flagged."""
        return missing_fields(self.record())

    def record(self) -> dict[str, Any]:
        """The record as the archive stores and exports it: plain values, in the order of
        ``cfbu_crawler.record.RECORD_FIELDS``."""
        values = {
            "url": self.url,
            "title": self.title,
            "breadcrumb": list(self.breadcrumb),
            "category": self.category,
            "published": self.published,
            "lead": self.lead,
            "body": self.body,
            "qa": [pair.as_dict() for pair in self.qa],
        }
        return {name: values[name] for name in RECORD_FIELDS}

    def fields(self) -> dict[str, Any]:
        """What was read off the page, by name, as plain values: the content fields and
        the canonical link (the shape of the golden files, tests/fixtures/*/expected.json)."""
        record = self.record()
        return {**{name: record[name] for name in CONTENT_FIELDS}, "canonical": self.canonical}

    def error_lines(self) -> list[str]:
        """One ``"step: ExceptionType: message"`` line per crashed extractor."""
        return [f"{step}: {message}" for step, message in self.errors.items()]

    def as_dict(self) -> dict[str, Any]:
        """Everything, as plain values (JSON-ready): the record, ``canonical``,
        ``missing`` and ``errors``."""
        return {
            **self.record(),
            "canonical": self.canonical,
            "missing": self.missing,
            "errors": dict(self.errors),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Extraction:
        """The inverse of :meth:`as_dict` (``canonical`` and ``errors`` optional;
        ``missing`` is derived), e.g. for a stand-in extractor reading stored records."""
        return cls(
            url=data["url"],
            canonical=data.get("canonical"),
            title=data.get("title"),
            breadcrumb=tuple(data.get("breadcrumb") or ()),
            category=data.get("category"),
            published=data.get("published"),
            lead=data.get("lead"),
            body=data.get("body") or "",
            qa=tuple(
                QuestionAnswer(pair["question"], pair["answer"]) for pair in data.get("qa") or ()
            ),
            errors=dict(data.get("errors") or {}),
        )


def error_text(lines: Iterable[str]) -> str:
    """The message an error observation keeps for these problems (crawl and reparse
    alike): the lines joined by ``"; "``, cut at ``ERROR_TEXT_LIMIT`` characters."""
    return "; ".join(lines)[:ERROR_TEXT_LIMIT]


__all__ = ["ERROR_TEXT_LIMIT", "Extraction", "QuestionAnswer", "error_text"]
