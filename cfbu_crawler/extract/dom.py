"""Small lxml helpers: tag names, class/id tests, boilerplate detection, visible text."""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from lxml import etree

from .text import normalise_text

# Elements whose content is never visible article text.
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "object",
        "embed",
        "button",
        "select",
        "option",
        "textarea",
        "input",
        "head",
        "title",
        "meta",
        "link",
        "canvas",
        "map",
        "audio",
        "video",
        "source",
        "picture",
        "figcaption",
    ]
)
# Elements that start and end a paragraph.
BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "td",
        "th",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "caption",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "figure",
        "pre",
        "hr",
        "form",
        "address",
        "center",
        "fieldset",
        "details",
        "summary",
        "body",
        "html",
    ]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
EMPH_TAGS = frozenset(("strong", "b"))
# Structural boilerplate: removed before choosing/reading the content (unless protected).
BOILER_TAGS = frozenset(["nav", "aside", "footer", "header", "form"])
# class/id words that mark boilerplate (token-wise, so "menu-item" and "site-footer" match).
_JUNK_WORDS = (
    "sidebar|widget|widgets|menu|navbar|nav|navigation|share|sharing|sharedaddy|social|some|"
    "related|relaterede|comment|comments|respond|cookie|cookies|consent|newsletter|nyhedsbrev|"
    "footer|sidebars|addtoany|a2a|addthis|jp-relatedposts|subscribe|banner|advert|ads|popup|"
    "modal|skip-link|screen-reader-text|sr-only|pagination|pager|pagenav|"
    # image captions and credits (as <figcaption>), galleries, author boxes, teasers of
    # other articles, advertising slots: seen on real news sites (bench/open_web.py)
    "caption|captions|credit|credits|gallery|resgallery|slideshow|carousel|author-bio|"
    "bio-box|latest|most-popular|popular|trending|recommended|recirc|more-stories|promo|"
    "sponsored|outbrain|taboola|ad|advertisement|control-bar"
)
_JUNK_TOKEN = re.compile(rf"(?:^|[-_])(?:{_JUNK_WORDS})(?:[-_]|\d|$)", re.I)
# A cheap first test on class + id: the words between ``-``, ``_``, spaces and digits
# (the first word of a hyphenated junk word stands for it).
_WORD_SPLIT = re.compile(r"[-_\s\d]+")
_TRIGGERS = frozenset(w.split("-")[0] for w in _JUNK_WORDS.split("|"))
# Extra words that mark page furniture inside an article (never body text).
_META_WORDS = (
    "breadcrumb|breadcrumbs|crumbs|meta|entry-meta|post-meta|byline|posted-on|cat-links|"
    "tags-links|tags|post-tags|entry-footer|post-navigation|nav-links|author-box|print|"
    "back-link|tilbage|article-info|post-info|entry-info|article-meta|article-details"
)
_META_TOKEN = re.compile(rf"(?:^|[-_])(?:{_META_WORDS})(?:[-_]|$)", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.I)
# Utility-CSS classes that render text bold (Tailwind, Bootstrap, Bulma, Foundation...).
# A reader sees such a paragraph as emphasised exactly like one wrapped in <strong>.
_BOLD_CLASS = frozenset(
    [
        "font-bold",
        "font-semibold",
        "font-extrabold",
        "font-black",
        "fw-bold",
        "fw-bolder",
        "fw-semibold",
        "has-text-weight-bold",
        "has-text-weight-semibold",
        "text-bold",
        "font-weight-bold",
        "bold",
    ]
)


# Classes that hide an element from readers (WordPress/Bootstrap/Avada/Drupal conventions):
# its text is for machines (rich snippets) or screen readers only.
_HIDDEN_CLASS = frozenset(
    [
        "hidden",
        "rich-snippet-hidden",
        "visually-hidden",
        "visuallyhidden",
        "element-invisible",
        "element-hidden",
        "invisible",
        "d-none",
        "screen-reader-text",
        "sr-only",
        "fl-screen-reader-text",
        "avia_hidden_link_text",
    ]
)
_HIDDEN_ANY = re.compile("|".join(sorted(_HIDDEN_CLASS, key=len, reverse=True)), re.I)
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def tag(el: Any) -> str:
    """Lower-case tag name, '' for comments/processing instructions."""
    t = getattr(el, "tag", None)
    if t.__class__ is not str:
        return ""
    return t if t.islower() else t.lower()


