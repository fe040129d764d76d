"""Publication dates a reader sees anywhere in the article, not only in its header region.

The header layer (:mod:`header`) reads the lines right around the title. Real pages put
the date in many other places: a byline under the lead image, a ``<header>`` bar above
the title outside the article container, a meta line in the article's own footer, a
``Published … Updated …`` line whose two dates share one element. This layer reads every
visible line of the page (the text between two block boundaries, at most
:data:`_LINE_MAX` characters for a date line) and ranks the dates it finds:

- never from boilerplate (menus, sidebars, site header and footer, comments, related
  lists: :func:`dom.in_junk`, :func:`dom.in_plain_list`) or hidden text;
- never a date marked as an update (``Updated``, ``Aktualisiert``, ``Mis à jour``…), even
  when the same line also holds the publication date (that one is read);
- a line that says it is the publication date wins: a lead-in (``Published``,
  ``Veröffentlicht``, ``Publié le``, ``Publicado``, ``Pubblicato``, ``Gepubliceerd``,
  ``Publicerad``, ``Publisert``, ``Udgivet``…), a ``<time>`` element, or a class such as
  ``date``/``byline``/``meta``/``posted-on``; then a line that is only a date (or a byline
  with a date);
- a sentence that merely mentions a date is not a date line;
- among equals, the line nearest the title wins; a line far from the title is read only
  below it and inside the element holding the article (the nearest ancestor of the title
  with most of the page's paragraph text): above the title and outside the article are a
  site's top bar ("today's" date) and teasers of other articles.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from .dates import find_dates, has_digit
from .dom import (
    BLOCK_TAGS,
    SKIP_TAGS,
    ancestors,
    in_junk,
    in_plain_list,
    in_quote,
    is_hidden,
    junk_token,
    paragraph_share,
    tag,
    tokens,
)
from .header import depth_shared, is_prose, month_first
from .page import Page
from .text import normalise_text
from .title import extract_title

_LINE_MAX = 160
_NEAR = 10  # lines from the title that count as "near" wherever they sit
_MARKED_WORDS = 14  # words besides the date on a marked line (bylines with names)
_PLAIN_WORDS = 3  # words besides the date on an unmarked line
_BYLINE_WORDS = 10

# Update markers, in the languages of :mod:`dates`: a date after one is not the publication.
UPDATED = re.compile(
    r"opdater|ændret|revider|senest|updated?|modified|last edited|redigeret|aktualisiert|"
    r"geändert|zuletzt|mis à jour|mise à jour|modifié|actualizad|actualitzat|atualizad|"
    r"aggiornat|modificat|bijgewerkt|gewijzigd|uppdaterad|ändrad|oppdatert|endret|"
    r"zaktualizowano|aktualizacja|güncelle|обновлено|изменено|aktualizováno|päivitetty",
    re.I,
)
# Publication lead-ins: the date after one is the publication date.
PUBLISHED = re.compile(
    r"publiceret|udgivet|offentliggjort|oprettet|published|posted|first published|"
    r"veröffentlicht|erschienen|erstellt|publié|publiée|mis en ligne|publicado|publicada|"
    r"pubblicato|pubblicata|gepubliceerd|geplaatst|publicerad|publicerat|publisert|"
    r"opublikowano|yayınla|yayımla|опубликовано|publikováno|julkaistu|publicat|diterbitkan|"
    r"기사입력|입력|등록일|发布|發佈|发表|發表|公開日|投稿日|掲載日",
    re.I,
)
_BYLINE = re.compile(r"^\W*(?:by|af|von|par|por|di|da|door|av|przez|від|от|autor|author)\b", re.I)
# Words that may stand beside a date on a date line (see header._NOISE, here for lines
# anywhere on the page): weekdays are short or end in "day"/"tag"/"dag"; clock times.
_NOISE = re.compile(
    r"\b(?:on|at|the|am|um|le|el|il|op|om|den|d|kl|klokken|uhr|h|às|a las|alle|ore|"
    r"gmt|utc|cet|cest|est|edt|cst|cdt|pst|pdt|bst|hst|ist|pm|a\.m|p\.m|"
    r"date|dato|datum|data|fecha|g|г|tarihinde|"
    r"\w+(?:day|dag|tag|di|dì|edi|eda|ag|ndag|stai))\b\.?|"
    r"\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?|[|·•,:/()–—-]",
    re.I,
)
# class/id/itemprop words of a date or byline element.
_DATE_WORDS = re.compile(
    r"date|time|publish|posted|byline|dateline|meta|fecha|datum|dato|data|stamp|timestamp",
    re.I,
)


def spaced_text(el: Any) -> str:
    """Visible text of ``el`` with a space where two elements' words would run together
    (``<time>Nov 19 2019<span>7:05 AM</span></time>`` is ``Nov 19 2019 7:05 AM``, not
    ``20197:05``)."""
    pieces: list[str] = []

    def walk(node: Any) -> None:
        t = tag(node)
        if not t or t in SKIP_TAGS or (node is not el and is_hidden(node)):
            return
        if node.text:
            pieces.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                pieces.append(child.tail)

    try:
        walk(el)
    except RecursionError:
        return normalise_text(el.text_content())
    return normalise_text(_join(pieces))


@dataclass(frozen=True)
class Line:
    """A visible line: the text of one block element up to the next block boundary,
    the block it sits in and the inline elements that wrote it (a ``<time>``, a
    ``<span class="date">``)."""

    block: Any
    parts: tuple[Any, ...]
    text: str


def lines(page: Page, scope: Any = None) -> list[Line]:
    """The page's visible lines in document order (see :class:`Line`); with ``scope``, only
    those inside that element."""

    def collect() -> list[Line]:
        root = page.root
        body = scope if scope is not None else root.find(".//body") if root is not None else None
        if body is None:
            return []
        out: list[Line] = []
        pieces: list[str] = []
        parts: list[Any] = []
        blocks: list[Any] = []

        def flush() -> None:
            if pieces:
                # Whitespace collapsed only (``str.split`` knows NBSP): cheap, and enough
                # for dates; lines are compared with the title after normalise_text.
                text = " ".join(_join(pieces).split())
                if text and blocks:
                    out.append(Line(blocks[-1], tuple(parts), text))
                pieces.clear()
            parts.clear()

        stack: list[tuple[int, Any]] = [(0, body)]
        while stack:
            step, el = stack.pop()
            if step == 2:  # the tail of ``el``, in its parent's line
                pieces.append(el.tail)
                continue
            t = el.tag
            if t.__class__ is not str:
                continue  # a comment or processing instruction
            if step == 1:  # leaving ``el``
                if t in BLOCK_TAGS or t == "br":
                    flush()
                if blocks and blocks[-1] is el:
                    blocks.pop()
                continue
            if t in SKIP_TAGS or (len(el.attrib) and is_hidden(el)):
                continue
            if t in BLOCK_TAGS:
                flush()
                blocks.append(el)
            elif el.text and el.text.strip():
                parts.append(el)
            if el.text:
                pieces.append(el.text)
            stack.append((1, el))
            for child in reversed(el):
                if child.tail:
                    stack.append((2, child))
                stack.append((0, child))
        flush()
        return out

    if scope is not None:
        return collect()  # read once, by visible_date_near_title's own memo
    return page.memo("text_lines", collect)


def _join(pieces: list[str]) -> str:
    """Text pieces joined with a space where two words would run together."""
    out: list[str] = []
    for piece in pieces:
        if out and out[-1] and piece and out[-1][-1].isalnum() and piece[0].isalnum():
            out.append(" ")
        out.append(piece)
    return "".join(out)


def _title_element(page: Page) -> Any:
    title = (extract_title(page) or "").casefold()
    root = page.root
    if root is None:
        return None
    first = None
    for el in root.iter("h1", "h2"):
        text = normalise_text(el.text_content()).casefold()
        if title and text == title:
            return el
        if first is None and tag(el) == "h1" and text:
            first = el
    return first


def _article_region(title_el: Any) -> Any:
    """The nearest ancestor of the title holding half or more of the page's paragraph
    text (the article with its header); None without a title or such an ancestor."""
    if title_el is None:
        return None
    for node in ancestors(title_el):
        if tag(node) in ("body", "html"):
            return None
        if paragraph_share(node) >= 0.5:
            return node
    return None


def _marked(line: Line) -> bool:
    """A ``<time>`` or an element classed as a date/byline/meta line wrote the line (or
    it sits in one, up to three blocks up)."""
    nodes = [*line.parts, line.block, *list(ancestors(line.block))[:3]]
    for node in nodes:
        if tag(node) == "time":
            return True
        words = [*tokens(node), node.get("itemprop") or ""]
        if any(_DATE_WORDS.search(w) for w in words if w):
            return not any(UPDATED.search(w) for w in words if w)
    return False


def _pick(text: str, order: bool) -> tuple[dt.date, bool, int] | None:
    """The publication date of one line, whether a lead-in says so, and how many other
    words the line holds; None when the line holds only update dates."""
    hits = find_dates(text, order)
    if not hits:
        return None
    chosen = None
    said = False
    updated = False
    previous = 0
    for found, start, end in hits:
        before = text[previous:start]
        previous = end
        if PUBLISHED.search(before):
            chosen, said = found, True
            break
        if UPDATED.search(before):
            updated = True
        elif not updated and chosen is None:
            chosen = found
    if chosen is None:
        return None
    if not said and len(hits) == 1:
        # The lead-in right after the date: "05/10/2018 - Publicado por: Clarissa Borba".
        said = bool(PUBLISHED.match(text[hits[0][2] :].lstrip(" -–—|:·,")))
    rest = text
    for _found, start, end in reversed(hits):
        rest = rest[:start] + " " + rest[end:]
    rest = UPDATED.sub(" ", PUBLISHED.sub(" ", rest))
    words = [w for w in _NOISE.sub(" ", rest).split() if any(ch.isalnum() for ch in w)]
    return chosen, said, len(words)


def visible_date(page: Page) -> dt.date | None:
    """The best-ranked publication date among the page's visible lines (see the module's
    docstring), or None."""
    return page.memo("visible_date", lambda: _visible_date(page))


def visible_date_near_title(page: Page) -> dt.date | None:
    """:func:`visible_date` read only inside the article around the title (the title's
    article region, else its grandparent): cheaper, for checking which of a timestamp's
    days the page shows."""

    def find() -> dt.date | None:
        title_el = _title_element(page)
        if title_el is None:
            return None
        scope = _article_region(title_el)
        if scope is None:
            parent = title_el.getparent()
            scope = parent.getparent() if parent is not None else None
        if scope is None or tag(scope) in ("body", "html"):
            return None
        return _visible_date(page, scope)

    return page.memo("visible_date_near_title", find)


def _visible_date(page: Page, scope: Any = None) -> dt.date | None:
    found = lines(page, scope)
    if not found:
        return None
    order = month_first(page)
    title = (extract_title(page) or "").casefold()
    anchor = next(
        (i for i, line in enumerate(found) if title and line.text.casefold() == title), -1
    )
    if anchor >= 0:
        title_el = found[anchor].block  # the title as shown, whatever its tag
    else:
        title_el = _title_element(page)
        anchor = 0
        if title_el is not None:
            index = {el: i for i, el in enumerate(page.root.iter())}
            positions = [index.get(line.block, 0) for line in found]
            anchor = bisect.bisect_left(positions, index.get(title_el, 0))
    region = _article_region(title_el)
    # Below the title, "near" ends where the body has begun (its second paragraph): what
    # follows a short article (a grid of teasers) counts only inside the article.
    prose = [i for i in range(anchor + 1, len(found)) if is_prose(found[i].text)]
    body_begun = prose[1] if len(prose) > 1 else len(found)
    # Above the title, lines that share less of their containers with the title than the
    # article's text does are outside the article (a site's top bar with today's date).
    floor = depth_shared(found[prose[0]].block, title_el) if prose and title_el is not None else 0
    best: tuple[tuple[int, int, int], dt.date] | None = None
    for i, line in enumerate(found):
        text = line.text
        if len(text) > _LINE_MAX or not has_digit(text):
            continue
        picked = _pick(text, order)
        if picked is None:
            continue
        day, said, words = picked
        distance = abs(i - anchor)
        near = distance <= _NEAR and i < body_begun
        if i < anchor and title_el is not None and depth_shared(line.block, title_el) < floor:
            near = False
        # Far from the title, only lines after it inside the article count: a date far
        # above the title is the site's (a top bar's "today"), not the article's.
        inside = (
            i > anchor and region is not None and any(a is region for a in ancestors(line.block))
        )
        if not (near or inside) or _excluded(line, near):
            continue
        marked = said or _marked(line)
        byline = bool(_BYLINE.match(text)) and words <= _BYLINE_WORDS
        if words > (_MARKED_WORDS if marked else _PLAIN_WORDS) and not byline:
            continue  # a sentence that mentions a date
        # A lead-in says so; then a byline or a marked line that is only a date; then an
        # unmarked date line; last a marked line with more words (a quoted claim's date).
        tier = 0 if said else 1 if byline or (marked and words <= _PLAIN_WORDS) else 2
        if marked and not said and not byline and words > _PLAIN_WORDS:
            tier = 3
        key = (tier, distance, i)
        if best is None or key < best[0]:
            best = (key, day)
    return best[1] if best else None


# Class words that condemn an element as boilerplate but sit beside the byline near the
# title on real pages (``byline-social``, ``article-share-meta``): not evidence there.
_HARMLESS_NEAR_TITLE = re.compile(r"social|share|sharing|some|addthis|a2a|print|banner", re.I)


def _excluded(line: Line, near: bool) -> bool:
    """Boilerplate (:func:`dom.in_junk`), a quotation or embedded post, or an item of a
    list of other articles. Near the title, a list item without links (BBC's
    ``mini-info-list``) and a share bar holding the byline are the article's own."""
    el = line.block
    if in_quote(el):
        return True
    if in_junk(el) and not (near and _junk_only_by_harmless_words(el)):
        return True
    if in_plain_list(el):
        item = next((a for a in [el, *ancestors(el)] if tag(a) in ("li", "dd", "dt")), None)
        linked = item is not None and any(a.get("href") for a in item.iter("a"))
        return not near or linked
    return False


