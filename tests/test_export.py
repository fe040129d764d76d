"""``cfbu export``: the same columns in every format, CSV safe for spreadsheets and fit for
Danish Excel, one row per Q&A pair, the archive as it stood after any run, every version,
streaming, and clear refusals (README.md, "Export")."""

from __future__ import annotations

import csv
import io
import json
import os
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
import schema_archive
from changes_archive import page
from click.testing import CliRunner, Result
from helpers import query
from schema_archive import url
from support.bigarchive import fill

from cfbu_crawler.archive import export as export_module
from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.archive.export import (
    ARTICLE_COLUMNS,
    QA_COLUMNS,
    VERSION_COLUMNS,
    iter_records,
)
from cfbu_crawler.archive.store import ArchiveWriter
from cfbu_crawler.cli import main
from cfbu_crawler.formats import csv_cell, neutralise

FEM = url("fem-spoergsmaal-til-en-koordinator")
LOMMEPENGE = url("evaluering-af-lommepengeprojekter")
HAANDBOG = url("haandbog-i-dataindsamling")


@pytest.fixture(scope="module")
def db(module_new_archive: Callable[..., str]) -> str:
    return schema_archive.build(module_new_archive("archive"))


def cfbu(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"CFBU_DB": None})


def export(db: str, *args: str) -> str:
    result = cfbu("export", "--db", str(db), *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def jsonl(db: str, *args: str) -> list[dict]:
    return [json.loads(line) for line in export(db, *args).splitlines()]


def read_csv(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))


def as_cell(value: object) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


# -- the same columns everywhere ----------------------------------------------------------


@pytest.mark.parametrize(
    "args,columns",
    [
        ([], ARTICLE_COLUMNS),
        (["--run", "1"], ARTICLE_COLUMNS),
        (["--all-versions"], VERSION_COLUMNS),
        (["--qa"], QA_COLUMNS),
        (["--qa", "--all-versions"], QA_COLUMNS),
    ],
)
def test_csv_carries_the_jsonl_columns_and_values(
    db: str, args: list[str], columns: tuple[str, ...]
) -> None:
    records = jsonl(db, *args)
    rows = read_csv(export(db, "--format", "csv", *args))
    assert records and len(rows) == len(records)
    assert list(rows[0]) == list(columns) == list(records[0])
    for record, row in zip(records, rows, strict=True):
        # Lists as JSON text, flags as true/false, null as nothing.
        assert row == {key: as_cell(value) for key, value in record.items()}


def test_json_is_the_jsonl_records_in_an_array(db: str) -> None:
    assert json.loads(export(db, "--format", "json")) == jsonl(db)
    assert json.loads(export(db, "--format", "json", "--qa")) == jsonl(db, "--qa")


def test_records_carry_missing_interview_flags_and_former_urls(db: str) -> None:
    records = {r["url"]: r for r in jsonl(db)}
    assert records[FEM]["qa_count"] == 3 and records[FEM]["is_interview"] is True
    assert records[HAANDBOG]["qa_count"] == 0 and records[HAANDBOG]["is_interview"] is False
    assert records[url("kortlaegning-af-tryghed-2018")]["aliases"] == [
        url("kortlaegning-af-tryghed")
    ]
    assert all(r["missing"] == [] for r in records.values())
    assert records[LOMMEPENGE]["status"] == "gone"
    assert records[HAANDBOG]["version"] == records[HAANDBOG]["versions"] == 2


def test_the_latest_versions_view_says_which_articles_are_interviews(db: str) -> None:
    rows = dict(query(db, "SELECT url, qa_count FROM latest_versions WHERE is_interview = 1"))
    assert rows == {
        url("de-trovaerdige-voksne"): 2,
        url("frivillighed-er-ikke-gratis"): 1,
        FEM: 3,
    }
    exported = {r["url"]: r["qa_count"] for r in jsonl(db) if r["is_interview"]}
    assert exported == rows


# -- Q&A pairs, runs and versions --------------------------------------------------------


