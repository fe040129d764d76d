"""URL rules: article identity (docs/record.md, "Identity") and what a link on the site
is (article, listing, other).

Pure functions over URL strings. The spider uses them to navigate, the archive to decide
which row a fetched page belongs to. The busiest ones remember their last answers
(``functools.lru_cache``, bounded): a crawl asks about the same menu, sidebar and listing
links on every page.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from urllib.parse import SplitResult, parse_qsl, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

LinkKind = Literal["article", "listing", "other"]

DEFAULT_START_URL = "https://cfbu.dk/nyheder/"

# Path segments that name archives, feeds and utilities rather than articles.
RESERVED_SEGMENTS = frozenset(
    {
        "category",
        "categories",
        "kategori",
        "tag",
        "tags",
        "emne",
        "emner",
        "author",
        "forfatter",
        "feed",
        "rss",
        "atom",
        "arkiv",
        "archive",
        "search",
        "soeg",
        "søg",
        "sog",
        "wp-json",
        "wp-admin",
        "wp-content",
        "wp-includes",
        "amp",
        "embed",
        "trackback",
        "comments",
        "print",
        "page",
        "side",
    }
)
# File types that are never article pages.
NON_PAGE_EXTENSIONS = frozenset(
    {
        ".pdf",
        ".jpg",
        ".jpeg",
        ".png",
        ".gif",
        ".webp",
        ".svg",
        ".ico",
        ".css",
        ".js",
        ".json",
        ".xml",
        ".zip",
        ".doc",
        ".docx",
        ".xls",
        ".xlsx",
        ".ppt",
        ".pptx",
        ".mp3",
        ".mp4",
        ".mov",
        ".txt",
        ".rss",
    }
)
PAGE_EXTENSIONS = frozenset({".html", ".htm", ".php", ".asp", ".aspx", ".jsp", ".shtml"})
# Query parameters that number listing pages: WordPress (paged, page), Drupal (page,
# 0-based), Joomla (start, limitstart: an item offset), Danish templates (side = page).
PAGINATION_QUERY_KEYS = ("page", "paged", "side", "p", "start", "limitstart", "offset", "pg")
_OLD_SCHEME = re.compile(r"^(?P<prefix>.*/)page/\d+/(?P<rest>nyhed/[^/]+/?)$")
_NUMBER = re.compile(r"^\d+$")


def fold_host(host: str) -> str:
    """Lower-case a host name and drop a leading ``www.``."""
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _netloc(parts: SplitResult) -> str:
    host = fold_host(parts.hostname or "")
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return f"{host}:{port}" if port and port != default else host


# How many answers each cached URL function keeps (about a MB each at most).
CACHE_SIZE = 4096


@lru_cache(maxsize=CACHE_SIZE)
def normalise_url(url: str) -> str:
    """The normalised form of an article URL (docs/record.md, "Identity").

    Host lower-cased without ``www.``, default port dropped, no query or fragment, a
    trailing slash on directory-like paths, and the old scheme's listing page segment
    (``/nyheder/page/N/nyhed/<slug>``) removed. The scheme is kept (folded in ``url_key``).
    """
    parts = urlsplit(safe_url_string(url.strip()))
    path = posixpath.normpath(parts.path or "/") if parts.path not in ("", "/") else "/"
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    old = _OLD_SCHEME.match(path.rstrip("/") + "/")
    if old:
        path = old.group("prefix") + old.group("rest")
    ext = posixpath.splitext(path)[1].lower()
    if not path.endswith("/") and ext not in PAGE_EXTENSIONS and ext not in NON_PAGE_EXTENSIONS:
        path += "/"
    scheme = (parts.scheme or "https").lower()
    return urlunsplit((scheme, _netloc(parts), path, "", ""))


@lru_cache(maxsize=CACHE_SIZE)
def url_key(url: str) -> str:
    """Scheme-free identity key: two URLs with the same key are the same article."""
    normal = normalise_url(url)
    return normal.split(":", 1)[1] if ":" in normal else normal


@lru_cache(maxsize=CACHE_SIZE)
def listing_key(url: str) -> str:
    """Identity of a listing page: :func:`url_key` plus its pagination parameters, so that
    ``/nyheder/?page=2`` and ``/nyheder/`` are two pages (``url_key`` drops every query)."""
    query = [
        (k, v) for k, v in parse_qsl(urlsplit(url).query) if k.lower() in PAGINATION_QUERY_KEYS
    ]
    key = url_key(url)
    return key + ("?" + "&".join(f"{k}={v}" for k, v in sorted(query)) if query else "")


def same_site(a: str, b: str) -> bool:
    """True when both URLs are on one site (``www.`` and scheme folded, port kept)."""
    pa, pb = urlsplit(a), urlsplit(b)
    try:
        return _netloc(pa) == _netloc(pb) and bool(pa.hostname)
    except ValueError:
        return False


def article_identity(
    fetched_url: str, canonical: str | None, section: Section | None = None
) -> str:
    """The article's URL identity: its canonical link when on the same site (and, given the
    section, when it names an article of it: a theme that points every page's canonical at
    the home page must not merge all articles into one), else the normalised fetched URL."""
    if canonical:
        absolute = urljoin(fetched_url, canonical.strip())
        if (
            urlsplit(absolute).scheme in ("http", "https")
            and same_site(absolute, fetched_url)
            and (section is None or section.classify(absolute) == "article")
        ):
            return normalise_url(absolute)
    return normalise_url(fetched_url)


def absolute_url(base: str, href: str) -> str:
    """``urljoin(base, href)``, remembered for the links a site repeats on every page: a
    link with a scheme, or a path from the root (``/nyheder/x/``), comes out the same
    whatever page of the site it is on, so it is remembered by the base's scheme (and
    host) alone."""
    if href.startswith(("http://", "https://")):
        return _joined(base.partition(":")[0], href)
    if href.startswith("/") and not href.startswith("//"):
        scheme, _, rest = base.partition("://")
        return _joined(f"{scheme}://{rest.partition('/')[0]}", href)
    return urljoin(base, href)


@lru_cache(maxsize=CACHE_SIZE)
def _joined(origin: str, href: str) -> str:
    return urljoin(origin if "://" in origin else origin + "://x/", href)


def slug_of(url: str) -> str:
    """The last path segment of a URL (the article slug)."""
    path = urlsplit(url).path.rstrip("/")
    return posixpath.basename(path)


@dataclass(frozen=True)
class Section:
    """The part of a site being crawled: its host and the listing's path prefix."""

    start_url: str
    netloc: str
    prefix: str

    @classmethod
    def from_start_url(cls, start_url: str) -> Section:
        parts = urlsplit(safe_url_string(start_url.strip()))
        path = parts.path or "/"
        segments = [s for s in path.split("/") if s]
        if "nyheder" in segments:
            prefix_segments = segments[: segments.index("nyheder") + 1]
        else:
            # Strip a trailing listing page segment (…/page/3/) from a start URL.
            prefix_segments = list(segments)
            if len(prefix_segments) >= 2 and prefix_segments[-2] in ("page", "side"):
                prefix_segments = prefix_segments[:-2]
            if not prefix_segments:
                prefix_segments = ["nyheder"]
        prefix = "/" + "/".join(prefix_segments) + "/"
        return cls(start_url=start_url, netloc=_netloc(parts), prefix=prefix)

    def on_site(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        try:
            return _netloc(parts) == self.netloc
        except ValueError:
            return False

    def classify(self, url: str) -> LinkKind:
        """What a link is: an article of the section, one of its listing pages, or other."""
        return _classify(self, url)

    def _classify(self, url: str) -> LinkKind:
        parts = urlsplit(url)
        if not self.on_site(url):
            return "other"
        path = parts.path or "/"
        ext = posixpath.splitext(path.rstrip("/"))[1].lower()
        if ext in NON_PAGE_EXTENSIONS:
            return "other"
        query = dict(parse_qsl(parts.query))
        if {"s", "q", "search", "replytocom", "share", "print"} & set(query):
            return "other"
        if not (path.rstrip("/") + "/").startswith(self.prefix):
            return "other"
        rest = [s for s in path[len(self.prefix) :].split("/") if s]
        if not rest:
            if not query or any(k in query for k in PAGINATION_QUERY_KEYS):
                return "listing"
            return "other"
        first = rest[0].lower()
        if first in ("page", "side") and len(rest) >= 2 and _NUMBER.match(rest[1]):
            tail = rest[2:]
            if not tail:
                return "listing"
            if len(tail) == 2 and tail[0] == "nyhed":
                return "article"
            return "other"
        if first == "nyhed":
            return "article" if len(rest) == 2 else "other"
        if first in RESERVED_SEGMENTS or first.startswith("?"):
            return "other"
        if all(_NUMBER.match(s) for s in rest):
            return "other"  # date archives such as /nyheder/2015/11/
        if len(rest) == 1:
            return "article"
        # Date-based permalinks: /nyheder/2015/11/30/<slug>/
        if all(_NUMBER.match(s) for s in rest[:-1]) and not _NUMBER.match(rest[-1]):
            return "article"
        return "other"


@lru_cache(maxsize=CACHE_SIZE)
def _classify(section: Section, url: str) -> LinkKind:
    return section._classify(url)
