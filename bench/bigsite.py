"""A generated news site of any size for the benchmarks, and a cheap loopback server for it.

The site is the demo's model (:class:`cfbu_crawler.demo.site.Site`) filled with N
generated articles: the bundled snapshot's texts, each copy made distinct (slug, title, a
numbered paragraph, its own date), in the demo's four markups — ``wp_yoast`` (JSON-LD,
Yoast breadcrumbs), ``wp_plain`` (no structured data), ``wp_2024`` (the redesign) and the
old table-layout CMS in windows-1252 — taken in turn. ``edited`` percent of the articles
can be edited (a paragraph rewritten, the page's date moved on), for incremental runs.

The server runs in its own process (``python bench/bigsite.py serve``, driven by
:class:`SiteProcess`) so that its work stays off the crawler's process, and answers from
pages rendered once in advance: rendering HTML on each request would make the server, not
the crawler, the thing measured. It speaks just enough HTTP/1.1 for Scrapy (keep-alive,
GET/HEAD, ETag and Last-Modified, 304) — a hand-written server because the suite's and
the demo's threaded servers render every answer and cost more CPU per request than the
crawler under test. It counts requests and bytes (headers included), as the suite's
fixture server does.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import json
import subprocess
import sys
import zlib
from collections.abc import Iterator
from email.utils import formatdate
from http import HTTPStatus
from pathlib import Path
from typing import Any

from cfbu_crawler.demo.content import Article, Paragraph, load_articles
from cfbu_crawler.demo.site import Response, Site, _not_modified
from cfbu_crawler.demo.themes import ALL_THEMES, OLD_THEME, ArticleView, LinkItem, get_theme

START = dt.datetime(2012, 1, 2, 8, 0, tzinfo=dt.timezone.utc)
EDITED_AT = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
# Markups taken in turn (the old CMS's pages are linked only by old-generation listings).
MARKUPS = ("wp_yoast", "wp_plain", "wp_2024", OLD_THEME, "wp_yoast", "wp_2024", "wp_plain")
assert set(MARKUPS) == set(ALL_THEMES)


def generated_articles(n: int, *, edited: float = 0.0) -> list[Article]:
    """``n`` distinct articles, newest first; ``edited`` percent of them (every
    ``100/edited``-th) with a paragraph rewritten and a later modification date."""
    templates = sorted(load_articles(), key=lambda a: a.slug)
    every = round(100 / edited) if edited else 0
    out = []
    for i in range(n):
        t = templates[i % len(templates)]
        published = START + dt.timedelta(hours=7 * i + (i % 13))
        number = Paragraph("plain", f"Denne artikel har nummer {i} i arkivet over nyheder.")
        paragraphs: tuple[Paragraph, ...] = (t.paragraphs[0], number, *t.paragraphs[1:])
        modified = published + dt.timedelta(days=1)
        if every and i % every == every // 2:
            paragraphs = (
                *paragraphs[:1],
                Paragraph("plain", f"Artikel {i} er rettet: et nyt afsnit erstatter det gamle."),
                *paragraphs[2:],
            )
            modified = EDITED_AT
        out.append(
            dataclasses.replace(
                t,
                slug=f"{t.slug}-{i}",
                title=f"{t.title} {i}",
                published=published,
                modified=modified,
                old_in_mixed=False,
                added_in="v1",
                paragraphs=paragraphs,
            )
        )
    return sorted(out, key=lambda a: (a.published, a.slug), reverse=True)


def generated_site(
    n: int, *, edited: float = 0.0, sitemaps: bool = True, etags: bool = True
) -> Site:
    articles = generated_articles(n, edited=edited)
    themes = {a.slug: MARKUPS[zlib.crc32(a.slug.encode()) % len(MARKUPS)] for a in articles}
    return Site(
        version="v1",
        generation="mixed",
        theme="wp_yoast",
        articles=tuple(articles),
        themes=themes,
        sitemaps=sitemaps,
        etags=etags,
    )


def site_paths(site: Site) -> Iterator[str]:
    """The paths a crawl of the news section asks for, to render in advance."""
    yield from ("/robots.txt", "/sitemap_index.xml", "/post-sitemap.xml", "/page-sitemap.xml")
    for page in range(1, site.pages + 1):
        yield site.listing_path(page)
    for i, a in enumerate(site.listed):
        yield site.link_path(a, i // 10 + 1)


class ScaleSite:
    """Article pages of a site of any size, each made on demand from its number: for
    archives far larger than a crawl (bench/build_scale_archive.py), without the demo
    model's whole-site listings. ``version`` 1 is the article as first published; each
    later version rewrites a paragraph of the one before (a change of ``body``, and of
    ``lead`` from version 3 on)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.templates = sorted(load_articles(), key=lambda a: a.slug)

    def article(self, i: int, version: int = 1) -> Article:
        t = self.templates[i % len(self.templates)]
        published = START + dt.timedelta(hours=7 * i + (i % 13))
        number = Paragraph("plain", f"Denne artikel har nummer {i} i arkivet over nyheder.")
        paragraphs = [t.paragraphs[0], number, *t.paragraphs[1:]]
        for v in range(2, version + 1):
            where = 1 if v == 2 else 0
            paragraphs[where] = Paragraph(
                "plain", f"Rettet i version {v}: artikel {i} er opdateret af redaktionen."
            )
        return dataclasses.replace(
            t,
            slug=f"{t.slug}-{i}",
            title=f"{t.title} {i}",
            published=published,
            modified=published + dt.timedelta(days=version),
            old_in_mixed=False,
            added_in="v1",
            paragraphs=tuple(paragraphs),
        )

    def theme(self, i: int) -> str:
        slug = f"{self.templates[i % len(self.templates)].slug}-{i}"
        return MARKUPS[zlib.crc32(slug.encode()) % len(MARKUPS)]

    def url(self, i: int) -> str:
        slug = f"{self.templates[i % len(self.templates)].slug}-{i}"
        old = self.theme(i) == OLD_THEME
        return (
            f"{self.base_url}/nyheder/nyhed/{slug}/" if old else f"{self.base_url}/nyheder/{slug}/"
        )

    def _link(self, i: int) -> LinkItem:
        a = self.article(i)
        return LinkItem(a.title.upper(), self.url(i)[len(self.base_url) :], a.danish_date)

    def page(self, i: int, version: int = 1) -> tuple[str, bytes, str]:
        """(URL, body, Content-Type) of article ``i`` in ``version``."""
        a = self.article(i, version)
        name = self.theme(i)
        variant = zlib.crc32(a.slug.encode()) % 6
        theme = get_theme(name, variant=variant)
        title = a.title if name == OLD_THEME else a.title.upper()
        view = ArticleView(
            article=a,
            title=title,
            url=self.url(i),
            variant=variant,
            sidebar=tuple(self._link(i + k) for k in range(1, 6)),
            related=tuple(self._link(i + k) for k in range(6, 9)),
        )
        text = theme.article(view, self.base_url)
        if theme.encoding == "cp1252":
            return (
                view.url,
                text.encode("cp1252", "xmlcharrefreplace"),
                "text/html; charset=windows-1252",
            )
        return view.url, text.encode("utf-8"), "text/html; charset=UTF-8"


