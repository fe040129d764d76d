"""HTML markups ("themes") of the demo site.

Four themes render the same article model (:class:`~.content.Article`):

* ``wp_yoast`` – current generation, WordPress with Yoast: JSON-LD ``@graph``,
  canonical link, og/article meta, ``nav.yoast-breadcrumbs``, ``<time datetime>``.
* ``wp_plain`` – current generation, a plainer WordPress theme: no JSON-LD or
  canonical, visible date only, ``div.crumbs`` trail, entities for punctuation, the
  "Se seneste nyheder" link *inside* ``div.post-body``, title in an ``h2``.
* ``wp_2024`` – the v2 redesign: different class names, banner, cookie notice,
  "Relaterede artikler", scripts, standalone ``NewsArticle`` JSON-LD with a local offset.
* ``old_cms`` – the older CMS: tables, ``<font>``, "Du er her:" trail with ``&gt;``,
  numeric date, paragraphs split by ``<br><br>`` on some pages, windows-1252.

Themes return ``str``; :mod:`.site` encodes them.
"""

from __future__ import annotations

import html
import json
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from cfbu_crawler.demo.content import Article, Paragraph

CURRENT_THEMES = ("wp_yoast", "wp_plain", "wp_2024")
OLD_THEME = "old_cms"
ALL_THEMES = (*CURRENT_THEMES, OLD_THEME)

SITE_NAME = "CFBU"
SITE_LONG = "Center for Boligsocial Udvikling"
ADDRESS = "Center for Boligsocial Udvikling · Vesterbrogade 1 · 1620 København V · Tlf. 33 00 00 00"
FACEBOOK = "https://www.facebook.com/cfbu.dk"
LINKEDIN = "https://www.linkedin.com/company/center-for-boligsocial-udvikling"
MAILTO = "mailto:info@cfbu.dk"

# (label, path) for the site menu; every page links all of them.
MENU: tuple[tuple[str, str], ...] = (
    ("Nyheder", "/nyheder/"),
    ("Om CFBU", "/om-cfbu/"),
    ("Publikationer", "/publikationer/"),
    ("Kontakt", "/kontakt/"),
)
SEARCH_LINK = "/?s=test"
CATEGORY_PATH = "/nyheder/category/nyheder/"
TAG_PATH = "/tag/helhedsplaner/"


@dataclass(frozen=True)
class LinkItem:
    """A link to an article as shown in listings, sidebars and related blocks."""

    title: str
    href: str
    date_text: str
    excerpt: str = ""


@dataclass(frozen=True)
class ArticleView:
    """Everything a theme needs to render one article page."""

    article: Article
    title: str  # as displayed (capitals on the current generation)
    url: str  # absolute identity URL
    variant: int = 0  # small per-page markup variation
    sidebar: tuple[LinkItem, ...] = field(default=())
    related: tuple[LinkItem, ...] = field(default=())


@dataclass(frozen=True)
class ListingView:
    """One page of a listing (news index, category, tag, search)."""

    heading: str
    items: tuple[LinkItem, ...]
    page: int = 1
    pages: int = 1
    page_href: Callable[[int], str] | None = None  # page number -> path
    intro: str = ""


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def attr(text: str) -> str:
    return html.escape(text, quote=True)


_ENTITIES = {"’": "&rsquo;", "‘": "&lsquo;", "“": "&ldquo;", "”": "&rdquo;", "„": "&bdquo;"}


def esc_entities(text: str) -> str:
    """Escape and write typographic punctuation as entities (``wp_plain``)."""
    out = esc(text).replace("–", "&#8211;")
    for ch, ent in _ENTITIES.items():
        out = out.replace(ch, ent)
    return out


def post_id(slug: str) -> int:
    return 100 + zlib.crc32(slug.encode()) % 9000


# --------------------------------------------------------------------------------------
# body rendering
# --------------------------------------------------------------------------------------


def _question_html(a: Article, text: str, e: Callable[[str], str], heading: str = "h3") -> str:
    if a.interview_style == 1 or a.question_markup == "strong":
        return f"<strong>{e(text)}</strong>"
    if a.question_markup == "b":
        return f"<b>{e(text)}</b>"
    if a.question_markup == "h3":
        return f"<{heading}>{e(text)}</{heading}>"
    return e(text)


