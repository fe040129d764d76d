"""Publication days on real pages: cfbu next to htmldate, where the URL says the day.

The open-web article set (``../shared/open-web/articles/``) has no date ground truth, but
many of its URLs carry the publication day (``/2019/11/19/``), written by the CMS when the
article was published. Those pages are the set: the URL day is the truth, and neither
extractor is shown the URL (cfbu never reads a date from the URL; htmldate is called
without it). Two runs:

- ``as published``: the pages as they are (structured data, markup and text);
- ``text only``: the same pages without JSON-LD, ``<meta>`` and ``<time datetime>``
  attributes, so that only the visible markup and text layers can find the day.

    python bench/dates.py            # both runs, cfbu and htmldate (when installed)
    python bench/dates.py --limit 10

Reported per extractor: accuracy (right / pages), precision (right / answered), pages
with no date, pages per second. A URL day can differ from the day a reader saw when an
article went out near midnight or the URL was made before publication: treat small
differences between extractors as noise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from open_web import DEFAULT_DATA, load  # noqa: E402

_URL_DAY = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|-|\.|$)")
_JSONLD = re.compile(r"<script[^>]*ld\+json[^>]*>.*?</script>", re.I | re.S)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_DATETIME = re.compile(r"\s(?:datetime|content)=(\"[^\"]*\"|'[^']*')", re.I)


@dataclass
class Case:
    key: str
    url: str
    html: str
    day: str


def url_day(url: str) -> str | None:
    m = _URL_DAY.search(url)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def text_only(html: str) -> str:
    """``html`` without JSON-LD, ``<meta>`` tags and ``datetime``/``content`` attributes."""
    return _DATETIME.sub(" ", _META.sub("", _JSONLD.sub("", html)))


def cases(data: Path, limit: int | None = None) -> list[Case]:
    out = []
    for sample in load(data):
        day = url_day(sample.url)
        if day:
            out.append(Case(sample.key, sample.url, sample.html, day))
        if limit and len(out) >= limit:
            break
    return out


Extractor = Callable[[str, str], str | None]


def extractors() -> dict[str, Extractor]:
    from cfbu_crawler.extract import extract_article

    # The page is given a neutral URL: the day must come from the page, not the address.
    found: dict[str, Extractor] = {
        "cfbu": lambda html, url: extract_article(html, "https://example.org/article").published
    }
    try:
        from htmldate import find_date
    except ImportError:
        print("not installed (pip install '.[bench]'): htmldate", file=sys.stderr)
    else:
        found["htmldate"] = lambda html, url: find_date(
            html, original_date=True, outputformat="%Y-%m-%d"
        )
    return found


def run(items: list[Case], chosen: dict[str, Extractor]) -> list[tuple[str, int, int, int, float]]:
    """(name, right, answered, total, pages/s) per extractor; the extractors take turns."""
    right = dict.fromkeys(chosen, 0)
    answered = dict.fromkeys(chosen, 0)
    spent = dict.fromkeys(chosen, 0.0)
    for case in items:
        for name, fn in chosen.items():
            started = time.perf_counter()
            try:
                got = fn(case.html, case.url)
            except Exception:  # a crash is no answer
                got = None
            spent[name] += time.perf_counter() - started
            if got:
                answered[name] += 1
                right[name] += got == case.day
    return [
        (
            name,
            right[name],
            answered[name],
            len(items),
            len(items) / spent[name] if spent[name] else 0,
        )
        for name in chosen
    ]


def report(title: str, rows: list[tuple[str, int, int, int, float]]) -> str:
    lines = [
        title,
        f"{'extractor':<12} {'accuracy':>8} {'precision':>9} {'no date':>7} {'pages/s':>8}",
    ]
    for name, ok, answered, total, speed in rows:
        accuracy = ok / total if total else 0.0
        precision = ok / answered if answered else 0.0
        lines.append(
            f"{name:<12} {accuracy:8.3f} {precision:9.3f} {total - answered:7d} {speed:8.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the articles folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N dated pages")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        print(f"skipped: no open-web article set at {args.data}")
        return 0
    items = cases(args.data, args.limit)
    chosen = extractors()
    print(f"{len(items)} pages whose URL carries the publication day")
    print(report("as published", run(items, chosen)))
    stripped = [Case(c.key, c.url, text_only(c.html), c.day) for c in items]
    print(report("text only (no JSON-LD, <meta>, datetime attributes)", run(stripped, chosen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
