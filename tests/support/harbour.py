""" "Havnebladet": a small news site written for the scheduling tests, unlike the demo's
themes and the blind sites — its own markup (a masthead, a "›" breadcrumb, a byline with
the date, ``/nyheder/page/N/`` pages linked by "Ældre nyheder"), no sitemap, no
validators.

:func:`harbour_site` gives version ``v1`` (eight articles) or ``v2``, the night after a
redesign: the byline, and with it every date, is gone from the markup (the text is
unchanged), one article answers 503 every time, one answers 404, one moved (301 to a new
slug), one left the listing but still answers, and one is new. :class:`HarbourServer`
serves it on loopback; its ``site`` may be switched between crawls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from cfbu_crawler.demo.site import Response
from support.server import FixtureServer

PER_PAGE = 4
MONTHS = [
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
]


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    date: tuple[int, int, int]  # year, month, day
    paragraphs: tuple[str, ...]

    @property
    def published(self) -> str:
        y, m, d = self.date
        return f"{y:04d}-{m:02d}-{d:02d}"

    def danish_date(self) -> str:
        y, m, d = self.date
        return f"{d}. {MONTHS[m - 1]} {y}"


STORIES = (
    Story(
        "faergen-sejler-igen",
        "Færgen sejler igen efter vinterpausen",
        (2021, 3, 14),
        (
            "Fra mandag sejler færgen igen fire gange dagligt mellem havnen og øen.",
            "Billetterne kan som altid købes om bord eller i kiosken ved kajen.",
        ),
    ),
    Story(
        "ny-havnefoged",
        "Ny havnefoged tiltræder",
        (2021, 3, 2),
        (
            "Havnen har ansat en ny havnefoged, der kommer fra en stilling i Esbjerg.",
            "Han glæder sig til at møde sejlerne ved standerhejsningen i april.",
        ),
    ),
    Story(
        "isvinter-paa-havnen",
        "Isvinter på havnen",
        (2021, 2, 11),
        (
            "Kulden har lagt is over inderhavnen, og flere både ligger fast.",
            "Havnen beder ejerne om at holde øje med fortøjningerne.",
        ),
    ),
    Story(
        "fiskeauktion-rekord",
        "Rekordpris på fiskeauktionen",
        (2021, 1, 28),
        (
            "Torsken blev solgt til rekordpris på tirsdagens auktion.",
            "Fiskerne forklarer prisen med små kvoter og stor efterspørgsel.",
        ),
    ),
    Story(
        "sejlklubben-fylder-50",
        "Sejlklubben fylder 50 år",
        (2021, 1, 9),
        (
            "Sejlklubben fejrer jubilæum med åbent hus i klubhuset.",
            "Alle er velkomne til kaffe og en tur i en af klubbens joller.",
        ),
    ),
    Story(
        "ny-kran-paa-kajen",
        "Ny kran på kajen",
        (2020, 12, 17),
        (
            "Den gamle kran er skiftet ud med en ny, der kan løfte dobbelt så meget.",
            "Kranen kan bookes hos havnekontoret.",
        ),
    ),
    Story(
        "julebelysning-paa-molen",
        "Julebelysning på molen",
        (2020, 12, 1),
        (
            "Frivillige har igen i år hængt lyskæder op langs hele molen.",
            "Lyset tændes hver aften klokken 16.",
        ),
    ),
    Story(
        "havnebadet-lukker",
        "Havnebadet lukker for sæsonen",
        (2020, 9, 30),
        (
            "Havnebadet holder lukket fra oktober til maj.",
            "Vinterbaderne kan stadig bruge trappen ved fyret.",
        ),
    ),
)
NEW = Story(
    "vaarklargoering",
    "Vårklargøring af bådene",
    (2021, 3, 20),
    (
        "Weekenden står i klargøringens tegn, når bådene skal i vandet.",
        "Havnen stiller højtryksrensere til rådighed ved slæbestedet.",
    ),
)
FAILING = "fiskeauktion-rekord"  # answers 503 in v2
REMOVED = "julebelysning-paa-molen"  # answers 404 in v2
MOVED = ("ny-kran-paa-kajen", "ny-kran-paa-kajen-2020")  # 301 in v2
UNLISTED = "sejlklubben-fylder-50"  # still answers in v2, no longer listed


def _page(title: str, main: str) -> bytes:
    return (
        '<!doctype html>\n<html lang="da"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · Havnebladet</title></head>\n"
        '<body class="hb">\n<header class="masthead"><a class="logo" href="/">Havnebladet</a>'
        '<ul class="menu"><li><a href="/nyheder/">Nyheder</a></li>'
        '<li><a href="/om/">Om bladet</a></li></ul></header>\n'
        f"{main}\n"
        "<footer><p>Havnebladet · Kajgade 1 · 5900 Rudkøbing</p></footer>\n</body></html>\n"
    ).encode()


def story_page(story: Story, *, redesigned: bool) -> bytes:
    crumbs = (
        '<nav class="crumbs">'
        f'<a href="/">Forside</a> › <a href="/nyheder/">Nyheder</a> › {escape(story.title)}</nav>'
    )
    text = "".join(f"<p>{escape(p)}</p>" for p in story.paragraphs)
    if redesigned:
        # The new theme shows no byline: the date is nowhere on the page.
        main = (
            f'<div class="wrap">{crumbs}<section class="piece"><h1 class="piece-head">'
            f'{escape(story.title)}</h1><div class="piece-text">{text}</div></section></div>'
        )
    else:
        main = (
            f'<main class="story">{crumbs}<h1>{escape(story.title)}</h1>'
            f'<p class="byline">Af redaktionen · Udgivet {story.danish_date()}</p>'
            f'<div class="story-text">{text}</div></main>'
        )
    return _page(story.title, main)


def listing_page(stories: list[Story], number: int, pages: int) -> bytes:
    items = "".join(
        f'<li class="teaser"><a href="/nyheder/{s.slug}/">{escape(s.title)}</a></li>'
        for s in stories
    )
    older = (
        f'<a class="older" href="/nyheder/page/{number + 1}/">Ældre nyheder »</a>'
        if number < pages
        else ""
    )
    return _page("Nyheder", f'<main class="list"><h1>Nyheder</h1><ul>{items}</ul>{older}</main>')


@dataclass
class HarbourSite:
    """Paths → (status, headers, body); answers the fixture server's ``respond``."""

    version: str
    routes: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)

    def respond(
        self,
        method: str,
        path: str,
        base_url: str,
        request_headers: Mapping[str, str] | None = None,
    ) -> Response:
        plain = path.split("?", 1)[0]
        status, headers, body = self.routes.get(
            plain, (404, {"Content-Type": "text/html; charset=utf-8"}, _page("Ikke fundet", ""))
        )
        return Response(status, dict(headers), body)