def body_blocks(a: Article, e: Callable[[str], str], *, subheading: str = "h3") -> list[str]:
    """Block-level HTML (``<p>``/``<hN>``) for the article body."""
    out: list[str] = []
    paras: Sequence[Paragraph] = a.paragraphs
    i = 0
    while i < len(paras):
        p = paras[i]
        if p.kind == "spacer":
            out.append("<p>&nbsp;</p>")
        elif p.kind == "subheading":
            out.append(f"<{subheading}>{e(p.text)}</{subheading}>")
        elif p.kind == "question":
            q = _question_html(a, p.text, e)
            nxt = paras[i + 1] if i + 1 < len(paras) else None
            if a.interview_style == 1 and nxt is not None and nxt.kind == "answer":
                out.append(f"<p>{q}<br>\n{e(nxt.text)}</p>")
                i += 1
            elif q.startswith("<h3>"):
                out.append(q)
            else:
                out.append(f"<p>{q}</p>")
        else:
            out.append(f"<p>{e(p.text)}</p>")
        i += 1
    return out


def body_br_segments(a: Article, e: Callable[[str], str]) -> list[str]:
    """Segments for old pages whose paragraphs are separated by ``<br><br>``."""
    out: list[str] = []
    paras = a.paragraphs
    i = 0
    while i < len(paras):
        p = paras[i]
        if p.kind == "spacer":
            out.append("&nbsp;")
        elif p.kind == "subheading":
            out.append(f"<b>{e(p.text)}</b>")
        elif p.kind == "question":
            q = _question_html(a, p.text, e)
            if q.startswith("<h3>"):
                q = f"<b>{e(p.text)}</b>"
            nxt = paras[i + 1] if i + 1 < len(paras) else None
            if a.interview_style == 1 and nxt is not None and nxt.kind == "answer":
                out.append(f"{q}<br>\n{e(nxt.text)}")
                i += 1
            else:
                out.append(q)
        else:
            out.append(e(p.text))
        i += 1
    return out


def _wrap_once(text_html: str) -> str:
    """Insert a source line break after the first sentence (whitespace must collapse)."""
    return text_html.replace(". ", ".\n      ", 1)


# --------------------------------------------------------------------------------------
# shared fragments (current generation)
# --------------------------------------------------------------------------------------


def _menu_items(cls: str) -> str:
    items = [f'<li class="{cls}"><a href="/">Forside</a></li>']
    items += [f'<li class="{cls}"><a href="{href}">{esc(label)}</a></li>' for label, href in MENU]
    return "\n".join(items)


def _footer_links() -> str:
    return (
        f'<a href="/om-cfbu/">Om CFBU</a> | <a href="/publikationer/">Publikationer</a> | '
        f'<a href="/kontakt/">Kontakt</a> | <a href="{CATEGORY_PATH}">Alle nyheder</a> | '
        f'<a href="{TAG_PATH}">#helhedsplaner</a> | <a href="{SEARCH_LINK}">Søg</a> | '
        f'<a href="{FACEBOOK}" target="_blank" rel="noopener">Facebook</a> | '
        f'<a href="{LINKEDIN}" target="_blank" rel="noopener">LinkedIn</a> | '
        f'<a href="{MAILTO}">info@cfbu.dk</a>'
    )


def _share(url: str, title: str, cls: str) -> str:

    u = quote(url, safe="")
    return (
        f'<div class="{cls}"><span>Del:</span> '
        f'<a href="https://www.facebook.com/sharer/sharer.php?u={u}" target="_blank">Facebook</a> '
        f'<a href="https://www.linkedin.com/shareArticle?mini=true&amp;url={u}" target="_blank">LinkedIn</a> '
        f'<a href="mailto:?subject={quote(title)}&amp;body={u}">E-mail</a></div>'
    )


