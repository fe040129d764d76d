"""Days written in the page's address: the last resort for the publication date.

News and blog software writes the publication day into the article's path when it is
published (``/2019/11/18/slug``, ``/2019-11-18-slug``, ``/20191118/``); htmldate and
trafilatura read it as well. It is read from the page's URL, its canonical link and its
``og:url``, and only when nothing on the page (structured data, markup or visible text)
gives the date (docs/extraction.md, "Dates").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from urllib.parse import urlsplit

from .dom import iter_elements
from .page import Page
from .structured import meta_content

# /2019/11/18/ · /2019/11/18.html · /2019-11-18-slug · /2019_11_18 · /20191118/ · -20191118-
_SEPARATED = re.compile(
    r"(?<![\d])((?:19|20)\d\d)([/_-])(0?[1-9]|1[0-2])\2(0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)"
)
_COMPACT = re.compile(r"(?<=[/_-])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)")


def _path(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def days_in(url: str) -> list[dt.date]:
    """The days written in ``url``'s path, in order."""
    path = _path(url or "")
    found: list[tuple[int, dt.date]] = []
    for m in _SEPARATED.finditer(path):
        with contextlib.suppress(ValueError):
            found.append((m.start(), dt.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))))
    for m in _COMPACT.finditer(path):
        with contextlib.suppress(ValueError):
            found.append((m.start(), dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    return [day for _, day in sorted(found, key=lambda f: f[0])]


def page_urls(page: Page) -> list[str]:
    """The page's own URL, its canonical link and its ``og:url``."""
    urls = [page.url]
    urls += [
        el.get("href") or ""
        for el in iter_elements(page.root, ("link",))
        if "canonical" in (el.get("rel") or "").lower().split()
    ]
    urls.append(meta_content(page, "og:url") or "")
    return [url for url in urls if url]


def url_days(page: Page) -> list[dt.date]:
    """Days in the page's URL, canonical link or ``og:url``, in that order."""

    def collect() -> list[dt.date]:
        days: list[dt.date] = []
        for url in page_urls(page):
            for day in days_in(url):
                if day not in days:
                    days.append(day)
        return days

    return page.memo("url_days", collect)


def url_date(page: Page) -> dt.date | None:
    """The publication day the page's address gives: the first day in its URL, else in
    its canonical link, else in its ``og:url``."""
    days = url_days(page)
    return days[0] if days else None
