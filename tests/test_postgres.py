"""What only PostgreSQL has: the migrations there, the crawl lock as an advisory lock
shared by every host, a lost lock taken again, a database that holds no archive, and
a crawl into it giving the same records as into SQLite (README.md, "Running on
PostgreSQL"). The session's server is started by the ``postgres_server`` fixture; the
tests skip, saying why, where none can be started."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from changes_archive import open_db, page, record, run
from click.testing import CliRunner
from helpers import crawl, export, query
from sqlalchemy import text
from support.oracle import expected_records
from support.postgres import PostgresServer
from support.server import FixtureServer

from cfbu_crawler.archive import advisory, lock
from cfbu_crawler.archive.db import ArchiveError, close_engine, open_engine, session_factory
from cfbu_crawler.archive.models import Base
from cfbu_crawler.archive.search.backend import include_name
from cfbu_crawler.archive.store import ArchiveWriter
from cfbu_crawler.cli import main
from cfbu_crawler.demo.build import build_site
from cfbu_crawler.record import RECORD_FIELDS

pytestmark = pytest.mark.slow


@pytest.fixture
def db(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


def connect(url: str) -> psycopg.Connection:
    """A plain connection to the archive's database, as another host's would be."""
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(plain, autocommit=True)


def other_host_takes_the_lock(url: str) -> psycopg.Connection:
    """Another host's crawl: the advisory lock on a connection of its own, and its row."""
    conn = connect(url)
    assert conn.execute(f"SELECT pg_try_advisory_lock({advisory.KEY_SQL})").fetchone() == (True,)
    conn.execute(
        "INSERT INTO crawl_lock (id, host, pid, acquired_at, heartbeat_at) "
        "VALUES (1, 'crawler-2', 4242, now(), now() - interval '1 hour')"
    )
    return conn


def test_migrations_on_postgresql_match_the_models(postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database(empty=True)
    try:
        engine = open_engine(url, create=True)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name})
            assert compare_metadata(context, Base.metadata) == []
            assert conn.exec_driver_sql("SELECT count(*) FROM latest_versions").scalar() == 0
            assert conn.exec_driver_sql("SELECT count(*) FROM versions_search").scalar() == 0
        close_engine(engine)
    finally:
        postgres_server.drop_database(url)


def test_a_lock_held_on_another_host_refuses_at_once_whatever_its_heartbeat(db: str) -> None:
    other = other_host_takes_the_lock(db)
    engine = open_engine(db, create=False)
    writer = ArchiveWriter(engine, extractor_version="t")
    try:
        # An hour without a heartbeat would make a stale row on SQLite; here the holder's
        # session is alive, so the lock is.
        with pytest.raises(lock.LockHeld) as refused:
            writer.begin_run(start_url=None, full=False, settings={})
        assert str(refused.value).startswith("another crawl (pid 4242 on crawler-2, run None)")
        with pytest.raises(lock.LockHeld):
            lock.ensure_no_live_holder(session_factory(engine))
    finally:
        other.close()  # that host crashed: its session, and its lock, are gone
    writer.begin_run(start_url=None, full=False, settings={})
    assert writer.replaced_holder is not None and writer.replaced_holder.host == "crawler-2"
    writer.finish_run("complete", reason="finished")
    close_engine(engine)