def _pager(view: ListingView, labels: tuple[str, str], cls: str) -> str:
    if view.pages <= 1 or view.page_href is None:
        return ""
    parts = [f'<nav class="{cls}" aria-label="Sider">']
    if view.page > 1:
        parts.append(
            f'<a class="prev" rel="prev" href="{view.page_href(view.page - 1)}">{labels[0]}</a>'
        )
    for n in range(1, view.pages + 1):
        if n == view.page:
            parts.append(f'<span aria-current="page" class="current">{n}</span>')
        else:
            parts.append(f'<a class="page-numbers" href="{view.page_href(n)}">{n}</a>')
    if view.page < view.pages:
        parts.append(
            f'<a class="next" rel="next" href="{view.page_href(view.page + 1)}">{labels[1]}</a>'
        )
    parts.append("</nav>")
    return "\n".join(parts)


def _head_links(view: ListingView, base_url: str) -> str:
    if view.page_href is None:
        return ""
    out = []
    if view.page > 1:
        out.append(f'<link rel="prev" href="{base_url}{view.page_href(view.page - 1)}">')
    if view.page < view.pages:
        out.append(f'<link rel="next" href="{base_url}{view.page_href(view.page + 1)}">')
    return "\n".join(out)


def _excerpt(a: Article, words: int = 22) -> str:
    w = a.lead.split()
    return " ".join(w[:words]) + (" […]" if len(w) > words else "")


# --------------------------------------------------------------------------------------
# theme classes
# --------------------------------------------------------------------------------------


class Theme:
    """Base class: a theme renders article pages, listings and simple pages."""

    name = "base"
    generation = "current"
    encoding = "utf-8"

    def article(self, view: ArticleView, base_url: str) -> str:
        raise NotImplementedError

    def listing(self, view: ListingView, base_url: str) -> str:
        raise NotImplementedError

    def page(self, title: str, body_html: str, base_url: str, *, status: int = 200) -> str:
        raise NotImplementedError


