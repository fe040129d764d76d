"""The article header region: the visible lines around the title and breadcrumb, before
the body. Dates and category labels found as plain text are only taken from here, never
from sidebars, "related articles" lists or footers (those were removed from the layout,
and lines far from the title are not looked at)."""

from __future__ import annotations

import datetime as dt
import re

from .breadcrumb import extract_breadcrumb, parse_trail
from .dates import find_date
from .layout import layout
from .page import Page
from .text import normalise_text
from .title import extract_title

_NOT_PUBLISHED = re.compile(r"opdater|ændret|revider|senest|updated|modified|redigeret", re.I)
_NOISE = re.compile(
    r"\b(?:publiceret|udgivet|offentliggjort|oprettet|skrevet|postet|posted|published|dato|"
    r"date|den|d|kl|klokken|mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|"
    r"man|tir|tirs|ons|tor|tors|fre|lør|søn|on|the)\b\.?|\d{1,2}[:.]\d{2}",
    re.I,
)
_LABEL_JUNK = re.compile(r"^(?:af|by|skrevet|foto|del|print|tags?|læs|se|tilbage)\b", re.I)


def date_line(text: str) -> tuple[dt.date, str] | None:
    """If ``text`` is a date line (a date plus at most a few words such as ``Publiceret``
    or a category label), return the date and the leftover label text."""
    text = normalise_text(text)
    if not text or len(text) > 80 or _NOT_PUBLISHED.search(text):
        return None
    hit = find_date(text)
    if not hit:
        return None
    found, start, end = hit
    rest = _NOISE.sub(" ", text[:start] + " " + text[end:])
    rest = normalise_text(re.sub(r"[|·•,:/()\[\]]|\s[-–—]\s", " ", rest)).strip(" -–—.")
    if len(rest.split()) > 3 or re.search(r"\d", rest):
        return None
    return found, rest


def is_label(text: str) -> bool:
    """A short standalone label: 1-3 words, no digits, not a byline/share/back link."""
    text = normalise_text(text)
    words = text.split()
    if not 1 <= len(words) <= 3 or len(text) > 40 or re.search(r"\d", text):
        return False
    if _LABEL_JUNK.match(text) or text.endswith((":", ".", "?", "!")):
        return False
    # Two or three capitalised words look like a person's name (Danish nouns are lower case).
    return not (len(words) > 1 and all(w[:1].isupper() for w in words))


def header_lines(page: Page) -> list[str]:
    """Header-region lines, nearest to the title first (before it, then after it)."""
    return page.memo("header_lines", lambda: _header_lines(page))


def _header_lines(page: Page) -> list[str]:
    lines: list[tuple[str, bool]] = [
        (line.text, para.inside) for para in layout(page).doc for line in para.lines
    ]
    if not lines:
        return []
    title = (extract_title(page) or "").casefold()
    trail = extract_breadcrumb(page)
    hints = {title, *(x.casefold() for x in trail)}
    anchor = None
    for i, (text, _inside) in enumerate(lines):
        if title and text.casefold() == title:
            anchor = i
            break
    if anchor is None:
        for i, (text, _inside) in enumerate(lines):
            if parse_trail(text, hints):
                anchor = i
                break
    if anchor is None:
        anchor = next((i for i, (_t, inside) in enumerate(lines) if inside), 0)
    before = [text for text, _ in reversed(lines[max(0, anchor - 6) : anchor])]
    before = before[: next((i for i, t in enumerate(before) if len(t) > 150), len(before))]
    after: list[str] = []
    for text, _inside in lines[anchor : anchor + 6]:
        if len(text) > 150:
            break
        after.append(text)
    return before + after
