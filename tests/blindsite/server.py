"""The blind change sites as routes, answering with a chosen server behaviour (sitemaps,
validators, gzip, conditional listings); :func:`serve` puts one on loopback.

``serve`` yields the suite's fixture server (:mod:`support.server`): its ``site`` may be
replaced between crawls (v1 → v2), and its ``stats`` count the requests and the bytes
written (status line, headers and body).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from support.server import FixtureServer

from blindsite import content, markup
from cfbu_crawler.demo.site import Response

PER_PAGE = 8
OLD_PER_PAGE = 3
# When each theme went live: a redesign touches every page (Last-Modified moves on).
DEPLOYED = {"v1": "2016-03-02T08:00:00+00:00", "v2": "2016-04-14T12:00:00+00:00"}
OLD_UPDATED = {"v1": "15.05.2009", "v2": "26.06.2009"}

BEHAVIOURS = {
    "plain": "no sitemap, no validators",
    "weak_etag": "weak ETags on articles",
    "last_modified": "Last-Modified on articles",
    "sitemap": "sitemap with lastmod, no validators",
    "stale_sitemap": "sitemap lastmod = publication date (stale after edits), no validators",
    "gzip_etag": "gzip responses, ETags on every page",
    "listing_304": "ETag + Last-Modified on listing pages, Last-Modified on articles",
}


@dataclass
class Resource:
    status: int
    body: bytes = b""
    ctype: str = "text/html; charset=utf-8"
    modified: str | None = None  # ISO 8601, for Last-Modified
    location: str | None = None
    kind: str = "other"  # article, listing, sitemap, robots, other


@dataclass
class Site:
    """Routes (path, with the query for ``?page=N``) → resources, answered with the
    validators, compression and 304s of ``behaviour`` (one of ``BEHAVIOURS``)."""

    routes: dict[str, Resource] = field(default_factory=dict)
    uses_sitemap: bool = False
    strict: bool = False  # only the exact paths (no slash added, no query dropped)
    behaviour: str = "plain"

    def get(self, raw_path: str) -> Resource:
        parts = urlsplit(raw_path)
        keys = (raw_path,) if self.strict else (raw_path, parts.path, parts.path.rstrip("/") + "/")
        for key in keys:
            if key in self.routes:
                return self.routes[key]
        return Resource(404, markup.not_found(404).encode())

    def respond(
        self,
        method: str,
        path: str,
        base_url: str,
        request_headers: Mapping[str, str] | None = None,
    ) -> Response:
        """The answer to ``path`` under the site's behaviour (the fixture server's protocol)."""
        request = {k.lower(): v for k, v in (request_headers or {}).items()}
        res = self.get(path)
        body = res.body
        headers = {"Content-Type": res.ctype}
        if res.location:
            headers["Location"] = res.location
        headers.update(_validators(self.behaviour, res, body))
        status = res.status
        inm = request.get("if-none-match")
        ims = request.get("if-modified-since")
        if status == 200 and ("ETag" in headers or "Last-Modified" in headers):
            if inm is not None:
                not_modified = "ETag" in headers and _etag_matches(inm, headers["ETag"])
            elif ims is not None and "Last-Modified" in headers:
                try:
                    not_modified = parsedate_to_datetime(ims) >= parsedate_to_datetime(
                        headers["Last-Modified"]
                    )
                except (TypeError, ValueError):
                    not_modified = False
            else:
                not_modified = False
            if not_modified:
                status, body = 304, b""
                headers.pop("Content-Type")
        if self.behaviour == "gzip_etag" and body and "gzip" in request.get("accept-encoding", ""):
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
            headers["Vary"] = "Accept-Encoding"
        return Response(status, headers, body)


def _later(a: str, b: str) -> str:
    return max(a, b, key=datetime.fromisoformat)


def current_site(version: str, base: str, behaviour: str) -> Site:
    """The current-generation site in ``version`` (v1: ledger theme, v2: bs5 theme)."""
    items = content.current_v1() if version == "v1" else content.current_v2()
    listed = [i for i in items if not (version == "v2" and i.slug in content.UNLISTED)]
    site = Site(uses_sitemap=behaviour in ("sitemap", "stale_sitemap"), behaviour=behaviour)
    deployed = DEPLOYED[version]
    pages = (len(listed) + PER_PAGE - 1) // PER_PAGE
    href = {i.slug: f"/nyheder/{i.slug}/" for i in items}
    for n in range(pages):
        chunk = [(i, href[i.slug]) for i in listed[n * PER_PAGE : (n + 1) * PER_PAGE]]
        if version == "v1":
            path = "/nyheder/" if n == 0 else f"/nyheder/page/{n + 1}/"
            page = markup.ledger_listing(chunk, n + 1, pages)
        else:
            path = "/nyheder/" if n == 0 else f"/nyheder/?page={n + 1}"
            page = markup.bs5_listing(chunk, n + 1, pages)
        newest = max((i.modified for i in items), key=datetime.fromisoformat)
        site.routes[path] = Resource(
            200, page.encode(), modified=_later(newest, deployed), kind="listing"
        )
    for k, item in enumerate(items):
        if version == "v1":
            page = markup.ledger_article(item, href[item.slug])
        else:
            others = [(i, href[i.slug]) for i in listed if i is not item]
            related = others[k : k + 3]
            page = markup.bs5_article(item, href[item.slug], others[:5], related)
        site.routes[href[item.slug]] = Resource(
            200, page.encode(), modified=_later(item.modified, deployed), kind="article"
        )
    if version == "v2":
        for old, (new, status) in content.MOVES.items():
            site.routes[f"/nyheder/{old}/"] = Resource(
                status, b"", location=f"{base}/nyheder/{new}/", kind="article"
            )
        for slug, status in content.GONE.items():
            site.routes[f"/nyheder/{slug}/"] = Resource(
                status, markup.not_found(status).encode(), kind="article"
            )
    robots = "User-agent: *\nDisallow: /wp-admin/\n"
    if site.uses_sitemap:
        robots += f"\nSitemap: {base}/sitemap_index.xml\n"
        site.routes["/sitemap_index.xml"] = Resource(
            200,
            (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{base}/news-sitemap.xml</loc></sitemap>"
                f"<sitemap><loc>{base}/page-sitemap.xml</loc></sitemap></sitemapindex>"
            ).encode(),
            ctype="application/xml",
            kind="sitemap",
        )
        entries = []
        for item in items:
            lastmod = item.published.isoformat() if behaviour == "stale_sitemap" else item.modified
            entries.append(
                f"<url><loc>{base}{href[item.slug]}</loc><lastmod>{lastmod}</lastmod></url>"
            )
        for name, entries_xml in (
            ("news-sitemap.xml", "".join(entries)),
            ("page-sitemap.xml", f"<url><loc>{base}/om/</loc></url>"),
        ):
            site.routes[f"/{name}"] = Resource(
                200,
                (
                    '<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"{entries_xml}</urlset>"
                ).encode(),
                ctype="application/xml",
                kind="sitemap",
            )
    site.routes["/robots.txt"] = Resource(
        200, robots.encode(), ctype="text/plain; charset=utf-8", kind="robots"
    )
    return site


def old_site(version: str) -> Site:
    """The old-generation site: table layout, windows-1252, ``/nyheder/page/N/nyhed/<slug>``
    links, no sitemap, no validators. An article answers under any N, but under no other
    path (no ``/nyheder/nyhed/<slug>``, no trailing slash); removed ones answer 404."""
    items = content.old_v1() if version == "v1" else content.old_v2()
    site = Site(strict=True)
    updated = OLD_UPDATED[version]
    ctype = "text/html; charset=windows-1252"
    pages = (len(items) + OLD_PER_PAGE - 1) // OLD_PER_PAGE
    for n in range(1, pages + 1):
        chunk = items[(n - 1) * OLD_PER_PAGE : n * OLD_PER_PAGE]
        linked = [(i, f"/nyheder/page/{n}/nyhed/{i.slug}") for i in chunk]
        page = markup.table_listing(linked, n, pages, updated).encode("cp1252")
        for path in [f"/nyheder/page/{n}/"] + (["/nyheder/"] if n == 1 else []):
            site.routes[path] = Resource(200, page, ctype=ctype, kind="listing")
    for item in items:
        page = markup.table_article(item, updated).encode("cp1252")
        # The old CMS answers an article under any page number (and without one).
        for n in range(1, pages + 3):
            site.routes[f"/nyheder/page/{n}/nyhed/{item.slug}"] = Resource(
                200, page, ctype=ctype, kind="article"
            )
    return site


def _etag(body: bytes, weak: bool, suffix: str = "") -> str:
    digest = hashlib.sha1(body).hexdigest()[:16]
    return f'W/"{digest}{suffix}"' if weak else f'"{digest}{suffix}"'


def _http_date(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso).astimezone(timezone.utc), usegmt=True)


def _etag_matches(header: str, etag: str) -> bool:
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2)."""
    wanted = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def _validators(behaviour: str, res: Resource, body: bytes) -> dict[str, str]:
    """ETag / Last-Modified headers of a 200 answer for ``res`` under ``behaviour``."""
    b, headers = behaviour, {}
    if res.status != 200:
        return headers
    if res.kind == "article":
        if b == "weak_etag":
            headers["ETag"] = _etag(body, weak=True)
        elif b == "gzip_etag":  # Apache mod_deflate style
            headers["ETag"] = _etag(body, weak=False, suffix="-gzip")
        elif b in ("last_modified", "listing_304") and res.modified:
            headers["Last-Modified"] = _http_date(res.modified)
    elif res.kind == "listing" and b == "gzip_etag":
        headers["ETag"] = _etag(body, weak=False, suffix="-gzip")
    elif res.kind == "listing" and b == "listing_304":
        headers["ETag"] = _etag(body, weak=False)
        if res.modified:
            headers["Last-Modified"] = _http_date(res.modified)
    return headers


@contextmanager
def serve(behaviour: str = "plain") -> Iterator[FixtureServer]:
    """A fixture server for the blind sites (an empty site until one is set)."""
    with FixtureServer(Site(behaviour=behaviour)) as server:
        yield server