class WpYoast(Theme):
    """Current generation with Yoast SEO (theme A)."""

    name = "wp_yoast"

    def _doc(self, title: str, head: str, body_class: str, main: str, aside: str = "") -> str:
        return f"""<!DOCTYPE html>
<html lang="da-DK">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} - {SITE_NAME}</title>
{head}
<link rel="stylesheet" id="cfbu-style-css" href="/wp-content/themes/cfbu/style.css?ver=5.2.4" type="text/css" media="all">
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">Spring til indhold</a>
<header id="masthead" class="site-header">
<div class="site-branding"><a href="/" rel="home" class="custom-logo-link">{SITE_LONG}</a></div>
<a href="javascript:void(0)" class="menu-toggle" aria-controls="primary-menu">Menu</a>
<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">
{_menu_items("menu-item")}
</ul></nav>
<form role="search" method="get" class="search-form" action="/"><label>Søg <input type="search" name="s" value=""></label></form>
<a class="search-link" href="{SEARCH_LINK}">Søg</a>
</header>
<div id="content" class="site-content">
<main id="main" class="site-main">
{main}
</main>
{aside}
</div>
<footer id="colophon" class="site-footer">
<div class="site-info"><p>{esc(ADDRESS)}</p><p>{_footer_links()}</p></div>
</footer>
</div>
</body>
</html>
"""

    def _sidebar(self, items: Sequence[LinkItem]) -> str:
        lis = "\n".join(
            f'<li><a href="{attr(i.href)}">{esc(i.title)}</a> <span class="post-date">{esc(i.date_text)}</span></li>'
            for i in items
        )
        return (
            '<aside id="secondary" class="widget-area">\n'
            '<section id="recent-posts-2" class="widget widget_recent_entries">\n'
            f'<h2 class="widget-title">Seneste nyheder</h2>\n<ul>\n{lis}\n</ul>\n</section>\n</aside>'
        )

    def article(self, view: ArticleView, base_url: str) -> str:
        a, t, url = view.article, view.title, view.url
        pub, mod = a.published.isoformat(), a.modified.isoformat()
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "WebPage",
                    "@id": url,
                    "url": url,
                    "name": f"{t} - {SITE_NAME}",
                    "isPartOf": {"@id": f"{base_url}/#website"},
                    "datePublished": pub,
                    "dateModified": mod,
                    "breadcrumb": {"@id": f"{url}#breadcrumb"},
                    "inLanguage": "da-DK",
                },
                {
                    "@type": "Article",
                    "@id": f"{url}#article",
                    "isPartOf": {"@id": url},
                    "author": {"name": "CFBU", "@id": f"{base_url}/#/schema/person/1"},
                    "headline": t,
                    "datePublished": pub,
                    "dateModified": mod,
                    "mainEntityOfPage": {"@id": url},
                    "articleSection": ["Nyheder"],
                    "inLanguage": "da-DK",
                },
                {
                    "@type": "BreadcrumbList",
                    "@id": f"{url}#breadcrumb",
                    "itemListElement": [
                        {
                            "@type": "ListItem",
                            "position": 1,
                            "name": "Hjem",
                            "item": f"{base_url}/",
                        },
                        {
                            "@type": "ListItem",
                            "position": 2,
                            "name": "Nyheder",
                            "item": f"{base_url}/nyheder/",
                        },
                        {"@type": "ListItem", "position": 3, "name": t},
                    ],
                },
                {
                    "@type": "WebSite",
                    "@id": f"{base_url}/#website",
                    "url": f"{base_url}/",
                    "name": SITE_NAME,
                },
            ],
        }
        ld = json.dumps(graph, ensure_ascii=False).replace("</", "<\\/")
        desc = attr(_excerpt(a, 25))
        head = f"""<meta name="robots" content="index, follow">
<link rel="canonical" href="{attr(url)}">
<meta property="og:locale" content="da_DK">
<meta property="og:type" content="article">
<meta property="og:title" content="{attr(t)} - {SITE_NAME}">
<meta property="og:description" content="{desc}">
<meta property="og:url" content="{attr(url)}">
<meta property="og:site_name" content="{SITE_NAME}">
<meta property="article:published_time" content="{pub}">
<meta property="article:modified_time" content="{mod}">
<meta name="twitter:card" content="summary_large_image">
<script type="application/ld+json" class="yoast-schema-graph">{ld}</script>"""
        pid = post_id(a.slug)
        content = "\n".join(body_blocks(a, esc))
        main = f"""<article id="post-{pid}" class="post-{pid} post type-post status-publish format-standard hentry category-nyheder">
<nav class="yoast-breadcrumbs"><span><span><a href="/">Hjem</a> / <span><a href="/nyheder/">Nyheder</a> / <span class="breadcrumb_last" aria-current="page">{esc(t)}</span></span></span></span></nav>
<header class="entry-header">
<span class="category-label"><a href="{CATEGORY_PATH}" rel="category tag">nyheder</a></span>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{pub}">{esc(a.danish_date)}</time><time class="updated" datetime="{mod}" hidden></time></span></div>
<h1 class="entry-title">{esc(t)}</h1>
</header>
<div class="entry-content">
{content}
</div>
<footer class="entry-footer">
<span class="tags-links">Tags: <a href="{TAG_PATH}" rel="tag">helhedsplaner</a></span>
{_share(url, t, "sharedaddy sd-sharing")}
<p class="back-to-news"><a class="button" href="/nyheder/">Se seneste nyheder</a></p>
</footer>
</article>"""
        return self._doc(
            t,
            head,
            f"post-template-default single single-post postid-{pid} single-format-standard",
            main,
            self._sidebar(view.sidebar),
        )

    def listing(self, view: ListingView, base_url: str) -> str:
        arts = "\n".join(
            f"""<article class="post type-post status-publish hentry">
<header class="entry-header"><h2 class="entry-title"><a href="{attr(i.href)}" rel="bookmark">{esc(i.title)}</a></h2>
<div class="entry-meta"><span class="posted-on">{esc(i.date_text)}</span></div></header>
<div class="entry-summary"><p>{esc(i.excerpt)}</p></div>
<a class="more-link" href="{attr(i.href)}">Læs mere<span class="screen-reader-text"> {esc(i.title)}</span></a>
</article>"""
            for i in view.items
        )
        main = f"""<header class="page-header"><h1 class="page-title">{esc(view.heading)}</h1>{f'<div class="archive-description"><p>{esc(view.intro)}</p></div>' if view.intro else ""}</header>
{arts if arts else '<p class="no-results">Ingen resultater.</p>'}
{_pager(view, ("« Forrige", "Næste »"), "navigation pagination nav-links")}"""
        return self._doc(view.heading, _head_links(view, base_url), "blog archive", main)

    def page(self, title: str, body_html: str, base_url: str, *, status: int = 200) -> str:
        main = f'<article class="page type-page"><h1 class="entry-title">{esc(title)}</h1>\n<div class="entry-content">{body_html}</div></article>'
        cls = "error404" if status == 404 else "page-template-default page"
        return self._doc(title, "", cls, main)


