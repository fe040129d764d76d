"""Publication days on real pages: cfbu next to htmldate, where the URL says the day.

The open-web article set (``../shared/open-web/articles/``) has no date ground truth, but
many of its URLs carry the publication day (``/2019/11/19/``), written by the CMS when the
article was published. Those pages are the set: the URL day is the truth, and neither
extractor is shown the page's URL (both read the canonical link's, which the page
carries). Three runs:

- ``as published``: the pages as they are (structured data, markup and text);
- ``text only``: the same pages without JSON-LD, ``<meta>`` and ``<time datetime>``
  attributes, so that only the visible markup, text and address layers can find the day;
- ``visible text only``: without ``<link>`` tags either, so that no canonical URL gives
  the day: only what a reader sees.

    python bench/dates.py            # every run, cfbu and htmldate (when installed)
    python bench/dates.py --limit 10

A second set, when its folder is present: htmldate's own unit-test pages (``tests/cache/``
of the htmldate repository, not shipped with its package) with the days its
``tests/unit_tests.py`` asserts (:data:`HTMLDATE_CASES`: article pages whose asserted
day is the publication day, and pages that must stay undated). Put the pages in
``--htmldate-cache`` (default ``../../scratch/htmldate-cache`` from this folder); it is
skipped with a message where the folder is absent. Never use htmldate's ``tests/eval/``
pages here: they are a held-back judging set.

Reported per extractor: accuracy (right / pages; on an undated page no answer is right),
precision (right / answered), pages with no date, pages per second. A URL day can differ
from the day a reader saw when an article went out near midnight or the URL was made
before publication (hawaiinewsnow.com's URL says the 19th, its byline "November 18, 2019
at 2:26 PM HST"): treat small differences between extractors as noise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from open_web import DEFAULT_DATA, load  # noqa: E402

_URL_DAY = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|-|\.|$)")
_JSONLD = re.compile(r"<script[^>]*ld\+json[^>]*>.*?</script>", re.I | re.S)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_DATETIME = re.compile(r"\s(?:datetime|content)=(\"[^\"]*\"|'[^']*')", re.I)


DEFAULT_HTMLDATE = Path(__file__).resolve().parents[2] / "scratch" / "htmldate-cache"
# htmldate tests/cache file -> (its URL in htmldate's tests, the day they assert; None: the
# page must stay undated). Only cases whose asserted day is the publication day (article
# pages, or ``original_date=True``); homepages, approximate days and modification days
# are left out.
HTMLDATE_CASES: dict[str, tuple[str, str | None]] = {
    "jovelstefan.de.parken.html": (
        "http://www.jovelstefan.de/2012/05/11/parken-in-paris/",
        "2012-05-11",
    ),
    "500px.com.spring.html": (
        "https://500px.com/photo/26034451/spring-in-china-by-alexey-kruglov",
        "2013-02-16",
    ),
    "medef.fr.dispute.html": (
        "http://www.medef.com/en/content/alternative-dispute-resolution-for-antitrust-damages",
        "2017-09-01",
    ),
    "tagesausblick.de.dow.html": (
        "https://www.tagesausblick.de/Analyse/USA/DOW-Jones-Jahresendrally-ade__601.html",
        "2012-12-22",
    ),
    "blog.todamax.net.html": (
        "http://blog.todamax.net/2018/midp-emulator-kemulator-und-brick-challenge/",
        "2018-02-15",
    ),
    "acredis.com.augenlidstraffung.html": (
        "https://www.acredis.com/schoenheitsoperationen/augenlidstraffung/",
        "2018-02-28",
    ),
    "futurezone.at.cc.html": (
        "https://futurezone.at/digital-life/wie-creativecommons-richtig-genutzt-wird/24.600.504",
        "2013-08-09",
    ),
    "horizont.net.html": (
        "https://www.horizont.net/marketing/kommentare/influencer-marketing-was-sich-nach-dem-vreni-frost-urteil-aendert-und-aendern-muss-172529",
        "2019-01-29",
    ),
    "klimawandel-global.de.html": (
        "http://www.klimawandel-global.de/klimaschutz/energie-sparen/elektromobilitat-der-neue-trend/",
        "2013-05-03",
    ),
    "hobby-werkstatt-blog.de.roomba.html": (
        "http://www.hobby-werkstatt-blog.de/arduino/424-eine-arduino-virtual-wall-fuer-den-irobot-roomba.php",
        "2015-12-14",
    ),
    "wienbadminton.html": ("https://www.wienbadminton.at/news/119843/Come-Together", "2018-05-06"),
    "kinra.de.html": ("http://blog.kinra.de/?p=959/", "2012-12-16"),
    "adac.de.kindersitztest.html": (
        "https://www.adac.de/rund-ums-fahrzeug/tests/kindersicherheit/kindersitztest-2018/",
        "2018-10-23",
    ),
    "freundeskreis-videoclips.de.html": (
        "http://www.freundeskreis-videoclips.de/waehlen-sie-car-player-tipps-zur-auswahl-der-besten-car-cd-player/",
        "2017-07-12",
    ),
    "scs78.de.html": (
        "https://www.scs78.de/news/items/warm-war-es-schoen-war-es.html",
        "2018-06-10",
    ),
    "goodform.ch.blog.html": ("https://www.goodform.ch/blog/schattiges_plaetzchen", "2018-06-27"),
    "transgen.de.aktuell.html": (
        "https://www.transgen.de/aktuell/2687.afrikanische-schweinepest-genome-editing.html",
        "2018-01-18",
    ),
    "eza.gv.at.html": (
        "http://www.eza.gv.at/das-ministerium/presse/aussendungen/2018/07/aussenministerin-karin-kneissl-beim-treffen-der-deutschsprachigen-aussenminister-in-luxemburg/",
        "2018-07-03",
    ),
    "weltwoche.ch.html": (
        "https://www.weltwoche.ch/ausgaben/2019-4/artikel/forbes-die-weltwoche-ausgabe-4-2019.html",
        "2019-01-23",
    ),
    "carta.info.html": (
        "http://carta.info/der-neue-trend-muss-statt-wunschkoalition/",
        "2012-05-08",
    ),
    "wunderweib.html": (
        "https://www.wunderweib.de/manuela-reimann-hochzeitsueberraschung-in-bayern-107930.html",
        "2019-06-20",
    ),
    "brigitte.de.riverdale.html": (
        "https://www.brigitte.de/aktuell/riverdale--so-ehrt-die-serie-luke-perry-in-staffel-vier-11602344.html",
        "2019-06-20",
    ),
    "loldf.org.html": ("http://www.loldf.org/spip.php?article717", "2019-06-27"),
    "oberstdorfresort.de.kraeuter.html": (
        "https://www.oberstdorf-resort.de/interaktiv/blog/unser-kraeutergarten-wannenkopfhuette.html",
        "2018-06-20",
    ),
    "ldt.de.fallinlove.html": ("https://www.ldt.de/ldtblog/fall-in-love-with-black/", "2017-08-08"),
    "paris-luttes.info.html": (
        "https://paris-luttes.info/quand-on-comprend-que-les-grenades-12355",
        "2019-06-29",
    ),
    "verfassungsblog.de.decade.html": (
        "https://verfassungsblog.de/the-first-decade/",
        "2019-07-13",
    ),
    "cric-grenoble.info.radio.html": (
        "https://cric-grenoble.info/infos-locales/article/putsh-en-cours-a-radio-kaleidoscope-1145",
        "2019-06-09",
    ),
    "kurz.at.wasserstoff.html": (
        "https://www.sebastian-kurz.at/magazin/wasserstoff-als-schluesseltechnologie",
        "2019-07-30",
    ),
    "ebene11.com.autocad.html": (
        "https://ebene11.com/die-arbeit-mit-fremden-dwg-dateien-in-autocad",
        "2017-01-12",
    ),
    "wara-enforcement.org.guinee.html": (
        "http://www.wara-enforcement.org/guinee-un-braconnier-delephant-interpelle-et-condamne-a-la-peine-maximale/",
        "2016-09-27",
    ),
    "blog.wikimedia.interactivemaps.html": (
        "https://blog.wikimedia.org/2018/06/28/interactive-maps-now-in-your-language/",
        "2018-06-28",
    ),
    "mediapart.fr.violences.html": (
        "https://blogs.mediapart.fr/elba/blog/260619/violences-policieres-bombe-retardement-mediatique",
        "2019-06-27",
    ),
    "la-bas.org.porte.html": (
        "https://la-bas.org/la-bas-magazine/chroniques/Didier-Porte-souhaite-la-Sante-a-Balkany",
        "2019-06-28",
    ),
    "revolutionpermanente.fr.antonin.html": (
        "https://www.revolutionpermanente.fr/Antonin-Bernanos-en-prison-depuis-pres-de-deux-mois-en-raison-de-son-militantisme",
        "2019-06-13",
    ),
    "archive.org.kath.ch.html": (
        "http://web.archive.org/web/20210916140120/https://www.kath.ch/die-insel-der-klosterzoeglinge/",
        "2021-07-13",
    ),
    "intel.com.tos.html": ("https://www.intel.com/content/www/us/en/legal/terms-of-use.html", None),
    "support.wordpress.com.html": ("https://en.support.wordpress.com/", None),
}


@dataclass
class Case:
    key: str
    url: str
    html: str
    day: str | None


def htmldate_cases(folder: Path) -> list[Case]:
    """The :data:`HTMLDATE_CASES` whose page is in ``folder``."""
    out = []
    for name, (url, day) in HTMLDATE_CASES.items():
        path = folder / name
        if path.is_file():
            out.append(Case(name, url, path.read_bytes().decode("utf-8", "replace"), day))
    return out


def url_day(url: str) -> str | None:
    m = _URL_DAY.search(url)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def text_only(html: str) -> str:
    """``html`` without JSON-LD, ``<meta>`` tags and ``datetime``/``content`` attributes."""
    return _DATETIME.sub(" ", _META.sub("", _JSONLD.sub("", html)))


_LINK = re.compile(r"<link\b[^>]*>", re.I)


def visible_only(html: str) -> str:
    """:func:`text_only` without ``<link>`` tags either (no canonical URL to read a day
    from): only what a reader sees."""
    return _LINK.sub("", text_only(html))


def cases(data: Path, limit: int | None = None) -> list[Case]:
    out = []
    for sample in load(data):
        day = url_day(sample.url)
        if day:
            out.append(Case(sample.key, sample.url, sample.html, day))
        if limit and len(out) >= limit:
            break
    return out


Extractor = Callable[[str, str], str | None]


def extractors() -> dict[str, Extractor]:
    from cfbu_crawler.extract import extract_article

    # The page is given a neutral URL: the day must come from the page, not the address.
    found: dict[str, Extractor] = {
        "cfbu": lambda html, url: extract_article(html, "https://example.org/article").published
    }
    try:
        from htmldate import find_date
    except ImportError:
        print("not installed (pip install '.[bench]'): htmldate", file=sys.stderr)
    else:
        found["htmldate"] = lambda html, url: find_date(
            html, original_date=True, outputformat="%Y-%m-%d"
        )
    return found


def run(items: list[Case], chosen: dict[str, Extractor]) -> list[tuple[str, int, int, int, float]]:
    """(name, right, answered, total, pages/s) per extractor; the extractors take turns."""
    right = dict.fromkeys(chosen, 0)
    answered = dict.fromkeys(chosen, 0)
    spent = dict.fromkeys(chosen, 0.0)
    for case in items:
        for name, fn in chosen.items():
            started = time.perf_counter()
            try:
                got = fn(case.html, case.url)
            except Exception:  # a crash is no answer
                got = None
            spent[name] += time.perf_counter() - started
            if got:
                answered[name] += 1
            right[name] += got == case.day
    return [
        (
            name,
            right[name],
            answered[name],
            len(items),
            len(items) / spent[name] if spent[name] else 0,
        )
        for name in chosen
    ]


def report(title: str, rows: list[tuple[str, int, int, int, float]]) -> str:
    lines = [
        title,
        f"{'extractor':<12} {'accuracy':>8} {'precision':>9} {'no date':>7} {'pages/s':>8}",
    ]
    for name, ok, answered, total, speed in rows:
        accuracy = ok / total if total else 0.0
        precision = ok / answered if answered else 0.0
        lines.append(
            f"{name:<12} {accuracy:8.3f} {precision:9.3f} {total - answered:7d} {speed:8.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the articles folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N dated pages")
    parser.add_argument(
        "--htmldate-cache",
        type=Path,
        default=DEFAULT_HTMLDATE,
        help="folder with htmldate's tests/cache pages",
    )
    args = parser.parse_args(argv)
    chosen = extractors()
    if not (args.data / "ground-truth.json").is_file():
        print(f"skipped: no open-web article set at {args.data}")
    else:
        items = cases(args.data, args.limit)
        print(f"{len(items)} pages whose URL carries the publication day")
        print(report("as published", run(items, chosen)))
        stripped = [Case(c.key, c.url, text_only(c.html), c.day) for c in items]
        print(report("text only (no JSON-LD, <meta>, datetime attributes)", run(stripped, chosen)))
        seen = [Case(c.key, c.url, visible_only(c.html), c.day) for c in items]
        print(report("visible text only (no <link rel=canonical> either)", run(seen, chosen)))
    found = htmldate_cases(args.htmldate_cache) if args.htmldate_cache.is_dir() else []
    if not found:
        print(f"skipped: no htmldate test pages at {args.htmldate_cache}")
        return 0
    undated = sum(c.day is None for c in found)
    print(f"\n{len(found)} of htmldate's unit-test pages ({undated} that must stay undated)")
    print(report("htmldate's tests/cache, as published", run(found, chosen)))
    stripped = [Case(c.key, c.url, text_only(c.html), c.day) for c in found]
    print(report("htmldate's tests/cache, text only", run(stripped, chosen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
