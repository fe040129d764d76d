"""The archivist's "done when", end to end on a site whose markup the crawler has never met
(written here, for this test: an invented CMS with Danish class names, a "Du er her:"
trail with ›, dates as "Publiceret d. 3. marts 2016", Q&A in bold with dashed answers):
two crawls (an edit, a removal, a new article), then find any article by a Danish word
in any case, with unsafe input never failing; export it for Excel with æøå intact, one
row per Q&A pair, or as it stood after the first run; and run every SQL example of
docs/schema.md on it."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import ROOT, crawl
from support.routes import Route, RoutesSite

from cfbu_crawler.cli import main

pytestmark = pytest.mark.slow

MONTHS = "januar februar marts april maj juni juli august september oktober november december"

PAGE = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>{title} | Boligsocialt Nyhedsarkiv</title>
<link rel="stylesheet" href="/static/arkiv.css"></head>
<body class="skabelon-nyhed">
<header class="topbjaelke"><a class="logo" href="/">CFBU</a>
<ul class="hovedmenu"><li><a href="/nyheder/">Nyheder</a></li><li><a href="/om/">Om os</a></li></ul>
</header>
<div class="kruemmesti"><span class="ledetekst">Du er her:</span> <a href="/">Forside</a>
 › <a href="/nyheder/">Nyheder</a> › <span>{title}</span></div>
<div id="indhold" class="kolonne-bred">
 <div class="nyhed-hoved"><span class="rubrik-kategori">Nyheder</span>
  <h1 class="overskrift">{title}</h1>
  <div class="metadata">Publiceret d. {day}. {month} {year}</div></div>
 <div class="broedtekst">{body}</div>
 <p class="tilbage"><a href="/nyheder/">Se seneste nyheder</a></p>
</div>
<div class="sidekolonne"><h2>Læs også</h2><ul>{related}</ul></div>
<div class="sidefod">Center for Boligsocial Udvikling · Nørre Farimagsgade 3 · 1364 København K</div>
</body></html>"""

LISTING = """<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8"><title>Nyheder | Boligsocialt Nyhedsarkiv</title></head>
<body><h1>Nyheder</h1><ul class="nyhedsliste">{items}</ul></body></html>"""

ARTICLES: dict[str, dict] = {
    "aeldre-beboere": {
        "title": "ÆLDRE BEBOERE FÅR EN STØRRE STEMME",
        "date": "2016-03-03",
        "paragraphs": [
            "Ældre beboere i Vollsmose mødes nu hver måned med helhedsplanen.",
            "Møderne foregår i øjenhøjde, og beboerne bestemmer dagsordenen. "
            "Borgmesteren kaldte det en milepæl.",
        ],
    },
    "fire-spoergsmaal-til-en-gaardmand": {
        "title": "FIRE SPØRGSMÅL TIL EN GÅRDMAND I AARHUS",
        "date": "2015-10-12",
        "paragraphs": ["Gårdmand Søren Ørum har arbejdet i Gellerup i tyve år."],
        "qa": [
            ("Hvad er det bedste ved jobbet?", "Beboerne. Jeg kender dem alle ved navn."),
            ("Hvad er sværest?", "Når affaldet ikke bliver sorteret, f.eks. i kælderen."),
            ("Hvad ønsker du dig?", "Flere hænder og en ny fejemaskine."),
        ],
    },
    "aarets-lektiecafe": {
        "title": "ÅRETS LEKTIECAFÉ ER FUNDET",
        "date": "2015-05-05",
        "paragraphs": ["Lektiecaféen i Tingbjerg har vundet årets pris for frivillige."],
    },
    "saadan-skaber-man-tryghed": {
        "title": "SÅDAN SKABER MAN TRYGHED",
        "date": "2015-12-01",
        "paragraphs": ["En tryghedsvandring viser, hvor belysningen svigter."],
        "qa": [
            ("Hvem går med på vandringen?", "Beboere, politi og kommunens folk."),
            ("Hvad sker der bagefter?", "Boligselskabet sætter nye lamper op."),
        ],
    },
    "rapport-unge-og-fritidsjob": {
        "title": "NY RAPPORT: UNGE OG FRITIDSJOB",
        "date": "2014-02-02",
        "paragraphs": ["Unge med fritidsjob klarer sig bedre i skolen, viser en ny rapport."],
    },
    "flere-i-job": {
        "title": "+10 % FLERE I JOB I HELHEDSPLANERNE",
        "date": "2017-01-20",
        "paragraphs": ["=SUM(A1:A2) er ikke en formel her, men tekst fra en beboer."],
    },
}
EDITED = {
    **ARTICLES,
    "aeldre-beboere": {
        **ARTICLES["aeldre-beboere"],
        "paragraphs": [
            "Ældre beboere i Vollsmose mødes nu hver måned med helhedsplanen.",
            "Møderne foregår i øjenhøjde, og beboerne bestemmer dagsordenen.",
        ],
    },
    "aabent-hus-i-gellerup": {
        "title": "ÅBENT HUS I GELLERUP",
        "date": "2016-09-09",
        "paragraphs": ["Gellerup inviterer til åbent hus i det nye beboerhus."],
    },
}
del EDITED["aarets-lektiecafe"]