class WpPlain(Theme):
    """Current generation, plain theme without structured data (theme B)."""

    name = "wp_plain"

    def _doc(self, title: str, head: str, main: str, sidebar: str = "") -> str:
        return f"""<!doctype html>
<html lang="da">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{esc_entities(title)} | {SITE_NAME}</title>
{head}
<link rel="stylesheet" href="/wp-content/themes/plain/style.css" type="text/css">
</head>
<body>
<div id="wrap">
<div id="top"><a href="/" id="logo">{SITE_LONG}</a> <a href="javascript:void(0)" id="burger">&#9776;</a>
<ul id="menu">
{_menu_items("m")}
<li class="m"><a href="{SEARCH_LINK}">Søg</a></li>
</ul></div>
<div id="content">
{main}
</div>
<div id="sidebar">{sidebar}</div>
<div id="footer"><p>{esc(ADDRESS)}</p><p>{_footer_links()}</p></div>
</div>
</body>
</html>
"""

    def article(self, view: ArticleView, base_url: str) -> str:
        a, t = view.article, view.title
        blocks = [_wrap_once(b) for b in body_blocks(a, esc_entities, subheading="h4")]
        blocks.append('<p class="more"><a href="/nyheder/">Se seneste nyheder</a></p>')
        body = "\n".join(blocks)
        side = "\n".join(
            f'<li><a href="{attr(i.href)}">{esc_entities(i.title)}</a><br><small>{esc(i.date_text)}</small></li>'
            for i in view.sidebar
        )
        main = f"""<div class="crumbs"><a href="/">Hjem</a> / <a href="/nyheder/">Nyheder</a> / <span>{esc_entities(t)}</span></div>
<div class="post" id="post-{post_id(a.slug)}">
<p class="meta"><a class="cat" href="{CATEGORY_PATH}">nyheder</a></p>
<p class="meta date">{esc(a.danish_date)}</p>
<h2 class="posttitle">{esc_entities(t)}</h2>
<div class="post-body">
{body}
</div>
<p class="postmetadata">Tags: <a href="{TAG_PATH}">helhedsplaner</a></p>
{_share(view.url, t, "share")}
</div>"""
        sidebar = f"<h3>Seneste nyheder</h3>\n<ul>\n{side}\n</ul>"
        return self._doc(t, "", main, sidebar)

    def listing(self, view: ListingView, base_url: str) -> str:
        items = "\n".join(
            f'<div class="entry"><h3><a href="{attr(i.href)}">{esc_entities(i.title)}</a></h3>'
            f'<p class="meta">{esc(i.date_text)}</p><p>{esc_entities(i.excerpt)}</p></div>'
            for i in view.items
        )
        main = f"""<h1>{esc(view.heading)}</h1>
{items if items else "<p>Ingen resultater.</p>"}
{_pager(view, ("Forrige", "Næste"), "pager")}"""
        return self._doc(view.heading, _head_links(view, base_url), main)

    def page(self, title: str, body_html: str, base_url: str, *, status: int = 200) -> str:
        return self._doc(title, "", f'<h1>{esc(title)}</h1>\n<div class="page">{body_html}</div>')


