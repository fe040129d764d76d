"""The ``href`` values of a page's ``<a>`` elements, read without parsing the page.

The spider reads every article page for its links (related articles it does not know
yet). Parsing the page into a tree for that alone cost about as much of the reactor's
thread as all of Scrapy's work for the page (bench/README.md, "Crawl throughput"): the
page's full parse happens anyway, in an extraction worker process. So links are read with
one regular-expression pass over the markup instead, and a page is parsed on the reactor
only when its links make it look like a listing (``NyhederSpider.looks_like_listing``).

Hand-written on purpose: Scrapy's LinkExtractor, parsel and w3lib all read links from an
lxml tree, and the tree is the cost. What an HTML parser would not see as a link is left
out here too: comments, and the text of ``<script>``, ``<style>`` and ``<template>``
elements. Attribute values are unescaped as an HTML parser does (``&amp;`` → ``&``), and
unquoted values are read to the next space or ``>``.
"""

from __future__ import annotations

import html
import re

# Where markup an HTML parser does not read as elements begins, and where each kind ends.
_HIDDEN_START = re.compile(r"<!--|<(script|style|template|textarea)\b", re.I)
_HIDDEN_END = {
    name: re.compile(rf"</{name}\s*>", re.I) for name in ("script", "style", "template", "textarea")
}
# An <a> start tag's href attribute: double-quoted, single-quoted or bare.
_A_HREF = re.compile(
    r"""<a\s(?:[^>"']|"[^"]*"|'[^']*')*?(?<=[\s"'/])href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
    re.I,
)


def hrefs(markup: str) -> list[str]:
    """The ``href`` of each ``<a>`` element of ``markup``, in page order, unescaped and
    stripped of surrounding space (empty values kept out)."""
    found = []
    for part in _markup_parts(markup):
        found += _hrefs_of(part)
    return found


def _markup_parts(markup: str) -> list[str]:
    """``markup`` cut around its comments and its script, style, template and textarea
    elements' text (an end tag is looked for with a plain search: one regular expression
    over the whole page, backtracking through each script, cost more than a parse)."""
    parts = []
    pos = 0
    while (start := _HIDDEN_START.search(markup, pos)) is not None:
        parts.append(markup[pos : start.start()])
        if start.group(1) is None:
            end = markup.find("-->", start.end())
            pos = len(markup) if end < 0 else end + 3
        else:
            closing = _HIDDEN_END[start.group(1).lower()].search(markup, start.end())
            pos = len(markup) if closing is None else closing.end()
    parts.append(markup[pos:])
    return parts


def _hrefs_of(markup: str) -> list[str]:
    found = []
    for match in _A_HREF.finditer(markup):
        value = match.group(1)
        if value is None:
            value = match.group(2) if match.group(2) is not None else match.group(3)
        if "&" in value:
            value = html.unescape(value)
        value = value.strip()
        if value:
            found.append(value)
    return found


__all__ = ["hrefs"]
