"""Build a version of the demo site from the bundled snapshot.

:func:`build_site` makes v1 from the snapshot's articles (optionally trimmed, in one
generation or one theme) and v2 by applying the scripted edits of :mod:`.edits` to it.
It sits above :mod:`.site` (the model) and :mod:`.edits` (the v1 → v2 change), so that
neither of those needs the other's construction.
"""

from __future__ import annotations

from cfbu_crawler.demo import edits
from cfbu_crawler.demo.content import SEED_SLUG, Article, load_articles
from cfbu_crawler.demo.site import Site
from cfbu_crawler.demo.themes import CURRENT_THEMES, OLD_THEME

GENERATIONS = ("current", "old", "mixed")
VERSIONS = ("v1", "v2")


def _current_theme_for(index: int, slug: str) -> str:
    """v1 default mix: every fourth current-generation article uses ``wp_plain``."""
    if slug == SEED_SLUG:
        return "wp_yoast"
    return "wp_plain" if index % 4 == 2 else "wp_yoast"


def build_site(
    version: str = "v1",
    *,
    generation: str = "mixed",
    theme: str | None = None,
    sitemaps: bool = True,
    etags: bool = True,
    articles: int | None = None,
) -> Site:
    """Describe the demo site.

    ``generation``: ``"current"`` (all WordPress), ``"old"`` (all old CMS) or ``"mixed"``
    (current plus six articles reachable only through old-generation links).
    ``theme``: force one current-generation theme (``wp_yoast``, ``wp_plain``,
    ``wp_2024``); default is a v1 mix of ``wp_yoast``/``wp_plain`` and ``wp_2024`` in v2.
    ``articles``: keep only this many v1 articles (the seed and the v2 edit targets
    first, then the newest).
    """
    _check_arguments(version, generation, theme)
    pool = [a for a in load_articles() if a.added_in == "v1"]
    if articles is not None:
        pool = _trimmed(pool, articles)
    themes = _v1_themes(pool, generation, theme)
    v1 = Site(
        version="v1",
        generation=generation,
        theme=theme or "wp_yoast",
        articles=tuple(pool),
        themes=themes,
        sitemaps=sitemaps,
        etags=etags,
    )
    if version == "v1":
        return v1
    return edits.apply_edits(v1, theme=theme)


def _check_arguments(version: str, generation: str, theme: str | None) -> None:
    """Refuse (ValueError) a version, generation or theme the demo does not have."""
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {VERSIONS}")
    if generation not in GENERATIONS:
        raise ValueError(f"generation must be one of {GENERATIONS}")
    if theme is not None and theme not in CURRENT_THEMES:
        raise ValueError(f"theme must be one of {CURRENT_THEMES}")


def _trimmed(pool: list[Article], articles: int) -> list[Article]:
    """The first ``articles`` of ``pool``: the seed and the v2 edit targets, then the
    newest (in ``pool``'s order)."""
    if articles < 1:
        raise ValueError("articles must be >= 1")
    order = {s: i for i, s in enumerate(edits.PRIORITY_SLUGS)}
    ranked = sorted(pool, key=lambda a: (order.get(a.slug, len(order)), -a.published.timestamp()))
    keep = {a.slug for a in ranked[:articles]}
    return [a for a in pool if a.slug in keep]


def _v1_themes(pool: list[Article], generation: str, theme: str | None) -> dict[str, str]:
    """Each v1 article's theme: the old CMS's for old-generation articles, else ``theme``
    or the default mix (by publication order)."""
    themes: dict[str, str] = {}
    chron = sorted(pool, key=lambda a: a.published)
    for i, a in enumerate(chron):
        old = generation == "old" or (generation == "mixed" and a.old_in_mixed)
        themes[a.slug] = OLD_THEME if old else (theme or _current_theme_for(i, a.slug))
    return themes
