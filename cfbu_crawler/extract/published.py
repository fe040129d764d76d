"""The publication date (``YYYY-MM-DD``).

Layers, the first that answers wins (docs/extraction.md, "Dates"): JSON-LD
``datePublished`` (then ``dateCreated``, ``published_at``...; article-like objects
first); ``article:published_time`` and similar ``<meta>`` (Dublin Core ``dc:date``,
Highwire ``citation_date``...); microdata ``itemprop=datePublished``; a ``<time>`` marked
as published (never one marked modified/updated, by class or by an ``Updated`` label
before it, or inside sidebars, related lists, comments); JSON-LD of other objects
(``uploadDate``); a date line in the article header region (:mod:`header`); a
publication line just below the body (``Publiceret d. 30.11.2015``); the best-ranked
visible date line anywhere in the article (:mod:`textdates`); the date attributes of
date elements; last, the day in the page's URL, canonical link or ``og:url``
(:mod:`urldates`).

The day of a timestamp with an offset: the day the page itself shows when one of the
timestamp's possible local days is shown on the page (its header date line or a
``<time>``'s text); otherwise the day in the site's timezone (``Page.site_timezone``,
Europe/Copenhagen by default: a reader in Denmark).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .dates import COPENHAGEN, parse_date, parse_timestamp
from .dom import in_junk, in_plain_list, iter_elements, tag, tokens
from .header import best_date_line, month_first, trailing_date
from .page import DEFAULT_SITE_TIMEZONE, Page, jsonld_str
from .structured import article_objects, itemprop_values, meta_content
from .textdates import (
    PUBLISHED,
    UPDATED,
    attribute_dates,
    spaced_text,
    visible_date,
    visible_date_near_title,
)
from .urldates import url_date, url_days

_META_NAMES = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc:date",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "prism.publicationdate",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published-date",
    "date.published",
    "article.published",
    "article_date_original",
    "originalpublicationdate",
    "parsely-pub-date",
    "sailthru.date",
    "datecreated",
    # Further publication names seen on news sites (the set htmldate reads, less its
    # generation-time and modification names).
    "article:published_date",
    "article:publicationdate",
    "article:post_date",
    "article.created",
    "og:published_date",
    "og:publish_date",
    "og:datepublished",
    "og:pubdate",
    "og:regdate",
    "el:article:published_time",
    "vr:published_time",
    "rnews:datepublished",
    "shareaholic:article_published_time",
    "mediator_published_time",
    "cxenseparse:recs:publishtime",
    "dcsext.articlefirstpublished",
    "analyticsattributes.articledate",
    "dc.date.publication",
    "dc.created",
    "dc:created",
    "date_published",
    "published_date",
    "publisheddate",
    "publication_date",
    "publish_time",
    "date_created",
    "dateposted",
    "content_create_date",
    "displaydate",
    "doc_date",
    "rbpubdate",
    "bt:pubdate",
    "twt-published-at",
    "pdate",
    "ptime",
    "release_date",
    "created",
)
# JSON-LD keys of the publication date, in order of trust.
_JSONLD_KEYS = ("datePublished", "dateCreated", "published_at", "publishedAt")
_PUBLISHED = re.compile(r"publish|entry-date|post-date|pubdate|posted|dato|date-pub", re.I)
_MODIFIED = re.compile(r"modif|updat|opdat|revis|ændret|edited|comment", re.I)


def _time_value(page: Page, el: Any) -> dt.date | None:
    value = el.get("datetime") or el.get("content")
    if value:
        found = _day(page, value)
        if found:
            return found
    return parse_date(spaced_text(el), month_first(page))


def _visible_days(page: Page) -> set[dt.date]:
    """Days the page shows as text: its header date line and the text of its ``<time>``s."""

    def collect() -> set[dt.date]:
        days: set[dt.date] = set()
        hit = best_date_line(page)
        if hit:
            days.add(hit[1])
        order = month_first(page)
        for el in iter_elements(page.root, ("time",)):
            found = parse_date(spaced_text(el), order)
            if found:
                days.add(found)
        return days

    return page.memo("visible_days", collect)


def _day(page: Page, value: str | None) -> dt.date | None:
    """The day of a structured date or timestamp (see the module's docstring)."""
    parsed = parse_timestamp(value)
    if parsed is None:
        return None
    written, stamp = parsed
    if stamp is None:
        return written
    site_day = stamp.astimezone(_site_zone(page)).date()
    local_days = {
        stamp.astimezone(dt.timezone(dt.timedelta(hours=hours))).date() for hours in range(-12, 15)
    }
    shown = _visible_days(page)
    if written not in shown and site_day not in shown and not local_days & shown:
        # Not in the header or a <time>: the best date line in the article around the title.
        seen = visible_date_near_title(page)
        shown = shown | {seen} if seen else shown
    if written in shown:
        return written  # the page's own offset, and its visible date agrees
    if site_day in shown:
        return site_day
    for day in sorted(local_days & shown):
        return day  # a day this instant has somewhere, and the one the page shows
    # No visible date decides: the day in the page's own address (``/2019/11/18/``, written
    # by the CMS in the site's local time) may still choose among the instant's local days.
    in_url = set(url_days(page))
    for day in (site_day, written, *sorted(local_days)):
        if day in in_url:
            return day
    return site_day


def _site_zone(page: Page) -> dt.tzinfo:
    name = page.site_timezone or DEFAULT_SITE_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return COPENHAGEN


def _from_jsonld(page: Page, other_types: bool = False) -> dt.date | None:
    """The first publication key of the article-like (then page-like) JSON-LD objects; with
    ``other_types``, of the page's other objects (a fact check's ``ClaimReview``, a video
    page's ``VideoObject``), read only after the markup layers: a page about a video is
    rare, embedded videos of other days are not."""
    if other_types:
        seen = {id(obj) for obj in article_objects(page)}
        objects = [obj for obj in page.jsonld if id(obj) not in seen]
        keys: tuple[str, ...] = (*_JSONLD_KEYS, "uploadDate")
    else:
        objects = article_objects(page)
        keys = _JSONLD_KEYS
    for key in keys:
        for obj in objects:
            found = _day(page, jsonld_str(obj.get(key)))
            if found:
                return found
    return None


def _in_list(el: Any) -> bool:
    return in_plain_list(el)


def _modified(el: Any) -> bool:
    """Marked as a modification date, by class or by the words just before it (``Updated
    <time>…</time>``); WordPress's ``entry-date published updated`` (a post never edited)
    is still the publication date."""
    if "published" in tokens(el):
        return False
    if any(_MODIFIED.search(tok) for node in (el, el.getparent()) for tok in tokens(node)):
        return True
    label = _words_before(el)
    return bool(UPDATED.search(label)) and not PUBLISHED.search(label)


def _words_before(el: Any, limit: int = 40) -> str:
    """The text just before ``el`` in its parent (and its grandparent when the parent
    starts with ``el``): its label, as in ``Updated <time>…</time>``."""
    parent = el.getparent()
    text = ""
    node = el
    while parent is not None and len(text.strip()) < 3 and tag(parent) not in ("body", "html"):
        pieces = [parent.text or ""]
        for sibling in parent:
            if sibling is node:
                break
            pieces += [spaced_text(sibling), sibling.tail or ""]
        text = " ".join(pieces) + " " + text
        node, parent = parent, parent.getparent()
    return text[-limit:]


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
            found = _time_value(page, el)
            if found:
                return found
    return None


def _from_text(page: Page) -> dt.date | None:
    hit = best_date_line(page)
    return hit[1] if hit else None


def extract_published(page: Page) -> str | None:
    """``YYYY-MM-DD``, or None."""
    return page.extracted("published", lambda: _extract(page), None)


def _extract(page: Page) -> str | None:
    if page.root is None:
        return None
    layers: tuple[Callable[[], dt.date | None], ...] = (
        lambda: _from_jsonld(page),
        lambda: _day(page, meta_content(page, *_META_NAMES)),
        lambda: next(
            (d for v in itemprop_values(page, "datePublished") if (d := _day(page, v))),
            None,
        ),
        lambda: next(
            (d for v in itemprop_values(page, "dateCreated") if (d := _day(page, v))),
            None,
        ),
        lambda: _from_time(page),
        lambda: _from_jsonld(page, other_types=True),
        lambda: _from_text(page),
        lambda: trailing_date(page),
        lambda: visible_date(page),
        lambda: next((d for v in attribute_dates(page) if (d := _day(page, v))), None),
        lambda: url_date(page),
    )
    for layer in layers:
        found = layer()
        if found:
            return found.isoformat()
    return None
