"""The article header region: the visible lines around the title and breadcrumb, before
the body. Dates and category labels found as plain text are only taken from here, never
from sidebars, "related articles" lists or footers: those were removed from the layout,
list items are skipped, only lines near the title are looked at, and lines that share
the title's nearest container win over lines that are merely close in source order."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .breadcrumb import extract_breadcrumb, parse_trail
from .dates import find_date, has_digit, numeric_order
from .dom import ancestors, in_plain_list, in_quote
from .layout import layout
from .page import Page
from .text import normalise_text
from .title import extract_title

_NOT_PUBLISHED = re.compile(
    r"opdater|ændret|revider|senest|updated|modified|redigeret|aktualisiert|geändert|"
    r"mis à jour|actualizado|atualizado|aggiornato|bijgewerkt|uppdaterad|oppdatert",
    re.I,
)
# Words that may stand beside a date on a date line: lead-ins ("Publiceret", "Veröffentlicht
# am", "Publié le", "Publicado el"...), weekdays, clock times and zones, in the languages
# of :mod:`dates`. What is left after removing them is a label (the category) or nothing.
_WEEKDAYS = (
    "mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|man|tir|tirs|ons|tor|tors|fre|lør|søn|"
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
    "fri|sat|sun|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|"
    "mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|miercoles|jueves|viernes|"
    "sábado|sabado|domingo|lunedì|lunedi|martedì|martedi|mercoledì|mercoledi|giovedì|giovedi|"
    "venerdì|venerdi|sabato|domenica|segunda-feira|terça-feira|terca-feira|quarta-feira|"
    "quinta-feira|sexta-feira|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    "måndag|tisdag|onsdag|torsdag|lördag|söndag|feira"
)
_NOISE = re.compile(
    r"\b(?:publiceret|udgivet|offentliggjort|oprettet|skrevet|postet|posted|published|dato|"
    r"date|den|d|kl|klokken|kategori|kategorier|category|emne|on|the|at|am|pm|a\.m|p\.m|"
    r"veröffentlicht|publié|publie|publicado|publicada|pubblicato|gepubliceerd|publicerad|"
    r"publisert|erschienen|datum|fecha|data|le|el|em|il|op|om|um|uhr|às|as|à|a las|alle|ore|"
    r"kello|gmt|utc|cet|cest|est|edt|cst|cdt|mst|mdt|pst|pdt|pt|et|ct|bst|ist|h|"
    rf"{_WEEKDAYS})\b\.?|\d{{1,2}}[:.h]\d{{2}}(?:[:.]\d{{2}})?",
    re.I,
)
# Lead-ins of a publication line (Danish first): "Publiceret d. 30.11.2015", "Udgivet: ...".
_PUBLISHED_LEAD_IN = re.compile(
    r"^\W*(?:publiceret|udgivet|offentliggjort|oprettet|skrevet|postet|dato|posted|published|"
    r"date|veröffentlicht|publié|publicado|publicada|pubblicato|gepubliceerd|publicerad|"
    r"publisert|erschienen)\b",
    re.I,
)
_TRAIL_INSIDE = 3  # last lines of the content container looked at for a trailing date
_TRAIL_AFTER = 4  # lines after the container looked at
_LABEL_JUNK = re.compile(r"^(?:af|by|skrevet|foto|del|print|tags?|læs|se|tilbage)\b", re.I)
_WINDOW = 6


@dataclass(frozen=True)
class HeaderLine:
    """A line of the header region; lower ``rank`` = closer to the title."""

    text: str
    rank: tuple[int, int, int]


def date_line(text: str, month_first: bool = False) -> tuple[dt.date, str] | None:
    """If ``text`` is a date line (a date plus at most a few words such as ``Publiceret``
    or a category label), return the date and the leftover label text."""
    text = normalise_text(text)
    update = _NOT_PUBLISHED.search(text)
    if update:
        # "Veröffentlicht am 3. März 2019 · Aktualisiert am 5. März 2019": the date before
        # the update marker, if any, is the publication date.
        text = text[: update.start()].strip()
    if not text or len(text) > 80:
        return None
    hit = find_date(text, month_first)
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
    if any(ch in text for ch in "/>»›→|·•@"):
        return False  # a trail, a menu line or a handle, not a label
    # Two or three capitalised words look like a person's name (Danish nouns are lower case).
    return not (len(words) > 1 and all(w[:1].isupper() for w in words))


def depth_shared(a: Any, b: Any) -> int:
    if a is None or b is None:
        return 0
    chain_a = [a, *ancestors(a)]  # keep the proxies alive while comparing
    for node in [b, *ancestors(b)]:
        if any(node is x for x in chain_a):
            return len(list(ancestors(node)))
    return 0


def header_window(page: Page) -> list[HeaderLine]:
    """Header-region lines in source order."""
    return page.memo("header_window", lambda: _header_window(page))


def _header_window(page: Page) -> list[HeaderLine]:
    # List items are never header lines (related/latest-news lists hold other dates),
    # unless their list is the article's meta list (``ul.post-meta``). They do not end the
    # region either: a trail or a meta list may sit between the title and the date.
    lines: list[tuple[str, bool, Any]] = []
    listed: list[bool] = []
    for para in layout(page).doc:
        is_item = para.tag in ("li", "dd", "dt")
        plain = is_item and (para.node is None or in_plain_list(para.node))
        for line in para.lines:
            lines.append(("" if plain else line.text, para.inside, para.node))
            listed.append(is_item)
    if not lines:
        return []
    title = (extract_title(page) or "").casefold()
    trail = extract_breadcrumb(page)
    hints = {title, *(x.casefold() for x in trail)}
    anchor = None
    if title:
        anchor = next((i for i, (t, _, _) in enumerate(lines) if t.casefold() == title), None)
    if anchor is None:
        anchor = next((i for i, (t, _, _) in enumerate(lines) if parse_trail(t, hints)), None)
    if anchor is None:
        anchor = next((i for i, (_, inside, _) in enumerate(lines) if inside), 0)
    # Near the title (only there: the test walks up the tree), a line inside an item of a
    # list of other articles (its own ``<div>`` included) or inside a quotation or an
    # embedded post is not the article's; like a list item it does not end the region.
    for i in range(max(0, anchor - _WINDOW), min(len(lines), anchor + _WINDOW + 1)):
        text, inside, node = lines[i]
        if i != anchor and text and node is not None and _not_the_articles_node(node):
            lines[i] = ("", inside, node)
            listed[i] = True
    title_node = lines[anchor][2]
    # Above the title, the region ends where the lines leave the article: a line sharing
    # less of its containers with the title than the article's own text does (a site's
    # top bar with "today's" date, the site header with its name) is not the header's.
    floor = next(
        (
            depth_shared(node, title_node)
            for text, _inside, node in lines[anchor + 1 :]
            if is_prose(text)
        ),
        0,
    )
    first = anchor
    while (
        first > max(0, anchor - _WINDOW)
        and (lines[first - 1][0] or listed[first - 1])
        and len(lines[first - 1][0]) <= 150
        and depth_shared(lines[first - 1][2], title_node) >= floor
    ):
        first -= 1
    last = anchor
    prose = 0
    while last + 1 < min(len(lines), anchor + _WINDOW) and (lines[last + 1][0] or listed[last + 1]):
        if len(lines[last + 1][0]) > 150:
            break
        # The body has begun: a date line may follow a lead paragraph, not a second one
        # (what follows that is the next article's teaser).
        prose += is_prose(lines[last + 1][0])
        if prose >= 2:
            break
        last += 1
    return [
        HeaderLine(text, (-depth_shared(node, title_node), abs(i - anchor), int(i > anchor)))
        for i, (text, _inside, node) in enumerate(lines[first : last + 1], start=first)
    ]


def is_prose(text: str) -> bool:
    """A sentence of running text (a lead or body paragraph), not a header line."""
    return len(text) >= 60 and text.rstrip().endswith((".", "!", "?", "…", ".”", '."'))


def best_date_line(page: Page) -> tuple[int, dt.date, str] | None:
    """(index in the window, date, leftover label) of the header's date line, or None."""
    best = None
    order = month_first(page)
    for i, line in enumerate(header_window(page)):
        hit = date_line(line.text, order)
        if hit and (best is None or line.rank < best[0]):
            best = (line.rank, i, hit)
    if best is None:
        return None
    return best[1], best[2][0], best[2][1]


