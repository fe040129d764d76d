"""A throwaway PostgreSQL server for the test session, in a temporary directory.

Started once per session from the PostgreSQL binaries on the machine (``initdb``,
``pg_ctl``, ``postgres``: on PATH, or Debian's ``/usr/lib/postgresql/*/bin``), listening on
127.0.0.1 only, with durability off (a test archive need not survive a power cut). The
server refuses to run as root: as root it runs as the ``postgres`` user (``runuser``), its
directory handed to that user.

Each test gets a database of its own, made by ``CREATE DATABASE … TEMPLATE`` from a
database the archive's migrations were run on once (copying a template is much quicker
than migrating), and dropped afterwards (:meth:`PostgresServer.drop_database`).

Run standalone to get a server by hand (stopped with Ctrl-C)::

    python tests/support/postgres.py
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PROGRAMS = ("initdb", "pg_ctl", "postgres")
SERVER_USER = "postgres"  # who runs the server when the tests run as root
SUPERUSER = "cfbu"  # the role initdb makes; the archives' owner
TEMPLATE = "cfbu_template"  # a database holding an empty archive (migrated)
# Room for many short-lived test connections, on 127.0.0.1 only.
SERVER_SETTINGS = ("max_connections=300", "listen_addresses=127.0.0.1")
# Durability off: a test archive need not survive a power cut (not for benchmarks).
NOT_DURABLE = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


def binaries() -> Path | None:
    """The folder of the PostgreSQL server programs, or None when there are none."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=str(Path(found).parent)):
        return Path(found).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all((Path(folder) / name).exists() for name in PROGRAMS):
            return Path(folder)
    return None


def unavailable() -> str | None:
    """Why no server can be started here (None: it can)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    if binaries() is None:
        return "no PostgreSQL binaries (initdb, pg_ctl) on this machine"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no {SERVER_USER!r} user to run PostgreSQL"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresServer:
    """One PostgreSQL server in a temporary directory (``start`` / ``stop``). ``durable``
    keeps PostgreSQL's own durability settings (bench/pgserver.py measures a stock
    server); ``template``: make the migrated template the tests' databases copy."""

    def __init__(self, *, durable: bool = False, template: bool = True) -> None:
        self.durable = durable
        self.template = template
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("no PostgreSQL binaries")
        self.root = Path(tempfile.mkdtemp(prefix="cfbu-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._names = itertools.count(1)

    # -- the server ------------------------------------------------------------------
    def _as_server_user(self, args: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return args
        return ["runuser", "-u", SERVER_USER, "--", *args]

    def _run(self, *args: str) -> None:
        assert self.bin is not None
        command = self._as_server_user([str(self.bin / args[0]), *args[1:]])
        proc = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            log = self.root / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stderr}{tail}"
            )

    def start(self) -> PostgresServer:
        if os.geteuid() == 0:
            shutil.chown(self.root, SERVER_USER)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            *(() if self.durable else ("--no-sync",)),
        )
        settings = SERVER_SETTINGS if self.durable else (*SERVER_SETTINGS, *NOT_DURABLE)
        options = " ".join([f"-p {self.port}", f"-k {self.root}", *(f"-c {s}" for s in settings)])
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w",
            "start",
        )  # fmt: skip
        if self.template:
            self.execute(f"CREATE DATABASE {TEMPLATE}")
            self._migrate(TEMPLATE)
        return self

    def stop(self) -> None:
        try:
            if self.data.exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- databases -------------------------------------------------------------------
    def url(self, database: str) -> str:
        """The SQLAlchemy URL of a database of this server (as ``--db`` takes it)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run one statement outside a transaction (CREATE/DROP DATABASE) as superuser."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # our own constant SQL

    def _migrate(self, database: str) -> None:
        from cfbu_crawler.archive.db import close_engine, open_engine

        close_engine(open_engine(self.url(database), create=True))

    def new_database(self, *, empty: bool = False, icu_locale: str | None = None) -> str:
        """A new database: an empty archive (copied from the migrated template), or with
        ``empty``, a database without any table. With ``icu_locale`` (``da-DK``), the
        database sorts text by that language's rules (ICU), and is migrated afresh.
        Returns its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        if icu_locale is not None:
            self.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu "
                f"ICU_LOCALE '{icu_locale}' LOCALE 'C.UTF-8'"
            )
            if not empty:
                self._migrate(name)
            return self.url(name)
        template = "template0" if empty else TEMPLATE
        self.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Close this process's connections to the database and drop it (connections
        other processes left open are ended by the server)."""
        from cfbu_crawler.archive import db

        for known, engine in list(db._ENGINES.items()):
            if known == url:
                db.close_engine(engine)
        name = url.rsplit("/", 1)[1]
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    with PostgresServer() as server:
        print(f"PostgreSQL on {server.url(TEMPLATE)} (an empty archive); Ctrl-C stops it")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
