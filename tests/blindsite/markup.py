"""Markups of the blind change site, written for these tests (none is the demo's):

* ``ledger`` (v1): a static-site-generator look — ``ul.crumbs``, ``article.entry`` with a
  category link, a ``<time>`` in UTC (``Z``) and the title in its header, questions in
  ``<strong>``, a plain ``/nyheder/page/N/`` pager ("Ældre indlæg →").
* ``bs5`` (v2): a Bootstrap 5 redesign — cookie banner, navbar, a sidebar of other
  articles with their dates *before* the article in source order, ``ol.breadcrumb``, a
  badge category, ``<time>`` with a local offset, questions as ``<h3>``, a "Relaterede
  artikler" block with dates *inside* the article card, JSON-LD, inline and external
  scripts, a ``?page=N`` pager.
* ``table`` (the old generation): nested tables, ``<font>``, "Du er her:" trail with
  ``&gt;``, numeric dates, a footer "Siden er opdateret" date, windows-1252.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Sequence
from datetime import timezone

from blindsite.content import Item, OldItem

MONTHS = [
    *("januar", "februar", "marts", "april", "maj", "juni"),
    *("juli", "august", "september", "oktober", "november", "december"),
]


# A theme's inline critical CSS and scripts: real themes inline tens of kilobytes of it on
# every page (pseudo-random, so that it compresses about as well as real CSS does).
def _css(seed: int, rules: int) -> str:
    rng = random.Random(seed)
    words = ["wrap", "grid", "card", "nav", "hero", "meta", "item", "link", "list", "title"]
    out = []
    for _ in range(rules):
        name = "-".join(rng.choice(words) for _ in range(2)) + f"-{rng.randrange(10**6):x}"
        out.append(
            f".{name}{{margin:{rng.randrange(40)}px {rng.randrange(40)}px;"
            f"color:#{rng.randrange(0xFFFFFF):06x};flex:{rng.randrange(1, 9)} 1 "
            f"{rng.randrange(100)}%}}"
        )
    return "\n".join(out)


LEDGER_CSS = _css(1, 300)
BS5_CSS = _css(2, 360)


def e(text: str) -> str:
    return html.escape(text, quote=True)


def long_date(item: Item) -> str:
    d = item.published
    return f"{d.day}. {MONTHS[d.month - 1]} {d.year}"


def _para_ledger(kind: str, text: str) -> str:
    if kind == "q":
        return f"<p><strong>{e(text)}</strong></p>"
    return f"<p>{e(text)}</p>"


def _para_bs5(kind: str, text: str) -> str:
    if kind == "q":
        return f'<h3 class="h5 mt-4">{e(text)}</h3>'
    if kind == "a":
        return f'<p class="answer">&ndash; {e(text[2:])}</p>'
    return f"<p>{e(text)}</p>"


# -- ledger (v1) -------------------------------------------------------------------------


def _ledger_doc(title: str, main: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="da">
<head>
<meta charset="utf-8">
<title>{e(title)} · CFBU</title>
<meta name="generator" content="Ledger 0.9">
<style>{LEDGER_CSS}</style>
<link rel="alternate" type="application/rss+xml" href="/nyheder/index.xml">
</head>
<body class="kind-page">
<header class="masthead"><div class="wrap">
<a class="brand" href="/">Center for Boligsocial Udvikling</a>
<ul class="topnav">
<li><a href="/">Hjem</a></li><li><a href="/nyheder/">Nyheder</a></li>
<li><a href="/publikationer/">Publikationer</a></li><li><a href="/om/">Om os</a></li>
</ul></div></header>
<div class="wrap content">
{main}
</div>
<footer class="sitefoot"><div class="wrap">
<p>CFBU · Vesterbrogade 1 · 1620 København V</p>
<p><a href="mailto:cfbu@example.org">cfbu@example.org</a> ·
<a href="https://www.linkedin.com/company/example">LinkedIn</a></p>
</div></footer>
</body>
</html>"""


