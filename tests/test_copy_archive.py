"""``cfbu copy-archive``: a whole archive from one database into another, verified; the
round trip SQLite → PostgreSQL → SQLite changes nothing any command shows; appending the
runs a copy lacks; refusals (README.md, "Running on PostgreSQL")."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import pytest
import schema_archive
from changes_archive import build, open_db, page, record, run, run1_records, run2_pages, url
from click.testing import CliRunner, Result
from helpers import archive, query
from sqlalchemy import text

from cfbu_crawler.archive import copy as copy_module
from cfbu_crawler.archive import lock, search
from cfbu_crawler.archive.copy import TABLES, CopyMismatch, copy_archive, snapshot, table_digest
from cfbu_crawler.archive.db import ArchiveError, close_engine, open_engine, session_factory
from cfbu_crawler.archive.models import Version
from cfbu_crawler.archive.search import SearchRequest
from cfbu_crawler.cli import main
from cfbu_crawler.cli.copy import summary


def cfbu(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"CFBU_DB": None})


def digests(db: str) -> dict[str, tuple[int, str]]:
    """Every table's rows and SHA-256, as the copy verifies them."""
    with archive(db) as engine, snapshot(engine) as conn:
        return {table.name: table_digest(conn, table) for table in TABLES}


def shown(db: str) -> dict[str, str]:
    """What the read commands print about the archive."""
    out = {}
    for name, args in {
        "export": ["export"],
        "export versions": ["export", "--all-versions"],
        "export qa": ["export", "--qa", "--format", "csv"],
        "export run 1": ["export", "--run", "1"],
        "diff": ["diff", "--json"],
        "runs": ["runs", "--json"],
        "history": ["history", "frivillighed-er-ikke-gratis", "--json"],
        "show": ["show", "haandbog-i-dataindsamling", "--version", "1", "--json"],
    }.items():
        result = cfbu(*args, "--db", db)
        assert result.exit_code == 0, (name, result.output)
        out[name] = result.stdout
    return out


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An SQLite archive with three runs: versions, Q&A, a move, a removal, a reparse."""
    return schema_archive.build(tmp_path_factory.mktemp("copy") / "source.sqlite3")


# -- a whole archive ---------------------------------------------------------------------


def test_a_copy_holds_every_row_and_the_commands_show_the_same(
    source: str, archive_url: str
) -> None:
    report = copy_archive(source, archive_url)
    assert [t.name for t in report.tables] == [t.name for t in TABLES]
    assert "crawl_lock" not in [t.name for t in report.tables]
    assert report.runs_added == [1, 2, 3]
    assert report.versions_checked == report.rows("versions") == 11
    assert report.raw_pages_checked == report.rows("raw_pages") > 0
    assert report.search_index == {"articles": 8, "versions": 11}
    assert digests(archive_url) == digests(source)
    assert shown(archive_url) == shown(source)
    with archive(archive_url) as engine:
        assert search.index_problems(engine) == []
        hits = search.search(engine, SearchRequest("øjenhøjde")).hits
    assert [h.url for h in hits] == [url("sundhed-i-oejenhoejde")]


@pytest.mark.slow
def test_sqlite_to_postgresql_to_sqlite_changes_nothing(
    source: str, postgres_server, tmp_path
) -> None:
    middle = postgres_server.new_database(empty=True)
    back = str(tmp_path / "back.sqlite3")
    try:
        assert cfbu("copy-archive", "--from", source, "--to", middle).exit_code == 0
        assert cfbu("copy-archive", "--from", middle, "--to", back).exit_code == 0
        assert shown(back) == shown(source)
        assert shown(middle) == shown(source)
        assert digests(back) == digests(middle) == digests(source)
    finally:
        postgres_server.drop_database(middle)


def test_the_copy_takes_new_rows_after_the_copied_ids(source: str, archive_url: str) -> None:
    copy_archive(source, archive_url)
    engine = open_db(archive_url)
    new_run = run(engine, [page(record("ny-artikel", title="NY ARTIKEL"))])
    assert new_run == 4
    with session_factory(engine)() as session:
        newest = session.query(Version).order_by(Version.id.desc()).first()
    assert newest is not None and newest.id == 12
    assert [h.url for h in search.search(engine, SearchRequest("ny artikel")).hits] == [
        url("ny-artikel")
    ]


def test_progress_is_reported_table_by_table(source: str, archive_url: str) -> None:
    seen: list[tuple[str, int, int]] = []
    copy_archive(source, archive_url, batch_rows=3, progress=lambda *a: seen.append(a))
    tables = [name for name, _, _ in seen]
    assert list(dict.fromkeys(tables)) == [t.name for t in TABLES]
    versions = [(done, total) for name, done, total in seen if name == "versions"]
    assert versions[-1] == (11, 11) and len(versions) > 2  # in batches


def test_the_command_says_what_it_copied_and_verified(source: str, archive_url: str) -> None:
    result = cfbu("copy-archive", "--from", source, "--to", archive_url)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Copied {source} → ")
    assert "3 runs, 8 articles, 11 versions" in lines[0]
    assert lines[1].startswith("Verified: every table holds the source's rows")
    assert "11 versions match their content hash" in lines[1]
    assert lines[2] == "Search index rebuilt: 8 articles (latest versions), 11 versions."
    as_json = cfbu("copy-archive", "--from", source, "--to", archive_url, "--json")
    assert as_json.exit_code == 1  # it holds an archive now
    assert "already holds an archive (3 runs, 8 articles)" in as_json.stderr


# -- what the target may hold --------------------------------------------------------------


def test_a_target_holding_an_archive_is_refused_and_left_as_it_was(
    source: str, new_archive: Callable[..., str]
) -> None:
    target = new_archive("target")
    build(target).dispose()
    before = digests(target)
    with pytest.raises(ArchiveError, match="already holds an archive .*--append-missing-runs"):
        copy_archive(source, target)
    assert digests(target) == before


def test_the_same_archive_twice_is_refused(source: str) -> None:
    result = cfbu("copy-archive", "--from", source, "--to", f"sqlite:///{source}")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: --from and --to are the same archive ({source})"
    ]


def test_a_missing_source_is_one_line_and_creates_nothing(
    tmp_path, new_archive: Callable[..., str]
) -> None:
    target = new_archive("target", empty=True)
    result = cfbu("copy-archive", "--from", str(tmp_path / "nope.sqlite3"), "--to", target)
    assert result.exit_code == 1 and "no archive at" in result.stderr
    assert not (tmp_path / "nope.sqlite3").exists()


def test_a_crawl_writing_to_the_target_is_refused(source: str, archive_url: str) -> None:
    engine = open_engine(archive_url, create=True)
    factory = session_factory(engine)
    lock.acquire(factory, pid=os.getppid())  # a live crawl of another process
    try:
        with pytest.raises(lock.LockHeld, match="another crawl"):
            copy_archive(source, archive_url)
    finally:
        lock.release(factory, pid=os.getppid())
    assert query(archive_url, "SELECT COUNT(*) FROM runs") == [(0,)]


def test_what_a_crawl_has_not_committed_is_not_copied(
    source: str, tmp_path, archive_url: str
) -> None:
    """The copy reads one snapshot of the source; a crawl writing meanwhile is noted."""
    live = str(tmp_path / "live.sqlite3")
    copy_archive(source, live)
    engine = open_db(live)
    factory = session_factory(engine)
    lock.acquire(factory, pid=os.getppid())  # a crawl is running
    with engine.connect() as conn, conn.begin():
        conn.execute(text("UPDATE articles SET url = 'uncommitted' WHERE id = 1"))
        report = copy_archive(live, archive_url)  # beside the open write transaction
        conn.rollback()
    lock.release(factory, pid=os.getppid())
    assert report.source_was_written
    assert digests(archive_url) == digests(source)
    assert "A crawl was writing to the source" in "\n".join(summary(report))


def test_a_copy_that_does_not_verify_is_rolled_back(
    source: str, archive_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset = copy_module._reset_sequences

    def corrupting(dst) -> None:  # one title changed on the way
        dst.execute(text("UPDATE versions SET title = 'FORKERT' WHERE id = 3"))
        reset(dst)

    monkeypatch.setattr(copy_module, "_reset_sequences", corrupting)
    with pytest.raises(CopyMismatch, match="versions: the rows differ.*versions \\[3\\]"):
        copy_archive(source, archive_url)
    assert query(archive_url, "SELECT COUNT(*) FROM versions") == [(0,)]


# -- appending the runs a copy lacks ------------------------------------------------------


def test_appending_brings_the_missing_runs_and_everything_they_changed(
    new_archive: Callable[..., str], tmp_path
) -> None:
    origin = str(tmp_path / "origin.sqlite3")
    engine = open_db(origin)
    run(engine, [page(r) for r in run1_records()])
    copy = new_archive("copy")
    copy_archive(origin, copy)
    # Run 2 on the original: edits, a new article, moves (one merged away), a removal.
    run(engine, run2_pages(), gone=[url("e-gone")])
    close_engine(engine)
    report = copy_archive(origin, copy, append_missing_runs=True)
    assert report.runs_added == [2]
    counts = {t.name: t for t in report.tables}
    assert counts["articles"].changed > 0 and counts["versions"].added > 0
    assert digests(copy) == digests(origin)
    assert shown_changes(copy) == shown_changes(origin)
    again = copy_archive(origin, copy, append_missing_runs=True)
    assert again.runs_added == []
    assert not any(t.added or t.changed or t.removed for t in again.tables)


def shown_changes(db: str) -> tuple[str, str]:
    return cfbu("export", "--db", db).stdout, cfbu("diff", "--json", "--db", db).stdout


def test_appending_removes_what_a_later_run_merged_away(
    new_archive: Callable[..., str], tmp_path
) -> None:
    origin = str(tmp_path / "origin.sqlite3")
    engine = open_db(origin)
    old = record("gammel", title="GAMMEL")
    run(engine, [page(old)])
    moved = {**old, "url": url("ny")}
    run(engine, [page(moved)])  # looks new: another article, for now
    copy = new_archive("copy")
    copy_archive(origin, copy)
    assert query(copy, "SELECT COUNT(*) FROM articles") == [(2,)]
    run(engine, [page(moved, requested=url("gammel"), redirects=[url("gammel")])])
    close_engine(engine)
    assert query(origin, "SELECT COUNT(*) FROM articles") == [(1,)]  # merged into one
    report = copy_archive(origin, copy, append_missing_runs=True)
    assert {t.name: t.removed for t in report.tables}["articles"] == 1
    assert digests(copy) == digests(origin)


def test_appending_refuses_a_target_with_runs_the_source_lacks(
    new_archive: Callable[..., str], tmp_path
) -> None:
    origin = str(tmp_path / "origin.sqlite3")
    engine = open_db(origin)
    run(engine, [page(r) for r in run1_records()])
    close_engine(engine)
    copy = new_archive("copy")
    copy_archive(origin, copy)
    diverged = open_db(copy)
    run(diverged, [page(record("kun-her"))])  # crawled into the copy
    close_engine(diverged)
    with pytest.raises(ArchiveError, match="its run 2 .* is not in .*has no run 2 there"):
        copy_archive(origin, copy, append_missing_runs=True)


def test_appending_refuses_another_archive(source: str, new_archive: Callable[..., str]) -> None:
    other = new_archive("other")
    build(other).dispose()  # runs 1 and 2, but not these
    with pytest.raises(ArchiveError, match="has another run 1 there"):
        copy_archive(source, other, append_missing_runs=True)


def test_appending_to_an_empty_target_is_a_whole_copy(source: str, archive_url: str) -> None:
    report = copy_archive(source, archive_url, append_missing_runs=True)
    assert report.runs_added == [1, 2, 3]
    assert digests(archive_url) == digests(source)


def test_json_report(source: str, archive_url: str) -> None:
    result = cfbu("copy-archive", "--from", source, "--to", archive_url, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["runs_added"] == [1, 2, 3]
    assert data["tables"]["versions"]["rows"] == 11
    assert data["verified"]["versions_content_hash"] == 11
    assert data["search_index"] == {"articles": 8, "versions": 11}


def test_appending_survives_rows_exchanging_unique_values(
    new_archive: Callable[..., str], tmp_path
) -> None:
    """Two articles that exchanged URLs (each row's unique key is the other's now)."""
    origin = str(tmp_path / "origin.sqlite3")
    build(origin).dispose()
    copy = new_archive("copy")
    copy_archive(origin, copy)
    with archive(origin) as engine, engine.begin() as conn:
        (a_key, a_url), (b_key, b_url) = conn.execute(
            text("SELECT key, url FROM articles WHERE id IN (1, 2) ORDER BY id")
        ).all()
        conn.execute(text("UPDATE articles SET key = 'tmp' WHERE id = 1"))
        conn.execute(
            text("UPDATE articles SET key = :k, url = :u WHERE id = 2"), {"k": a_key, "u": a_url}
        )
        conn.execute(
            text("UPDATE articles SET key = :k, url = :u WHERE id = 1"), {"k": b_key, "u": b_url}
        )
    report = copy_archive(origin, copy, append_missing_runs=True)
    assert {t.name: t.changed for t in report.tables}["articles"] == 2
    assert digests(copy) == digests(origin)


def test_a_terminal_sees_a_progress_bar_per_table(
    source: str, archive_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich: stderr is a terminal
    monkeypatch.delenv("NO_COLOR", raising=False)
    result = CliRunner().invoke(
        main, ["copy-archive", "--from", source, "--to", archive_url, "--batch", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "versions" in result.stderr and "11/11" in result.stderr
    assert result.stdout.startswith("Copied ")  # the summary stays plain


def test_what_disagrees_in_the_source_already_is_copied_as_it_is_and_said(
    source: str, tmp_path, archive_url: str
) -> None:
    odd = str(tmp_path / "odd.sqlite3")
    copy_archive(source, odd)
    with archive(odd) as engine, engine.begin() as conn:
        conn.execute(text("UPDATE versions SET content_hash = 'x' WHERE id = 5"))
    report = copy_archive(odd, archive_url)
    assert report.versions_unmatched == [5] and report.raw_pages_unmatched == []
    assert digests(archive_url) == digests(odd)
    expected = "10 of 11 versions match their content hash (the other 1 does not in the "
    assert expected + "source either: id 5)" in summary(report)[1]
