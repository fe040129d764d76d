"""The articles of the blind change site, v1 and v2, as plain data.

A paragraph is ``(kind, text)``: ``p`` prose, ``q`` an emphasised question, ``a`` an answer
paragraph led by a dash (the dash is part of the text, as the reader sees it).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

Para = tuple[str, str]

CET = timezone(timedelta(hours=1))


@dataclass(frozen=True)
class Item:
    slug: str
    title: str
    category: str
    published: datetime  # local time in Copenhagen (CET, winter dates only)
    paras: tuple[Para, ...]
    modified: str  # sitemap lastmod / Last-Modified source (ISO 8601)

    @property
    def date(self) -> str:
        return self.published.date().isoformat()


def _d(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CET)


def _filler(topic: str, n: int) -> tuple[Para, ...]:
    """Plain prose paragraphs about ``topic`` (enough text for a realistic page)."""
    return tuple(
        (
            "p",
            f"{topic} er et af de emner, som CFBU følger tæt i {2012 + i}. "
            f"Afsnit {i + 1} beskriver erfaringer fra helhedsplanerne, hvor beboere, "
            "boligorganisationer og kommuner arbejder sammen om at skabe trygge og "
            "attraktive boligområder med plads til alle.",
        )
        for i in range(n)
    )


_TOPICS = [
    ("boligsocial-konference", "Boligsocial konference", "Konferencen"),
    ("unge-og-uddannelse", "Unge og uddannelse i udsatte boligområder", "Uddannelse"),
    ("sundhed-i-helhedsplanerne", "Sundhed i helhedsplanerne", "Sundhed"),
    ("partnerskaber-med-kommunen", "Partnerskaber med kommunen", "Samarbejdet"),
    ("frivillige-i-boligomraadet", "Frivillige i boligområdet", "Frivilligheden"),
    ("data-om-beboerne", "Data om beboerne – hvad ved vi?", "Datagrundlaget"),
    ("beskaeftigelse-virker", "Beskæftigelse virker", "Beskæftigelsen"),
    ("tryghedsmaalinger", "Tryghedsmålinger i praksis", "Trygheden"),
    ("lommepengeprojekter", "Lommepengeprojekter evalueret", "Lommepengene"),
    ("boern-og-fritid", "Børn og fritid", "Fritidslivet"),
]
# Forty articles that do not change (four rounds of the topics, a year apart).
STEADY_TOPICS = [
    (f"{slug}-{year}", f"{title} {year}", topic)
    for year in (2015, 2014, 2013, 2012)
    for slug, title, topic in _TOPICS
]

BODY_EDIT_OLD = "Rapporten bygger på interview med 42 skoleledere i ti kommuner."
BODY_EDIT_NEW = "Rapporten bygger på interview med 46 skoleledere i elleve kommuner."
ANSWER_OLD = "– Vi har fået flere unge med i bestyrelsen, og det mærkes."
ANSWER_NEW = "– Vi har fået flere unge med i bestyrelsen, og det mærkes hver eneste dag."


def current_v1() -> list[Item]:
    """The current-generation site in v1, newest first."""
    items = [
        Item(
            "ny-rapport-om-skolesamarbejde",
            "Ny rapport om skolesamarbejde",
            "nyheder",
            _d(2016, 3, 1),
            (
                (
                    "p",
                    "CFBU udgiver i dag en rapport om samarbejdet mellem skoler og "
                    "boligsociale helhedsplaner.",
                ),
                ("p", BODY_EDIT_OLD),
                ("p", "Rapporten kan hentes gratis på CFBU's hjemmeside."),
            ),
            "2016-03-01T10:00:00+01:00",
        ),
        Item(
            "tre-spoergsmaal-til-en-beboerformand",
            "Tre spørgsmål til en beboerformand",
            "interview",
            _d(2016, 2, 20),
            (
                ("p", "CFBU har talt med beboerformand Jette Holm om beboerdemokratiet."),
                ("q", "Hvad har I opnået det seneste år?"),
                ("a", ANSWER_OLD),
                ("q", "Hvad er den største udfordring?"),
                ("a", "– At holde fast i de frivillige, når projekterne slutter."),
                ("a", "– Og at få kommunen til at blive ved bordet."),
            ),
            "2016-02-20T10:00:00+01:00",
        ),
        Item(
            "evaluering-af-lektiecafeer",
            "Evaluering af lektiecaféer",
            "nyheder",
            _d(2016, 2, 10),
            (
                ("p", "Lektiecaféerne i de boligsociale helhedsplaner er blevet evalueret."),
                ("p", "Evalueringen viser, at børnene kommer igen, når de voksne er de samme."),
            ),
            "2016-02-10T10:00:00+01:00",
        ),
        Item(
            "nye-tal-om-fritidsjob",
            "Nye tal om fritidsjob",
            "nyheder",
            _d(2016, 2, 3),
            (
                ("p", "Flere unge i de udsatte boligområder har fået et fritidsjob."),
                ("p", "Tallene stammer fra CFBU's årlige monitorering."),
            ),
            "2016-02-03T10:00:00+01:00",
        ),
        Item(
            "kursus-for-frivillige",
            "Kursus for frivillige",
            "nyheder",
            _d(2016, 1, 25),
            (
                ("p", "CFBU inviterer frivillige til et kursus om mødeledelse."),
                ("p", "Kurset er gratis og foregår i København."),
            ),
            "2016-01-25T10:00:00+01:00",
        ),
        Item(
            "projekt-lukker",
            "Projekt lukker",
            "nyheder",
            _d(2016, 1, 18),
            (("p", "Projektet om boligsocial rådgivning lukker ved årets udgang."),),
            "2016-01-18T10:00:00+01:00",
        ),
        Item(
            "notat-om-huslejer",
            "Notat om huslejer",
            "nyheder",
            _d(2016, 1, 12),
            (("p", "Et notat om huslejeniveauet i de almene boliger er udkommet."),),
            "2016-01-12T10:00:00+01:00",
        ),
        Item(
            "tryghed-gammel-adresse",
            "Tryghed i boligområdet",
            "nyheder",
            _d(2016, 1, 5),
            (("p", "Trygheden i de almene boligområder er steget for tredje år i træk."),),
            "2016-01-05T10:00:00+01:00",
        ),
        Item(
            "metodekatalog",
            "Metodekatalog til helhedsplaner",
            "nyheder",
            _d(2015, 12, 15),
            (("p", "Et nyt metodekatalog samler de bedste erfaringer fra helhedsplanerne."),),
            "2015-12-15T10:00:00+01:00",
        ),
        Item(
            "arkiveret-nyhed",
            "Nyhed der forsvinder fra listen",
            "nyheder",
            _d(2015, 12, 8),
            (("p", "Denne nyhed bliver stadig vist, men ikke længere på listen."),),
            "2015-12-08T10:00:00+01:00",
        ),
        Item(
            # Published 00:30 in Copenhagen on 30 November: 23:30 UTC on the 29th.
            "midnatsnyhed",
            "Nyhed udgivet lige efter midnat",
            "nyheder",
            _d(2015, 11, 30, 0, 30),
            (("p", "Udgivet lige efter midnat dansk tid, altså om aftenen i UTC."),),
            "2015-11-30T00:30:00+01:00",
        ),
    ]
    for n, (slug, title, topic) in enumerate(STEADY_TOPICS):
        items.append(
            Item(
                slug,
                title,
                "nyheder",
                _d(2015 - n // 10, 11, 20 - 2 * (n % 10)),
                _filler(topic, 4),
                f"{2015 - n // 10}-11-{20 - 2 * (n % 10):02d}T10:00:00+01:00",
            )
        )
    return items


NEW_ITEMS = [
    Item(
        "ny-direktoer-i-cfbu",
        "Ny direktør i CFBU",
        "nyheder",
        _d(2016, 4, 12),
        (
            ("p", "CFBU har ansat en ny direktør, der tiltræder den 1. maj."),
            ("p", "Bestyrelsen glæder sig over ansættelsen."),
        ),
        "2016-04-12T10:00:00+01:00",
    ),
    Item(
        "aarsrapport-2015",
        "Årsrapport 2015",
        "nyheder",
        _d(2016, 4, 5),
        (("p", "CFBU's årsrapport for 2015 er klar."),),
        "2016-04-05T10:00:00+01:00",
    ),
]

# v2 slugs of the moved articles: old slug → (new slug, redirect status).
MOVES = {
    "tryghed-gammel-adresse": ("tryghed-i-boligomraadet", 301),
    "metodekatalog": ("metodekatalog-2016", 308),
}
GONE = {"projekt-lukker": 404, "notat-om-huslejer": 410}
UNLISTED = {"arkiveret-nyhed"}
V2_EDIT = "2016-04-15T09:00:00+01:00"


def current_v2() -> list[Item]:
    """v2: two new articles, five edits, two removals, two moves, one unlisted."""
    out = list(NEW_ITEMS)
    for item in current_v1():
        if item.slug in GONE:
            continue
        if item.slug == "ny-rapport-om-skolesamarbejde":
            paras = tuple(
                ("p", BODY_EDIT_NEW) if p == ("p", BODY_EDIT_OLD) else p for p in item.paras
            )
            item = replace(item, paras=paras, modified=V2_EDIT)
        elif item.slug == "tre-spoergsmaal-til-en-beboerformand":
            paras = tuple(("a", ANSWER_NEW) if p == ("a", ANSWER_OLD) else p for p in item.paras)
            item = replace(item, paras=paras, modified=V2_EDIT)
        elif item.slug == "evaluering-af-lektiecafeer":
            item = replace(item, title="Lektiecaféer virker, viser evaluering", modified=V2_EDIT)
        elif item.slug == "nye-tal-om-fritidsjob":
            item = replace(item, published=_d(2016, 2, 13), modified=V2_EDIT)
        elif item.slug == "kursus-for-frivillige":
            item = replace(item, category="kurser", modified=V2_EDIT)
        elif item.slug in MOVES:
            item = replace(item, slug=MOVES[item.slug][0], modified=V2_EDIT)
        out.append(item)
    return out


# -- the old-generation site ------------------------------------------------------------


@dataclass(frozen=True)
class OldItem:
    slug: str
    title: str
    date: str  # ISO
    paras: tuple[str, ...]


OLD_EDIT_OLD = "Mødet holdes i beboerhuset kl. 19."
OLD_EDIT_NEW = "Mødet holdes i beboerhuset kl. 19.30 – bemærk det nye tidspunkt."


def old_v1() -> list[OldItem]:
    """The old-generation site in v1, newest first (three per listing page)."""
    return [
        OldItem(
            "beboermoede-i-vollsmose",
            "Beboermøde i Vollsmose",
            "2009-05-14",
            ("Alle beboere er velkomne til årets beboermøde.", OLD_EDIT_OLD),
        ),
        OldItem(
            "ny-medarbejder",
            "Ny medarbejder på sekretariatet",
            "2009-04-30",
            ("Sekretariatet får en ny medarbejder, der skal arbejde med formidling.",),
        ),
        OldItem(
            "workshop-om-evaluering",
            "Workshop om evaluering",
            "2009-04-02",
            (
                "CFBU holder workshop om evaluering af boligsociale indsatser.",
                "Tilmelding sker på e-mail.",
            ),
        ),
        OldItem(
            "aflyst-arrangement",
            "Arrangement i Gellerup",
            "2009-03-19",
            ("Arrangementet i Gellerup finder sted i foråret.",),
        ),
        OldItem(
            "rapport-om-naboskab",
            "Rapport om naboskab",
            "2009-02-26",
            ("En ny rapport ser på naboskab og fællesskab i almene boliger.",),
        ),
        OldItem(
            "centeret-aabner",
            "Centeret åbner",
            "2009-01-05",
            ("Center for Boligsocial Udvikling åbner sine døre i Valby.", "Velkommen!"),
        ),
        OldItem(
            "foerste-nyhedsbrev",
            "Første nyhedsbrev",
            "2008-12-12",
            ("Det første nyhedsbrev fra centeret er sendt ud til 300 modtagere.",),
        ),
    ]


OLD_NEW = [
    OldItem(
        "sommerlukket",
        "Sommerlukket",
        "2009-06-25",
        ("Sekretariatet holder sommerlukket i juli.",),
    ),
    OldItem(
        "temadag-om-unge",
        "Temadag om unge",
        "2009-06-11",
        ("CFBU holder temadag om unge i udsatte boligområder.",),
    ),
]
OLD_GONE = "aflyst-arrangement"
OLD_EDITED = "beboermoede-i-vollsmose"


def old_v2() -> list[OldItem]:
    out = list(OLD_NEW)
    for item in old_v1():
        if item.slug == OLD_GONE:
            continue
        if item.slug == OLD_EDITED:
            item = replace(item, paras=(item.paras[0], OLD_EDIT_NEW))
        out.append(item)
    return out