def _junk_only_by_harmless_words(el: Any) -> bool:
    """Boilerplate only because a class word such as ``share`` or ``social`` says so (no
    site header, menu, sidebar, footer, hidden text or other junk word around it)."""
    for node in [el, *ancestors(el)]:
        if tag(node) in ("body", "html"):
            return True
        if tag(node) == "header" and in_junk(node):
            return False  # the site's header (an article's own header is no junk)
        if tag(node) in ("nav", "aside", "footer", "form") or is_hidden(node):
            return False
        role = (node.get("role") or "").lower()
        if role in ("navigation", "complementary", "contentinfo", "search"):
            return False
        junk = [tok for tok in tokens(node) if junk_token(tok)]
        if junk and not all(_HARMLESS_NEAR_TITLE.search(tok) for tok in junk):
            return False
    return True


# Attributes that carry a date on date-ish elements (``<abbr class="published"
# title="2016-11-12">``, ``<span class="date" data-date="…">``, ``<a class="date"
# title="12th December 2018">``), and epoch timestamps (``data-utime="1438091078"``).
_DATE_ATTRS = (
    "datetime",
    "data-date",
    "data-datetime",
    "data-published",
    "data-publish-date",
    "data-pubdate",
    "data-created",
    "content",
    "title",
)
_EPOCH_ATTRS = ("data-timestamp", "data-utime", "data-time", "data-epoch")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")


