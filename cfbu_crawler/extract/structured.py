"""Structured data: JSON-LD objects (Yoast ``@graph`` and friends), ``<meta>`` and microdata."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .dom import iter_elements, tag, visible_text
from .page import Page, jsonld_str, jsonld_types
from .text import normalise_text

ARTICLE_TYPES = frozenset(
    [
        "Article",
        "NewsArticle",
        "BlogPosting",
        "Report",
        "ScholarlyArticle",
        "AnalysisNewsArticle",
        "ReportageNewsArticle",
        "OpinionNewsArticle",
        "TechArticle",
        "SocialMediaPosting",
        "LiveBlogPosting",
    ]
)
PAGE_TYPES = frozenset(["WebPage", "ItemPage", "AboutPage", "CollectionPage", "ContactPage"])


def objects(page: Page, types: frozenset[str] | set[str]) -> Iterator[dict[str, Any]]:
    """JSON-LD objects of the given ``@type``s, in document order."""
    for obj in page.jsonld:
        if jsonld_types(obj) & types:
            yield obj


def article_objects(page: Page) -> list[dict[str, Any]]:
    """Article-like JSON-LD objects first, then WebPage-like ones."""
    return list(objects(page, ARTICLE_TYPES)) + list(objects(page, PAGE_TYPES))


def jsonld_value(page: Page, key: str) -> str | None:
    """First ``key`` of an Article-like (then WebPage-like) JSON-LD object."""
    for obj in article_objects(page):
        value = jsonld_str(obj.get(key))
        if value:
            return value
    return None


def meta_map(page: Page) -> dict[str, str]:
    """Every ``<meta property|name|itemprop=...>`` of the page: lower-cased key -> the
    first non-empty ``content`` (read once per page)."""

    def build() -> dict[str, str]:
        found: dict[str, str] = {}
        for el in iter_elements(page.root, ("meta",)):
            for attr in ("property", "name", "itemprop"):
                key = (el.get(attr) or "").strip().lower()
                if key and key not in found:
                    content = normalise_text(el.get("content") or "")
                    if content:
                        found[key] = content
        return found

    if page.root is None:
        return {}
    return page.memo("meta_map", build)


def meta_content(page: Page, *names: str) -> str | None:
    """``content`` of the first ``<meta property|name|itemprop=...>`` among ``names``."""
    found = meta_map(page)
    for name in names:
        value = found.get(name.lower())
        if value:
            return value
    return None


def itemprop_values(page: Page, prop: str) -> list[str]:
    """Microdata values of ``itemprop=prop`` (content/datetime attribute or text)."""
    out: list[str] = []
    root = page.root
    if root is None:
        return out
    for el in root.iterfind(".//*[@itemprop]"):  # lxml filters: few elements carry one
        if not tag(el) or prop not in (el.get("itemprop") or "").split():
            continue
        value = el.get("content") or el.get("datetime") or visible_text(el)
        value = normalise_text(value or "")
        if value:
            out.append(value)
    return out


def jsonld_breadcrumb(page: Page) -> list[str]:
    """Labels of the first JSON-LD ``BreadcrumbList``, ordered by ``position``."""
    for obj in objects(page, {"BreadcrumbList"}):
        items = obj.get("itemListElement")
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            continue
        ranked: list[tuple[float, int, str]] = []
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            name = jsonld_str(item.get("name"))
            inner: Any = item.get("item")
            if not name and isinstance(inner, dict):
                name = jsonld_str(inner.get("name"))
            if not name:
                continue
            try:
                pos = float(item.get("position", ""))  # "" and None both fail
            except (TypeError, ValueError):
                pos = float(i + 1)
            ranked.append((pos, i, normalise_text(name)))
        labels = [name for _, _, name in sorted(ranked) if name]
        if len(labels) >= 2:
            return labels
    return []
