"""Breadcrumb markup: is an element marked as a breadcrumb trail (class, id, aria-label)?

Used by the layout (which keeps trails when it strips boilerplate) and by the breadcrumb
extractor; it lives below both so that the layout need not import the extractor.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .dom import tag

_MARKUP_CLASS = re.compile(r"breadcrumb|crumbs|brodkrumme|broedkrumme|brødkrumme", re.I)
# aria-label / title of a trail's landmark. Danish: "brødkrumme(sti)", "du er her",
# "sti" (path), "placering" (location) are the labels Danish themes and the Danish
# translations of WordPress/Drupal/Joomla use for the breadcrumb navigation.
_MARKUP_ARIA = re.compile(
    r"breadcrumb|crumbs|br(?:ø|oe|o)dkrumme|^\s*(?:du er her|sti|placering|you are here)\s*$",
    re.I,
)


def is_markup_trail(el: Any) -> bool:
    """Marked as a breadcrumb: class/id (``breadcrumb``, ``brødkrumme``...) or aria-label."""
    get = el.get
    aria, cls, ident = get("aria-label"), get("class"), get("id")
    if not (aria or cls or ident) or not _marked(aria or "", cls or "", ident or ""):
        return False  # the common case
    return tag(el) not in ("html", "body", "head", "script", "style", "meta", "link")


# The same attribute strings come back on element after element: decided once each.
@lru_cache(maxsize=8192)
def _marked(aria: str, cls: str, ident: str) -> bool:
    # No pattern word holds a space: a search of "class id" finds what one of the
    # tokens would.
    return bool(_MARKUP_ARIA.search(aria)) or bool(_MARKUP_CLASS.search(f"{cls} {ident}"))