def test_the_lock_is_held_by_a_session_of_its_own_for_the_whole_run(db: str) -> None:
    engine = open_engine(db, create=False)
    writer = ArchiveWriter(engine, extractor_version="t")
    holders = (
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    writer.begin_run(start_url=None, full=False, settings={})
    assert query(db, holders) == [(advisory.APPLICATION_NAME,)]
    with connect(db) as other:
        taken = other.execute(f"SELECT pg_try_advisory_lock({advisory.KEY_SQL})").fetchone()
        assert taken == (False,)
    engine.dispose()  # the archive's pooled connections go; the lock's does not
    assert query(db, holders) == [(advisory.APPLICATION_NAME,)]
    writer.finish_run("complete", reason="finished")
    assert query(db, holders) == []
    assert query(db, "SELECT count(*) FROM crawl_lock") == [(0,)]
    close_engine(engine)


def test_a_lost_lock_is_taken_again_unless_another_crawl_took_it(db: str) -> None:
    engine = open_engine(db, create=False)
    writer = ArchiveWriter(engine, extractor_version="t")
    writer.begin_run(start_url=None, full=False, settings={})
    end_lock_session = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE application_name = '{advisory.APPLICATION_NAME}'"
    )
    query(db, end_lock_session)  # a dropped connection
    writer.heartbeat()  # notices, and takes it again
    assert not advisory.is_free(engine) and advisory.holder_pid(engine) == os.getpid()
    query(db, end_lock_session)
    other = connect(db)
    other.execute(f"SELECT pg_advisory_lock({advisory.KEY_SQL})")  # another crawl took it
    try:
        with pytest.raises(lock.LockHeld, match="lost the archive's lock"):
            writer.heartbeat()
    finally:
        other.close()
    close_engine(engine)


def test_a_database_without_an_archive_is_named_not_created(
    postgres_server: PostgresServer,
) -> None:
    url = postgres_server.new_database(empty=True)
    try:
        with pytest.raises(ArchiveError, match="^no archive in postgresql"):
            open_engine(url, create=False)
        assert query(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
        with connect(url) as conn:
            conn.execute("CREATE TABLE notes (id integer)")
        with pytest.raises(ArchiveError, match="holds tables but no cfbu archive"):
            open_engine(url, create=True)
    finally:
        postgres_server.drop_database(url)


def test_a_plain_postgresql_url_is_read_with_psycopg(db: str) -> None:
    plain = db.replace("postgresql+psycopg://", "postgresql://")
    engine = open_engine(plain, create=False)
    assert engine.dialect.driver == "psycopg"
    assert CliRunner().invoke(main, ["runs", "--json", "--db", plain]).stdout == "[]\n"
    close_engine(engine)


def test_a_server_that_does_not_answer_is_one_line(postgres_server: PostgresServer) -> None:
    url = postgres_server.url("cfbu").replace(f":{postgres_server.port}/", ":1/")
    with pytest.raises(ArchiveError, match=r"^cannot open archive postgresql\+psycopg://cfbu@"):
        open_engine(url, create=False)


def test_crawl_into_postgresql_gives_the_same_records(db: str) -> None:
    site = build_site("v1")
    with FixtureServer(site) as server:
        crawl(server.base_url, db)
        crawl(server.base_url, db)
        got = {r["url"]: {k: r[k] for k in RECORD_FIELDS} for r in export(db)}
        expected = {
            r["url"]: {k: r[k] for k in RECORD_FIELDS}
            for r in expected_records(site, server.base_url)
        }
    assert got == expected
    with open_engine(db, create=False).connect() as conn:
        assert conn.execute(
            text("SELECT count(*) FROM versions_search WHERE latest")
        ).scalar() == len(expected)


def test_a_database_sorting_text_in_danish_lists_articles_as_sqlite_does(
    postgres_server: PostgresServer, tmp_path
) -> None:
    """In Danish, "aa" sorts after "z" and hyphens count little: the archive orders its
    output by bytes all the same, as SQLite does."""
    danish = postgres_server.new_database(icu_locale="da-DK")
    lite = str(tmp_path / "a.sqlite3")
    try:
        assert query(danish, "SELECT 'aabner' > 'zebra'") == [(True,)]  # the collation
        for db in (danish, lite):
            engine = open_db(db)
            slugs = ("zebra", "aabner", "a-c", "ab", "Ab")
            run(engine, [page(record(slug, title=f"Lommepenge {slug}")) for slug in slugs])
            close_engine(engine)
        listed = {db: [r["url"] for r in map(json.loads, cli("export", "--db", db).splitlines())]
                  for db in (danish, lite)}  # fmt: skip
        assert listed[danish] == listed[lite] == sorted(listed[lite])  # code point order
        assert len(listed[lite]) == 5
    finally:
        postgres_server.drop_database(danish)


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), env={"CFBU_DB": None})
    assert result.exit_code == 0, result.output
    return result.stdout
