"""A news site written for the serve and WARC tests, in markup none of the other fixture
sites use: a magazine look with a "Du er her:" trail separated by ``›``, the headline in
``h1.story__headline``, a meta line with ``<time>`` in local time and a category link, the
text in ``div.story__text`` and interview questions in ``<b>`` followed by "– " answers.

Articles (gzip-compressed when the client accepts it, with ETags) live at
``/nyheder/<slug>/``; the listing at ``/nyheder/`` and ``/nyheder/page/2/`` has four
articles a page. ``FreshSite.edit()`` changes one article and removes another, for a
second crawl with something to report.
"""

from __future__ import annotations

import gzip
import hashlib
import html
from dataclasses import dataclass, field

from cfbu_crawler.demo.site import Response

PER_PAGE = 4


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    published: str  # ISO date
    category: str
    lead: str
    paragraphs: tuple[str, ...]
    qa: tuple[tuple[str, str], ...] = ()


MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)

STORIES: tuple[Story, ...] = (
    Story(
        "groenne-gaarde-i-soenderbro",
        "Grønne gårde i Sønderbro",
        "2021-06-18",
        "Nyheder",
        "Beboerne i Sønderbro har forvandlet tre asfaltgårde til grønne køkkenhaver.",
        (
            "Projektet begyndte med en idé på et beboermøde i foråret.",
            "Nu dyrker over fyrre familier grøntsager side om side, og gårdene er blevet "
            "et mødested for både børn og ældre.",
        ),
    ),
    Story(
        "tre-spoergsmaal-om-faellesskab",
        "Tre spørgsmål om fællesskab i opgangen",
        "2021-03-02",
        "Interview",
        "Vi har talt med boligsocial medarbejder Ea Kjærgaard om naboskab.",
        (),
        (
            (
                "Hvad betyder fællesskab i opgangen?",
                "At man kender sine naboer godt nok til at låne en stige.",
            ),
            (
                "Hvordan kommer man i gang?",
                "Med små ting: en fælles kaffe på trappen en lørdag formiddag.",
            ),
            ("Hvad er næste skridt?", "Vi vil prøve det samme i de store blokke i Ørstedparken."),
        ),
    ),
    Story(
        "lektiehjaelp-paa-biblioteket",
        "Lektiehjælp på biblioteket hver tirsdag",
        "2020-11-10",
        "Nyheder",
        "Frivillige studerende hjælper skolebørn med matematik og dansk.",
        ("Tilbuddet er gratis, og der er kage.",),
    ),
    Story(
        "ny-rapport-om-tryghed",
        "Ny rapport om tryghed i almene boligområder",
        "2020-08-25",
        "Publikationer",
        "Rapporten samler erfaringer fra tolv boligområder.",
        ("Den viser, at belysning og synlige voksne gør en forskel.",),
    ),
    Story(
        "sommerfest-med-rekordfremmoede",
        "Sommerfest med rekordfremmøde",
        "2019-08-12",
        "Nyheder",
        "Mere end fem hundrede beboere kom til årets sommerfest.",
        ("Der var musik, mad fra otte lande og hoppeborg til de mindste.",),
    ),
    Story(
        "moed-naboerne-i-aalborg-oest",
        "Mød naboerne i Aalborg Øst",
        "2019-04-01",
        "Interview",
        "To naboer fortæller om livet i bebyggelsen.",
        (),
        (
            ("Hvorfor flyttede I hertil?", "Fordi her er plads og luft, og skolen er god."),
            ("Hvad ville I ændre?", "Flere bænke og en bedre busforbindelse om aftenen."),
        ),
    ),
)


def danish_date(iso: str) -> str:
    year, month, day = (int(part) for part in iso.split("-"))
    return f"{day}. {MONTHS[month - 1]} {year}"


