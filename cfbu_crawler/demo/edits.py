"""The scripted v1 → v2 edit of the demo site.

v2 = v1 plus, in this order:

1. two new articles on top of the listing (``added_in: "v2"`` in the snapshot);
2. ``aarskonference-2017-…``: a body paragraph edited (fields: body);
3. ``jobcenteret-rykker-ud-i-boligomraadet``: an interview answer edited (body, qa);
4. ``nye-tal-om-beskaeftigelse-i-helhedsplanerne``: title edited (title, breadcrumb);
5. ``haandbog-i-boligsocial-dataindsamling``: publication date corrected (published);
6. ``ny-evaluering-af-de-boligsociale-helhedsplaner``: removed (404, gone from listing);
7. ``kortlaegning-af-tryghed-i-almene-boligomraader``: moved to a new slug (301);
8. ``evaluering-af-lommepengeprojekter``: dropped from listing and sitemap, still 200;
9. every current-generation page re-rendered with theme ``wp_2024`` (not a change).

The diff a crawl of v1 and then v2 must report is computed by the test suite from the two
sites' content, not from this script.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from cfbu_crawler.demo.content import SEED_SLUG, Article, Paragraph, load_articles, newest_first
from cfbu_crawler.demo.site import Site

UTC = dt.timezone.utc
THEME_CHANGED_AT = dt.datetime(2020, 1, 20, 7, 0, tzinfo=UTC)
EDITED_AT = dt.datetime(2020, 1, 28, 14, 5, tzinfo=UTC)
V2_THEME = "wp_2024"

BODY_EDIT = "aarskonference-2017-boligomraader-i-forandring"
ANSWER_EDIT = "jobcenteret-rykker-ud-i-boligomraadet"
TITLE_EDIT = "nye-tal-om-beskaeftigelse-i-helhedsplanerne"
DATE_EDIT = "haandbog-i-boligsocial-dataindsamling"
REMOVED = "ny-evaluering-af-de-boligsociale-helhedsplaner"
MOVED_FROM = "kortlaegning-af-tryghed-i-almene-boligomraader"
MOVED_TO = "kortlaegning-af-tryghed-i-almene-boligomraader-2018"
UNLISTED = "evaluering-af-lommepengeprojekter"

NEW_BODY_PARAGRAPH = (
    "Mere end 350 deltagere fra boligorganisationer, kommuner, fonde og ministerier deltog i "
    "konferencen på Nyborg Strand."
)
OLD_BODY_PARAGRAPH_START = "Mere end 300 deltagere"
NEW_ANSWER = (
    "– Kontakten er blevet meget mere uformel. Folk kigger forbi med et spørgsmål om alt fra "
    "cv til kørekort, og så kan samtalen udvikle sig derfra."
)
OLD_ANSWER_START = "– Kontakten er blevet meget mere uformel."
NEW_TITLE = "Nye tal: Beskæftigelsen stiger i helhedsplanerne"
NEW_PUBLISHED = dt.datetime(2017, 2, 21, 10, 10, tzinfo=UTC)

# Kept first when ``build_site(articles=N)`` trims the site.
PRIORITY_SLUGS: tuple[str, ...] = (
    SEED_SLUG,
    BODY_EDIT,
    ANSWER_EDIT,
    TITLE_EDIT,
    DATE_EDIT,
    REMOVED,
    MOVED_FROM,
    UNLISTED,
)

# The edited articles and the fields each edit changes (as ``cfbu diff`` names them).
EXPECTED_CHANGES: dict[str, list[str]] = {
    BODY_EDIT: ["body"],
    ANSWER_EDIT: ["body", "qa"],
    TITLE_EDIT: ["title", "breadcrumb"],
    DATE_EDIT: ["published"],
}


def _replace_paragraph(a: Article, startswith: str, new_text: str) -> Article:
    paras = list(a.paragraphs)
    hits = [i for i, p in enumerate(paras) if p.text.startswith(startswith)]
    if len(hits) != 1:
        raise ValueError(f"{a.slug}: expected one paragraph starting {startswith!r}")
    paras[hits[0]] = Paragraph(paras[hits[0]].kind, new_text)
    return dataclasses.replace(a, paragraphs=tuple(paras), modified=EDITED_AT)


def _edit_contents(arts: dict[str, Article]) -> None:
    """Edits 2-5 (a body paragraph, an answer, a title, a date), in place, to the articles
    of ``arts`` they concern."""
    edits: dict[str, Callable[[Article], Article]] = {
        BODY_EDIT: lambda a: _replace_paragraph(a, OLD_BODY_PARAGRAPH_START, NEW_BODY_PARAGRAPH),
        ANSWER_EDIT: lambda a: _replace_paragraph(a, OLD_ANSWER_START, NEW_ANSWER),
        TITLE_EDIT: lambda a: dataclasses.replace(a, title=NEW_TITLE, modified=EDITED_AT),
        DATE_EDIT: lambda a: dataclasses.replace(a, published=NEW_PUBLISHED, modified=EDITED_AT),
    }
    for slug, edit in edits.items():
        if slug in arts:
            arts[slug] = edit(arts[slug])


def _retheme(themes: dict[str, str], target: str, markup_changed: dict[str, dt.datetime]) -> None:
    """Edit 9: every current-generation page in theme ``target``; the pages whose markup
    that changes are noted in ``markup_changed`` (in place)."""
    for slug, name in list(themes.items()):
        if name != "old_cms":
            if name != target:
                markup_changed[slug] = THEME_CHANGED_AT
            themes[slug] = target


def apply_edits(v1: Site, *, theme: str | None = None) -> Site:
    """Return v2 of ``v1`` (edits skip articles that a trimmed v1 does not have)."""
    target = theme or V2_THEME
    arts: dict[str, Article] = {a.slug: a for a in v1.articles}
    themes = dict(v1.themes)
    for a in load_articles():
        if a.added_in == "v2":
            arts[a.slug] = a
            themes[a.slug] = "old_cms" if v1.generation == "old" else target
    _edit_contents(arts)
    removed = set(v1.removed)
    if REMOVED in arts:
        del arts[REMOVED]
        removed.add(REMOVED)
    moved: dict[str, str] = dict(v1.moved)
    if MOVED_FROM in arts:
        a = arts.pop(MOVED_FROM)
        arts[MOVED_TO] = dataclasses.replace(a, slug=MOVED_TO, modified=EDITED_AT)
        themes[MOVED_TO] = themes.pop(MOVED_FROM)
        moved[MOVED_FROM] = MOVED_TO
    unlisted = set(v1.unlisted)
    if UNLISTED in arts:
        unlisted.add(UNLISTED)

    markup_changed: dict[str, dt.datetime] = dict(v1.markup_changed)
    new_site_theme = v1.theme
    if v1.generation != "old":
        new_site_theme = target
        _retheme(themes, target, markup_changed)

    live = newest_first(arts.values())
    return Site(
        version="v2",
        generation=v1.generation,
        theme=new_site_theme,
        articles=tuple(live),
        themes={a.slug: themes[a.slug] for a in live},
        unlisted=frozenset(unlisted),
        removed=frozenset(removed),
        moved=moved,
        markup_changed=markup_changed,
        sitemaps=v1.sitemaps,
        etags=v1.etags,
    )
