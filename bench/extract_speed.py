"""Extraction speed on the bundled fixture pages, as a ratio to plain lxml parsing."""

from __future__ import annotations

import time

import lxml.html

from cfbu_crawler.demo.build import build_site
from cfbu_crawler.extract import extract_article

BASE = "http://127.0.0.1:8000"


def pages() -> list[tuple[str, bytes, str | None]]:
    out = []
    for version in ("v1", "v2"):
        site = build_site(version)
        for article in site.articles:
            url = site.article_url(article, BASE)
            resp = site.render(url[len(BASE) :], BASE)
            if resp.status == 200:
                ctype = resp.headers.get("Content-Type", "")
                encoding = ctype.split("charset=")[-1] if "charset=" in ctype else None
                out.append((url, resp.body, encoding))
    return out


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    corpus = pages()
    parse = best_of(lambda: [lxml.html.fromstring(body) for _, body, _ in corpus])
    extract = best_of(lambda: [extract_article(body, url, enc) for url, body, enc in corpus])
    print(f"{len(corpus)} pages")
    print(f"lxml parse only : {len(corpus) / parse:8.0f} pages/s")
    print(
        f"extract_article : {len(corpus) / extract:8.0f} pages/s  ({extract / parse:.1f}x the parse time)"
    )


if __name__ == "__main__":
    main()
