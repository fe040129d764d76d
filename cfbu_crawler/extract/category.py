"""The category label shown on the page (case as shown), or None.

Layers: category markup (``rel="category tag"``, ``.cat-links``, ``.post-categories``,
``.entry-category``, ``itemprop=articleSection``, links to ``/category/``) outside menus
and sidebars; the visible pattern of a short standalone label next to the date in the
header region (the seed's ``nyheder`` line); ``article:section`` / JSON-LD
``articleSection`` when nothing is visible.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .breadcrumb import extract_breadcrumb, parse_trail
from .dom import ancestors, in_junk, iter_elements, tag, tokens, visible_text
from .header import best_date_line, date_line, header_window, is_label
from .page import Page
from .structured import jsonld_value, meta_content
from .text import normalise_text
from .title import extract_title

_CATEGORY_CLASS = re.compile(
    r"^(?:cat-links|post-categories|post-category|entry-categories|entry-category|"
    r"categories|category|cat|cats|kategori|kategorier|post-cat|meta-category|"
    r"article-category|news-category|category-label|label-category|tag-category|"
    r"category-name|category-link|(?:field--name-)?field-(?:category|categories|kategori|emne)|"
    r"field-name-field-(?:category|categories|kategori|emne))$",
    re.I,
)
_NAMED = re.compile(r"cat|kategori|emne")
_MAX_LABEL_ELEMENT = 120  # a category element holds a label (plus a lead-in), not prose
_CATEGORY_HREF = re.compile(r"/(?:category|kategori|categories|emne)/", re.I)
_LEAD_IN = re.compile(r"^(?:kategori(?:er)?|category|categories|posted in|emne)\s*:?\s*", re.I)


def _label(el: Any) -> str | None:
    links = [a for a in el.iter("a") if visible_text(a)]
    text = visible_text(links[0]) if links else visible_text(el)
    text = normalise_text(_LEAD_IN.sub("", text)).strip(" ,|/·•")
    if not text or len(text) > 60 or "\n" in text:
        return None
    return text


def _in_menu(el: Any) -> bool:
    """In a menu, sidebar or the site footer. An article's own ``<footer>`` or ``<aside>``
    (entry meta inside ``article``/``main``, Storefront's ``aside.entry-taxonomy``) is not
    a menu: WordPress themes put the category there."""
    if in_junk(el):
        return True
    chain = list(ancestors(el))
    for i, a in enumerate(chain):
        t = tag(a)
        if t in ("footer", "aside") and any(
            tag(x) in ("article", "main") or x.get("role") == "main" for x in chain[i + 1 :]
        ):
            continue
        if t in ("nav", "aside", "footer"):
            return True
    return False


_TITLE_LEVELS = 4  # how far above the title's <h1> its header block may reach


def _title_blocks(page: Page) -> list[Any]:
    """The nearest containers (not ``body``) of the title's ``<h1>``: a category link in
    one of them is the post's (Elementor's post-info widget, a Kadence hero)."""
    title = (extract_title(page) or "").casefold()
    for h1 in iter_elements(page.root, ("h1",)):
        if title and visible_text(h1).casefold() == title:
            chain = [a for a in ancestors(h1) if tag(a) not in ("body", "html")]
            return chain[:_TITLE_LEVELS]
    return []


def _beside_title(el: Any, blocks: list[Any]) -> bool:
    chain = list(ancestors(el))
    return any(any(a is b for b in blocks) for a in chain)


def _markup(page: Page) -> str | None:
    blocks = _title_blocks(page)
    rel: list[Any] = []
    classed: list[Any] = []
    linked: list[Any] = []
    # One pass over the elements, the cheapest tests first: a Python loop over lxml's
    # iterator costs less than an XPath selecting the named elements and links
    # (``//*[@class or @id or @itemprop] | //a`` sorts its union into document order).
    for el in page.root.iter(etree.Element):
        get = el.get
        cls, ident, itemprop = get("class"), get("id"), get("itemprop")
        t = tag(el)
        if not (cls or ident or itemprop or t == "a"):
            continue
        named = f"{cls or ''} {ident or ''}".lower()
        if t == "a" and "category" in (get("rel") or "").lower().split():
            group = rel
        elif t != "meta" and (
            # every _CATEGORY_CLASS word holds "cat", "kategori" or "emne": test that first
            (_NAMED.search(named) and any(_CATEGORY_CLASS.match(tok) for tok in tokens(el)))
            or "articleSection" in (itemprop or "").split()
        ):
            group = classed
        elif (
            t == "a"
            and _CATEGORY_HREF.search(el.get("href") or "")
            and (
                any(tag(a) in ("article", "main") for a in ancestors(el))
                or _beside_title(el, blocks)
            )
        ):
            group = linked
        else:
            continue
        if not _in_menu(el):  # asked of candidates only: it walks the ancestors
            group.append(el)
    for group in (rel, classed, linked):
        for el in group:
            if len(visible_text(el)) > _MAX_LABEL_ELEMENT:
                continue  # e.g. WordPress's "category-nyheder" class on the whole post
            label = _label(el)
            if label:
                return label
    return None


def _visible(page: Page) -> str | None:
    """A short label on the line next to the header's date line (or on the same line)."""
    hit = best_date_line(page)
    if hit is None:
        return _between_trail_and_title(page)
    index, _date, rest = hit
    if rest and is_label(rest):
        return rest
    window = header_window(page)
    lines = [line.text for line in window]
    title = (extract_title(page) or "").casefold()
    # The line before or after the date; when that is the title, the line beyond it
    # (label / title / date, as well as label / date / title), provided it sits in the
    # title's container as closely as the date does (not in a menu beside it).
    for step in (-1, 1):
        j = index + step
        if 0 <= j < len(lines) and lines[j].casefold() == title:
            j += step
            if 0 <= j < len(lines) and window[j].rank[0] > window[index].rank[0]:
                continue
        if 0 <= j < len(lines):
            other = lines[j]
            if other.casefold() != title and is_label(other) and not date_line(other):
                return other
    return None


def _between_trail_and_title(page: Page) -> str | None:
    """No date shown: the seed's pattern without its date line, a standalone label right
    between the breadcrumb line and the title (``Hjem / Nyheder / X``, ``nyheder``, ``X``)."""
    lines = [line.text for line in header_window(page)]
    title = (extract_title(page) or "").casefold()
    hints = {title, *(x.casefold() for x in extract_breadcrumb(page))}
    for i in range(1, len(lines) - 1):
        if lines[i + 1].casefold() != title or not title:
            continue
        if parse_trail(lines[i - 1], hints) and is_label(lines[i]):
            return lines[i]
    return None


def extract_category(page: Page) -> str | None:
    """The category label as shown, or None."""
    return page.extracted("category", lambda: _extract(page), None)


def _extract(page: Page) -> str | None:
    if page.root is None:
        return None
    for layer in (
        _markup,
        _visible,
        lambda p: meta_content(p, "article:section"),
        lambda p: jsonld_value(p, "articleSection"),
    ):
        label = layer(page)
        if label:
            return normalise_text(label)
    return None
