"""Breadcrumb markup: is an element marked as a breadcrumb trail (class, id, aria-label)?

Used by the layout (which keeps trails when it strips boilerplate) and by the breadcrumb
extractor; it lives below both so that the layout need not import the extractor.
"""

from __future__ import annotations

import re
from typing import Any

from .dom import tag, tokens

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
    aria = el.get("aria-label") or ""
    named = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not aria and not _MARKUP_CLASS.search(named):
        return False  # the common case, in one test
    if tag(el) in ("html", "body", "head", "script", "style", "meta", "link"):
        return False
    return bool(_MARKUP_ARIA.search(aria)) or any(_MARKUP_CLASS.search(tok) for tok in tokens(el))
