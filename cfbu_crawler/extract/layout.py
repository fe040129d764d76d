"""Where the article is: the content container and the page's visible paragraphs.

Layers: known content containers (``itemprop=articleBody``, ``entry-content``,
``post-content``...), then a readability-style choice: after dropping boilerplate (nav,
header, footer, aside, form, and elements whose class/id says sidebar, widget, menu,
share, related, comment, cookie...), the element whose direct paragraph children hold
the most text. Works for old table layouts (a ``<td>`` with ``<br><br>`` paragraphs).
Everything here works on a private copy of the tree; ``page.root`` is never mutated.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from .blocks import Para, paragraphs
from .dom import (
    BLOCK_TAGS,
    SKIP_TAGS,
    in_junk,
    is_junk,
    is_meta,
    protected_set,
    remove_keep_tail,
    tag,
)
from .page import Page
from .text import normalise_text

_CONTENT_TOKEN = re.compile(
    r"^(?:(?:entry|post|article|single|news|story|blog|page|nyhed|artikel)[-_]{1,2}"
    r"(?:content|body|text|tekst|indhold|brodtekst)|articlebody|the-content|brodtekst|"
    r"broedtekst|brødtekst|artikeltekst|nyhedstekst)$",
    re.I,
)
_NEVER_REMOVE = frozenset(("html", "body", "main", "article"))
_SCORE_TAGS = frozenset(
    [
        "div",
        "td",
        "th",
        "section",
        "article",
        "main",
        "body",
        "font",
        "span",
        "center",
        "blockquote",
        "form",
        "li",
        "dd",
    ]
)


@dataclass
class Layout:
    """The cleaned copy, its content container and the paragraphs read from them."""

    doc: list[Para] = field(default_factory=list)  # all visible paragraphs, boilerplate removed
    body: list[Para] = field(default_factory=list)  # paragraphs of the content container
    known_container: bool = False


def _direct_text_len(el: Any) -> int:
    """Non-link text held directly by ``el``: its text nodes, inline children, <p> children."""
    total = len(normalise_text(el.text or ""))
    for child in el:
        t = tag(child)
        if t == "p" or (t and t not in BLOCK_TAGS and t not in SKIP_TAGS and t != "a"):
            total += _text_without_links(child)
        if child.tail:
            total += len(normalise_text(child.tail))
    return total


def _text_without_links(el: Any) -> int:
    total = 0 if tag(el) == "a" else len(normalise_text(el.text or ""))
    for child in el:
        t = tag(child)
        if t and t != "a" and t not in SKIP_TAGS:
            total += _text_without_links(child)
        if child.tail:
            total += len(normalise_text(child.tail))
    return total


def _is_known_container(el: Any) -> bool:
    if "articleBody" in (el.get("itemprop") or "").split():
        return True
    return any(_CONTENT_TOKEN.match(tok) for tok in (el.get("class") or "").split())


def find_container(root: Any) -> tuple[Any, bool]:
    """The content container of ``root`` (a cleaned copy) and whether it is known markup."""
    body = root.find(".//body") if tag(root) != "body" else root
    if body is None:
        body = root
    known = [
        el
        for el in root.iter()
        if tag(el) and _is_known_container(el) and not in_junk(el) and _text_without_links(el)
    ]
    if known:
        best = max(known, key=_text_without_links)  # first (outermost) wins ties
        if _text_without_links(best) >= 40:
            return best, True
    scored = [
        (_direct_text_len(el), el)
        for el in body.iter()
        if tag(el) in _SCORE_TAGS and not in_junk(el)
    ]
    scored = [item for item in scored if item[0] > 0]
    if not scored:
        return body, False
    best_score = max(score for score, _ in scored)
    for score, el in scored:
        if score == best_score:
            return el, False
    return body, False  # pragma: no cover


def _strip(root: Any, predicate: Any, keep: set[Any]) -> None:
    for el in list(root.iter()):
        t = tag(el)
        if not t or t in _NEVER_REMOVE or el in keep:
            continue
        if el.getparent() is not None and predicate(el):
            remove_keep_tail(el)


def _is_breadcrumbish(el: Any) -> bool:
    label = (el.get("aria-label") or "") + " " + (el.get("class") or "") + (el.get("id") or "")
    return "breadcrumb" in label.lower() or "crumbs" in label.lower()


def build_layout(page: Page) -> Layout:
    """Clean a copy of the page, pick the container, read paragraphs. Never raises."""
    if page.root is None:
        return Layout()
    try:
        work = copy.deepcopy(page.root)
    except Exception:
        return Layout()
    for el in list(work.iter()):
        if tag(el) in SKIP_TAGS and el.getparent() is not None:
            remove_keep_tail(el)
    container, known = find_container(work)
    keep = protected_set(container, *(el for el in work.iter() if tag(el) == "h1"))
    # Boilerplate out, but keep breadcrumb trails: they are read from the visible text.
    _strip(work, lambda el: is_junk(el) and tag(el) != "header" and not _is_breadcrumbish(el), keep)
    body_el = work.find(".//body")
    doc = paragraphs(body_el if body_el is not None else work, marker=container)
    # Inside the container: no furniture (headers, meta lines, breadcrumbs, h1, junk), but
    # never an element that holds most of the container's text (a mislabelled wrapper).
    total = _text_without_links(container) or 1

    def furniture(el: Any) -> bool:
        if tag(el) == "h1":
            return True
        if not (is_junk(el) or is_meta(el)):
            return False
        return tag(el) in ("nav", "aside", "footer") or _text_without_links(el) * 2 < total

    _strip(container, furniture, set())
    return Layout(doc=doc, body=paragraphs(container), known_container=known)


def layout(page: Page) -> Layout:
    """Memoised :func:`build_layout` for ``page``."""
    return page.memo("layout", lambda: build_layout(page))