def html(text: str) -> Route:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, text.encode("utf-8")


def article_page(slug: str, article: dict, others: list[str]) -> Route:
    year, month, day = (int(x) for x in article["date"].split("-"))
    body = "".join(f"<p>{p}</p>" for p in article["paragraphs"])
    for question, answer in article.get("qa", ()):
        body += f"<p><b>{question}</b></p><p>– {answer}</p>"
    related = "".join(f'<li><a href="/nyheder/{o}/">{o}</a></li>' for o in others[:2])
    return html(
        PAGE.format(
            title=article["title"],
            day=day,
            month=MONTHS.split()[month - 1],
            year=year,
            body=body,
            related=related,
        )
    )


def site(articles: dict[str, dict]) -> dict[str, Route]:
    slugs = sorted(articles, key=lambda s: articles[s]["date"], reverse=True)
    items = "".join(f'<li><a href="/nyheder/{s}/">{articles[s]["title"]}</a></li>' for s in slugs)
    routes = {"/nyheder/": html(LISTING.format(items=items))}
    for slug in slugs:
        others = [o for o in slugs if o != slug]
        routes[f"/nyheder/{slug}/"] = article_page(slug, articles[slug], others)
    return routes


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    path = tmp_path_factory.mktemp("archivist") / "arkiv.sqlite3"
    with RoutesSite(site(ARTICLES)) as server:
        crawl(server.base_url, path)
        server.routes = site(EDITED)
        crawl(server.base_url, path)
        yield path, server.base_url


def cfbu(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"CFBU_DB": None})


def search_urls(db: Path, *args: str) -> list[str]:
    result = cfbu("search", *args, "--json", "--db", str(db))
    assert result.exit_code == 0, result.output
    return [hit["url"] for hit in json.loads(result.stdout)]


def test_the_crawl_extracted_what_the_checks_need(db: tuple[Path, str]) -> None:
    path, base = db
    con = sqlite3.connect(path)
    rows = dict(con.execute("SELECT url, qa_count FROM latest_versions"))
    con.close()
    assert len(rows) == 7
    assert rows[f"{base}/nyheder/fire-spoergsmaal-til-en-gaardmand/"] == 3
    assert rows[f"{base}/nyheder/saadan-skaber-man-tryghed/"] == 2


@pytest.mark.parametrize(
    "query,slug",
    [
        ("ældre", "aeldre-beboere"),
        ("ÆLDRE BEBOERE", "aeldre-beboere"),
        ("ØJENHØJDE", "aeldre-beboere"),
        ("gårdmand", "fire-spoergsmaal-til-en-gaardmand"),
        ("GÅRDMAND", "fire-spoergsmaal-til-en-gaardmand"),
        ("Gårdmand*", "fire-spoergsmaal-til-en-gaardmand"),
        ("f.eks.", "fire-spoergsmaal-til-en-gaardmand"),
        ("tryghedsvandring", "saadan-skaber-man-tryghed"),
        ("ÅBENT HUS", "aabent-hus-i-gellerup"),
    ],
)
def test_an_article_is_found_by_a_danish_word_in_any_case(
    db: tuple[Path, str], query: str, slug: str
) -> None:
    path, base = db
    assert search_urls(path, query)[0] == f"{base}/nyheder/{slug}/"


@pytest.mark.parametrize("query", ["aeldre", "gardmand", "GAARDMAND", "ojenhojde", "abent"])
def test_ae_oe_aa_are_not_a_o(db: tuple[Path, str], query: str) -> None:
    assert search_urls(db[0], query) == []


