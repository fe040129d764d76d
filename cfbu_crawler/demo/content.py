"""Structured article content of the demo site.

Every article in ``snapshot/*.json`` is a list of typed paragraphs (``plain``,
``question``, ``answer``, ``quote``, ``subheading``, ``spacer``); the themes render it,
and its ``lead``, ``body``, ``qa`` and publication date are derived from that model alone
(independent of theme and generation).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
PARAGRAPH_KINDS = ("plain", "question", "answer", "quote", "subheading", "spacer")
SEED_SLUG = "de-trovaerdige-voksne-i-hoeje-taastrup"

_LEADING_DASH = re.compile(r"^[–—-][ \u00a0]")

DANISH_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article body, typed by its role."""

    kind: str
    text: str

    def __post_init__(self) -> None:
        if self.kind not in PARAGRAPH_KINDS:
            raise ValueError(f"unknown paragraph kind {self.kind!r}")


@dataclass(frozen=True)
class Article:
    """One article as authored (independent of theme and generation)."""

    slug: str
    title: str  # normal case; the current generation shows it in capitals
    published: dt.datetime  # aware, UTC
    modified: dt.datetime  # aware, UTC
    kind: str  # "news" | "interview"
    interview_style: int | None  # 1, 2, 3 (docs/record.md, "Questions and answers") or None
    question_markup: str  # "plain" | "strong" | "b" | "h3"
    old_in_mixed: bool  # reachable only through old-generation links on the mixed site
    added_in: str  # "v1" | "v2"
    paragraphs: tuple[Paragraph, ...] = field(default=())

    # ----- derived, theme independent ---------------------------------------------
    @property
    def published_local(self) -> dt.datetime:
        """Publication time as a reader in Copenhagen sees it."""
        return self.published.astimezone(COPENHAGEN)

    @property
    def published_date(self) -> str:
        """ISO date in Europe/Copenhagen (the expected ``published``)."""
        return self.published_local.date().isoformat()

    @property
    def danish_date(self) -> str:
        """``30. november 2015`` (current generation)."""
        d = self.published_local
        return f"{d.day}. {DANISH_MONTHS[d.month - 1]} {d.year}"

    @property
    def numeric_date(self) -> str:
        """``30.11.2015`` (old generation)."""
        return self.published_local.strftime("%d.%m.%Y")

    @property
    def text_paragraphs(self) -> list[Paragraph]:
        """Paragraphs that carry text (spacers dropped)."""
        return [p for p in self.paragraphs if p.kind != "spacer"]

    @property
    def lead(self) -> str:
        paras = self.text_paragraphs
        return paras[0].text if paras else ""

    @property
    def body(self) -> str:
        return "\n\n".join(p.text for p in self.text_paragraphs)

    @property
    def qa(self) -> list[dict[str, str]]:
        """Questions with the paragraphs after them (leading dash removed)."""
        out: list[dict[str, str]] = []
        answer: list[str] = []
        question: str | None = None
        for p in self.text_paragraphs:
            if p.kind == "question":
                if question is not None:
                    out.append({"question": question, "answer": "\n\n".join(answer)})
                question, answer = p.text, []
            elif question is not None:
                answer.append(strip_dash(p.text))
        if question is not None:
            out.append({"question": question, "answer": "\n\n".join(answer)})
        return out

    def is_emphasised(self, p: Paragraph) -> bool:
        """Whether the paragraph is rendered wholly emphasised (strong/b/heading)."""
        if p.kind == "subheading":
            return True
        if p.kind == "question":
            return self.interview_style == 1 or self.question_markup != "plain"
        return False


def strip_dash(text: str) -> str:
    """Remove a leading ``– `` (en/em dash or hyphen plus (no-break) space)."""
    return _LEADING_DASH.sub("", text, count=1)


def article_from_json(data: dict[str, Any]) -> Article:
    """Build an :class:`Article` from one snapshot JSON object."""
    paras = tuple(Paragraph(str(p["kind"]), str(p["text"])) for p in data["paragraphs"])
    style = data.get("interview_style")
    return Article(
        slug=str(data["slug"]),
        title=str(data["title"]),
        published=_utc(str(data["published"])),
        modified=_utc(str(data["modified"])),
        kind=str(data["kind"]),
        interview_style=int(style) if style is not None else None,
        question_markup=str(data.get("question_markup", "plain")),
        old_in_mixed=bool(data.get("old_in_mixed", False)),
        added_in=str(data.get("added_in", "v1")),
        paragraphs=paras,
    )


def _utc(value: str) -> dt.datetime:
    d = dt.datetime.fromisoformat(value)
    if d.tzinfo is None:
        raise ValueError(f"naive timestamp {value!r}")
    return d.astimezone(dt.timezone.utc)


_CACHE: tuple[Article, ...] | None = None


def load_articles() -> tuple[Article, ...]:
    """All snapshot articles (v1 and v2-only), newest first."""
    global _CACHE
    if _CACHE is None:
        root = resources.files("cfbu_crawler.demo").joinpath("snapshot")
        arts = [
            article_from_json(json.loads(f.read_text(encoding="utf-8")))
            for f in root.iterdir()
            if f.name.endswith(".json")
        ]
        _CACHE = tuple(newest_first(arts))
    return _CACHE


def newest_first(articles: Iterable[Article]) -> list[Article]:
    return sorted(articles, key=lambda a: (a.published, a.slug), reverse=True)
