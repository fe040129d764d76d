"""The publication date as a reader in Denmark sees it (``YYYY-MM-DD``).

Layers: JSON-LD ``datePublished``; ``article:published_time`` and similar ``<meta>``;
microdata ``itemprop=datePublished``; a ``<time>`` marked as published (never one marked
modified/updated, or inside sidebars, related lists, comments); then a Danish date line in
the article header region (see :mod:`header`); then the text of an element marked as the
publication date (Joomla's ``dd.published``); last, a publication line just below the body
(``Publiceret d. 30.11.2015``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from .dates import parse_danish_date, to_copenhagen_date
from .dom import in_junk, in_plain_list, iter_elements, tokens, visible_text
from .header import best_date_line, date_line, trailing_date
from .page import Page
from .structured import itemprop_values, jsonld_value, meta_content

_META_NAMES = (
    "article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "date",
    "pubdate",
    "publish-date",
    "publish_date",
    "parsely-pub-date",
    "sailthru.date",
)
_PUBLISHED = re.compile(r"publish|entry-date|post-date|pubdate|posted|dato|date-pub", re.I)
# Elements whose class says "publication date" (Joomla ``dd.published``, Drupal
# ``field--name-field-date``, ``.news-date``...), read as text when there is no <time>.
_DATE_CLASS = re.compile(
    r"publish|entry-date|post-date|pubdate|posted|dato|date-pub|(?:^|[-_])date(?:[-_]|$)", re.I
)
_MODIFIED = re.compile(r"modif|updat|opdat|revis|ændret|edited|comment", re.I)


def _time_value(el: Any) -> dt.date | None:
    value = el.get("datetime") or el.get("content")
    if value:
        found = to_copenhagen_date(value)
        if found:
            return found
    return parse_danish_date(visible_text(el))


def _in_list(el: Any) -> bool:
    return in_plain_list(el)


def _modified(el: Any) -> bool:
    """Marked as a modification date; WordPress's ``entry-date published updated`` (a post
    never edited) is still the publication date."""
    if "published" in tokens(el):
        return False
    return any(_MODIFIED.search(tok) for node in (el, el.getparent()) for tok in tokens(node))


def _from_time(page: Page) -> dt.date | None:
    times = [
        el
        for el in iter_elements(page.root, ("time",))
        if not in_junk(el)
        and not _modified(el)
        and "dateModified" not in (el.get("itemprop") or "")
    ]
    marked = [
        el
        for el in times
        if el.get("pubdate") is not None
        or "datePublished" in (el.get("itemprop") or "")
        or any(_PUBLISHED.search(tok) for node in (el, el.getparent()) for tok in tokens(node))
    ]
    unlisted = [el for el in times if not _in_list(el)]
    for group in (marked, unlisted):
        for el in group:
            found = _time_value(el)
            if found:
                return found
    return None


def _from_text(page: Page) -> dt.date | None:
    hit = best_date_line(page)
    return hit[1] if hit else None


def _from_marked_text(page: Page) -> dt.date | None:
    """A date line in an element marked as the publication date (not in a list, menu,
    sidebar or comment; never one marked as modified/created-by-comment)."""
    for el in iter_elements(page.root):
        toks = tokens(el)
        if not any(_DATE_CLASS.search(tok) for tok in toks):
            continue
        if any(_MODIFIED.search(tok) for tok in toks) or in_junk(el) or _in_list(el):
            continue
        text = visible_text(el)
        hit = date_line(text) if len(text) <= 80 else None
        if hit:
            return hit[0]
    return None


def extract_published(page: Page) -> str | None:
    """``YYYY-MM-DD`` in Europe/Copenhagen, or None."""
    return page.extracted("published", lambda: _extract(page), None)


def _extract(page: Page) -> str | None:
    if page.root is None:
        return None
    layers: tuple[Callable[[], dt.date | None], ...] = (
        lambda: to_copenhagen_date(jsonld_value(page, "datePublished")),
        lambda: to_copenhagen_date(meta_content(page, *_META_NAMES)),
        lambda: next(
            (d for d in map(to_copenhagen_date, itemprop_values(page, "datePublished")) if d),
            None,
        ),
        lambda: _from_time(page),
        lambda: _from_text(page),
        lambda: _from_marked_text(page),
        lambda: trailing_date(page),
    )
    for layer in layers:
        found = layer()
        if found:
            return found.isoformat()
    return None
