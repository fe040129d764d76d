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
from functools import lru_cache
from typing import Any

from lxml import etree

from .blocks import Para, paragraphs
from .breadcrumb_markup import is_markup_trail
from .dates import find_date
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
    # an optional BEM-style namespace (``c-entry-content``, ``o-article-body``)
    r"^(?:[a-z]{1,2}[-_])?(?:(?:entry|post|article|single|news|story|blog|nyhed|artikel)[-_]{1,2}"
    r"(?:content|body|text|tekst|indhold|brodtekst)|articlebody|the-content|brodtekst|"
    r"broedtekst|brødtekst|artikeltekst|nyhedstekst)$",
    re.I,
)
_CONTENT_ANY = re.compile(r"content|body|text|indhold|brod|brød|broed", re.I)
_DIV_PARAGRAPH_MIN = 20  # chars of text for a <div> to count as a paragraph
# Class words of a lead/intro paragraph printed above the body container (Bootstrap's
# ``.lead``, Drupal's ``field--name-field-lead``; Danish "manchet", "ingress", "underrubrik").
_LEAD_TOKEN = re.compile(
    r"(?:^|[-_])(?:lead|intro|introduction|ingress|manchet|teaser|summary|standfirst|excerpt|"
    r"abstract|resume|resum[eé]|underrubrik|deck|dek|subtitle|subheadline)(?:[-_]|$)",
    re.I,
)
_PROSE_END = re.compile(r"[.!?…:»”\"')]$")
_TITLE_SEPARATORS = re.compile(r"\s+[-–—|·:»]\s+")
_SHORT_ARTICLE = 200  # chars: below this, readability scores lose to page furniture
_LEAD_MIN = 60  # chars: shorter unmarked lines above the body are bylines, captions, dates
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


def _is_leaf_block(el: Any) -> bool:
    """A ``<div>`` holding only text and inline markup: a paragraph in all but name."""
    return tag(el) == "div" and not any(
        tag(x) in BLOCK_TAGS for x in el.iterdescendants() if isinstance(x.tag, str)
    )


def _text_len(text: str | None) -> int:
    """Length of ``text`` with its whitespace collapsed: what :func:`normalise_text` would
    give, up to invisible and control characters (a length to compare, at a fraction of
    the cost)."""
    if not text:
        return 0
    if text.isspace():
        return 0
    return len(" ".join(text.split()))


def _direct_text_len(el: Any, memo: dict[Any, int] | None = None) -> int:
    """Non-link text held directly by ``el``: its text nodes, inline children, <p> children,
    and its ``<div>`` children used as paragraphs (when there are several of them)."""
    total = _text_len(el.text)
    leaf_divs: list[int] = []
    for child in el:
        t = tag(child)
        if t == "p" or (t and t not in BLOCK_TAGS and t not in SKIP_TAGS and t != "a"):
            total += _text_without_links(child, memo)
        elif t == "div" and _is_leaf_block(child):
            leaf_divs.append(_text_without_links(child, memo))
        if child.tail:
            total += _text_len(child.tail)
    if sum(1 for n in leaf_divs if n >= _DIV_PARAGRAPH_MIN) >= 2:
        total += sum(leaf_divs)
    return total


def _text_without_links(el: Any, memo: dict[Any, int] | None = None) -> int:
    """Characters of ``el``'s visible text outside links. ``memo`` (element -> result)
    may be shared by calls on a tree that is not changed meanwhile."""
    if memo is not None:
        found = memo.get(el)
        if found is not None:
            return found
    total = 0 if el.tag == "a" else _text_len(el.text)
    for child in el:
        t = child.tag
        if t.__class__ is str and t != "a" and t not in SKIP_TAGS:
            total += _text_without_links(child, memo)
        if child.tail:
            total += _text_len(child.tail)
    if memo is not None:
        memo[el] = total
    return total


def _is_known_container(el: Any) -> bool:
    if "articleBody" in (el.get("itemprop") or "").split():
        return True
    cls = el.get("class")
    return bool(cls) and _content_class(cls)


@lru_cache(maxsize=8192)
def _content_class(cls: str) -> bool:
    """A class attribute naming a known content container (decided once per string)."""
    if not _CONTENT_ANY.search(cls):
        return False  # every known container word ends in one of these: one test first
    return any(_CONTENT_TOKEN.match(tok) for tok in cls.split())


def _beside_title(el: Any, levels: int = 3) -> bool:
    """Does one of ``el``'s nearest ancestors (not ``body``) also hold the page's ``<h1>``?"""
    node = el.getparent()
    for _ in range(levels):
        if node is None or tag(node) in ("body", "html"):
            return False
        if any(tag(h) == "h1" for h in node.iterdescendants()):
            return True
        node = node.getparent()
    return False