def tokens(el: Any) -> list[str]:
    """The element's class and id tokens."""
    get = getattr(el, "get", None)
    if get is None:
        return []
    return ((get("class") or "") + " " + (get("id") or "")).split()


def is_hidden(el: Any) -> bool:
    """Not shown to readers: ``hidden``/``aria-hidden``, an inline ``display: none`` or a
    hiding class (``hidden``, ``rich-snippet-hidden``, ``screen-reader-text``...). A bare
    ``hidden`` next to a responsive class (Tailwind's ``hidden md:flex``) is shown."""
    get = getattr(el, "get", None)
    if get is None or not tag(el):
        return False
    if (get("aria-hidden") or "").lower() == "true" or get("hidden") is not None:
        return True
    if _DISPLAY_NONE.search(get("style") or ""):
        return True
    classes = (get("class") or "").split()
    if any(c.lower() in _HIDDEN_CLASS and c.lower() != "hidden" for c in classes):
        return True
    return "hidden" in classes and not any(":" in c for c in classes)


def _holds_title(el: Any) -> bool:
    """Holds a heading ``<h1>`` that is no logo (a post's hero section, not the site's)."""
    for h1 in el.iter("h1"):
        text = normalise_text(h1.text_content())
        if not text or any(tag(x) == "img" for x in h1.iter()):
            continue
        if any((a.get("href") or "").rstrip("/") in ("", "/") for a in h1.iter("a")):
            continue
        return True
    return False


def is_junk(el: Any) -> bool:
    """Boilerplate by tag, role or class/id (menus, sidebars, share bars, comments...)."""
    t = el.tag if hasattr(el, "tag") else None
    if not isinstance(t, str):
        return False
    t = t.lower()
    if t in SKIP_TAGS:
        return True
    if t in BOILER_TAGS:
        # ASP.NET pages wrap the whole page in one <form>: the one holding most of the
        # page's paragraph text is the page, not a search or comment form.
        return t != "form" or paragraph_share(el) < _MAIN_SHARE
    if not el.keys():
        return False  # everything below reads an attribute
    get = el.get
    role = get("role")
    if role:
        role = role.lower()
        if role in ("navigation", "contentinfo", "complementary", "search"):
            return True
        if role == "banner" and not _holds_title(el):
            # A theme's post hero (Kadence's ``<section role="banner" class="entry-hero">``)
            # holds the title, trail, category and date: not the site banner.
            return True
    cls = get("class")
    ident = get("id")
    if (
        get("aria-hidden") is not None
        or get("hidden") is not None
        or get("style") is not None
        or (cls and _hiding_class(cls))
    ) and is_hidden(el):
        return True
    if not (cls or ident) or not _junk_names(cls or "", ident or ""):
        return False
    # A class word is weak evidence: layout wrappers are named after what sits beside
    # them (``content-with-sidebar-wrp``, ``l-sidebar-fixed``, ``article-body
    # pagination-first``). One holding most of the page's paragraph text is the article.
    return paragraph_share(el) < _MAIN_SHARE


_MAIN_SHARE = 0.5
# Per tree (weakly keyed by its root): element -> characters of <p> text inside it, and
# the root's total. See :func:`in_junk` for why the root itself is never a key.
_MASS_MEMO: weakref.WeakKeyDictionary[Any, tuple[dict[Any, int], int]] = weakref.WeakKeyDictionary()


def paragraph_share(el: Any) -> float:
    """The share of the page's ``<p>`` text (non-space characters) that ``el`` holds."""
    root = el.getroottree().getroot()
    found = _MASS_MEMO.get(root)
    if found is None:
        mass: dict[Any, int] = {}
        total = 0
        for p in root.iter("p"):
            n = len("".join(p.text_content().split()))
            if not n:
                continue
            total += n
            node = p
            while node is not None and node is not root:
                mass[node] = mass.get(node, 0) + n
                node = node.getparent()
        found = _MASS_MEMO[root] = (mass, total)
    mass, total = found
    if el is root:
        return 1.0 if total else 0.0
    return mass.get(el, 0) / total if total else 0.0


