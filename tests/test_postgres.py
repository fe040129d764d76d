"""The same archive on PostgreSQL (the store for archives shared between hosts: README).

Starts a throwaway PostgreSQL server in a temporary directory on 127.0.0.1; skipped
where no PostgreSQL binaries or no psycopg are installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import crawl, export
from support.oracle import expected_records
from support.server import FixtureServer

from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.archive.models import Base
from cfbu_crawler.archive.search.backend import include_name
from cfbu_crawler.demo.build import build_site
from cfbu_crawler.record import RECORD_FIELDS

pytest.importorskip("psycopg")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("initdb") is None, reason="no PostgreSQL binaries"),
]

FIELDS = RECORD_FIELDS


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the `postgres` user then."""
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    # Not under pytest's tmp dir: that one is private to root, and the server may not be.
    root = Path(tempfile.mkdtemp(prefix="cfbu-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = free_port()
    subprocess.run(
        as_server_user(["initdb", "-D", str(data), "-A", "trust", "-U", "cfbu", "--no-sync"]),
        check=True,
        capture_output=True,
    )
    options = f"'-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off'"
    subprocess.run(
        as_server_user(
            ["pg_ctl", "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://cfbu@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            as_server_user(["pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def test_migrations_on_postgresql_match_the_models(postgres_url: str) -> None:
    engine = open_engine(postgres_url, create=True)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": include_name})
            assert compare_metadata(context, Base.metadata) == []
            assert conn.exec_driver_sql("SELECT count(*) FROM latest_versions").scalar() == 0
    finally:
        close_engine(engine)


def test_crawl_into_postgresql_gives_the_same_records(postgres_url: str, tmp_path: Path) -> None:
    site = build_site("v1")
    with FixtureServer(site) as server:
        crawl(server.base_url, postgres_url)  # type: ignore[arg-type]
        crawl(server.base_url, postgres_url)  # type: ignore[arg-type]
        got = {r["url"]: {k: r[k] for k in FIELDS} for r in export(postgres_url)}  # type: ignore[arg-type]
        expected = {
            r["url"]: {k: r[k] for k in FIELDS} for r in expected_records(site, server.base_url)
        }
    assert got == expected