def ledger_article(item: Item, path: str) -> str:
    utc = item.published.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    body = "\n".join(_para_ledger(k, t) for k, t in item.paras)
    main = f"""<ul class="crumbs">
<li><a href="/">Hjem</a></li>
<li><a href="/nyheder/">Nyheder</a></li>
<li class="here">{e(item.title)}</li>
</ul>
<article class="entry">
<header class="entry-head">
<a class="entry-cat" href="/nyheder/kategori/{e(item.category)}/">{e(item.category)}</a>
<time class="entry-date" datetime="{utc}">{long_date(item)}</time>
<h1 class="entry-title">{e(item.title)}</h1>
</header>
<div class="entry-text">
{body}
</div>
<footer class="entry-foot"><a href="/nyheder/">Se seneste nyheder</a></footer>
</article>"""
    return _ledger_doc(item.title, main)


def ledger_listing(items: Sequence[tuple[Item, str]], page: int, pages: int) -> str:
    rows = "\n".join(
        f'<li><span class="post-date">{long_date(i)}</span> '
        f'<a class="post-link" href="{href}">{e(i.title)}</a>'
        f'<p class="summary">{e(i.paras[0][1][:90])}</p></li>'
        for i, href in items
    )
    pager = []
    if page > 1:
        prev = "/nyheder/" if page == 2 else f"/nyheder/page/{page - 1}/"
        pager.append(f'<a class="prev" href="{prev}">&larr; Nyere indlæg</a>')
    if page < pages:
        pager.append(f'<a class="next" href="/nyheder/page/{page + 1}/">Ældre indlæg &rarr;</a>')
    main = f"""<h1 class="list-title">Nyheder</h1>
<ul class="post-list">
{rows}
</ul>
<nav class="pagination">{" ".join(pager)}</nav>"""
    return _ledger_doc("Nyheder", main)


# -- bs5 (v2) --------------------------------------------------------------------------


def _bs5_doc(title: str, main: str, ld: dict | None = None) -> str:
    ld_html = (
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        if ld
        else ""
    )
    return f"""<!doctype html>
<html lang="da" data-bs-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)} | Center for Boligsocial Udvikling</title>
<link href="/assets/css/bootstrap.min.css" rel="stylesheet">
<style>{BS5_CSS}</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}
gtag('js', new Date()); gtag('config', 'G-XXXXXXX');</script>
{ld_html}
</head>
<body class="d-flex flex-column min-vh-100">
<div id="cookie-consent" class="alert alert-dark fixed-bottom mb-0 rounded-0" role="dialog">
<div class="container d-flex align-items-center gap-3">
<p class="mb-0">Vi bruger cookies til at lave statistik over besøg på siden. Er det i orden?</p>
<button class="btn btn-light btn-sm" data-consent="yes">Ja tak</button>
<button class="btn btn-outline-light btn-sm" data-consent="no">Nej tak</button>
</div></div>
<nav class="navbar navbar-expand-lg bg-body-tertiary">
<div class="container">
<a class="navbar-brand fw-bold" href="/">CFBU</a>
<ul class="navbar-nav me-auto">
<li class="nav-item"><a class="nav-link" href="/">Forside</a></li>
<li class="nav-item"><a class="nav-link active" href="/nyheder/">Nyheder</a></li>
<li class="nav-item"><a class="nav-link" href="/viden/">Viden</a></li>
<li class="nav-item"><a class="nav-link" href="/kontakt/">Kontakt</a></li>
</ul>
<form class="d-flex" action="/nyheder/" role="search"><input class="form-control" name="s"
 placeholder="Søg"></form>
</div></nav>
<main class="container py-4 flex-grow-1">
{main}
</main>
<footer class="bg-dark text-light py-4 mt-auto"><div class="container row">
<div class="col-md-6"><h2 class="h6">Center for Boligsocial Udvikling</h2>
<p class="small">Vesterbrogade 1, 1620 København V · CVR 12345678</p></div>
<div class="col-md-6"><p class="small">© 2016 CFBU · <a href="/privatliv/">Privatlivspolitik</a></p>
</div></div></footer>
<script src="/assets/js/bootstrap.bundle.min.js"></script>
<script>document.querySelectorAll('[data-consent]').forEach(function (b) {{
  b.addEventListener('click', function () {{ document.getElementById('cookie-consent').remove(); }});
}});</script>
</body>
</html>"""