def test_qa_gives_one_row_per_question_and_answer(db: str) -> None:
    rows = read_csv(export(db, "--qa", "--format", "csv"))
    assert len(rows) == 2 + 1 + 3
    fem = [r for r in rows if r["url"] == FEM]
    assert [(r["position"], r["question"]) for r in fem] == [
        ("1", "Hvad laver du?"),
        ("2", "Hvad mangler I?"),
        ("3", "Hvad nu?"),
    ]
    assert fem[1]["answer"] == "Flere frivillige."
    assert fem[0]["title"] == "FEM SPØRGSMÅL TIL EN KOORDINATOR"
    assert fem[0]["published"] == "2015-04-20" and fem[0]["version"] == "2"


def test_qa_of_a_past_run_and_of_every_version(db: str) -> None:
    run1 = [r for r in jsonl(db, "--qa", "--run", "1") if r["url"] == FEM]
    assert run1[1]["answer"] == "Penge til lektiecaféen, sagde borgmesteren."
    every = [
        (r["version"], r["position"])
        for r in jsonl(db, "--qa", "--all-versions")
        if r["url"] == FEM
    ]
    assert every == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3)]


def test_run_n_is_the_archive_as_it_stood_after_that_run(db: str) -> None:
    after1 = {r["url"]: r for r in jsonl(db, "--run", "1")}
    assert url("ny-strategi") not in after1  # first seen in run 2
    assert after1[LOMMEPENGE]["status"] == "live"  # removed by run 2
    assert after1[HAANDBOG]["published"] == "2017-02-14"
    assert after1[HAANDBOG]["versions"] == 1
    assert after1[FEM]["last_seen"] == "2015-12-01T10:00:00Z"
    after2 = {r["url"]: r for r in jsonl(db, "--run", "2")}
    assert after2[LOMMEPENGE]["status"] == "gone"
    assert after2[url("frivillighed-er-ikke-gratis")]["category"] is None  # before the reparse
    # After the latest run, the archive as it stands.
    assert jsonl(db, "--run", "3") == jsonl(db)


def test_all_versions_gives_every_version_with_its_run_cause_and_changes(db: str) -> None:
    versions = jsonl(db, "--all-versions")
    assert len(versions) == 11
    by_key = {(v["url"], v["version"]): v for v in versions}
    assert by_key[(HAANDBOG, 2)]["changed_fields"] == ["published"]
    assert by_key[(HAANDBOG, 2)]["run"] == 2 and by_key[(HAANDBOG, 2)]["cause"] == "site"
    reparsed = by_key[(url("frivillighed-er-ikke-gratis"), 2)]
    assert (reparsed["run"], reparsed["cause"], reparsed["changed_fields"]) == (
        3,
        "extractor",
        ["category"],
    )
    after1 = jsonl(db, "--all-versions", "--run", "1")
    assert len(after1) == 7
    assert {v["url"]: v["status"] for v in after1}[LOMMEPENGE] == "live"  # gone in run 2
    assert {v["url"]: v["status"] for v in versions}[LOMMEPENGE] == "gone"