HTML = {"Content-Type": "text/html; charset=utf-8"}


def harbour_site(version: str = "v1") -> HarbourSite:
    site = HarbourSite(version)
    redesigned = version == "v2"
    stories = list(STORIES)
    if redesigned:
        moved_from, moved_to = MOVED
        stories = [
            Story(moved_to, s.title, s.date, s.paragraphs) if s.slug == moved_from else s
            for s in stories
            if s.slug != REMOVED
        ]
        stories.insert(0, NEW)
    listed = [s for s in stories if not (redesigned and s.slug == UNLISTED)]
    pages = (len(listed) + PER_PAGE - 1) // PER_PAGE
    for n in range(1, pages + 1):
        body = listing_page(listed[(n - 1) * PER_PAGE : n * PER_PAGE], n, pages)
        site.routes[f"/nyheder/page/{n}/"] = (200, HTML, body)
        if n == 1:
            site.routes["/nyheder/"] = (200, HTML, body)
    for story in stories:
        site.routes[f"/nyheder/{story.slug}/"] = (
            200,
            HTML,
            story_page(story, redesigned=redesigned),
        )
    if redesigned:
        site.routes[f"/nyheder/{FAILING}/"] = (503, HTML, _page("Fejl", "<p>Prøv igen.</p>"))
        site.routes[f"/nyheder/{MOVED[0]}/"] = (
            301,
            {**HTML, "Location": f"/nyheder/{MOVED[1]}/"},
            b"",
        )
    site.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
    return site


class HarbourServer(FixtureServer):
    """Havnebladet on 127.0.0.1 (port 0); ``site`` may be switched between crawls."""

    def __init__(self, version: str = "v1") -> None:
        super().__init__(harbour_site(version))