def _title_node(body: Any, title_hint: str) -> Any:
    """The first element whose text is the title: an ``<h1>``, else a visible element whose
    whole text is the page's ``<title>`` or its longest part (``CFBU - <title text>``)."""
    hint = title_hint.casefold()
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(hint) if p.strip()]
    targets = {hint, max(parts, key=len)} if parts else {hint}
    fallback = None
    for el in body.iter():
        t = tag(el)
        if not t or t == "a" or in_junk(el):
            continue
        text = normalise_text(el.text_content()).casefold()
        if t == "h1" and text:
            return el
        if fallback is None and text in targets:
            fallback = el
    return fallback


def _first_prose_after_title(
    body: Any, scored: list[tuple[float, Any]], best: Any, title_hint: str
) -> Any:
    """The first block of prose after the title, unless the best-scored element holds the
    title itself (then the title and its text are together already)."""
    node = _title_node(body, title_hint)
    if node is None or best is node or best in set(node.iterancestors()):
        return None
    around = {node, *node.iterancestors()}
    order = {el: i for i, el in enumerate(body.iter())}
    start = order.get(node, 0)
    for score, el in sorted(scored, key=lambda item: order.get(item[1], -1)):
        if order.get(el, -1) <= start or el in around or score < _DIV_PARAGRAPH_MIN:
            continue
        if el in set(node.iterdescendants()):
            continue
        if _PROSE_END.search(normalise_text(el.text_content())):
            return el
    return None


def find_container(root: Any, title_hint: str = "") -> tuple[Any, bool]:
    """The content container of ``root`` (a cleaned copy) and whether it is known markup.
    ``title_hint`` (the page's ``<title>``) helps to find the text of a short article."""
    body = root.find(".//body") if tag(root) != "body" else root
    if body is None:
        body = root
    memo: dict[Any, int] = {}

    def text(el: Any) -> int:
        return _text_without_links(el, memo)

    known = [
        el
        for el in root.iter(etree.Element)
        if _is_known_container(el) and not in_junk(el) and text(el)
    ]
    if known:
        best = max(known, key=text)  # first (outermost) wins ties
        # A short one (a one-line news item) still wins when it sits with the title:
        # the readability fallback would prefer a longer sidebar card.
        if text(best) >= 40 or _beside_title(best):
            return best, True
    scored = _scored(body, memo)
    if not scored:
        return body, False
    best_score = max(score for score, _ in scored)
    if best_score < _SHORT_ARTICLE and title_hint:
        # A short article loses to any longer furniture line (a footer address, a
        # newsletter blurb): take the first prose block after the title instead.
        best = next(el for score, el in scored if score == best_score)
        near = _first_prose_after_title(body, scored, best, title_hint)
        if near is not None:
            return near, False
    for score, el in scored:
        if score == best_score:
            return el, False
    return body, False  # pragma: no cover


_PARENT_CREDIT = 0.5  # readability's share of a block's text credited to its container


def _scored(body: Any, memo: dict[Any, int]) -> list[tuple[float, Any]]:
    """(score, element) in document order, for elements holding prose directly: the text
    of their own paragraphs, plus half of what their children hold directly (an article
    whose paragraphs each sit in a wrapper of their own: ``div.text-description > p``)."""
    direct: dict[Any, int] = {}
    order: list[Any] = []
    for el in body.iter(*_SCORE_TAGS):
        if in_junk(el):
            continue
        order.append(el)
        n = _direct_text_len(el, memo)
        if n:
            direct[el] = n
    score: dict[Any, float] = {el: float(n) for el, n in direct.items()}
    for el, n in direct.items():
        if tag(el) not in BLOCK_TAGS or tag(el) in ("article", "li"):
            # An inline element's text is its parent's own already; an <article> or list
            # item inside another element is an item of its own (a teaser, a comment).
            continue
        parent = el.getparent()
        if parent is not None and tag(parent) in _SCORE_TAGS and not in_junk(parent):
            score[parent] = score.get(parent, 0.0) + _PARENT_CREDIT * n
    return [(score[el], el) for el in order if score.get(el, 0) > 0]


_SIBLING_LEVELS = 3  # how far above the container a run of identical blocks is looked for