def _epoch(value: str) -> str | None:
    if not _EPOCH.match(value):
        return None
    seconds = int(value[:10])
    try:
        stamp = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return stamp.isoformat()


def attribute_dates(page: Page) -> list[str]:
    """Date values in the attributes of date-ish elements (class/id/itemprop naming a
    date, or ``<abbr>``/``<time>``), nearest the title first; never from boilerplate,
    plain lists or elements marked as a modification."""
    root = page.root
    if root is None:
        return []
    title_el = _title_element(page)
    index = {el: i for i, el in enumerate(root.iter())}
    anchor = index.get(title_el, 0) if title_el is not None else 0
    found: list[tuple[int, str]] = []
    for el in root.iter("*"):
        t = tag(el)
        if not t or t in ("meta", "link", "script") or not el.keys():
            continue
        words = [*tokens(el), el.get("itemprop") or ""]
        if t not in ("abbr", "time") and not any(_DATE_WORDS.search(w) for w in words if w):
            continue
        if any(UPDATED.search(w) for w in words if w) or in_junk(el) or in_plain_list(el):
            continue
        for attr in _EPOCH_ATTRS:
            value = _epoch((el.get(attr) or "").strip())
            if value:
                found.append((abs(index.get(el, 0) - anchor), value))
        for attr in _DATE_ATTRS:
            value = (el.get(attr) or "").strip()
            if value and has_digit(value) and len(value) <= 60:
                found.append((abs(index.get(el, 0) - anchor), value))
    found.sort(key=lambda f: f[0])
    return [value for _, value in found]
