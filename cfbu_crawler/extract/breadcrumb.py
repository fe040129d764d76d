"""The breadcrumb trail: labels as shown, no separators or lead-ins; [] when none.

Layers: microdata ``BreadcrumbList``; breadcrumb markup (Yoast ``#breadcrumbs`` /
``.yoast-breadcrumb``, Rank Math, ``.breadcrumb(s)``, ``nav[aria-label*=breadcrumb]``);
an unmarked list trail (``<nav><ol>`` from home to the title); JSON-LD
``BreadcrumbList``; then a visible line such as ``Hjem / Nyheder / X`` or
``Du er her: Forside > Nyheder > X``. A trail is not a menu: it needs separators (or
breadcrumb markup/structured data) and at least two items.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .breadcrumb_markup import is_markup_trail
from .dom import SKIP_TAGS, in_junk, is_hidden, iter_elements, tag, tokens, visible_text
from .layout import layout
from .page import Page
from .refs import reference_titles
from .structured import jsonld_breadcrumb
from .text import normalise_text

SEPARATOR_CHARS = "/>»›→|\\"
_LEAD_IN = re.compile(
    r"^\s*(?:du er her|du befinder dig (?:her|på)|her er du|du er på|you are here|sti|"
    r"placering|brødkrumme)\s*[:\-–]?\s*",
    re.I,
)
_TEXT_SPLIT = re.compile(r"\s+/\s+|\s*[>»›→]\s*")
_SEPARATOR_CHAR = re.compile("[/>»›→]")
_HOME = {"hjem", "forside", "forsiden", "home", "start", "startside", "cfbu", "cfbu.dk"}
_SEP_CLASS = re.compile(r"sep|separator|delimiter|divider|arrow", re.I)


def _clean_label(text: str) -> str:
    text = normalise_text(_LEAD_IN.sub("", normalise_text(text)))
    return text.strip(SEPARATOR_CHARS + " \u00a0·•-–:").strip()


def _labels_from_markup(el: Any) -> list[str]:
    """Each link is one item; text outside links is split on separators."""
    items: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = normalise_text("".join(buffer))
        buffer.clear()
        for part in _TEXT_SPLIT.split(_LEAD_IN.sub("", text)):
            label = _clean_label(part)
            if label:
                items.append(label)

    def walk(node: Any) -> None:
        t = tag(node)
        if not t or t in SKIP_TAGS or (node is not el and is_hidden(node)):
            return  # e.g. Enfold's hidden microdata ``position`` numbers
        if t == "a" or (t == "li" and not any(tag(x) in ("a", "li") for x in node.iter())):
            flush()
            label = _clean_label(visible_text(node))
            if label:
                items.append(label)
            return
        if any(_SEP_CLASS.search(tok) for tok in tokens(node)) or t in ("li", "br"):
            flush()
            if t != "li":
                return
        buffer.append(node.text or "")
        for child in node:
            walk(child)
            buffer.append(child.tail or "")
        if t == "li":
            flush()

    walk(el)
    flush()
    return items


def _microdata(page: Page) -> list[str]:
    if page.root is None:
        return []
    for el in page.root.iterfind(".//*[@itemtype]"):
        if "breadcrumblist" not in (el.get("itemtype") or "").lower():
            continue
        labels = []
        for item in el.iter():
            if "itemListElement" not in (item.get("itemprop") or "").split():
                continue
            names = [x for x in item.iter() if "name" in (x.get("itemprop") or "").split()]
            text = (names[0].get("content") or visible_text(names[0])) if names else None
            label = _clean_label(text or visible_text(item))
            if label:
                labels.append(label)
        if len(labels) >= 2:
            return labels
    return []


def _markup(page: Page) -> list[str]:
    """The innermost breadcrumb-marked element yielding 2..12 labels (a menu yields more)."""
    found = []
    for el in iter_elements(page.root):
        if is_markup_trail(el) and not in_junk(el.getparent()):
            labels = _labels_from_markup(el)
            if 2 <= len(labels) <= 12:
                found.append((el, labels))
    marked = [el for el, _ in found]
    for el, labels in found:
        if not any(x is not el and any(x is m for m in marked) for x in el.iter()):
            return labels
    return []


def _list_trail(page: Page) -> list[str]:
    """An unmarked list trail: an ``ol``/``ul`` of 2-8 short items, all links but the
    last, the first one home (``/`` or a home label), the last one the article's title."""
    hints = {h.casefold() for h in _text_hints(page)}
    if not hints:
        return []
    for el in iter_elements(page.root, ("ol", "ul")):
        items = [li for li in el if tag(li) == "li"]
        if not 2 <= len(items) <= 8 or any(
            tag(x) in ("ul", "ol") for li in items for x in li.iter()
        ):
            continue
        # The last item with a label must be the title: asked first, it rules out most
        # lists (menus) before each of their items' text is read.
        last = next(
            (label for li in reversed(items) if (label := _clean_label(visible_text(li)))), ""
        )
        if last.casefold() not in hints:
            continue
        labels = [_clean_label(visible_text(li)) for li in items]
        pairs = [(li, label) for li, label in zip(items, labels, strict=True) if label]
        if len(pairs) < 2 or any(len(label) > 200 for _, label in pairs):
            continue
        path = pairs[:-1]  # the last label is the title (checked above)
        _first_li, first_label = path[0]
        links = [[a for a in li.iter("a") if a.get("href") is not None] for li, _ in path]
        if not all(links):
            continue
        first_href = (links[0][0].get("href") or "").split("#")[0]
        home = first_label.casefold() in _HOME or urlsplit(first_href).path in ("", "/")
        if home:
            return [label for _, label in pairs]
    return []