class Wp2024(Theme):
    """The v2 redesign (theme C): new class names, banner, cookies, related block."""

    name = "wp_2024"

    def _doc(self, title: str, head: str, body_class: str, main: str) -> str:
        return f"""<!DOCTYPE html>
<html lang="da-DK" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{esc(title)} – {SITE_NAME}</title>
{head}
<link rel="preload" href="/wp-content/themes/cfbu2024/fonts/inter.woff2" as="font" crossorigin>
<link rel="stylesheet" href="/wp-content/themes/cfbu2024/app.css?v=24.1">
<script src="/wp-content/themes/cfbu2024/app.js?v=24.1" defer></script>
<script>document.documentElement.classList.remove("no-js");window.dataLayer=window.dataLayer||[];function gtag(){{dataLayer.push(arguments);}}gtag("js",new Date());</script>
</head>
<body class="t24 {body_class}">
<div class="t24-banner" role="region" aria-label="Nyhed">Ny hjemmeside – <a href="/om-cfbu/">læs om CFBU’s nye strategi</a></div>
<header class="t24-header">
<a class="t24-logo" href="/" aria-label="{SITE_LONG}"><svg width="90" height="30" role="img"><title>{SITE_NAME}</title><rect width="90" height="30"></rect></svg></a>
<button class="t24-burger" type="button" aria-expanded="false">Menu</button>
<nav class="t24-nav" aria-label="Hovedmenu"><ul>
{_menu_items("t24-nav__item")}
</ul></nav>
<a class="t24-search" href="{SEARCH_LINK}" aria-label="Søg">&#128269;</a>
</header>
<main class="t24-main" id="indhold">
<div class="t24-container">
{main}
</div>
</main>
<div class="t24-cookie" role="dialog" aria-live="polite"><p>Vi bruger cookies til statistik og til at forbedre hjemmesiden.</p><a href="javascript:void(0)" class="t24-cookie__ok">OK</a> <a href="/om-cfbu/">Læs mere om cookies</a></div>
<footer class="t24-footer">
<div class="t24-footer__col"><strong>{SITE_LONG}</strong><br>Vesterbrogade 1, 1620 København V</div>
<div class="t24-footer__col">{_footer_links()}</div>
<div class="t24-footer__col">© 2020 CFBU</div>
</footer>
<script>(function(){{var b=document.querySelector(".t24-burger");if(b){{b.addEventListener("click",function(){{document.body.classList.toggle("nav-open");}});}}}})();</script>
</body>
</html>
"""

    def article(self, view: ArticleView, base_url: str) -> str:
        a, t, url = view.article, view.title, view.url
        local_pub = a.published_local.isoformat(timespec="seconds")
        ld_article = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": t,
            "datePublished": local_pub,
            "dateModified": a.modified.isoformat(),
            "mainEntityOfPage": url,
            "publisher": {"@type": "Organization", "name": SITE_LONG},
        }
        ld_crumbs = {
            "@context": "https://schema.org",
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Hjem", "item": f"{base_url}/"},
                {
                    "@type": "ListItem",
                    "position": 2,
                    "name": "Nyheder",
                    "item": f"{base_url}/nyheder/",
                },
                {"@type": "ListItem", "position": 3, "name": t, "item": url},
            ],
        }
        head = f"""<link rel="canonical" href="{attr(url)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{attr(t)}">
<meta property="og:url" content="{attr(url)}">
<meta property="article:published_time" content="{local_pub}">
<script type="application/ld+json">{json.dumps(ld_article, ensure_ascii=False)}</script>
<script type="application/ld+json">{json.dumps(ld_crumbs, ensure_ascii=False)}</script>"""
        rel = "\n".join(
            f'<li class="t24-card"><a href="{attr(i.href)}"><h3 class="t24-card__title">{esc(i.title)}</h3>'
            f'<p class="t24-card__text">{esc(i.excerpt)}</p><span class="t24-card__date">{esc(i.date_text)}</span></a></li>'
            for i in view.related
        )
        content = "\n".join(body_blocks(a, esc, subheading="h2"))
        main = f"""<ol class="t24-crumbs" aria-label="Brødkrumme"><li><a href="/">Hjem</a></li><li class="t24-crumbs__sep" aria-hidden="true">/</li><li><a href="/nyheder/">Nyheder</a></li><li class="t24-crumbs__sep" aria-hidden="true">/</li><li aria-current="page">{esc(t)}</li></ol>
<div class="t24-story">
<div class="t24-kicker"><a href="{CATEGORY_PATH}">nyheder</a></div>
<div class="t24-dateline"><time datetime="{a.published_date}">{esc(a.danish_date)}</time></div>
<h1 class="t24-headline">{esc(t)}</h1>
<section class="t24-richtext">
{content}
</section>
<a class="t24-btn t24-btn--ghost" href="/nyheder/">Se seneste nyheder</a>
{_share(url, t, "t24-share")}
</div>
<section class="t24-related"><h2 class="t24-related__title">Relaterede artikler</h2><ul>
{rel}
</ul></section>"""
        return self._doc(t, head, "t24--single", main)

    def listing(self, view: ListingView, base_url: str) -> str:
        cards = "\n".join(
            f'<li class="t24-card"><a class="t24-card__link" href="{attr(i.href)}"><span class="t24-card__date">{esc(i.date_text)}</span>'
            f'<h2 class="t24-card__title">{esc(i.title)}</h2><p class="t24-card__text">{esc(i.excerpt)}</p></a></li>'
            for i in view.items
        )
        main = f"""<h1 class="t24-pagetitle">{esc(view.heading)}</h1>
<ul class="t24-grid">
{cards if cards else '<li class="t24-empty">Ingen resultater.</li>'}
</ul>
{_pager(view, ("Forrige", "Næste"), "t24-pager")}"""
        return self._doc(view.heading, _head_links(view, base_url), "t24--archive", main)

    def page(self, title: str, body_html: str, base_url: str, *, status: int = 200) -> str:
        return self._doc(
            title,
            "",
            "t24--page",
            f'<h1 class="t24-pagetitle">{esc(title)}</h1>\n<div class="t24-richtext">{body_html}</div>',
        )


