"""Opening an archive: ``--db`` resolution, SQLite pragmas, schema creation and upgrade.

Alembic is loaded only to create or upgrade a schema: whether an archive is current is
read from its ``alembic_version`` and compared with ``HEAD_REVISION``
(``archive.sqlitefile``), which keeps opening an archive quick.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from cfbu_crawler.archive.sqlitefile import (
    DEFAULT_DB,
    HEAD_REVISION,
    SQLITE_HEADER,
    ArchiveError,
    check_file,
    db_setting,
)

if TYPE_CHECKING:
    from alembic.config import Config

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def resolve_db(db: str | None) -> str:
    """``--db`` value (path or SQLAlchemy URL, default ``$CFBU_DB`` or data/cfbu.sqlite3) →
    an SQLAlchemy URL string."""
    db = db_setting(db)
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL, or None for other backends and in-memory SQLite."""
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(parsed.database)


def describe(url: str) -> str:
    """How to name a database in messages (its path, or the URL without password)."""
    path = sqlite_path(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


def check_existing(url: str, *, must_exist: bool) -> None:
    """Refuse, without touching the file, anything that is not a cfbu archive.

    With ``must_exist`` (read commands), a missing file is an error too.
    """
    path = sqlite_path(url)
    if path is not None:
        check_file(path, must_exist=must_exist)


ARCHIVE_TABLES = frozenset({"alembic_version", "runs", "articles"})


def check_database(engine: Engine, *, must_exist: bool) -> None:
    """On a database server, what ``check_existing`` does for a file: refuse a database
    that holds tables but no cfbu archive, and, with ``must_exist`` (read commands), one
    that holds no archive at all. Nothing is created."""
    from sqlalchemy import inspect

    name = describe(str(engine.url))
    with engine.connect() as conn:
        found = set(inspect(conn).get_table_names())
    if not found:
        if must_exist:
            raise ArchiveError(f"no archive in {name} (run `cfbu crawl --db {name}` first)")
        return
    if not ARCHIVE_TABLES.issubset(found):
        raise ArchiveError(f"{name} holds tables but no cfbu archive")


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# The databases an archive can live in (SQLAlchemy backend names).
BACKENDS = ("sqlite", "postgresql")
URL_HELP = "give a file path, sqlite:///PATH or postgresql://USER@HOST/DBNAME"


def check_url(url: str) -> None:
    """Refuse, in words, a ``--db`` URL that cannot name a cfbu archive: malformed, or a
    database cfbu does not keep archives in."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ArchiveError(f"--db {url!r} is not a database URL ({URL_HELP})") from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        raise ArchiveError(
            f"--db {parsed.render_as_string(hide_password=True)}: cfbu keeps its archive in "
            f"SQLite or PostgreSQL, not {backend!r} ({URL_HELP})"
        )


def make_engine(url: str) -> Engine:
    """An engine with the archive's connection settings (WAL and foreign keys on SQLite)."""
    check_url(url)
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(
                f"cannot create the folder of {path}: {exc.strerror or exc}"
            ) from None
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    parsed = make_url(url)
    if parsed.drivername == "postgresql":  # SQLAlchemy's default driver is psycopg2
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(
            parsed,
            pool_pre_ping=True,
            # Named in pg_stat_activity, beside the crawl lock's own connection.
            connect_args={"application_name": "cfbu"},
        )
    except ImportError as exc:  # the backend's driver is not installed
        raise ArchiveError(
            f"--db {describe(url)}: its database driver ({exc.name or exc}) is not installed; "
            "for PostgreSQL, psycopg (it comes with cfbu: reinstall it)"
        ) from None
    except NoSuchModuleError:  # a driver name SQLAlchemy does not know
        raise ArchiveError(f"--db {describe(url)}: unknown database driver ({URL_HELP})") from None


def migrations_dir() -> Path:
    """The Alembic script directory: the package's own, or an extracted copy when the code
    runs from a zipped egg (as deployed to Scrapyd), since Alembic reads plain files."""
    return MIGRATIONS_DIR if MIGRATIONS_DIR.is_dir() else _extracted_migrations()


@functools.cache
def _extracted_migrations() -> Path:
    target = Path(tempfile.mkdtemp(prefix="cfbu-migrations-"))
    atexit.register(shutil.rmtree, target, True)
    _copy_tree(resources.files("cfbu_crawler.archive") / "migrations", target)
    return target


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                (target / entry.name).mkdir()
                _copy_tree(entry, target / entry.name)
        elif entry.name.endswith((".py", ".mako", ".ini")):
            (target / entry.name).write_bytes(entry.read_bytes())


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def schema_is_current(engine: Engine) -> bool:
    """Whether the archive's schema is at the newest migration (``HEAD_REVISION``)."""
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no alembic_version table: no schema yet
        return False
    return found == HEAD_REVISION


def upgrade(engine: Engine) -> None:
    """Create the schema or bring it to the newest migration, in one transaction: another
    process sees the archive as it was or fully migrated, never half-made."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Python's sqlite3 module opens a transaction only before INSERT, UPDATE and
            # DELETE: every CREATE TABLE of a migration would commit on its own, and a
            # second process starting on a new archive would find some tables and not
            # others ("not a cfbu archive"). So the migration runs in a transaction we
            # open ourselves (SQLAlchemy's recipe for pysqlite), IMMEDIATE to take the
            # write lock first: a concurrent migrator waits (busy_timeout), then finds
            # the schema current.
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        with conn.begin():
            if sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


# One engine per archive per process. Besides saving connections this matters for
# SQLite: its locks are POSIX advisory locks, which the kernel drops when *any* file
# descriptor of the file is closed in the process. Peeking at the file (check_existing)
# while this process holds SQLite connections to it would silently drop their locks,
# and other processes would then rebuild the WAL index under a live writer. So the file
# is only ever inspected before the process's first connection to it.
_ENGINES: dict[str, Engine] = {}


def open_engine(db: str | None, *, create: bool) -> Engine:
    """Open (and, when ``create``, create or upgrade) the archive named by ``--db``.

    Read commands pass ``create=False``: a missing archive is an error, the file is never
    created, but an outdated schema is still upgraded. Within a process the same archive
    gives the same engine until ``close_engine``.
    """
    url = resolve_db(db)
    if url in _ENGINES:
        return _ENGINES[url]
    check_url(url)
    check_existing(url, must_exist=not create)
    engine = make_engine(url)
    try:
        if sqlite_path(url) is None:
            check_database(engine, must_exist=not create)
        ensure_schema(engine)
    except ArchiveError:
        raise
    except Exception as exc:  # an unreachable server, a locked or corrupt file
        engine.dispose()
        raise ArchiveError(f"cannot open archive {describe(url)}: {exc}".splitlines()[0]) from exc
    _ENGINES[url] = engine
    return engine


def ensure_schema(engine: Engine, *, wait: float = 10.0) -> None:
    """Bring the schema to the newest migration. Two processes starting on a new archive
    at once both try; the loser waits for the winner's migration instead of failing."""
    deadline = time.monotonic() + wait
    while True:
        if schema_is_current(engine):
            return
        try:
            upgrade(engine)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.25)  # another process is migrating: look again


def close_engine(engine: Engine) -> None:
    """Close every connection of an engine from ``open_engine`` and forget it."""
    for url, known in list(_ENGINES.items()):
        if known is engine:
            del _ENGINES[url]
    engine.dispose()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


__all__ = [
    "DEFAULT_DB",
    "HEAD_REVISION",
    "SQLITE_HEADER",
    "ArchiveError",
    "alembic_config",
    "check_existing",
    "check_url",
    "close_engine",
    "describe",
    "ensure_schema",
    "make_engine",
    "migrations_dir",
    "open_engine",
    "resolve_db",
    "schema_is_current",
    "session_factory",
    "sqlite_path",
    "upgrade",
]