def story_html(story: Story, base_url: str) -> str:
    e = html.escape
    url = f"{base_url}/nyheder/{story.slug}/"
    text = [f'<p class="intro">{e(story.lead)}</p>']
    text += [f"<p>{e(p)}</p>" for p in story.paragraphs]
    for question, answer in story.qa:
        text += [f"<p><b>{e(question)}</b></p>", f"<p>– {e(answer)}</p>"]
    body = "\n        ".join(text)
    return f"""<!DOCTYPE html>
<html lang="da">
<head>
  <meta charset="utf-8">
  <title>{e(story.title)} · Boligsocialt Nyt</title>
  <link rel="canonical" href="{e(url)}">
  <link rel="stylesheet" href="/static/mag.css">
  <script>window.magTrack = window.magTrack || []; magTrack.push("view");</script>
</head>
<body class="mag mag--story">
  <div class="mag-frame">
    <nav class="mag-top"><a href="/">Boligsocialt Nyt</a> <a href="/nyheder/">Nyheder</a>
      <a href="/om/">Om os</a></nav>
    <div class="mag-trail">Du er her: <a href="/">Forside</a> › <a href="/nyheder/">Nyheder</a>
      › <span>{e(story.title)}</span></div>
    <main id="indhold">
      <div class="story">
        <h1 class="story__headline">{e(story.title)}</h1>
        <p class="story__meta">Af redaktionen · Udgivet
          <time datetime="{story.published}T10:15:00+01:00">{danish_date(story.published)}</time>
          · Kategori: <a href="/kategori/{story.category.lower()}/">{e(story.category)}</a></p>
        <div class="story__text">
        {body}
        </div>
      </div>
    </main>
    <footer class="mag-foot">Boligsocialt Nyt · Testgade 1 · 9999 Prøveby</footer>
  </div>
</body>
</html>
"""


def listing_html(stories: list[Story], page: int, pages: int, base_url: str) -> str:
    e = html.escape
    items = "\n".join(
        f'      <li class="teaser"><a class="teaser__link" href="/nyheder/{s.slug}/">'
        f'{e(s.title)}</a> <span class="teaser__date">{danish_date(s.published)}</span></li>'
        for s in stories
    )
    older = (
        f'<a class="pager__older" rel="next" href="/nyheder/page/{page + 1}/">Ældre nyheder</a>'
        if page < pages
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Nyheder · Boligsocialt Nyt</title></head>
<body class="mag mag--list"><main id="indhold"><h1>Nyheder</h1>
    <ul class="teasers">
{items}
    </ul>
    <nav class="pager">{older}</nav>
</main></body></html>
"""


@dataclass
class FreshSite:
    """The site as served now (``edit()`` makes its second version)."""

    stories: list[Story] = field(default_factory=lambda: list(STORIES))

    def edit(self) -> None:
        """Version 2: the first story's lead changes, the last story is removed."""
        first = self.stories[0]
        self.stories[0] = Story(
            first.slug,
            first.title,
            first.published,
            first.category,
            "Beboerne i Sønderbro har forvandlet fire asfaltgårde til grønne køkkenhaver.",
            first.paragraphs,
        )
        self.stories = self.stories[:-1]

    def page(self, path: str, base_url: str) -> str | None:
        if path in ("/nyheder/", "/nyheder/page/1/") or path.startswith("/nyheder/page/"):
            number = 1 if path == "/nyheder/" else int(path.strip("/").split("/")[-1] or 1)
            pages = max(1, -(-len(self.stories) // PER_PAGE))
            if not 1 <= number <= pages:
                return None
            chunk = self.stories[(number - 1) * PER_PAGE : number * PER_PAGE]
            return listing_html(chunk, number, pages, base_url)
        for story in self.stories:
            if path == f"/nyheder/{story.slug}/":
                return story_html(story, base_url)
        return None

    def respond(
        self,
        method: str,
        path: str,
        base_url: str,
        request_headers: dict[str, str] | None = None,
    ) -> Response:
        request = {k.lower(): v for k, v in (request_headers or {}).items()}
        path = path.split("?")[0]
        page = self.page(path, base_url)
        if page is None:
            body = b"<!DOCTYPE html><html><body><h1>Siden findes ikke</h1></body></html>"
            return Response(404, {"Content-Type": "text/html; charset=utf-8"}, body)
        body = page.encode("utf-8")
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = {"Content-Type": "text/html; charset=utf-8", "ETag": etag}
        if request.get("if-none-match") == etag:
            return Response(304, {"ETag": etag}, b"")
        if path.startswith("/nyheder/") and "gzip" in request.get("accept-encoding", ""):
            # mtime=0: the same page gives the same bytes (a revisit when unchanged)
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        return Response(200, headers, body)


__all__ = ["STORIES", "FreshSite", "Story"]
