"""The search library's vocabulary, independent of the database: what can be searched
(the fields), how a request and its hits look, and the errors a search can raise.

A backend (``fts5`` for SQLite, ``tsvector`` for PostgreSQL) implements
:class:`cfbu_crawler.archive.search.backend.SearchBackend` with these types.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from typing import Any

from cfbu_crawler.archive.sqlitefile import ArchiveError
from cfbu_crawler.record import SEARCH_FIELD_GROUPS, SEARCH_FIELDS

# The searchable text of a version, in the index's column order, and the names that
# stand for several fields (``qa``): defined with the record's fields.
FIELD_GROUPS = SEARCH_FIELD_GROUPS
FIELD_CHOICES: tuple[str, ...] = (*SEARCH_FIELDS, *FIELD_GROUPS)
# Ranking: how much a match in each field counts (bm25 column weights on SQLite, factors
# of each field's ts_rank on PostgreSQL). A word in the
# title says far more about an article than the same word deep in its body; the
# breadcrumb repeats the title, and every article has the same category.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 10.0,
    "lead": 2.0,
    "body": 1.0,
    "questions": 2.0,
    "answers": 1.0,
    "breadcrumb": 0.5,
    "category": 0.2,
}


class SearchError(ArchiveError):
    """A search that cannot run (one line for the user)."""


class SearchSyntaxError(SearchError):
    """A ``raw`` query the index's syntax rejects."""


def expand_fields(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The index fields that ``names`` (fields or groups such as ``qa``) stand for, in
    index order; all fields when none is named. Raises ``ValueError`` for unknown names."""
    wanted: set[str] = set()
    for name in names:
        if name in FIELD_GROUPS:
            wanted.update(FIELD_GROUPS[name])
        elif name in SEARCH_FIELDS:
            wanted.add(name)
        else:
            raise ValueError(f"unknown field {name!r} (choose from {', '.join(FIELD_CHOICES)})")
    return tuple(f for f in SEARCH_FIELDS if f in wanted) if wanted else SEARCH_FIELDS


DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def date_bound(text: str, *, end: bool) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the first (or, with ``end``, the last)
    day it names, ``YYYY-MM-DD``. Raises ``ValueError`` for anything else."""
    match = DATE.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    m = int(month) if month else (12 if end else 1)
    if not 1 <= m <= 12:
        raise ValueError(f"{text!r} is not a date: no month {m}")
    last = calendar.monthrange(year, m)[1]
    d = int(day) if day else (last if end else 1)
    if not 1 <= d <= last:
        raise ValueError(f"{text!r} is not a date: {year}-{m:02d} has no day {d}")
    return f"{year:04d}-{m:02d}-{d:02d}"


@dataclass(frozen=True)
class SearchRequest:
    """One search. ``fields`` limits it to some fields (empty: all); ``since`` and
    ``until`` (``YYYY-MM-DD``, inclusive) to publication dates; gone articles are left
    out unless ``include_gone``. ``raw`` hands ``query`` to the index's own syntax;
    ``all_versions`` searches every version ever archived instead of the latest ones.
    ``limit``: at most so many hits, best first (None: all)."""

    query: str
    limit: int | None = None
    fields: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    include_gone: bool = False
    raw: bool = False
    all_versions: bool = False


@dataclass(frozen=True)
class Marked:
    """A text with its matches marked: ``(text, is_match)`` parts, in order."""

    parts: tuple[tuple[str, bool], ...] = ()

    @property
    def text(self) -> str:
        return "".join(text for text, _ in self.parts)

    @property
    def matches(self) -> tuple[str, ...]:
        return tuple(text for text, hit in self.parts if hit)


@dataclass(frozen=True)
class Hit:
    """An article (its latest version) that matches; with ``version`` set, one version
    of it (``all_versions``), ``versions`` its count and ``runs`` the runs that saw it."""

    url: str
    title: Marked
    published: str | None
    status: str
    snippet: Marked
    article_id: int
    version_id: int
    version: int | None = None
    versions: int | None = None
    runs: tuple[int, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        """The hit as ``cfbu search --json`` prints it: the keys the human listing shows."""
        out: dict[str, Any] = {
            "url": self.url,
            "title": self.title.text,
            "published": self.published,
            "status": self.status,
        }
        if self.version is not None:
            out.update(version=self.version, versions=self.versions, runs=list(self.runs))
        out["snippet"] = self.snippet.text
        return out


@dataclass(frozen=True)
class SearchResult:
    """The hits (best first, at most ``request.limit``), how many there are in all, and
    a note when the query held nothing to search for."""

    request: SearchRequest
    hits: list[Hit]
    total: int
    note: str | None = None


__all__ = [
    "FIELD_CHOICES",
    "FIELD_GROUPS",
    "FIELD_WEIGHTS",
    "SEARCH_FIELDS",
    "Hit",
    "Marked",
    "SearchError",
    "SearchRequest",
    "SearchResult",
    "SearchSyntaxError",
    "date_bound",
    "expand_fields",
]