def same_kind_siblings(el: Any, memo: dict[Any, int] | None = None) -> list[Any]:
    """The run of identical blocks the article is printed as (``p.post-text`` after
    ``p.post-text``, ``div.card`` after ``div.card``), in order, when ``el`` is one of them
    or the only text of one of them; else ``[el]``. Siblings count when they have the same
    tag and class and hold prose."""
    node = el
    own = _text_without_links(el, memo)
    for _ in range(_SIBLING_LEVELS):
        parent = node.getparent()
        if parent is None or tag(node) in ("body", "html", "main", "article"):
            break
        cls = (node.get("class") or "").strip()
        if cls:
            group = [
                sib
                for sib in parent
                if sib is node
                or (
                    sib.tag == node.tag
                    and (sib.get("class") or "").strip() == cls
                    and not is_junk(sib)
                    and _text_without_links(sib, memo) >= _DIV_PARAGRAPH_MIN
                )
            ]
            if len(group) > 1:
                return group
        if _text_without_links(parent, memo) * 0.9 > own:
            break  # the parent holds other text: no longer a wrapper of el alone
        node = parent
    return [el]


def _strip(root: Any, predicate: Any, keep: set[Any]) -> None:
    """Remove the elements below ``root`` that ``predicate`` condemns (never one in
    ``keep``, never html/body/main/article), without looking inside what is removed."""
    stack = [root]
    while stack:
        node = stack.pop()
        for el in list(node):
            t = tag(el)
            if not t:
                continue
            if t not in _NEVER_REMOVE and el not in keep and predicate(el):
                remove_keep_tail(el)
            else:
                stack.append(el)


def _is_breadcrumbish(el: Any) -> bool:
    return is_markup_trail(el)


def build_layout(page: Page) -> Layout:
    """Clean a copy of the page, pick the container, read paragraphs. Never raises."""
    if page.root is None:
        return Layout()
    try:
        work = copy.deepcopy(page.root)
    except Exception:
        return Layout()
    for el in list(work.iter(*SKIP_TAGS)):
        if el.getparent() is not None:
            remove_keep_tail(el)
    head_title = page.root.find(".//title")
    hint = normalise_text(head_title.text_content()) if head_title is not None else ""
    container, _known = find_container(work, hint)
    group = same_kind_siblings(container, {})
    keep = protected_set(*group, *work.iter("h1"))
    # Boilerplate out, but keep breadcrumb trails: they are read from the visible text.
    _strip(work, lambda el: is_junk(el) and tag(el) != "header" and not _is_breadcrumbish(el), keep)
    body_el = work.find(".//body")
    doc = paragraphs(body_el if body_el is not None else work, marker=group)
    # Inside the container: no furniture (headers, meta lines, breadcrumbs, h1, junk), but
    # never an element that holds most of the container's text (a mislabelled wrapper).
    total = sum(_text_without_links(el) for el in group) or 1

    def furniture(el: Any) -> bool:
        if tag(el) == "h1":
            return True
        if not (is_junk(el) or is_meta(el)):
            return False
        return tag(el) in ("nav", "aside", "footer") or _text_without_links(el) * 2 < total

    # Strip a copy: the nodes of ``doc`` must stay attached (the header region compares
    # their ancestors with the title's).
    body = [para for el in _leads_before(group[0]) for para in paragraphs(el)]
    for member in group:
        cleaned = copy.deepcopy(member)
        _strip(cleaned, furniture, set())
        body += paragraphs(cleaned)
    return Layout(doc=doc, body=body)


def _lead_like(el: Any) -> bool:
    """A lead paragraph: marked as such by class, or an unmarked ``<p>``/text ``<div>`` of
    prose (long enough, ending like a sentence) that is no date, byline or furniture."""
    t = tag(el)
    if t not in ("p", "div") or is_junk(el) or is_meta(el):
        return False
    if t == "div" and not _is_leaf_block(el):
        return False
    text = normalise_text(el.text_content())
    if not text or tag(el.getparent()) == "body":
        return False
    if any(_LEAD_TOKEN.search(tok) for tok in (el.get("class") or "").split()):
        return True
    return len(text) >= _LEAD_MIN and bool(_PROSE_END.search(text)) and not find_date(text)


def _leads_before(container: Any) -> list[Any]:
    """Lead paragraphs printed just above the content container (``<p class="lead">``,
    ``<div class="intro">``), outside it: visually the article's first paragraph, so they
    open the body (docs/record.md: the lead is the body's first paragraph). Looks at the
    container's preceding siblings, and at the end of a preceding ``<header>``/wrapper."""
    found: list[Any] = []
    prev = container.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    while prev is not None:
        if _lead_like(prev):
            found.append(prev)
        elif not found and tag(prev) in ("header", "div", "hgroup") and len(prev):
            children = [c for c in prev if isinstance(c.tag, str)]
            for child in reversed(children):
                if not _lead_like(child):
                    break
                found.append(child)
            break
        else:
            break
        prev = prev.getprevious()
        while prev is not None and not isinstance(prev.tag, str):
            prev = prev.getprevious()
    return list(reversed(found))


def layout(page: Page) -> Layout:
    """Memoised :func:`build_layout` for ``page``."""
    return page.memo("layout", lambda: build_layout(page))