def _bs5_sidebar(others: Sequence[tuple[Item, str]]) -> str:
    rows = "\n".join(
        f'<li class="list-group-item"><a href="{href}">{e(i.title)}</a><br>'
        f'<small class="text-body-secondary">{long_date(i)}</small></li>'
        for i, href in others
    )
    return f"""<div class="col-lg-4 order-lg-last">
<div class="card mb-4"><div class="card-header fw-bold">Seneste nyheder</div>
<ul class="list-group list-group-flush">
{rows}
</ul></div>
<div class="card"><div class="card-body"><h2 class="h6">Nyhedsbrev</h2>
<p class="small">Få de seneste nyheder fra CFBU direkte i indbakken hver måned.</p></div></div>
</div>"""


def bs5_article(
    item: Item, path: str, sidebar: Sequence[tuple[Item, str]], related: Sequence[tuple[Item, str]]
) -> str:
    local = item.published.isoformat()
    body = "\n".join(_para_bs5(k, t) for k, t in item.paras)
    rel = "\n".join(
        f'<li class="mb-2"><a href="{href}">{e(i.title)}</a> '
        f'<span class="text-body-secondary small">{long_date(i)}</span></li>'
        for i, href in related
    )
    main = f"""<div class="row g-5">
{_bs5_sidebar(sidebar)}
<div class="col-lg-8">
<nav aria-label="breadcrumb">
<ol class="breadcrumb">
<li class="breadcrumb-item"><a href="/">Hjem</a></li>
<li class="breadcrumb-item"><a href="/nyheder/">Nyheder</a></li>
<li class="breadcrumb-item active" aria-current="page">{e(item.title)}</li>
</ol>
</nav>
<article class="card border-0 shadow-sm">
<div class="card-body p-lg-5">
<span class="badge rounded-pill text-bg-secondary text-uppercase mb-2">{e(item.category)}</span>
<h1 class="card-title display-6">{e(item.title)}</h1>
<p class="text-body-secondary"><time datetime="{local}">{long_date(item)}</time></p>
<div class="card-text article-content fs-5">
{body}
</div>
<div class="related border-top mt-5 pt-4">
<h2 class="h5">Relaterede artikler</h2>
<ul class="list-unstyled">
{rel}
</ul>
</div>
<a class="btn btn-outline-primary mt-3" href="/nyheder/">Se seneste nyheder</a>
</div>
</article>
</div>
</div>"""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": item.title,
        "datePublished": local,
        "publisher": {"@type": "Organization", "name": "CFBU"},
    }
    return _bs5_doc(item.title, main, ld)


def bs5_listing(items: Sequence[tuple[Item, str]], page: int, pages: int) -> str:
    cards = "\n".join(
        f'<div class="col"><div class="card h-100"><div class="card-body">'
        f'<p class="small text-body-secondary mb-1">{long_date(i)}</p>'
        f'<h2 class="h5 card-title"><a class="stretched-link" href="{href}">{e(i.title)}</a></h2>'
        f'<p class="card-text">{e(i.paras[0][1][:90])}</p></div></div></div>'
        for i, href in items
    )

    def link(n: int) -> str:
        return "/nyheder/" if n == 1 else f"/nyheder/?page={n}"

    pager = "".join(
        f'<li class="page-item{" active" if n == page else ""}">'
        f'<a class="page-link" href="{link(n)}">{n}</a></li>'
        for n in range(1, pages + 1)
    )
    if page < pages:
        pager += (
            f'<li class="page-item"><a class="page-link" href="{link(page + 1)}" '
            'aria-label="Næste">&raquo;</a></li>'
        )
    main = f"""<h1 class="mb-4">Nyheder</h1>
<div class="row row-cols-1 row-cols-md-2 g-4">
{cards}
</div>
<nav aria-label="Sider" class="mt-4"><ul class="pagination">{pager}</ul></nav>"""
    return _bs5_doc("Nyheder", main)


