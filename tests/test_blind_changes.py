"""Change tracking on a site none of the project's fixtures resemble (``tests/blindsite``).

A current-generation news section is crawled in v1 (a static-site-generator markup,
"ledger") and then in v2 (a Bootstrap 5 redesign with a cookie banner, a sidebar of other
articles and their dates before the article, a "Relaterede artikler" block inside the
article card, JSON-LD and scripts). Between them: two new articles; an edited body
paragraph; an edited interview answer; an edited title (the trail shows it); a corrected
date; a category change; one article answering 404 and one 410; one moved with a 301 and
one with a 308; one dropped from the listing but still live; and the theme change on
every page, which must not count as a change. A third crawl of v2 must add nothing.

Each scenario runs under several server behaviours (``blindsite.server.BEHAVIOURS``):
no sitemap and no validators; weak ETags; Last-Modified; a sitemap with lastmod; a
sitemap whose lastmod is the publication date (stale after an edit); gzip with ETags;
listing pages that answer 304. ``cfbu diff --json`` is compared exactly with a report
written by hand below.

With the stale sitemap nothing the server says signals the four edits that keep their
publication date: the incremental crawl trusts the sitemap (that is what makes it cheap)
and misses them, as the README allows (incremental crawls catch what the server signals); ``--full`` then
catches them, and the crawl after that is empty again.

The old generation (``/nyheder/page/N/nyhed/<slug>``, windows-1252, tables, "Du er her:",
numeric dates, no sitemap or validators) goes through v1 → v2 with two new articles
pushing the others onto other listing pages, an edit and a removal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from blindsite import content
from blindsite.content import ANSWER_NEW, ANSWER_OLD, BODY_EDIT_NEW, BODY_EDIT_OLD
from blindsite.server import BEHAVIOURS, current_site, old_site, serve
from helpers import crawl, diff, export, runs

from cfbu_crawler.record import CONTENT_FIELDS

pytestmark = pytest.mark.slow

FIELDS = CONTENT_FIELDS
# Behaviours whose unchanged re-crawl must cost at most 5% of a full crawl's bytes.
CHEAP = ("weak_etag", "last_modified", "gzip_etag", "listing_304")
# Articles in v1: 11 with a story of their own, 40 that never change. v2 adds 2 and
# removes 2, so 51 are live after it too.
V1_COUNT = 51


def last_run(db: Path) -> dict:
    return runs(db)[0]


# -- what docs/record.md says must come out of each page (the site's own text) -------------


def record_of(item: content.Item) -> dict:
    texts = [t for _, t in item.paras]
    qa, question, answer = [], None, []
    for kind, text in item.paras:
        if kind == "q":
            if question:
                qa.append({"question": question, "answer": "\n\n".join(answer)})
            question, answer = text, []
        elif question and kind == "a":
            answer.append(text[2:])
    if question:
        qa.append({"question": question, "answer": "\n\n".join(answer)})
    return {
        "title": item.title,
        "breadcrumb": ["Hjem", "Nyheder", item.title],
        "category": item.category,
        "published": item.date,
        "lead": texts[0],
        "body": "\n\n".join(texts),
        "qa": qa,
    }


def exported(db: Path) -> dict[str, dict]:
    return {r["url"]: r for r in export(db)}


def assert_records(got: dict[str, dict], base: str, items: list[content.Item]) -> None:
    expected = {f"{base}/nyheder/{i.slug}/": record_of(i) for i in items}
    assert sorted(expected) == sorted(u for u in got if u in expected or got[u]["status"] == "live")
    wrong = {
        url: {f: got[url][f] for f in FIELDS if got[url][f] != record[f]}
        for url, record in expected.items()
    }
    assert not any(wrong.values()), wrong


# -- the expected reports, by hand ---------------------------------------------------------

INTERVIEW_BODY_OLD = (
    "CFBU har talt med beboerformand Jette Holm om beboerdemokratiet.\n\n"
    "Hvad har I opnået det seneste år?\n\n"
    f"{ANSWER_OLD}\n\n"
    "Hvad er den største udfordring?\n\n"
    "– At holde fast i de frivillige, når projekterne slutter.\n\n"
    "– Og at få kommunen til at blive ved bordet."
)
INTERVIEW_QA_OLD = [
    {
        "question": "Hvad har I opnået det seneste år?",
        "answer": "Vi har fået flere unge med i bestyrelsen, og det mærkes.",
    },
    {
        "question": "Hvad er den største udfordring?",
        "answer": "At holde fast i de frivillige, når projekterne slutter.\n\n"
        "Og at få kommunen til at blive ved bordet.",
    },
]
INTERVIEW_QA_NEW = [
    {
        "question": "Hvad har I opnået det seneste år?",
        "answer": "Vi har fået flere unge med i bestyrelsen, og det mærkes hver eneste dag.",
    },
    INTERVIEW_QA_OLD[1],
]
REPORT_BODY_OLD = (
    "CFBU udgiver i dag en rapport om samarbejdet mellem skoler og boligsociale "
    f"helhedsplaner.\n\n{BODY_EDIT_OLD}\n\nRapporten kan hentes gratis på CFBU's hjemmeside."
)


def changed_entries(base: str, which: set[str]) -> list[dict]:
    """The hand-written ``changed`` entries of v1 → v2, those named in ``which``."""
    n = f"{base}/nyheder"
    entries = {
        "title": {
            "url": f"{n}/evaluering-af-lektiecafeer/",
            "title": "Lektiecaféer virker, viser evaluering",
            "fields": ["title", "breadcrumb"],
            "changes": {
                "title": {
                    "from": "Evaluering af lektiecaféer",
                    "to": "Lektiecaféer virker, viser evaluering",
                },
                "breadcrumb": {
                    "from": ["Hjem", "Nyheder", "Evaluering af lektiecaféer"],
                    "to": ["Hjem", "Nyheder", "Lektiecaféer virker, viser evaluering"],
                },
            },
        },
        "category": {
            "url": f"{n}/kursus-for-frivillige/",
            "title": "Kursus for frivillige",
            "fields": ["category"],
            "changes": {"category": {"from": "nyheder", "to": "kurser"}},
        },
        "body": {
            "url": f"{n}/ny-rapport-om-skolesamarbejde/",
            "title": "Ny rapport om skolesamarbejde",
            "fields": ["body"],
            "changes": {
                "body": {
                    "from": REPORT_BODY_OLD,
                    "to": REPORT_BODY_OLD.replace(BODY_EDIT_OLD, BODY_EDIT_NEW),
                }
            },
        },
        "published": {
            "url": f"{n}/nye-tal-om-fritidsjob/",
            "title": "Nye tal om fritidsjob",
            "fields": ["published"],
            "changes": {"published": {"from": "2016-02-03", "to": "2016-02-13"}},
        },
        "qa": {
            "url": f"{n}/tre-spoergsmaal-til-en-beboerformand/",
            "title": "Tre spørgsmål til en beboerformand",
            "fields": ["body", "qa"],
            "changes": {
                "body": {
                    "from": INTERVIEW_BODY_OLD,
                    "to": INTERVIEW_BODY_OLD.replace(ANSWER_OLD, ANSWER_NEW),
                },
                "qa": {"from": INTERVIEW_QA_OLD, "to": INTERVIEW_QA_NEW},
            },
        },
    }
    return sorted(({**entries[k], "suspect_fields": []} for k in which), key=lambda e: e["url"])


ALL_EDITS = {"title", "category", "body", "published", "qa"}


def title(slug: str, version: str) -> str:
    items = content.current_v1() if version == "v1" else content.current_v2()
    return next(i.title for i in items if i.slug == slug)


def expected_v1_v2(base: str, edits_seen: set[str], behaviour: str) -> dict:
    n = f"{base}/nyheder"
    # Dropped from the listing, but the sitemap (where there is one) still lists it: only
    # without a sitemap has it left every list the crawler reads.
    unlisted = [] if behaviour in ("sitemap", "stale_sitemap") else sorted(content.UNLISTED)
    return {
        "from_run": 1,
        "to_run": 2,
        "added": [
            {"url": f"{n}/aarsrapport-2015/", "title": "Årsrapport 2015"},
            {"url": f"{n}/ny-direktoer-i-cfbu/", "title": "Ny direktør i CFBU"},
        ],
        "first_archived": [],
        "removed": [
            {"url": f"{n}/{slug}/", "title": title(slug, "v1")}
            for slug in ("notat-om-huslejer", "projekt-lukker")
        ],
        "moved": [
            {
                "from": f"{n}/metodekatalog/",
                "to": f"{n}/metodekatalog-2016/",
                "title": title("metodekatalog-2016", "v2"),
            },
            {
                "from": f"{n}/tryghed-gammel-adresse/",
                "to": f"{n}/tryghed-i-boligomraadet/",
                "title": title("tryghed-i-boligomraadet", "v2"),
            },
        ],
        "changed": changed_entries(base, edits_seen),
        "unlisted": [{"url": f"{n}/{slug}/", "title": title(slug, "v2")} for slug in unlisted],
        # 51 in v1, 2 removed, 2 moved, the rest changed or not (the unlisted one too):
        # 42 when all five edits are seen.
        "unchanged": 51 - 2 - 2 - len(edits_seen),
        "warnings": [],
    }


def empty_diff(from_run: int, to_run: int, unchanged: int) -> dict:
    return {
        "from_run": from_run,
        "to_run": to_run,
        "added": [],
        "first_archived": [],
        "removed": [],
        "moved": [],
        "changed": [],
        "unlisted": [],
        "unchanged": unchanged,
        "warnings": [],
    }


@pytest.mark.parametrize("behaviour", list(BEHAVIOURS))
def test_current_site_v1_v2_and_an_unchanged_recrawl(behaviour: str, tmp_path: Path) -> None:
    db = tmp_path / "blind.sqlite3"
    with serve(behaviour) as server:
        base = server.base_url
        server.site = current_site("v1", base, behaviour)
        crawl(base, db)
        full_bytes = server.stats.total_bytes()
        assert_records(exported(db), base, content.current_v1())

        server.stats.reset()
        server.site = current_site("v2", base, behaviour)
        crawl(base, db)
        if behaviour == "stale_sitemap":
            # Only the corrected date moved the sitemap's lastmod; the other edits are
            # invisible to an incremental crawl that trusts the sitemap. --full sees them.
            assert diff(db) == expected_v1_v2(base, {"published"}, behaviour)
            crawl(base, db, "--full")
            report = diff(db)
            assert report == {
                **empty_diff(2, 3, 51 - 4),
                "changed": changed_entries(base, ALL_EDITS - {"published"}),
            }
        else:
            assert diff(db) == expected_v1_v2(base, ALL_EDITS, behaviour)
        got = exported(db)
        assert_records(got, base, content.current_v2())
        gone = {u: r["status"] for u, r in got.items() if r["status"] != "live"}
        assert gone == {
            f"{base}/nyheder/notat-om-huslejer/": "gone",
            f"{base}/nyheder/projekt-lukker/": "gone",
        }
        versions = {u: r["versions"] for u, r in got.items()}
        before = last_run(db)["id"]

        # The same site again: no version, an empty report.
        server.stats.reset()
        crawl(base, db)
        recrawl_bytes = server.stats.total_bytes()
        assert diff(db) == empty_diff(before, before + 1, V1_COUNT)
        assert {u: r["versions"] for u, r in exported(db).items()} == versions
        counts = last_run(db)["counts"]
        assert (counts["new"], counts["changed"], counts["removed"], counts["moved"]) == (0,) * 4
        if behaviour in CHEAP:
            assert recrawl_bytes <= 0.05 * full_bytes, (
                recrawl_bytes,
                full_bytes,
                server.stats.records,
            )


# -- the old generation ------------------------------------------------------------------------


def old_record(item: content.OldItem) -> dict:
    return {
        "title": item.title,
        "breadcrumb": ["Forside", "Nyheder", item.title],
        "category": None,
        "published": item.date,
        "lead": item.paras[0],
        "body": "\n\n".join(item.paras),
        "qa": [],
    }


def test_old_generation_site_v1_v2(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    with serve("plain") as server:
        base = server.base_url
        n = f"{base}/nyheder/nyhed"
        server.site = old_site("v1")
        crawl(base, db)
        got = exported(db)
        expected = {f"{n}/{i.slug}/": old_record(i) for i in content.old_v1()}
        assert sorted(got) == sorted(expected)
        assert {u: {f: got[u][f] for f in FIELDS} for u in got} == expected

        server.site = old_site("v2")
        crawl(base, db)
        edited_from = (
            "Alle beboere er velkomne til årets beboermøde.\n\nMødet holdes i beboerhuset kl. 19."
        )
        assert diff(db) == {
            "from_run": 1,
            "to_run": 2,
            "added": [
                {"url": f"{n}/sommerlukket/", "title": "Sommerlukket"},
                {"url": f"{n}/temadag-om-unge/", "title": "Temadag om unge"},
            ],
            "first_archived": [],
            "removed": [{"url": f"{n}/aflyst-arrangement/", "title": "Arrangement i Gellerup"}],
            "moved": [],
            "changed": [
                {
                    "url": f"{n}/beboermoede-i-vollsmose/",
                    "title": "Beboermøde i Vollsmose",
                    "fields": ["body"],
                    "changes": {
                        "body": {
                            "from": edited_from,
                            "to": "Alle beboere er velkomne til årets beboermøde.\n\n"
                            "Mødet holdes i beboerhuset kl. 19.30 – bemærk det nye tidspunkt.",
                        }
                    },
                    "suspect_fields": [],
                }
            ],
            "unlisted": [],
            "unchanged": 5,
            "warnings": [],
        }
        got = exported(db)
        assert len(got) == 9  # seven old, two new: no article twice under another page number
        assert {u: r["status"] for u, r in got.items() if r["status"] != "live"} == {
            f"{n}/aflyst-arrangement/": "gone"
        }
        expected = {f"{n}/{i.slug}/": old_record(i) for i in content.old_v2()}
        assert {u: {f: got[u][f] for f in FIELDS} for u in expected} == expected

        crawl(base, db)
        assert diff(db) == empty_diff(2, 3, 8)
