"""A throwaway PostgreSQL server for the benchmarks, in a temporary directory.

The same way the test suite starts its own (tests/support/postgres.py; bench/ does not
import from tests/): the PostgreSQL binaries on the machine (``initdb``, ``pg_ctl``: on
PATH, or Debian's ``/usr/lib/postgresql/*/bin``), listening on 127.0.0.1 and a socket in
its own directory only, as the ``postgres`` user when run as root (the server refuses
root). Unlike the tests' server it keeps PostgreSQL's default settings, durability
included, so what is measured is what a stock server gives.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVER_USER = "postgres"  # who runs the server when the benchmark runs as root
SUPERUSER = "cfbu"  # the role initdb makes


def binaries() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``, or None when there are none."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=str(Path(found).parent)):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all((Path(folder) / name).exists() for name in ("initdb", "pg_ctl")):
            return Path(folder)
    return None


def unavailable() -> str | None:
    """Why no server can be started here (None: it can)."""
    if binaries() is None:
        return "no PostgreSQL binaries (initdb, pg_ctl) on this machine"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL"
    return None


class Server:
    """One PostgreSQL server in a temporary directory: ``with Server() as server:``."""

    def __init__(self) -> None:
        found = binaries()
        if found is None:
            raise RuntimeError(unavailable())
        self.bin = found
        self.root = Path(tempfile.mkdtemp(prefix="cfbu-pgbench-"))
        self.data = self.root / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port: int = s.getsockname()[1]

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed ({proc.returncode}):\n{proc.stderr}{tail}")

    def start(self) -> Server:
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVER_USER)
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER, "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")
        return self

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database of this server (as ``--db`` takes it)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f"CREATE DATABASE {name}")  # our own constant name
        return self.url(name)
