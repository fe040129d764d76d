"""Unit tests for the extraction helpers: text, dates, Q&A rules, robustness."""

from __future__ import annotations

import pytest

from cfbu_crawler.extract import (
    Block,
    extract_article,
    extract_canonical,
    extract_qa,
    normalise_record,
    normalise_text,
    parse_page,
)
from cfbu_crawler.extract.dates import parse_danish_date, to_copenhagen_date

# ---------------------------------------------------------------- normalise_text


def test_normalise_text_collapses_nbsp_zero_width_and_newlines() -> None:
    assert normalise_text("  Hej\u00a0\u00a0der\u200b\n\tCFBU  ") == "Hej der CFBU"


def test_normalise_text_composes_to_nfc() -> None:
    decomposed = "Fl\u00f8e Ba\u0308klund a\u030a"  # ä and å as combining sequences
    assert normalise_text(decomposed) == "Fløe Bäklund å"


def test_normalise_text_does_not_decode_entities_twice() -> None:
    assert normalise_text("A &amp; B") == "A &amp; B"


def test_normalise_record_is_idempotent_and_drops_empty_paragraphs() -> None:
    record = {
        "title": " Titel\u00a0 ",
        "breadcrumb": [" Hjem ", "", "Nyheder"],
        "category": "",
        "lead": "  ",
        "body": "Et  afsnit\n\n \u00a0 \n\nTo\u200b afsnit",
        "qa": [{"question": " Hvad? ", "answer": "Svar\n\n\n\n  mere "}],
    }
    once = normalise_record(record)
    assert once == {
        "title": "Titel",
        "breadcrumb": ["Hjem", "Nyheder"],
        "category": None,
        "lead": None,
        "body": "Et afsnit\n\nTo afsnit",
        "qa": [{"question": "Hvad?", "answer": "Svar\n\nmere"}],
    }
    assert normalise_record(once) == once
    assert record["title"] == " Titel\u00a0 "  # a new dict; the input is untouched


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30. november 2015", "2015-11-30"),
        ("30. nov. 2015", "2015-11-30"),
        ("d. 3. maj 2016", "2016-05-03"),
        ("Onsdag den 12. okt. 2016 kl. 10:00", "2016-10-12"),
        ("1. marts 2017", "2017-03-01"),
        ("30.11.2015", "2015-11-30"),
        ("30/11/2015", "2015-11-30"),
        ("2015-11-30", "2015-11-30"),
        ("5. sept. 2019", "2019-09-05"),
    ],
)
def test_danish_date_parser_reads_site_formats(text: str, expected: str) -> None:
    found = parse_danish_date(text)
    assert found is not None and found.isoformat() == expected


@pytest.mark.parametrize("text", ["31. februar 2015", "31.04.2016", "", "ingen dato her", "42"])
def test_danish_date_parser_rejects_impossible_or_missing_dates(text: str) -> None:
    assert parse_danish_date(text) is None


def test_numeric_dates_are_day_first() -> None:
    found = parse_danish_date("03.04.2016")
    assert found is not None and (found.month, found.day) == (4, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2018-02-28T23:20:00+00:00", "2018-03-01"),  # winter: UTC+1 crosses midnight
        ("2019-06-30T22:30:00Z", "2019-07-01"),  # summer: UTC+2 crosses midnight
        ("2019-06-30T21:59:00Z", "2019-06-30"),  # 23:59 in Copenhagen: same day
        ("2015-11-30T09:15:00+00:00", "2015-11-30"),
        ("2015-11-30T00:30:00+01:00", "2015-11-30"),
        ("2015-11-30T23:30:00", "2015-11-30"),  # naive: already local time
        ("2015-11-30", "2015-11-30"),  # date only: taken as is
        ("2019-06-30T22:30:00.000+0000", "2019-07-01"),
    ],
)
def test_utc_timestamps_are_converted_to_copenhagen_not_truncated(
    value: str, expected: str
) -> None:
    found = to_copenhagen_date(value)
    assert found is not None and found.isoformat() == expected


