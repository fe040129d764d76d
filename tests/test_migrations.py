"""The schema is made by migrations, and the migrations agree with the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from cfbu_crawler.archive.db import ArchiveError, alembic_config, open_engine
from cfbu_crawler.archive.models import Base
from cfbu_crawler.archive.search.fts5 import include_name


def test_alembic_upgrade_head_on_empty_database_matches_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": include_name})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []
    assert "latest_versions" in inspect(engine).get_view_names()


def test_open_engine_creates_schema_with_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = open_engine(str(tmp_path / "new" / "a.sqlite3"), create=True)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert {"runs", "articles", "versions", "observations", "raw_pages"} <= set(
        inspect(engine).get_table_names()
    )


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"just some notes\n")
    with pytest.raises(ArchiveError, match="not an SQLite archive"):
        open_engine(str(path), create=True)
    assert path.read_bytes() == b"just some notes\n"


def test_an_sqlite_database_of_another_program_is_refused_and_left_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE things (x)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="not a cfbu archive"):
        open_engine(str(path), create=True)
    assert path.read_bytes() == before
    assert not (tmp_path / "other.sqlite3-wal").exists()


def test_read_commands_do_not_create_a_missing_archive(tmp_path: Path) -> None:
    path = tmp_path / "missing" / "a.sqlite3"
    with pytest.raises(ArchiveError, match="no archive at"):
        open_engine(str(path), create=False)
    assert not path.parent.exists()


def test_the_head_revision_known_without_alembic_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from cfbu_crawler.archive.db import HEAD_REVISION

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_current_head() == HEAD_REVISION, (
        "a migration was added: set HEAD_REVISION (archive/sqlitefile.py) to its revision"
    )
