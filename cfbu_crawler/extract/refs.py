"""Reference titles: what a page's metadata says its title is, and the site's name.

The title and the breadcrumb extractors both compare what they find with these (an
``h1`` that matches the ``<title>``, a trail that ends at it); they live here, below
both, so that neither has to import the other to get them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from .dom import iter_elements
from .page import Page
from .structured import jsonld_value, meta_content
from .text import normalise_text

SEPARATORS = (" - ", " | ", " – ", " — ", " :: ", " » ", " · ", " / ", ": ")
# A whole title part that is the site's name (never a substring test: article titles
# such as "CFBU præsenterer ..." mention the centre).
_SITE_NAME = re.compile(
    r"^(?:cfbu|center for boligsocial udvikling|center for boligsocial udvikling \(cfbu\)|"
    r"cfbu\W+center for boligsocial udvikling|(?:www\.)?[\w-]+\.(?:dk|com|org|net|eu))$",
    re.I,
)
GENERIC = {"nyheder", "nyhed", "forside", "hjem", "news", "home", "arkiv", "artikel"}


def _site_names(page: Page) -> list[str]:
    names = [meta_content(page, "og:site_name", "application-name") or ""]
    host = urlsplit(page.url or "").hostname or ""
    names += [host, host.removeprefix("www.")]
    return [n.casefold() for n in names if n]


def is_site_name(part: str, page: Page) -> bool:
    """Is ``part`` (a whole title part) the site's name or host?"""
    folded = part.casefold()
    return bool(_SITE_NAME.match(part.strip())) or folded in _site_names(page)


def strip_site_name(text: str | None, page: Page) -> str | None:
    """Remove a leading/trailing site name (and generic section) from a ``<title>``."""
    text = normalise_text(text or "")
    changed = True
    while text and changed:
        changed = False
        for sep in SEPARATORS:
            head, found, tail = text.rpartition(sep)
            if found and head and (is_site_name(tail, page) or tail.casefold() in GENERIC):
                text, changed = head.strip(), True
                break
            head, found, tail = text.partition(sep)
            if found and tail and (is_site_name(head, page) or head.casefold() in GENERIC):
                text, changed = tail.strip(), True
                break
    if not text or is_site_name(text, page) or text.casefold() in GENERIC:
        return None
    return text


def reference_titles(page: Page) -> list[str]:
    """What the page's metadata says its title is (JSON-LD ``headline``/``name``,
    ``og:title``, ``<title>``), each as given and without the site's name."""
    refs = [
        jsonld_value(page, "headline"),
        jsonld_value(page, "name"),
        meta_content(page, "og:title", "twitter:title"),
        html_title(page),
    ]
    out: list[str] = []
    for ref in refs:
        if ref:
            out.append(normalise_text(ref))
            stripped = strip_site_name(ref, page)
            if stripped:
                out.append(stripped)
    return out


def html_title(page: Page) -> str | None:
    """The text of the page's ``<title>``, or None."""
    root = page.root
    if root is None:
        return None
    for el in iter_elements(root, ("title",)):
        text = normalise_text(el.text_content())
        if text:
            return text
    return None
