"""The canonical link: absolute ``<link rel=canonical>`` href, else ``og:url``, else None.

No same-site check here: the identity rule (docs/record.md, "Identity") decides that.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from .dom import iter_elements
from .page import Page
from .structured import meta_content


def _absolute(href: str | None, base: str) -> str | None:
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "mailto:", "#", "data:")):
        return None
    try:
        url = urljoin(base or "", href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def extract_canonical(page: Page) -> str | None:
    """Absolute canonical URL of ``page``, or None."""
    if page.root is None:
        return None
    base = page.url
    for el in iter_elements(page.root, ("base",)):
        if el.get("href"):
            base = _absolute(el.get("href"), page.url) or base  # a broken <base> is ignored
            break
    for el in iter_elements(page.root, ("link",)):
        if "canonical" in (el.get("rel") or "").lower().split():
            url = _absolute(el.get("href"), base)
            if url:
                return url
    return _absolute(meta_content(page, "og:url"), base)
