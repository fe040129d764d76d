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
from urllib.parse import urlsplit

from .dom import ancestors, in_junk, iter_elements, tag, tokens, visible_text
from .page import Page
from .structured import jsonld_value, meta_content
from .text import normalise_text

_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " » ", " · ", " / ", ": ")
# A whole title part that is the site's name (never a substring test: article titles
# such as "CFBU præsenterer ..." mention the centre).
_SITE_NAME = re.compile(
    r"^(?:cfbu|center for boligsocial udvikling|center for boligsocial udvikling \(cfbu\)|"
    r"cfbu\W+center for boligsocial udvikling|(?:www\.)?[\w-]+\.(?:dk|com|org|net|eu))$",
    re.I,
)
_GENERIC = {"nyheder", "nyhed", "forside", "hjem", "news", "home", "arkiv", "artikel"}
_LOGO = re.compile(r"logo|brand|site-title|site-name|sitename|masthead|site-branding", re.I)
_TITLE_CLASS = re.compile(
    r"(?:^|[-_])(?:overskrift|headline|rubrik|heading|title|titel)(?:[-_]|$)", re.I
)
_NOT_TITLE_CLASS = re.compile(r"site|widget|logo|menu|nav|section|sidebar|footer|card", re.I)


def _site_names(page: Page) -> list[str]:
    names = [meta_content(page, "og:site_name", "application-name") or ""]
    host = urlsplit(page.url or "").hostname or ""
    names += [host, host.removeprefix("www.")]
    return [n.casefold() for n in names if n]


def _is_site_name(part: str, page: Page) -> bool:
    folded = part.casefold()
    return bool(_SITE_NAME.match(part.strip())) or folded in _site_names(page)


def strip_site_name(text: str | None, page: Page) -> str | None:
    """Remove a leading/trailing site name (and generic section) from a ``<title>``."""
    text = normalise_text(text or "")
    changed = True
    while text and changed:
        changed = False
        for sep in _SEPARATORS:
            head, found, tail = text.rpartition(sep)
            if found and head and (_is_site_name(tail, page) or tail.casefold() in _GENERIC):
                text, changed = head.strip(), True
                break
            head, found, tail = text.partition(sep)
            if found and tail and (_is_site_name(head, page) or head.casefold() in _GENERIC):
                text, changed = tail.strip(), True
                break
    if not text or _is_site_name(text, page) or text.casefold() in _GENERIC:
        return None
    return text


def _refs(page: Page) -> list[str]:
    refs = [
        jsonld_value(page, "headline"),
        jsonld_value(page, "name"),
        meta_content(page, "og:title", "twitter:title"),
        _html_title(page),
    ]
    out: list[str] = []
    for ref in refs:
        if ref:
            out.append(normalise_text(ref))
            stripped = strip_site_name(ref, page)
            if stripped:
                out.append(stripped)
    return out


def _html_title(page: Page) -> str | None:
    root = page.root
    if root is None:
        return None
    for el in iter_elements(root, ("title",)):
        text = normalise_text(el.text_content())
        if text:
            return text
    return None


def _matches(text: str, ref: str) -> bool:
    a, b = text.casefold(), ref.casefold()
    return a == b or any(b.startswith(a + sep.casefold()) for sep in _SEPARATORS)


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
            if 3 <= len(text) <= 300 and not _is_logo(el) and not _is_site_name(text, page):
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
    refs = _refs(page)
    title = _h1_title(page, refs)
    if title:
        return title
    for ref in (jsonld_value(page, "headline"), meta_content(page, "og:title", "twitter:title")):
        if ref:
            stripped = strip_site_name(ref, page)
            if stripped:
                return stripped
    from .breadcrumb import extract_breadcrumb

    trail = extract_breadcrumb(page)
    title = _old_heading(page, refs + trail[-1:])
    if title:
        return title
    html_title = strip_site_name(_html_title(page), page)
    if html_title and html_title.casefold() not in {x.casefold() for x in trail[:-1]}:
        return html_title
    if len(trail) >= 2 and trail[-1].casefold() not in _GENERIC:
        return trail[-1]
    return None