# The same class and id strings come back on every element of a kind, page after page:
# what they say is worked out once (pure functions of the strings).
@lru_cache(maxsize=8192)
def _hiding_class(cls: str) -> bool:
    return _HIDDEN_ANY.search(cls) is not None


@lru_cache(maxsize=8192)
def _junk_names(cls: str, ident: str) -> bool:
    """A class or id token names boilerplate (:func:`junk_token`)."""
    words = f"{cls} {ident}"
    if _TRIGGERS.isdisjoint(_WORD_SPLIT.split(words.lower())):
        return False  # the common case: no junk word anywhere in class or id
    return any(junk_token(tok) for tok in words.split())


def junk_token(tok: str) -> bool:
    """One class/id token names boilerplate (``sidebar``, ``share-bar``, ``comments``...)."""
    # Page builders prefix every wrapper with "...-widget-"; judge only what follows.
    if tok.lower() in ("elementor-widget", "elementor-element"):
        return False
    for prefix in ("elementor-widget-", "elementor-element-", "wp-block-"):
        if tok.lower().startswith(prefix):
            tok = tok[len(prefix) :]
            break
    return bool(_JUNK_TOKEN.search(tok))


def is_meta(el: Any) -> bool:
    """Article furniture: breadcrumbs, byline/meta lines, tag lists, back links."""
    if tag(el) == "time":
        return False
    return any(_META_TOKEN.search(tok) for tok in tokens(el))


def in_plain_list(el: Any) -> bool:
    """Inside a list item whose list is not article meta: a related/latest-news list holds
    other articles' dates, while a meta list (Twenty Twenty's ``ul.post-meta``, Elementor's
    ``ul.elementor-post-info``, Joomla's ``dl.article-info``) holds this article's."""
    for node in [el, *ancestors(el)]:
        t = tag(node)
        if t in ("ul", "ol", "dl"):
            return not is_meta(node)
        if t in ("body", "html", "article", "main"):
            return False
    return False


_QUOTE_TAGS = frozenset(("blockquote", "q", "cite"))
_EMBED = re.compile(
    r"^twitter-(?:tweet|timeline)|^instagram-media|^tiktok-embed|^fb-post|"
    r"(?:^|[-_])(?:tweet|oembed|embed|embedded|quote|pullquote)(?:[-_]|$)",
    re.I,
)


_EMBED_HINTS = ("tweet", "instagram", "tiktok", "fb-post", "embed", "quote")


def in_quote(el: Any) -> bool:
    """Inside a quotation or an embedded post: its dates are the quote's (a tweet's).
    The walk stops at ``<body>`` (WordPress marks it ``wp-embed-responsive``)."""
    if el is None or not tag(el):
        return False
    for node in (el, *el.iterancestors()):
        t = node.tag
        if t in _QUOTE_TAGS:
            return True
        if t in ("body", "html"):
            return False
        if _embed_class(node):
            return True
    return False


def _embed_class(node: Any) -> bool:
    cls = node.get("class")
    return bool(cls) and _embedding_class(cls)


@lru_cache(maxsize=8192)
def _embedding_class(cls: str) -> bool:
    low = cls.lower()
    if not any(hint in low for hint in _EMBED_HINTS):
        return False
    return any(_EMBED.search(tok) for tok in cls.split())


def is_emph(el: Any) -> bool:
    """Bold as rendered: ``<strong>``/``<b>``, an inline ``font-weight: bold`` style or a
    bold utility class (on any element: ``<p style="font-weight:bold">`` is a bold
    paragraph). ``<em>``/``<i>`` (italics) is deliberately not emphasis: docs/record.md names
    strong/b and headings only, and italics mark quotes and titles of works far too often."""
    t = tag(el)
    if t in EMPH_TAGS:
        return True
    if not t or t in ("body", "html", "main", "article", "section"):
        return False
    style = el.get("style")
    if style and _BOLD_STYLE.search(style):
        return True
    cls = el.get("class")
    return bool(cls) and _bold_class(cls)