def test_a_removed_article_is_found_when_asked_for(db: tuple[Path, str]) -> None:
    path, base = db
    assert search_urls(path, "lektiecaf*") == []
    assert search_urls(path, "lektiecaf*", "--include-gone") == [
        f"{base}/nyheder/aarets-lektiecafe/"
    ]


@pytest.mark.parametrize(
    "query", ["f.eks.", '"unge', "AND(", "NOT", "-", "***", "'", "'; DELETE FROM versions; --"]
)
def test_unsafe_input_never_fails(db: tuple[Path, str], query: str) -> None:
    result = cfbu("search", query, "--db", str(db[0]))
    assert result.exit_code == 0 and result.exception is None, result.output


def test_a_sentence_the_site_removed_is_found_in_the_old_version(db: tuple[Path, str]) -> None:
    path, base = db
    assert search_urls(path, "milepæl") == []
    result = cfbu("search", "MILEPÆL", "--all-versions", "--json", "--db", str(path))
    (hit,) = json.loads(result.stdout)
    assert hit["url"] == f"{base}/nyheder/aeldre-beboere/"
    assert (hit["version"], hit["versions"], hit["runs"]) == (1, 2, [1])


def test_excel_export_keeps_aeoeaa_and_neutralises_formulas(
    db: tuple[Path, str], tmp_path: Path
) -> None:
    out = tmp_path / "nyheder.csv"
    result = cfbu("export", "--excel", "--output", str(out), "--db", str(db[0]))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    titles = {r["title"] for r in rows}
    assert "ÆLDRE BEBOERE FÅR EN STØRRE STEMME" in titles
    assert "'+10 % FLERE I JOB I HELHEDSPLANERNE" in titles
    flere = next(r for r in rows if r["title"].startswith("'+10"))
    assert flere["lead"] == "'=SUM(A1:A2) er ikke en formel her, men tekst fra en beboer."
    gone = next(r for r in rows if r["title"] == "ÅRETS LEKTIECAFÉ ER FUNDET")
    assert gone["status"] == "gone"


def test_qa_export_is_one_row_per_question_and_answer(db: tuple[Path, str]) -> None:
    result = cfbu("export", "--qa", "--excel", "--db", str(db[0]))
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8-sig")), delimiter=";"))
    assert [(r["position"], r["question"]) for r in rows][:3] == [
        ("1", "Hvad er det bedste ved jobbet?"),
        ("2", "Hvad er sværest?"),
        ("3", "Hvad ønsker du dig?"),
    ]
    assert len(rows) == 5
    assert rows[1]["answer"] == "Når affaldet ikke bliver sorteret, f.eks. i kælderen."


def test_export_as_it_stood_after_the_first_run(db: tuple[Path, str]) -> None:
    path, base = db
    result = cfbu("export", "--run", "1", "--db", str(path))
    records = {r["url"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert len(records) == 6 and f"{base}/nyheder/aabent-hus-i-gellerup/" not in records
    assert records[f"{base}/nyheder/aarets-lektiecafe/"]["status"] == "live"
    assert "milepæl" in records[f"{base}/nyheder/aeldre-beboere/"]["body"]


def test_every_schema_example_runs_on_this_archive(db: tuple[Path, str]) -> None:
    text = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    examples = re.findall(r"<!-- example: (\S+) -->\n```sql\n(.*?)```", text, re.S)
    con = sqlite3.connect(f"file:{db[0]}?mode=ro", uri=True)
    try:
        # Every example runs; those whose answer this archive knows are checked.
        results = {name: con.execute(sql).fetchall() for name, sql in examples}
    finally:
        con.close()
    assert len(results) >= 15
    assert [r[1] for r in results["interviews-of-a-year"]] == [
        "FIRE SPØRGSMÅL TIL EN GÅRDMAND I AARHUS",
        "SÅDAN SKABER MAN TRYGHED",
    ]
    path, base = db
    assert [r[0] for r in results["added-by-a-run"]] == [f"{base}/nyheder/aabent-hus-i-gellerup/"]
    assert [r[0] for r in results["body-changed-between-runs"]] == [
        f"{base}/nyheder/aeldre-beboere/"
    ]
    assert results["failed-in-latest-crawl"] == []
    assert [r[3] for r in results["removed"]] == ["ÅRETS LEKTIECAFÉ ER FUNDET"]