def test_an_unknown_run_is_one_line_and_writes_nothing(db: str, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    result = cfbu("export", "--db", str(db), "--run", "9", "--output", str(out))
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: no run 9 in this archive (runs are 1 to 3)"
    assert not out.exists() and list(tmp_path.iterdir()) == []


# -- spreadsheets --------------------------------------------------------------------------


def test_excel_csv_has_a_bom_semicolons_and_danish_letters_intact(db: str, tmp_path: Path) -> None:
    out = tmp_path / "nyheder.csv"
    result = cfbu("export", "--db", str(db), "--excel", "--output", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr == f"8 articles written to {out}\n"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("url;status;title;")
    rows = read_csv(text, delimiter=";")
    assert "HÅNDBOG I BOLIGSOCIAL DATAINDSAMLING" in [r["title"] for r in rows]
    assert "SUNDHED I ØJENHØJDE" in [r["title"] for r in rows]
    assert [list(r) for r in rows[:1]] == [list(ARTICLE_COLUMNS)]
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0600


def test_excel_with_qa_is_one_row_per_pair(db: str) -> None:
    text = (
        CliRunner()
        .invoke(main, ["export", "--db", str(db), "--excel", "--qa"], env={"CFBU_DB": None})
        .stdout_bytes.decode("utf-8-sig")
    )
    rows = read_csv(text, delimiter=";")
    assert len(rows) == 6 and rows[0]["question"]


def test_excel_does_not_go_with_json(db: str) -> None:
    result = cfbu("export", "--db", str(db), "--excel", "--format", "json")
    assert result.exit_code == 2
    assert "--excel writes CSV" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    "text,safe",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+45 12 34 56 78", "'+45 12 34 56 78"),
        ("-10 % til de unge", "'-10 % til de unge"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tskjult", "'\tskjult"),
        ("– tankestreg er tekst", "– tankestreg er tekst"),
        ("Høje Taastrup", "Høje Taastrup"),
        ("2015-11-30", "2015-11-30"),
    ],
)
def test_formula_looking_cells_are_neutralised(text: str, safe: str) -> None:
    assert neutralise(text) == safe
    assert csv_cell(text) == safe
    assert csv_cell(["=1+1"]) == '["=1+1"]'
    assert csv_cell(None) == "" and csv_cell(True) == "true" and csv_cell(3) == "3"


def test_every_csv_neutralises_formulas_and_jsonl_keeps_the_text(archive_url: str) -> None:
    db = archive_url
    engine = open_engine(db, create=True)
    try:
        writer = ArchiveWriter(engine, extractor_version="t")
        writer.begin_run(start_url="x", full=False, settings={})
        title = '=HYPERLINK("http://evil.invalid","klik")'
        body = "@SUM(1+1) og mere"
        record = {
            "url": "https://cfbu.dk/nyheder/formel/",
            "title": title,
            "breadcrumb": ["Hjem", title],
            "category": "+nyheder",
            "published": "2016-01-01",
            "lead": body,
            "body": body,
            "qa": [{"question": "-Hvad?", "answer": "=1+1"}],
        }
        writer.record_page(page(record))
        writer.finish_run("complete", reason="finished")
    finally:
        close_engine(engine)
    assert jsonl(db)[0]["title"] == title
    for extra in ([], ["--excel"]):
        text = export(db, "--format", "csv", *extra).lstrip("\ufeff")
        (row,) = read_csv(text, delimiter=";" if extra else ",")
        assert row["title"] == "'" + title
        assert row["body"] == "'" + body and row["category"] == "'+nyheder"
        assert row["breadcrumb"].startswith("[")  # JSON text: no formula
    (qa,) = read_csv(export(db, "--format", "csv", "--qa"))
    assert (qa["question"], qa["answer"]) == ("'-Hvad?", "'=1+1")


# -- output ----------------------------------------------------------------------------------


def test_output_to_a_missing_folder_is_one_line(db: str, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "x.csv"
    result = cfbu("export", "--db", str(db), "--format", "csv", "--output", str(target))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines == [f"Error: cannot write {target}: the folder {target.parent} does not exist"]
    assert not (tmp_path / "no").exists()


def test_output_replaces_a_file_whole(db: str, tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    out.write_text("old\n")
    result = cfbu("export", "--db", str(db), "--qa", "--output", str(out))
    assert result.stderr == f"6 Q&A pairs written to {out}\n"
    assert [json.loads(line)["url"] for line in out.read_text().splitlines()][0] == url(
        "de-trovaerdige-voksne"
    )


def test_export_streams_memory_does_not_grow_with_the_archive(
    new_archive: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Peak Python memory while exporting every version of 400 and 1,600 articles (a Q&A
    pair, ~1.2 kB of text each), reading 100 rows a batch: a list of the records takes
    four times more for the bigger archive; the stream holds a batch whatever the
    archive's size. (bench/export_memory.py measures the command's peak RSS up to 30,000
    articles, with the real batch size.)"""
    monkeypatch.setattr(export_module, "BATCH", 100)
    peaks = {}
    for articles in (400, 1600):
        engine = open_engine(new_archive(f"big-{articles}"), create=True)
        try:
            fill(engine, articles=articles, versions=1, index=False)
            # Once untraced: what is made once per process or engine (compiled statements,
            # caches) is no memory the archive's size asks for.
            sum(1 for _ in iter_records(engine, all_versions=True))
            tracemalloc.start()
            count = sum(1 for _ in iter_records(engine, all_versions=True))
            peaks[articles] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        finally:
            close_engine(engine)
        assert count == articles
    # Streaming: about the same peak for 4x the rows (1.0-1.2x alone; up to 1.4x seen when
    # another test's thread in the same worker allocates meanwhile: tracemalloc traces
    # every thread). A list of the records would take 4x.
    assert peaks[1600] < 2 * peaks[400], peaks
