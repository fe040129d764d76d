"""One version of the demo site: which articles exist, how they look, and HTTP answers.

A :class:`Site` (immutable; :func:`~.build.build_site` makes one) describes a version of
the site; :meth:`Site.render` maps a request path to ``(status, headers, body)``;
:meth:`Site.respond` adds HEAD and conditional-request handling (ETag / Last-Modified,
304).

URL scheme:

* current generation – listing ``/nyheder/``, ``/nyheder/page/N/`` (10 per page,
  newest first); article ``/nyheder/<slug>/`` (identity, canonical).
* old generation – the listing on page N links ``/nyheder/page/N/nyhed/<slug>``; the
  article answers under any N and under ``/nyheder/nyhed/<slug>`` (identity
  ``/nyheder/nyhed/<slug>/``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from cfbu_crawler.demo.content import Article
from cfbu_crawler.demo.themes import (
    OLD_THEME,
    TAG_PATH,
    ArticleView,
    LinkItem,
    ListingView,
    Theme,
    esc,
    get_theme,
)

PER_PAGE = 10
_EPOCH = dt.datetime(2012, 1, 2, 8, 0, tzinfo=dt.timezone.utc)

STATIC_PAGES: dict[str, tuple[str, str]] = {
    "/om-cfbu/": (
        "Om CFBU",
        "<p>Center for Boligsocial Udvikling (CFBU) er et videnscenter, der indsamler, "
        "udvikler og formidler viden om boligsociale indsatser.</p>"
        "<p>Centret er oprettet af Landsbyggefonden og Socialministeriet.</p>",
    ),
    "/publikationer/": (
        "Publikationer",
        "<p>Her finder du CFBU’s rapporter, notater og håndbøger.</p>"
        '<ul><li><a href="/publikationer/">Rapporter</a></li>'
        '<li><a href="/publikationer/">Notater</a></li></ul>',
    ),
    "/kontakt/": (
        "Kontakt",
        '<p>Skriv til <a href="mailto:info@cfbu.dk">info@cfbu.dk</a> eller ring på 33 00 00 00.</p>',
    ),
}


@dataclass(frozen=True)
class Response:
    """An HTTP answer as produced by the site (the server adds Date/Server)."""

    status: int
    headers: dict[str, str]
    body: bytes

    def __iter__(self) -> Any:  # allows ``status, headers, body = site.render(...)``
        return iter((self.status, self.headers, self.body))


@dataclass(frozen=True)
class Site:
    """Immutable description of one version of the demo site."""

    version: str
    generation: str  # "current" | "old" | "mixed"
    theme: str  # theme of current-generation pages (listing, static pages)
    articles: tuple[Article, ...]  # live articles (listed or not), newest first
    themes: Mapping[str, str]  # slug -> theme name ("old_cms" = old generation)
    unlisted: frozenset[str] = frozenset()  # live but dropped from listing and sitemap
    removed: frozenset[str] = frozenset()  # answer 404 (existed in an earlier version)
    moved: Mapping[str, str] = field(default_factory=dict)  # old slug -> new slug (301)
    markup_changed: Mapping[str, dt.datetime] = field(default_factory=dict)  # theme change
    sitemaps: bool = True
    etags: bool = True

    # ----- article lookups ------------------------------------------------------------
    def article(self, slug: str) -> Article | None:
        for a in self.articles:
            if a.slug == slug:
                return a
        return None

    def is_old(self, slug: str) -> bool:
        return self.themes.get(slug) == OLD_THEME

    def display_title(self, a: Article) -> str:
        """Title as shown: capitals on the current generation, normal case on the old."""
        return a.title if self.is_old(a.slug) else a.title.upper()

    def identity_path(self, slug: str) -> str:
        return f"/nyheder/nyhed/{slug}/" if self.is_old(slug) else f"/nyheder/{slug}/"

    def article_url(self, a: Article | str, base_url: str) -> str:
        slug = a if isinstance(a, str) else a.slug
        return base_url.rstrip("/") + self.identity_path(slug)

    def link_path(self, a: Article, page: int) -> str:
        """How listing page ``page`` links the article."""
        if self.is_old(a.slug):
            return f"/nyheder/page/{page}/nyhed/{a.slug}"
        return f"/nyheder/{a.slug}/"

    @property
    def listed(self) -> list[Article]:
        return [a for a in self.articles if a.slug not in self.unlisted]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.listed) / PER_PAGE))

    def listing_page_of(self, slug: str) -> int | None:
        for i, a in enumerate(self.listed):
            if a.slug == slug:
                return i // PER_PAGE + 1
        return None

    def listing_path(self, page: int) -> str:
        return "/nyheder/" if page == 1 else f"/nyheder/page/{page}/"

    def page_modified(self, a: Article) -> dt.datetime:
        """Last-Modified of an article page (content edit or markup change)."""
        changed = self.markup_changed.get(a.slug)
        return max(a.modified, changed) if changed else a.modified

    @property
    def modified(self) -> dt.datetime:
        """Last-Modified of listings and other non-article pages."""
        return max((self.page_modified(a) for a in self.articles), default=_EPOCH)

    def _variant(self, slug: str) -> int:
        return zlib.crc32(slug.encode()) % 6

    def _listing_theme(self) -> Theme:
        return get_theme(OLD_THEME) if self.generation == "old" else get_theme(self.theme)

    # ----- rendering ------------------------------------------------------------------
    def _item(self, a: Article, page: int, theme: Theme) -> LinkItem:
        date = a.numeric_date if theme.generation == "old" else a.danish_date
        return LinkItem(self.display_title(a), self.link_path(a, page), date, _excerpt(a))

    def _article_view(self, a: Article, base_url: str) -> ArticleView:
        current = [x for x in self.listed if not self.is_old(x.slug)]
        others = [x for x in current if x.slug != a.slug]
        sidebar = tuple(
            LinkItem(self.display_title(x), self.identity_path(x.slug), x.danish_date)
            for x in others[:5]
        )
        idx = next((i for i, x in enumerate(current) if x.slug == a.slug), -1)
        rel_src = current[idx + 1 :] + current[: max(idx, 0)] if idx >= 0 else others
        related = tuple(
            LinkItem(self.display_title(x), self.identity_path(x.slug), x.danish_date, _excerpt(x))
            for x in rel_src[:3]
        )
        return ArticleView(
            article=a,
            title=self.display_title(a),
            url=self.article_url(a, base_url),
            variant=self._variant(a.slug),
            sidebar=sidebar,
            related=related,
        )

    def _html(
        self, theme: Theme, text: str, status: int, modified: dt.datetime, *, variant: int = 0
    ) -> Response:
        if theme.encoding == "cp1252":
            body = text.encode("cp1252", errors="xmlcharrefreplace")
            ctype = "text/html" if variant % 3 == 2 else "text/html; charset=windows-1252"
        else:
            body = text.encode("utf-8")
            ctype = "text/html; charset=UTF-8"
        return self._finish(status, {"Content-Type": ctype}, body, modified)

    def _finish(
        self, status: int, headers: dict[str, str], body: bytes, modified: dt.datetime
    ) -> Response:
        if status == 200 and self.etags:
            headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:24] + '"'
            headers["Last-Modified"] = format_datetime(
                modified.astimezone(dt.timezone.utc), usegmt=True
            )
            headers["Cache-Control"] = "max-age=0, must-revalidate"
        return Response(status, headers, body)

    def _redirect(self, location: str, base_url: str, status: int = 301) -> Response:
        target = location if location.startswith("http") else base_url.rstrip("/") + location
        body = f'<html><body>Flyttet: <a href="{target}">{target}</a></body></html>'.encode()
        return Response(
            status, {"Location": target, "Content-Type": "text/html; charset=UTF-8"}, body
        )

    def _not_found(self, base_url: str) -> Response:
        theme = self._listing_theme()
        text = theme.page(
            "Siden blev ikke fundet",
            '<p>Siden findes ikke. Gå til <a href="/nyheder/">nyhederne</a>.</p>',
            base_url,
            status=404,
        )
        resp = self._html(theme, text, 404, self.modified)
        return Response(404, resp.headers, resp.body)

    def render(self, path: str, base_url: str) -> Response:
        """The site's answer to GET ``path`` (may include a query string)."""
        base_url = base_url.rstrip("/")
        parts = urlsplit(path)
        p = unquote(parts.path) or "/"
        segs = [s for s in p.split("/") if s]
        answer = self._file(p, base_url)
        if answer is None:
            answer = self._other_page(p, parse_qs(parts.query), base_url)
        if answer is not None:
            return answer
        if segs and segs[0] == "nyheder":
            return self._nyheder(p, segs[1:], base_url)
        return self._not_found(base_url)

    def _file(self, p: str, base_url: str) -> Response | None:
        """robots.txt, the sitemaps and the theme's assets; None for other paths."""
        if p == "/robots.txt":
            return self._finish(
                200,
                {"Content-Type": "text/plain; charset=UTF-8"},
                self._robots(base_url).encode(),
                _EPOCH,
            )
        if p in ("/sitemap_index.xml", "/post-sitemap.xml", "/page-sitemap.xml"):
            return self._sitemap(p, base_url)
        if p.startswith("/wp-content/"):
            return self._asset(p)
        return None

    def _other_page(self, p: str, query: dict[str, list[str]], base_url: str) -> Response | None:
        """The pages besides the news listing and articles (search, home, static pages,
        the category and tag archives); None for other paths."""
        if p == "/" and "s" in query:
            return self._search(query["s"][0], base_url)
        if p == "/":
            return self._home(base_url)
        if p in STATIC_PAGES:
            title, html_body = STATIC_PAGES[p]
            theme = self._listing_theme()
            return self._html(theme, theme.page(title, html_body, base_url), 200, self.modified)
        if p == "/nyheder/category/nyheder/":
            return self._archive("Kategori: nyheder", self.listed[:PER_PAGE], base_url)
        if p == TAG_PATH:
            tagged = [a for a in self.listed if "helhedsplan" in a.body.lower()][:PER_PAGE]
            return self._archive("Tag: helhedsplaner", tagged, base_url)
        return None

    def _nyheder(self, p: str, rest: list[str], base_url: str) -> Response:
        if not rest:
            return (
                self._redirect("/nyheder/", base_url)
                if not p.endswith("/")
                else self._listing(1, base_url)
            )
        # old generation: /nyheder/page/N/nyhed/<slug> and /nyheder/nyhed/<slug>
        if len(rest) == 4 and rest[0] == "page" and rest[1].isdigit() and rest[2] == "nyhed":
            return self._old_article(rest[3], base_url)
        if len(rest) == 2 and rest[0] == "nyhed":
            return self._old_article(rest[1], base_url)
        if len(rest) == 2 and rest[0] == "page" and rest[1].isdigit():
            return self._listing_page(p, int(rest[1]), base_url)
        if len(rest) == 1:
            return self._current_article(p, rest[0], base_url)
        return self._not_found(base_url)

    def _listing_page(self, p: str, n: int, base_url: str) -> Response:
        """``/nyheder/page/<n>/``: page 1 is /nyheder/ itself."""
        if n == 1:
            return self._redirect("/nyheder/", base_url)
        if n < 1 or n > self.pages:
            return self._not_found(base_url)
        if not p.endswith("/"):
            return self._redirect(f"/nyheder/page/{n}/", base_url)
        return self._listing(n, base_url)

    def _current_article(self, p: str, slug: str, base_url: str) -> Response:
        """``/nyheder/<slug>/``: an article of the current generation, or a redirect."""
        if slug in self.moved:
            return self._redirect(self.identity_path(self.moved[slug]), base_url)
        a = self.article(slug)
        if a is None or self.is_old(slug):
            return self._not_found(base_url)
        if not p.endswith("/"):
            return self._redirect(f"/nyheder/{slug}/", base_url)
        return self._article(a, base_url)

    def _old_article(self, slug: str, base_url: str) -> Response:
        if slug in self.moved:
            return self._redirect(self.identity_path(self.moved[slug]), base_url)
        a = self.article(slug)
        if a is None or not self.is_old(slug):
            return self._not_found(base_url)
        return self._article(a, base_url)

    def _article(self, a: Article, base_url: str) -> Response:
        variant = self._variant(a.slug)
        theme = get_theme(self.themes[a.slug], variant=variant)
        text = theme.article(self._article_view(a, base_url), base_url)
        return self._html(theme, text, 200, self.page_modified(a), variant=variant)

    def _listing(self, page: int, base_url: str) -> Response:
        theme = self._listing_theme()
        chunk = self.listed[(page - 1) * PER_PAGE : page * PER_PAGE]
        view = ListingView(
            heading="Nyheder",
            items=tuple(self._item(a, page, theme) for a in chunk),
            page=page,
            pages=self.pages,
            page_href=self.listing_path,
        )
        return self._html(theme, theme.listing(view, base_url), 200, self.modified)

    def _archive(
        self, heading: str, arts: list[Article], base_url: str, intro: str = ""
    ) -> Response:
        theme = self._listing_theme()
        items = []
        for a in arts:
            page = self.listing_page_of(a.slug) or 1
            items.append(self._item(a, page, theme))
        view = ListingView(heading=heading, items=tuple(items), intro=intro)
        return self._html(theme, theme.listing(view, base_url), 200, self.modified)

    def _home(self, base_url: str) -> Response:
        return self._archive(
            "Velkommen til CFBU",
            self.listed[:3],
            base_url,
            intro="Center for Boligsocial Udvikling samler og formidler viden om boligsociale indsatser.",
        )

    def _search(self, q: str, base_url: str) -> Response:
        needle = q.casefold().strip()
        hits = [
            a
            for a in self.listed
            if needle and (needle in a.title.casefold() or needle in a.body.casefold())
        ]
        return self._archive(f"Søgeresultater for “{q}”", hits[:PER_PAGE], base_url)

    def _robots(self, base_url: str) -> str:
        if self.generation == "old":
            return "User-agent: *\nDisallow: /admin/\nDisallow: /nyhedsbrev.asp\n"
        lines = ["User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php", ""]
        if self.sitemaps:
            lines.append(f"Sitemap: {base_url}/sitemap_index.xml")
        return "\n".join(lines) + "\n"

    def sitemap_articles(self) -> list[Article]:
        """Articles in ``post-sitemap.xml``: listed, current generation."""
        return [a for a in self.listed if not self.is_old(a.slug)]

    def _sitemap(self, p: str, base_url: str) -> Response:
        if not self.sitemaps or self.generation == "old":
            return self._not_found(base_url)
        head = '<?xml version="1.0" encoding="UTF-8"?>\n'
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        arts = self.sitemap_articles()
        posts_mod = max((self.page_modified(a) for a in arts), default=_EPOCH)
        if p == "/sitemap_index.xml":
            xml = (
                f"{head}<sitemapindex {ns}>\n"
                f"<sitemap><loc>{base_url}/post-sitemap.xml</loc><lastmod>{_w3c(posts_mod)}</lastmod></sitemap>\n"
                f"<sitemap><loc>{base_url}/page-sitemap.xml</loc><lastmod>{_w3c(self.modified)}</lastmod></sitemap>\n"
                "</sitemapindex>\n"
            )
        elif p == "/post-sitemap.xml":
            urls = [
                f"<url><loc>{base_url}/nyheder/</loc><lastmod>{_w3c(self.modified)}</lastmod></url>"
            ]
            urls += [
                f"<url><loc>{esc(self.article_url(a, base_url))}</loc><lastmod>{_w3c(self.page_modified(a))}</lastmod></url>"
                for a in arts
            ]
            xml = f"{head}<urlset {ns}>\n" + "\n".join(urls) + "\n</urlset>\n"
        else:
            urls = [f"<url><loc>{base_url}/</loc><lastmod>{_w3c(self.modified)}</lastmod></url>"]
            urls += [f"<url><loc>{base_url}{path}</loc></url>" for path in STATIC_PAGES]
            xml = f"{head}<urlset {ns}>\n" + "\n".join(urls) + "\n</urlset>\n"
        return self._finish(
            200, {"Content-Type": "application/xml; charset=UTF-8"}, xml.encode(), self.modified
        )

    def _asset(self, p: str) -> Response:
        if p.endswith(".css"):
            return self._finish(
                200, {"Content-Type": "text/css"}, b"body{font-family:sans-serif}\n", _EPOCH
            )
        if p.endswith(".js"):
            return self._finish(
                200, {"Content-Type": "application/javascript"}, b"/* cfbu demo */\n", _EPOCH
            )
        return Response(404, {"Content-Type": "text/plain"}, b"not found\n")

    # ----- HTTP semantics ---------------------------------------------------------------
    def respond(
        self,
        method: str,
        path: str,
        base_url: str,
        request_headers: Mapping[str, str] | None = None,
    ) -> Response:
        """:meth:`render` plus HEAD (no body) and conditional requests (304)."""
        method = method.upper()
        if method not in ("GET", "HEAD"):
            return Response(
                405, {"Allow": "GET, HEAD", "Content-Type": "text/plain"}, b"method not allowed\n"
            )
        resp = self.render(path, base_url)
        hdrs = {k.lower(): v for k, v in (request_headers or {}).items()}
        if resp.status == 200 and self.etags and _not_modified(resp.headers, hdrs):
            keep = {
                k: v
                for k, v in resp.headers.items()
                if k in ("ETag", "Last-Modified", "Cache-Control")
            }
            return Response(304, keep, b"")
        if method == "HEAD":
            headers = dict(resp.headers)
            headers["Content-Length"] = str(len(resp.body))
            return Response(resp.status, headers, b"")
        return resp


def _not_modified(resp_headers: Mapping[str, str], req: Mapping[str, str]) -> bool:
    inm = req.get("if-none-match")
    if inm is not None:
        etag = resp_headers.get("ETag", "")
        tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
        return "*" in tags or etag in tags
    ims = req.get("if-modified-since")
    if ims and "Last-Modified" in resp_headers:
        try:
            since = parsedate_to_datetime(ims)
            last = parsedate_to_datetime(resp_headers["Last-Modified"])
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=dt.timezone.utc)
        return last <= since
    return False


def _w3c(d: dt.datetime) -> str:
    return d.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _excerpt(a: Article, words: int = 22) -> str:
    w = a.lead.split()
    return " ".join(w[:words]) + (" […]" if len(w) > words else "")
