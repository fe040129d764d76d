"""The article title: the heading as shown (case kept), chosen in layers.

1. an ``h1`` that matches a reference title (JSON-LD ``headline``, ``og:title``,
   ``<title>`` without its site suffix) — pages may have a logo ``h1`` as well;
2. an ``h1`` inside ``article``/``main``, else any ``h1`` that is not a logo;
3. JSON-LD ``headline`` / ``og:title`` / ``twitter:title``;
4. old-style headings: a class/id saying title/overskrift/headline, or ``<font size=4+>``;
5. ``<title>`` minus the site name; 6. the last breadcrumb label.
"""

from __future__ import annotations

import re
from typing import Any

from .breadcrumb import extract_breadcrumb
from .dom import ancestors, in_junk, iter_elements, tag, tokens, visible_text
from .page import Page
from .refs import (
    GENERIC,
    SEPARATORS,
    html_title,
    is_site_name,
    reference_titles,
    strip_site_name,
)
from .structured import jsonld_value, meta_content
from .text import normalise_text

_LOGO = re.compile(r"logo|brand|site-title|site-name|sitename|masthead|site-branding", re.I)
_TITLE_CLASS = re.compile(
    r"(?:^|[-_])(?:overskrift|headline|rubrik|heading|title|titel)(?:[-_]|$)", re.I
)
_NOT_TITLE_CLASS = re.compile(r"site|widget|logo|menu|nav|section|sidebar|footer|card", re.I)


def _matches(text: str, ref: str) -> bool:
    a, b = text.casefold(), ref.casefold()
    return a == b or any(b.startswith(a + sep.casefold()) for sep in SEPARATORS)


def _is_logo(el: Any) -> bool:
    for node in [el, *list(ancestors(el))[:2]]:
        if any(_LOGO.search(tok) for tok in tokens(node)):
            return True
    if not normalise_text(el.text_content()):
        return True
    links = [a for a in el.iter("a") if (a.get("href") or "").rstrip("/") in ("", "/")]
    return bool(links) and any(tag(a) == "header" for a in ancestors(el))


def _in_content_region(el: Any) -> bool:
    return any(tag(a) in ("article", "main") or a.get("role") == "main" for a in ancestors(el))


def _h1_title(page: Page, refs: list[str]) -> str | None:
    h1s = [(el, visible_text(el)) for el in iter_elements(page.root, ("h1",))]
    h1s = [(el, text) for el, text in h1s if text]
    for el, text in h1s:
        if any(_matches(text, ref) for ref in refs) and not _is_logo(el):
            return text
    for _el, text in h1s:
        if any(_matches(text, ref) for ref in refs):
            return text
    # No h1 is the title: themes such as Enfold and OceanWP print the section ("Nyheder")
    # in an h1 title bar and the post's title in an h2. A lower heading that is exactly
    # the page's reference title wins over an h1 that matches none.
    folded = {ref.casefold() for ref in refs}
    for el in iter_elements(page.root, ("h2", "h3")):
        text = visible_text(el)
        if text and text.casefold() in folded and not in_junk(el) and not _is_logo(el):
            return text
    for el, text in h1s:
        if _in_content_region(el) and not _is_logo(el):
            return text
    for el, text in h1s:
        if not _is_logo(el) and not in_junk(el):
            return text
    return None


def _font_size(el: Any) -> int:
    size = (el.get("size") or "").strip()
    if size.startswith("+"):
        return 3 + int(size[1:]) if size[1:].isdigit() else 0
    return int(size) if size.isdigit() else 0


def _old_heading(page: Page, refs: list[str]) -> str | None:
    """A heading marked by class/id (title, overskrift...) or by a big ``<font>``: the one
    matching a reference title if any, else the first that is not the site's name."""
    found: list[str] = []
    for el in iter_elements(page.root):
        if tag(el) in ("head", "title", "html", "body") or in_junk(el):
            continue
        toks = tokens(el)
        classy = any(_TITLE_CLASS.search(t) and not _NOT_TITLE_CLASS.search(t) for t in toks)
        big = tag(el) == "font" and _font_size(el) >= 4
        if classy or big:
            text = visible_text(el)
            if 3 <= len(text) <= 300 and not _is_logo(el) and not is_site_name(text, page):
                found.append(text)
    for text in found:
        if any(_matches(text, ref) for ref in refs):
            return text
    return found[0] if found else None


def extract_title(page: Page) -> str | None:
    """The article heading as shown on the page, or None."""
    return page.extracted("title", lambda: _extract_title(page), None)


def _extract_title(page: Page) -> str | None:
    if page.root is None:
        return None
    refs = reference_titles(page)
    title = _h1_title(page, refs)
    if title:
        return title
    for ref in (jsonld_value(page, "headline"), meta_content(page, "og:title", "twitter:title")):
        if ref:
            stripped = strip_site_name(ref, page)
            if stripped:
                return stripped
    trail = extract_breadcrumb(page)
    title = _old_heading(page, refs + trail[-1:])
    if title:
        return title
    head_title = strip_site_name(html_title(page), page)
    if head_title and head_title.casefold() not in {x.casefold() for x in trail[:-1]}:
        return head_title
    if len(trail) >= 2 and trail[-1].casefold() not in GENERIC:
        return trail[-1]
    return None