def test_impossible_structured_dates_give_none() -> None:
    assert to_copenhagen_date("2015-02-30T10:00:00Z") is None
    assert to_copenhagen_date("not a date") is None


# ---------------------------------------------------------------- Q&A rules


def b(text: str, emphasised: bool = False, heading: bool = False) -> Block:
    return Block(text, emphasised, heading)


def test_emphasised_question_takes_following_blocks_as_answer() -> None:
    blocks = [b("Indledning."), b("Hvorfor?", True), b("Fordi."), b("Og derfor.")]
    assert extract_qa(blocks) == [{"question": "Hvorfor?", "answer": "Fordi.\n\nOg derfor."}]


def test_plain_question_followed_by_dash_led_block_is_a_question() -> None:
    blocks = [b("Hvad nu?"), b("– Nu sker det."), b("Og mere til.")]
    assert extract_qa(blocks) == [
        {"question": "Hvad nu?", "answer": "Nu sker det.\n\nOg mere til."}
    ]


def test_dash_is_removed_from_every_answer_paragraph() -> None:
    blocks = [b("Spørgsmål?", True), b("– Et."), b("— To."), b("- Tre."), b("–Fire.")]
    assert extract_qa(blocks)[0]["answer"] == "Et.\n\nTo.\n\nTre.\n\n–Fire."


def test_dash_led_quotation_without_question_is_not_qa() -> None:
    blocks = [b("Nyhed."), b("– Det er godt, siger hun."), b("Mere tekst.")]
    assert extract_qa(blocks) == []


def test_plain_paragraph_ending_in_question_mark_is_prose() -> None:
    blocks = [b("Hvad betyder det?"), b("Det betyder meget.")]
    assert extract_qa(blocks) == []


def test_all_caps_heading_without_question_mark_is_never_a_question() -> None:
    blocks = [b("STOR INTERESSE", True, True), b("– Vi er glade, siger han.")]
    assert extract_qa(blocks) == []


def test_emphasised_heading_without_question_mark_before_dash_is_a_question() -> None:
    blocks = [b("Om fremtiden", True, True), b("– Den ser lys ud.")]
    assert extract_qa(blocks) == [{"question": "Om fremtiden", "answer": "Den ser lys ud."}]


def test_heading_question_and_closing_quote() -> None:
    blocks = [b("»Hvem bestemmer?«", False, True), b("Beboerne.")]
    assert extract_qa(blocks) == [{"question": "»Hvem bestemmer?«", "answer": "Beboerne."}]
    blocks = [b("Hvem bestemmer?”", True), b("Beboerne.")]
    assert extract_qa(blocks)[0]["question"] == "Hvem bestemmer?”"


def test_prose_before_first_question_belongs_to_no_answer() -> None:
    blocks = [b("– Citat."), b("Intro."), b("Hvorfor?", True), b("– Derfor.")]
    assert extract_qa(blocks) == [{"question": "Hvorfor?", "answer": "Derfor."}]


def test_two_questions_in_a_row_are_asked_as_one() -> None:
    blocks = [b("Hvad skete der?", True), b("Og hvorfor?", True), b("– Det ved vi ikke.")]
    assert extract_qa(blocks) == [
        {"question": "Hvad skete der? Og hvorfor?", "answer": "Det ved vi ikke."}
    ]


def test_trailing_question_without_answer_is_dropped() -> None:
    assert extract_qa([b("Tekst."), b("Vil du vide mere?", True)]) == []


# ---------------------------------------------------------------- pages


def test_single_br_joins_lines_but_splits_before_dash_and_after_bold() -> None:
    html = (
        "<article><h1>T</h1><div class='entry-content'>"
        "<p>Første linje<br>fortsætter her.</p>"
        "<p><strong>Spørgsmål?</strong><br>– Svar med streg.</p>"
        "<p><b>Uden streg?</b><br>Svar uden streg.</p></div></article>"
    )
    record = extract_article(html, "https://cfbu.dk/nyheder/t/").fields()
    assert record["body"].split("\n\n") == [
        "Første linje fortsætter her.",
        "Spørgsmål?",
        "– Svar med streg.",
        "Uden streg?",
        "Svar uden streg.",
    ]
    assert [pair["answer"] for pair in record["qa"]] == ["Svar med streg.", "Svar uden streg."]