def not_found(status: int) -> str:
    word = "Siden findes ikke" if status == 404 else "Siden er fjernet"
    return f"<!doctype html><html lang=da><meta charset=utf-8><title>{word}</title><h1>{word}</h1>"


# -- table (old generation) ----------------------------------------------------------------


def numeric(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{d}.{m}.{y}"


def _table_doc(title: str, content: str, updated: str) -> str:
    return f"""<HTML>
<HEAD>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=windows-1252">
<TITLE>CFBU - {e(title)}</TITLE>
</HEAD>
<BODY BGCOLOR="#FFFFFF" TOPMARGIN=0 LEFTMARGIN=0>
<TABLE WIDTH=760 BORDER=0 CELLPADDING=0 CELLSPACING=0>
<TR><TD COLSPAN=2 BGCOLOR="#003366"><FONT FACE="Verdana" SIZE=4 COLOR="#FFFFFF">
<B>Center for Boligsocial Udvikling</B></FONT></TD></TR>
<TR>
<TD WIDTH=150 VALIGN=TOP BGCOLOR="#EEEEEE">
<FONT FACE="Verdana" SIZE=1>
<A HREF="/">Forside</A><BR>
<A HREF="/nyheder/">Nyheder</A><BR>
<A HREF="/projekter/">Projekter</A><BR>
<A HREF="/kontakt/">Kontakt</A><BR>
</FONT>
</TD>
<TD WIDTH=610 VALIGN=TOP>
{content}
</TD>
</TR>
<TR><TD COLSPAN=2 ALIGN=CENTER><FONT FACE="Verdana" SIZE=1>
CFBU &middot; Valby Langgade 1 &middot; Siden er opdateret {updated}
</FONT></TD></TR>
</TABLE>
</BODY>
</HTML>"""


def table_article(item: OldItem, updated: str) -> str:
    paras = "<BR><BR>\n".join(e(p) for p in item.paras)
    content = f"""<TABLE WIDTH="100%" CELLPADDING=6><TR><TD>
<FONT FACE="Verdana" SIZE=1>Du er her: <A HREF="/">Forside</A> &gt;
<A HREF="/nyheder/">Nyheder</A> &gt; {e(item.title)}</FONT>
</TD></TR>
<TR><TD>
<FONT FACE="Verdana" SIZE=1 COLOR="#666666">{numeric(item.date)}</FONT><BR>
<FONT FACE="Verdana" SIZE=3><B>{e(item.title)}</B></FONT>
</TD></TR>
<TR><TD><FONT FACE="Verdana" SIZE=2>
{paras}
</FONT></TD></TR>
<TR><TD><FONT FACE="Verdana" SIZE=1><A HREF="/nyheder/">Tilbage til nyheder</A></FONT></TD></TR>
</TABLE>"""
    return _table_doc(item.title, content, updated)


def table_listing(items: Sequence[tuple[OldItem, str]], page: int, pages: int, updated: str) -> str:
    rows = "\n".join(
        f'<TR><TD WIDTH=80><FONT FACE="Verdana" SIZE=1>{numeric(i.date)}</FONT></TD>'
        f'<TD><FONT FACE="Verdana" SIZE=2><A HREF="{href}">{e(i.title)}</A></FONT></TD></TR>'
        for i, href in items
    )
    links = " ".join(
        f"<B>{n}</B>" if n == page else f'<A HREF="/nyheder/page/{n}/">{n}</A>'
        for n in range(1, pages + 1)
    )
    content = f"""<FONT FACE="Verdana" SIZE=3><B>Nyheder</B></FONT>
<TABLE WIDTH="100%" CELLPADDING=4>
{rows}
</TABLE>
<FONT FACE="Verdana" SIZE=1>Side: {links}</FONT>"""
    return _table_doc("Nyheder", content, updated)
