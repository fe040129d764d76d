"""The parsed page: decoded HTML plus parse state built once and shared by all extractors."""

from __future__ import annotations

import contextlib
import html as html_lib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import lxml.html
from lxml import etree
from w3lib.encoding import html_body_declared_encoding, html_to_unicode

_JSONLD_TYPE = re.compile(r"ld\+json", re.I)
# The site's timezone unless told otherwise (IANA name): cfbu.dk's readers are in Denmark.
DEFAULT_SITE_TIMEZONE = "Europe/Copenhagen"


def check_timezone(name: str) -> str:
    """``name`` if it is a timezone this machine knows (IANA, ``Europe/Copenhagen``);
    else ``ValueError`` saying so."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {name!r} (an IANA name such as Europe/Copenhagen)"
        ) from None
    return name


_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_T = TypeVar("_T")
_D = TypeVar("_D")


@dataclass
class Page:
    """A parsed page. ``root`` is the lxml tree (never mutated by extractors)."""

    url: str
    html: str
    root: Any = None
    jsonld: list[dict[str, Any]] = field(default_factory=list)
    # The site's timezone (IANA name): the day of a timestamp when the page shows none
    # that agrees with it (see extract/published.py). cfbu.dk's readers are in Denmark.
    site_timezone: str = DEFAULT_SITE_TIMEZONE
    cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    errors: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: str, fn: Callable[[], _T]) -> _T:
        """Compute ``fn()`` once per page and keep the result (pure; cached parse state)."""
        if key not in self.cache:
            self.cache[key] = fn()
        value: _T = self.cache[key]  # the cache holds each key's own type
        return value

    def extracted(self, key: str, fn: Callable[[], _T], default: _D) -> _T | _D:
        """One extracted field, computed once. An extractor that crashes gives ``default``
        (extraction never raises) but leaves its error in ``errors``, so that the crawl
        can tell a bug in cfbu from a page that lacks the field."""
        try:
            return self.memo(key, fn)
        except Exception as exc:
            self.errors.setdefault(key, f"{type(exc).__name__}: {exc}")
            return default


def decode_html(data: str | bytes | None, encoding: str | None = None) -> str:
    """Decode ``data``: the HTTP ``encoding`` first, then the ``<meta>`` charset, then
    utf-8 with a windows-1252 fallback when the bytes are not valid utf-8."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    data = bytes(data)
    content_type = f"text/html; charset={encoding}" if encoding else None

    def auto_detect(raw: bytes) -> str | None:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return "cp1252"
        return "utf-8"

    try:
        if encoding is None and html_body_declared_encoding(data) is None:
            _enc, text = html_to_unicode(None, data, auto_detect_fun=auto_detect)
        else:
            _enc, text = html_to_unicode(content_type, data, auto_detect_fun=auto_detect)
        return text
    except Exception:  # pragma: no cover - w3lib is robust, but never raise
        return data.decode("utf-8", errors="replace")


def _load_json(raw: str) -> Any:
    raw = raw.strip()
    if raw.startswith("<!--"):
        raw = raw[4:]
    if raw.endswith("-->"):
        raw = raw[:-3]
    raw = raw.strip().rstrip(";")
    for candidate in (raw, _TRAILING_COMMA.sub(r"\1", raw)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def _flatten(obj: Any, out: list[dict[str, Any]], depth: int = 0) -> None:
    """Collect every dict with an ``@type`` from lists, ``@graph`` arrays and nesting."""
    if depth > 12:
        return
    if isinstance(obj, list):
        for item in obj:
            _flatten(item, out, depth + 1)
    elif isinstance(obj, dict):
        if "@type" in obj:
            out.append(obj)
        graph = obj.get("@graph")
        if graph is not None:
            _flatten(graph, out, depth + 1)
        for key, value in obj.items():
            if key != "@graph" and isinstance(value, (dict, list)):
                _flatten(value, out, depth + 1)


def _parse_jsonld(root: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if root is None:
        return out
    try:
        scripts = root.iter("script")
        for script in scripts:
            if not _JSONLD_TYPE.search(script.get("type") or ""):
                continue
            data = _load_json(script.text or "")
            if data is not None:
                _flatten(data, out)
    except Exception:
        return out
    return out


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    """The ``@type`` of a JSON-LD object as a set of bare names (``schema:X`` -> ``X``)."""
    t = obj.get("@type")
    types = t if isinstance(t, list) else [t]
    return {str(x).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for x in types if x}


def jsonld_str(value: Any) -> str | None:
    """A JSON-LD scalar as text (entities decoded), or None."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name")
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = html_lib.unescape(str(value)).strip()
    return text or None


_PARSERS = threading.local()


def _parser() -> etree.HTMLParser:
    """This thread's HTML parser (lxml parsers are not to be shared between threads).

    Every element is an ``lxml.html.HtmlElement`` chosen by lxml's C-level default
    lookup: ``lxml.html``'s own parser asks a Python method for each element's class
    (forms, inputs, labels…), which cost 12–16 % of extraction time and is not needed here.
    """
    parser: etree.HTMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(recover=True)
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
        _PARSERS.parser = parser
    return parser


def _build_root(text: str) -> Any:
    if not text.strip():
        return None
    # lxml refuses str input carrying an XML encoding declaration; NUL bytes break it too.
    cleaned = text.replace("\x00", "")
    cleaned = re.sub(r"^\s*<\?xml[^>]*\?>", "", cleaned)
    with contextlib.suppress(Exception):
        root = etree.fromstring(cleaned, _parser())
        if root is not None:
            return root
    with contextlib.suppress(Exception):
        return etree.fromstring(cleaned.encode("utf-8"), _parser())
    return None


def parse_page(
    html: str | bytes,
    url: str,
    encoding: str | None = None,
    site_timezone: str = DEFAULT_SITE_TIMEZONE,
) -> Page:
    """Decode and parse ``html`` fetched from ``url``. Never raises."""
    try:
        text = decode_html(html, encoding)
    except Exception:
        text = ""
    url = url or ""
    root = _build_root(text)
    return Page(
        url=url, html=text, root=root, jsonld=_parse_jsonld(root), site_timezone=site_timezone
    )