def test_windows_1252_bytes_are_decoded_with_declared_charset() -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "</head><body><h1>Rødovre</h1><p>Æbler, søer og å – CFBU’s tekst.</p></body></html>"
    ).encode("cp1252")
    record = extract_article(html, "https://www.cfbu.dk/nyheder/x").fields()
    assert record["title"] == "Rødovre"
    assert record["body"] == "Æbler, søer og å – CFBU’s tekst."


def test_http_encoding_wins_and_undeclared_bad_utf8_falls_back_to_cp1252() -> None:
    raw = "<p>blåbær – ’</p>".encode("cp1252")
    assert "blåbær – ’" in parse_page(raw, "u").html
    assert "blåbær" in parse_page("<p>blåbær</p>".encode("latin-1"), "u", "latin-1").html


def test_canonical_is_absolute_and_falls_back_to_og_url() -> None:
    page = parse_page('<link rel="canonical" href="/nyheder/a/">', "https://cfbu.dk/x?y=1")
    assert extract_canonical(page) == "https://cfbu.dk/nyheder/a/"
    page = parse_page('<meta property="og:url" content="https://cfbu.dk/b/">', "https://cfbu.dk/")
    assert extract_canonical(page) == "https://cfbu.dk/b/"
    assert extract_canonical(parse_page("<p>x</p>", "https://cfbu.dk/")) is None


EMPTY = {
    "title": None,
    "breadcrumb": [],
    "category": None,
    "published": None,
    "lead": None,
    "body": "",
    "qa": [],
    "canonical": None,
}


@pytest.mark.parametrize(
    "junk",
    ["", b"", b"\x00\x01\x02\xff\xfe\xfa", "<<<>>>", "<?xml version='1.0'?><a>", None, b"%PDF-1.4"],
)
def test_extract_article_never_raises_on_junk(junk: object) -> None:
    record = extract_article(junk, "").fields()  # type: ignore[arg-type]
    assert set(record) == set(EMPTY)
    assert record["breadcrumb"] == [] and record["qa"] == []


def test_empty_page_gives_empty_record() -> None:
    assert extract_article("", "https://cfbu.dk/").fields() == EMPTY


def test_deeply_nested_markup_does_not_raise() -> None:
    html = "<div>" * 3000 + "<p>dyb tekst</p>" + "</div>" * 3000
    record = extract_article(html, "https://cfbu.dk/").fields()
    assert isinstance(record["body"], str)


def test_title_site_suffix_is_stripped_but_titles_naming_cfbu_are_kept() -> None:
    from cfbu_crawler.extract.title import strip_site_name

    page = parse_page("<p>x</p>", "https://cfbu.dk/nyheder/x/")
    assert strip_site_name("Titel | Center for Boligsocial Udvikling", page) == "Titel"
    assert strip_site_name("CFBU - Nyheder - Nye tal", page) == "Nye tal"
    assert (
        strip_site_name("CFBU er klar med årsrapport - CFBU", page) == "CFBU er klar med årsrapport"
    )
    assert strip_site_name("CFBU", page) is None


def test_big_font_site_banner_is_not_the_title() -> None:
    html = (
        '<table><tr><td><font size="4"><b>Center for Boligsocial Udvikling</b></font></td></tr>'
        '<tr><td><font size="4"><b>Ny leder af CFBU</b></font><br>01.02.2014</td></tr>'
        "<tr><td>CFBU har ansat en ny leder.<br><br>Hun starter 1. marts.</td></tr></table>"
    )
    record = extract_article(html, "https://www.cfbu.dk/nyheder/page/1/nyhed/ny-leder").fields()
    assert record["title"] == "Ny leder af CFBU"
    assert record["published"] == "2014-02-01"
    assert record["body"] == "CFBU har ansat en ny leder.\n\nHun starter 1. marts."