@lru_cache(maxsize=8192)
def _bold_class(cls: str) -> bool:
    return any(c.lower() in _BOLD_CLASS for c in cls.split())


def ancestors(el: Any) -> Iterator[Any]:
    parent = el.getparent()
    while parent is not None:
        yield parent
        parent = parent.getparent()


def _verdict(node: Any) -> bool | None:
    """What ``node`` itself says while :func:`in_junk` walks up: True (boilerplate), False
    (the walk ends here: ``body`` or the page's own article) or None (ask the parent)."""
    t = tag(node)
    if t in ("body", "html"):
        return False
    if t in ("main", "article"):
        # The page's article; an <article> nested in it (a related post, a comment)
        # is judged by its containers as well.
        return None if _in_article(node) else False
    if t in ("header", "footer", "aside") and _in_article(node):
        # The article's own header/footer/aside holds its title, date and taxonomy;
        # still junk when its class says so (``<aside class="related">``).
        if t == "aside" and any(junk_token(tok) for tok in tokens(node)):
            return True
        return None
    if t == "header" and _holds_title(node) and not any(junk_token(x) for x in tokens(node)):
        # A post header outside <article> (a theme's hero/title bar): title, trail, date.
        return None
    return True if is_junk(node) else None


# Per tree (weakly keyed by its root element): element -> in_junk verdict. Holding the
# element proxies keeps them (and so their identity) alive while the tree is in use; the
# root itself is never a key, so the entry goes when the tree's owner drops the root.
_JUNK_MEMO: weakref.WeakKeyDictionary[Any, dict[Any, bool]] = weakref.WeakKeyDictionary()


def in_junk(el: Any, stop: Any = None) -> bool:
    """True when ``el`` or an ancestor (below ``stop``) is boilerplate. An article's own
    ``<header>``/``<footer>`` (inside ``article``/``main``) is not: it holds the title,
    date and category. Memoised per tree (the walk is asked for nearly every element)."""
    if stop is not None:
        node = el
        while node is not None and node is not stop:
            verdict = _verdict(node)
            if verdict is not None:
                return verdict
            node = node.getparent()
        return False
    if el is None or not tag(el):
        return False
    root = el.getroottree().getroot()
    memo = _JUNK_MEMO.get(root)
    if memo is None:
        memo = _JUNK_MEMO[root] = {}
    chain: list[Any] = []
    node = el
    answer = False
    while node is not None:
        known = memo.get(node)
        if known is not None:
            answer = known
            break
        chain.append(node)
        verdict = _verdict(node)
        if verdict is not None:
            answer = verdict
            break
        node = node.getparent()
    for seen in chain:
        if seen is not root:
            memo[seen] = answer
    return answer


def _in_article(el: Any) -> bool:
    return any(tag(a) in ("article", "main") or a.get("role") == "main" for a in ancestors(el))


def visible_text(el: Any) -> str:
    """Normalised text of ``el`` without script/style content."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        t = tag(node)
        if t and t not in SKIP_TAGS and (node is el or not is_hidden(node)):
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
                if child.tail:
                    parts.append(child.tail)
            if t in BLOCK_TAGS or t == "br":
                parts.append(" ")

    try:
        walk(el)
    except Exception:
        return ""
    return normalise_text("".join(parts))


def iter_elements(root: Any, names: Iterable[str] | None = None) -> Iterator[Any]:
    """Elements of ``root`` (optionally only the given tags), comments skipped; lxml does
    the filtering."""
    if root is None:
        return iter(())
    elements: Iterator[Any] = root.iter(*names) if names else root.iter(etree.Element)
    return elements


def protected_set(*elements: Any) -> set[Any]:
    """The given elements and all their ancestors: never removed as boilerplate.

    Holds the element proxies themselves (not ``id()``s: lxml proxies are recreated on
    demand, so the id of a dropped proxy can be reused by another element)."""
    keep: set[Any] = set()
    for el in elements:
        if el is None:
            continue
        keep.add(el)
        keep.update(ancestors(el))
    return keep


def remove_keep_tail(el: Any) -> None:
    """Remove ``el`` from its parent but keep its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