class OldCms(Theme):
    """The older CMS: table layout, font tags, windows-1252."""

    name = OLD_THEME
    generation = "old"
    encoding = "cp1252"

    def __init__(self, *, meta_charset: bool = True) -> None:
        self.meta_charset = meta_charset

    def _doc(self, title: str, trail: str, main: str) -> str:
        meta = (
            '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">\n'
            if self.meta_charset
            else ""
        )
        menu = "<br>\n".join(
            ['<a href="/"><font color="#003366">Forside</font></a>']
            + [
                f'<a href="{href}"><font color="#003366">{esc(label)}</font></a>'
                for label, href in MENU
            ]
            + [
                f'<a href="{SEARCH_LINK}"><font color="#003366">Søg</font></a>',
                f'<a href="{CATEGORY_PATH}"><font color="#003366">Arkiv</font></a>',
                f'<a href="{TAG_PATH}"><font color="#003366">Helhedsplaner</font></a>',
            ]
        )
        return f"""<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">
<html>
<head>
{meta}<title>CFBU - {esc(title)}</title>
<script language="JavaScript" type="text/javascript">function popup(u){{window.open(u,'p','width=400,height=300');}}</script>
</head>
<body bgcolor="#ffffff" leftmargin="0" topmargin="0" marginwidth="0" marginheight="0">
<table width="780" border="0" cellpadding="0" cellspacing="0" align="center">
<tr><td colspan="2" bgcolor="#003366" height="60"><font face="Verdana, Arial" color="#ffffff" size="4"><b>&nbsp;{SITE_LONG}</b></font></td></tr>
<tr>
<td width="160" valign="top" bgcolor="#eeeeee"><font face="Verdana, Arial" size="2">
{menu}<br><br>
<a href="{FACEBOOK}" target="_blank">Facebook</a><br>
<a href="{LINKEDIN}" target="_blank">LinkedIn</a><br>
<a href="javascript:void(0)" onclick="popup('/nyhedsbrev.asp')">Nyhedsbrev</a>
</font></td>
<td valign="top" width="620">
<table width="100%" border="0" cellpadding="8" cellspacing="0">
<tr><td class="sti"><font face="Verdana, Arial" size="1">{trail}</font></td></tr>
{main}
</table>
</td>
</tr>
<tr><td colspan="2" align="center" bgcolor="#eeeeee"><font face="Verdana, Arial" size="1">{esc(ADDRESS)} · <a href="{MAILTO}">info@cfbu.dk</a></font></td></tr>
</table>
</body>
</html>
"""

    def article(self, view: ArticleView, base_url: str) -> str:
        a, t = view.article, view.title
        if view.variant % 2 == 0:
            segs = body_br_segments(a, esc)
            joined = "<br><br>\n".join(segs)
            body = f'<tr><td class="tekst"><font face="Verdana, Arial" size="2">\n{joined}\n</font></td></tr>'
        else:
            blocks = body_blocks(a, esc)
            body = '<tr><td class="tekst">\n' + "\n".join(blocks) + "\n</td></tr>"
        trail = (
            f'Du er her: <a href="/">Forside</a> &gt; <a href="/nyheder/">Nyheder</a> &gt; {esc(t)}'
        )
        main = f"""<tr><td><font face="Verdana, Arial" size="4" color="#003366"><b>{esc(t)}</b></font><br>
<font face="Verdana, Arial" size="1" color="#666666">{a.numeric_date}</font></td></tr>
{body}
<tr><td><font face="Verdana, Arial" size="1"><a href="/nyheder/">&laquo; Tilbage til nyheder</a> | <a href="javascript:window.print()">Udskriv</a> | <a href="mailto:?subject={quote(t)}">Send til en ven</a></font></td></tr>"""
        return self._doc(f"Nyheder - {t}", trail, main)

    def listing(self, view: ListingView, base_url: str) -> str:
        rows = "\n".join(
            f'<tr><td valign="top" width="80"><font face="Verdana, Arial" size="1">{esc(i.date_text)}</font></td>'
            f'<td><font face="Verdana, Arial" size="2"><a href="{attr(i.href)}"><b>{esc(i.title)}</b></a><br>{esc(i.excerpt)}</font></td></tr>'
            for i in view.items
        )
        pager = ""
        if view.pages > 1 and view.page_href is not None:
            links = []
            if view.page > 1:
                links.append(f'<a href="{view.page_href(view.page - 1)}">&laquo; Forrige</a>')
            for n in range(1, view.pages + 1):
                links.append(
                    f"<b>{n}</b>" if n == view.page else f'<a href="{view.page_href(n)}">{n}</a>'
                )
            if view.page < view.pages:
                links.append(f'<a href="{view.page_href(view.page + 1)}">Næste &raquo;</a>')
            pager = f'<tr><td><font face="Verdana, Arial" size="1">Side: {" ".join(links)}</font></td></tr>'
        trail = f'Du er her: <a href="/">Forside</a> &gt; {esc(view.heading)}'
        main = f"""<tr><td><font face="Verdana, Arial" size="4" color="#003366"><b>{esc(view.heading)}</b></font></td></tr>
<tr><td><table width="100%" border="0" cellpadding="4">
{rows if rows else '<tr><td><font size="2">Ingen resultater.</font></td></tr>'}
</table></td></tr>
{pager}"""
        return self._doc(view.heading, trail, main)

    def page(self, title: str, body_html: str, base_url: str, *, status: int = 200) -> str:
        trail = f'Du er her: <a href="/">Forside</a> &gt; {esc(title)}'
        main = f'<tr><td><font face="Verdana, Arial" size="4" color="#003366"><b>{esc(title)}</b></font></td></tr>\n<tr><td><font face="Verdana, Arial" size="2">{body_html}</font></td></tr>'
        return self._doc(title, trail, main)


def get_theme(name: str, *, variant: int = 0) -> Theme:
    """Theme instance by name; ``variant`` picks small per-page variations."""
    if name == "wp_yoast":
        return WpYoast()
    if name == "wp_plain":
        return WpPlain()
    if name == "wp_2024":
        return Wp2024()
    if name == OLD_THEME:
        return OldCms(meta_charset=variant % 3 != 1)
    raise ValueError(f"unknown theme {name!r}; choose from {', '.join(ALL_THEMES)}")