def is_publication_line(text: str) -> bool:
    """A standalone publication line: a date line that is only a date (``30.11.2015``)
    or says so (``Publiceret d. 30.11.2015``). Stricter than :func:`date_line`, for lines
    away from the title, where a short sentence may merely mention a date."""
    hit = date_line(text)
    if not hit:
        return False
    return not hit[1] or bool(_PUBLISHED_LEAD_IN.match(normalise_text(text)))


def _not_the_articles_node(node: Any) -> bool:
    """In an item of a list of other articles, or in a quotation or embedded post."""
    return in_plain_list(node) or in_quote(node)


def trailing_date(page: Page) -> dt.date | None:
    """The date of a publication line at the end of the article (old CMSs and hand-made
    pages print ``Publiceret d. 30.11.2015`` below the body): the last lines of the
    content container and the few lines right after it."""
    return page.memo("trailing_date", lambda: _trailing_date(page))


def _trailing_date(page: Page) -> dt.date | None:
    lines = [
        ("" if para.tag == "li" else line.text, para.inside, para.node)
        for para in layout(page).doc
        for line in para.lines
    ]
    inside = [i for i, (_, is_in, _) in enumerate(lines) if is_in]
    if not inside:
        return None
    last = inside[-1]
    candidates = [
        (text, node, True)
        for text, _, node in lines[max(inside[0], last - _TRAIL_INSIDE + 1) : last + 1]
    ]
    candidates += [
        (text, node, False) for text, _, node in lines[last + 1 : last + 1 + _TRAIL_AFTER]
    ]
    for text, node, in_container in reversed(candidates):
        if not text or not is_publication_line(text):
            continue
        if node is not None and _not_the_articles_node(node):
            continue
        # After the container, a bare date is as often a teaser's (a grid of other
        # articles below this one): only a line that says it is the publication counts.
        if not in_container and not _PUBLISHED_LEAD_IN.match(normalise_text(text)):
            continue
        hit = date_line(text, month_first(page))
        return hit[0] if hit else None
    return None


def month_first(page: Page) -> bool:
    """Whether the page writes numeric dates month-first (``11/20/2019``): decided by the
    page's other dates where they can only be read one way, else by its language."""

    def decide() -> bool:
        root = page.root
        lang = (root.get("lang") or root.get("xml:lang")) if root is not None else None
        # Short visible lines hold the dates (header, bylines, lists, captions).
        texts = [line.text for line in header_window(page)]
        texts += [para.text for para in layout(page).doc if len(para.text) <= 80]
        return numeric_order(lang, [t for t in texts if has_digit(t)])

    return bool(page.memo("month_first", decide))
