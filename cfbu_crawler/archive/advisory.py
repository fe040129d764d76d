"""The crawl lock on PostgreSQL: a session-level advisory lock on a connection of its own.

An archive in PostgreSQL is shared by crawls on several hosts, where "is its process
alive?" cannot be asked. PostgreSQL answers it instead: a crawl takes the advisory lock
``pg_try_advisory_lock(KEY)`` on a dedicated connection and keeps that connection open
for the whole crawl. A second crawl, from any host, fails to take it and stops at once;
when the first ends, it gives the lock back, and when it crashes (``kill -9``, a host that
loses power) the server ends its session and the lock goes with it. ``lock.py`` keeps the
``crawl_lock`` row beside it, for telling people *which* crawl holds the archive.

The key is derived from the archive: advisory locks belong to one database, and the key
hashes a fixed name with the schema the archive's tables are in (``current_schema()``),
so that two archives in one database (in two schemas) do not lock each other out.

The lock's connection is outside the engine's pool (closing it must end the session, not
park it in a pool with the lock still held), in autocommit mode (an idle session holds no
snapshot back from VACUUM for hours), exempt from ``idle_session_timeout`` (which would
silently drop the lock of a long crawl), and asks the server to probe an idle client
every minute, so that the lock of a host that vanished without closing its connections
is freed within about two minutes rather than the system's default two hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import NullPool

DIALECT = "postgresql"
KEY_SQL = "hashtextextended('cfbu crawl lock ' || current_schema(), 0)"
TRY_LOCK = text(f"SELECT pg_try_advisory_lock({KEY_SQL})")
UNLOCK = text(f"SELECT pg_advisory_unlock({KEY_SQL})")
# Server-side settings of the lock's session (see the module's docstring).
SESSION_SETTINGS = (
    ("tcp_keepalives_idle", "60"),
    ("tcp_keepalives_interval", "10"),
    ("tcp_keepalives_count", "6"),
)
APPLICATION_NAME = "cfbu crawl lock"


@dataclass
class _Held:
    """The lock held by this process: its connection, and the crawl process it is for."""

    engine: Engine
    connection: Connection
    pid: int


# The archives whose lock this process holds, by URL.
_HELD: dict[str, _Held] = {}


def applies(engine: Engine) -> bool:
    """Whether the archive behind ``engine`` is locked this way (PostgreSQL)."""
    return engine.dialect.name == DIALECT


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _connect(engine: Engine) -> tuple[Engine, Connection]:
    lock_engine = create_engine(
        engine.url,
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"application_name": APPLICATION_NAME},
    )
    try:
        conn = lock_engine.connect()
        for name, value in SESSION_SETTINGS:
            conn.execute(
                text("SELECT set_config(:name, :value, false)"), {"name": name, "value": value}
            )
        if int(conn.execute(text("SHOW server_version_num")).scalar_one()) >= 140000:
            conn.execute(text("SET idle_session_timeout = 0"))
    except BaseException:
        lock_engine.dispose()
        raise
    return lock_engine, conn


def holder_pid(engine: Engine) -> int | None:
    """The crawl process this process holds the archive's lock for (None: not held here)."""
    held = _HELD.get(_key(engine))
    return held.pid if held is not None else None


def try_take(engine: Engine, pid: int) -> bool:
    """Take the archive's lock for crawl process ``pid``; False when another session
    holds it. The caller makes sure this process does not hold it already."""
    lock_engine, conn = _connect(engine)
    try:
        taken = bool(conn.execute(TRY_LOCK).scalar())
    except BaseException:
        conn.close()
        lock_engine.dispose()
        raise
    if not taken:
        conn.close()
        lock_engine.dispose()
        return False
    _HELD[_key(engine)] = _Held(lock_engine, conn, pid)
    return True


def give_back(engine: Engine, pid: int) -> None:
    """Release the lock this process holds for ``pid`` (nothing if it holds none)."""
    key = _key(engine)
    held = _HELD.get(key)
    if held is None or held.pid != pid:
        return
    del _HELD[key]
    try:
        held.connection.execute(UNLOCK)
    except Exception:  # noqa: S110 - the session is gone: so is its lock
        pass
    finally:
        held.connection.close()
        held.engine.dispose()


def is_free(engine: Engine) -> bool:
    """Whether no session holds the archive's lock now (asked by taking it and giving
    it straight back)."""
    if holder_pid(engine) is not None:
        return False
    lock_engine, conn = _connect(engine)
    try:
        taken = bool(conn.execute(TRY_LOCK).scalar())
        if taken:
            conn.execute(UNLOCK)
        return taken
    finally:
        conn.close()
        lock_engine.dispose()


def still_held(engine: Engine) -> bool:
    """Whether the lock this process holds is still held: its session is alive. (A
    server restart or a dropped connection ends the session, and the lock with it.)"""
    held = _HELD.get(_key(engine))
    if held is None:
        return False
    try:
        held.connection.execute(text("SELECT 1"))
    except Exception:
        return False
    return True


__all__ = [
    "KEY_SQL",
    "applies",
    "give_back",
    "holder_pid",
    "is_free",
    "still_held",
    "try_take",
]