class RenderedSite:
    """A site's answers rendered once (others rendered on first request, then kept)."""

    def __init__(self, site: Site, base_url: str) -> None:
        self.site = site
        self.base_url = base_url
        self.pages: dict[str, Response] = {}
        for path in site_paths(site):
            self.pages[path] = site.render(path, base_url)

    def answer(self, method: str, path: str, headers: dict[str, str]) -> Response:
        resp = self.pages.get(path)
        if resp is None:
            resp = self.pages[path] = self.site.render(path, self.base_url)
        if resp.status == 200 and self.site.etags and _not_modified(resp.headers, headers):
            keep = ("ETag", "Last-Modified", "Cache-Control")
            return Response(304, {k: v for k, v in resp.headers.items() if k in keep}, b"")
        if method == "HEAD":
            return Response(resp.status, resp.headers, b"")
        return resp


class Counter:
    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0
        self.paths: dict[str, int] = {}

    def add(self, path: str, nbytes: int) -> None:
        self.requests += 1
        self.bytes += nbytes
        self.paths[path] = self.paths.get(path, 0) + 1


def head_bytes(resp: Response, length: int | None) -> bytes:
    try:
        reason = HTTPStatus(resp.status).phrase
    except ValueError:
        reason = ""
    lines = [
        f"HTTP/1.1 {resp.status} {reason}",
        "Server: bigsite",
        f"Date: {formatdate(usegmt=True)}",
    ]
    lines += [f"{k}: {v}" for k, v in resp.headers.items() if k.lower() != "content-length"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Server:
    """The asyncio HTTP server of one process: ``site`` may be swapped between crawls."""

    def __init__(self) -> None:
        self.site: RenderedSite | None = None
        self.counter = Counter()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                assert self.site is not None
                resp = self.site.answer(method, target, headers)
                body = b"" if method == "HEAD" or resp.status == 304 else resp.body
                data = head_bytes(resp, None if resp.status == 304 else len(resp.body)) + body
                self.counter.add(target, len(data))
                writer.write(data)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        finally:
            writer.close()

    async def control(self, base_url: str) -> None:
        """Commands on stdin, one JSON object a line; answers on stdout."""
        loop = asyncio.get_running_loop()
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                return
            command = json.loads(line)
            answer: dict[str, Any] = {"ok": True}
            if command["cmd"] == "load":
                site = generated_site(
                    command["articles"],
                    edited=command.get("edited", 0.0),
                    sitemaps=command.get("sitemaps", True),
                    etags=command.get("etags", True),
                )
                self.site = RenderedSite(site, base_url)
                answer["pages"] = len(self.site.pages)
            elif command["cmd"] == "stats":
                c = self.counter
                answer.update(requests=c.requests, bytes=c.bytes, paths=c.paths)
            elif command["cmd"] == "reset":
                self.counter = Counter()
            elif command["cmd"] == "quit":
                print(json.dumps(answer), flush=True)
                return
            print(json.dumps(answer), flush=True)

    async def main(self) -> None:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0, backlog=256)
        port = server.sockets[0].getsockname()[1]
        base_url = f"http://127.0.0.1:{port}"
        print(json.dumps({"base_url": base_url}), flush=True)
        async with server:
            await self.control(base_url)


class SiteProcess:
    """The server in a child process: ``load`` a site, crawl ``base_url``, read ``stats``."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.base_url: str = self._read()["base_url"]

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the site server died")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, cmd: str, **args: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"cmd": cmd, **args}) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def load(self, articles: int, **options: Any) -> int:
        """Serve a generated site of ``articles`` articles; returns the pages rendered."""
        pages: int = self.send("load", articles=articles, **options)["pages"]
        return pages

    def stats(self) -> tuple[int, int]:
        answer = self.send("stats")
        return answer["requests"], answer["bytes"]

    def paths(self) -> dict[str, int]:
        paths: dict[str, int] = self.send("stats")["paths"]
        return paths

    def reset(self) -> None:
        self.send("reset")

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(OSError, RuntimeError):
                self.send("quit")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def __enter__(self) -> SiteProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    if sys.argv[1:] == ["serve"]:
        asyncio.run(Server().main())
    else:
        sys.exit("usage: python bench/bigsite.py serve   (driven by bigsite.SiteProcess)")