def parse_trail(line: str, hints: set[str] | None = None) -> list[str] | None:
    """Labels of a visible trail line (``Hjem / Nyheder / X``), or None if it is not one.

    Needs a separator and ≥2 items, plus a sign it is a trail rather than a menu: a
    lead-in (``Du er her:``), a home label first, or a last label equal to a title hint.
    """
    text = normalise_text(line)
    if not text or len(text) > 400:
        return None
    lead_in = bool(_LEAD_IN.match(text))
    body = _LEAD_IN.sub("", text)
    parts = [normalise_text(p) for p in _TEXT_SPLIT.split(body)]
    if len(parts) < 2 or any(not p or len(p) > 200 for p in parts):
        return None
    labels = [_clean_label(p) for p in parts]
    if any(not label for label in labels):
        return None
    hints = {h.casefold() for h in (hints or set())}
    if lead_in or labels[0].casefold() in _HOME or labels[-1].casefold() in hints:
        return labels
    return None


def _text_hints(page: Page) -> set[str]:
    """The titles a trail's last label may be (two layers ask: worked out once)."""
    return page.memo("breadcrumb_hints", lambda: _find_text_hints(page))


def _find_text_hints(page: Page) -> set[str]:
    hints = set(reference_titles(page))  # titles known without the breadcrumb
    for el in iter_elements(page.root, ("h1", "h2")):
        if not in_junk(el):
            hints.add(visible_text(el))
    return {h for h in hints if h}


def _visible(page: Page) -> list[str]:
    lines = [line.text for para in layout(page).doc for line in para.lines]
    hints = _text_hints(page)
    for i, text in enumerate(lines):
        if not _SEPARATOR_CHAR.search(text):
            continue  # every separator parse_trail splits at holds one of these
        later = set(lines[i + 1 : i + 6])
        labels = parse_trail(text, hints | later)
        if labels:
            return labels
    return []


def extract_breadcrumb(page: Page) -> list[str]:
    """The breadcrumb labels in order, or [] when the page has no trail."""
    return list(page.extracted("breadcrumb", lambda: _extract(page), []))


def _extract(page: Page) -> list[str]:
    if page.root is None:
        return []
    for layer in (_microdata, _markup, _list_trail, jsonld_breadcrumb, _visible):
        labels = layer(page)
        if len(labels) >= 2:
            return labels
    return []
