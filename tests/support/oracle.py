"""What a crawl of the demo site must produce, computed from the content model alone.

The fields each article must yield come from the typed paragraphs of the snapshot
(:class:`~cfbu_crawler.demo.content.Article`), never from an extractor: that is what
makes them an oracle for the crawl tests. :func:`expected_diff` is the ``cfbu diff
--json`` a crawl of one version of the site and then another must report (README, "Diff").
:func:`check_article` re-derives each article's interview structure from *rendered*
features (text and emphasis) with the question/answer rule of README.md ("How extraction
works"), to prove the snapshot unambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from cfbu_crawler.demo.content import Article, strip_dash
from cfbu_crawler.demo.site import Site
from cfbu_crawler.record import CONTENT_FIELDS

_LEADING_DASH = re.compile(r"^[–—-][ \u00a0]")
_ENDS_WITH_QUESTION = re.compile(r"\?[\"'”’»“]*$")


# -- records ---------------------------------------------------------------------------------


def expected_record(site: Site, a: Article, base_url: str) -> dict[str, Any]:
    """The record the archiver must extract from ``a``'s page on ``site``."""
    old = site.is_old(a.slug)
    title = site.display_title(a)
    return {
        "title": title,
        "breadcrumb": ["Forside", "Nyheder", title] if old else ["Hjem", "Nyheder", title],
        "category": None if old else "nyheder",
        "published": a.published_date,
        "lead": a.lead,
        "qa": a.qa,
        "body": a.body,
        "url": site.article_url(a, base_url),
    }


def expected_records(
    site: Site, base_url: str, *, include_unlisted: bool = True
) -> list[dict[str, Any]]:
    """Expected records of every live article, sorted by ``url``.

    Unlisted articles (v2) are live but linked from nowhere: a crawl that knew them from
    an earlier run archives them; a fresh crawl of v2 cannot find them
    (``include_unlisted=False``).
    """
    recs = [
        expected_record(site, a, base_url)
        for a in site.articles
        if include_unlisted or a.slug not in site.unlisted
    ]
    return sorted(recs, key=lambda r: r["url"])


# -- the diff between two crawls ----------------------------------------------------------


def expected_diff(old: Site, new: Site, base_url: str) -> dict[str, Any]:
    """The ``cfbu diff --json`` report (without run ids) of a crawl of ``old`` then ``new``.

    Both crawls are assumed complete, with no page failing, and the second one knows every
    article of the first (so unlisted articles are fetched directly and stay live) and
    proves them unlisted (they left the sitemap that listed them). Computed from the two
    sites' expected records, not from the edit script, so it also holds for trimmed sites.
    Changed entries carry only ``url`` and ``fields``.
    """
    before = {r["url"]: r for r in (expected_record(old, a, base_url) for a in old.articles)}
    after = {r["url"]: r for r in (expected_record(new, a, base_url) for a in new.articles)}
    moves: dict[str, str] = {}
    for src, dst in new.moved.items():
        if src in {a.slug for a in old.articles}:
            moves[old.article_url(src, base_url)] = new.article_url(dst, base_url)
    added = [
        {"url": u, "title": r["title"]}
        for u, r in after.items()
        if u not in before and u not in moves.values()
    ]
    removed = [
        {"url": u, "title": r["title"]}
        for u, r in before.items()
        if u not in after and u not in moves
    ]
    moved = [{"from": src, "to": dst, "title": after[dst]["title"]} for src, dst in moves.items()]
    unlisted = [
        {"url": new.article_url(slug, base_url), "title": new.display_title(a)}
        for a in new.articles
        if (slug := a.slug) in new.unlisted - old.unlisted
        and new.article_url(slug, base_url) in before
    ]
    changed: list[dict[str, Any]] = []
    unchanged = 0
    for u, r in before.items():
        if u in moves:
            target = after.get(moves[u])
            fields = _diff_fields(r, target) if target else []
            if fields:
                changed.append({"url": moves[u], "fields": fields})
            continue
        if u not in after:
            continue
        fields = _diff_fields(r, after[u])
        if fields:
            changed.append({"url": u, "fields": fields})
        else:
            unchanged += 1
    return {
        "added": sorted(added, key=lambda d: d["url"]),
        "first_archived": [],
        "removed": sorted(removed, key=lambda d: d["url"]),
        "moved": sorted(moved, key=lambda d: d["from"]),
        "changed": sorted(changed, key=lambda d: d["url"]),
        "unlisted": sorted(unlisted, key=lambda d: d["url"]),
        "unchanged": unchanged,
        "warnings": [],
    }


def _diff_fields(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """The differing fields, in the order the archive lists them."""
    return [f for f in CONTENT_FIELDS if a.get(f) != b.get(f)]


# -- the snapshot is unambiguous ----------------------------------------------------------


def is_dash_led(text: str) -> bool:
    return bool(_LEADING_DASH.match(text))


def ends_with_question(text: str) -> bool:
    return bool(_ENDS_WITH_QUESTION.search(text))


def qa_by_rule(paragraphs: Sequence[tuple[str, bool]]) -> list[dict[str, str]]:
    """The question/answer rule over ``(text, emphasised)`` pairs (spacers removed): a
    question ends in ``?`` and is emphasised or followed by a dash-led paragraph, or is
    emphasised and followed by one; its answer runs to the next question."""
    n = len(paragraphs)
    is_q: list[bool] = []
    for i, (text, emph) in enumerate(paragraphs):
        nxt_dash = i + 1 < n and is_dash_led(paragraphs[i + 1][0])
        q = (ends_with_question(text) and (emph or nxt_dash)) or (emph and nxt_dash)
        is_q.append(q and not is_dash_led(text))
    pairs: list[tuple[str, list[str]]] = []
    for (text, _), q in zip(paragraphs, is_q, strict=True):
        if q:
            pairs.append((text, []))
        elif pairs:
            pairs[-1][1].append(strip_dash(text))
    return [{"question": q, "answer": "\n\n".join(ans)} for q, ans in pairs]


def check_article(a: Article) -> None:
    """Raise ``ValueError`` if the article's structure is ambiguous under the rule, or
    its text is not what the extractor must produce (NFC, collapsed whitespace, and
    encodable in windows-1252 for the old generation's pages)."""
    feats = [(p.text, a.is_emphasised(p)) for p in a.text_paragraphs]
    if qa_by_rule(feats) != a.qa:
        raise ValueError(f"{a.slug}: the question/answer rule disagrees with the content model")
    if a.kind == "news" and a.qa:
        raise ValueError(f"{a.slug}: a news article must not contain questions")
    if a.kind == "interview" and not a.qa:
        raise ValueError(f"{a.slug}: an interview needs questions")
    for p in a.paragraphs:
        if p.text != unicodedata.normalize("NFC", p.text):
            raise ValueError(f"{a.slug}: text not NFC")
        if p.kind != "spacer" and (not p.text or p.text != " ".join(p.text.split())):
            raise ValueError(f"{a.slug}: paragraph whitespace not collapsed")
        p.text.encode("cp1252")  # old generation pages are windows-1252
    a.title.encode("cp1252")
