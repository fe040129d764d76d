"""One writer at a time: the crawl lock, stale-lock detection and takeover.

The table ``crawl_lock`` holds at most one row: the crawl (host, process, run) writing to
the archive, with its heartbeat. What decides whether a crawl may start differs by
database (docs/scheduling.md, "One crawl at a time"):

- SQLite: the row is the lock. It is stale when its process is gone (same host) or its
  heartbeat is older than ``STALE_AFTER`` (other hosts), and a stale lock is taken over.
- PostgreSQL: a session-level advisory lock decides (``advisory``), held on a connection
  of its own for the whole crawl; the server frees it when the crawl ends or crashes, on
  whatever host it ran. The row is kept beside it for the message naming the crawl that
  holds the archive, and any row found by a crawl that got the advisory lock is a
  crashed crawl's, taken over as on SQLite.
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cfbu_crawler.archive import advisory
from cfbu_crawler.archive.models import CrawlLock
from cfbu_crawler.archive.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

STALE_AFTER = timedelta(minutes=15)
# How long a crawl refused by PostgreSQL's advisory lock waits for the holder's row (the
# holder writes it just after taking the lock) before it says "another crawl" unnamed.
ROW_WAIT_SECONDS = 2.0


class LockHeld(Exception):
    """Another live crawl writes to this archive (``holder``: which, when known)."""

    def __init__(self, message: str, holder: Holder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


@dataclass(frozen=True)
class Holder:
    host: str
    pid: int
    run_id: int | None
    heartbeat_at: datetime
    acquired_at: datetime | None = None  # when that crawl took the lock


def this_host() -> str:
    return socket.gethostname()


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def is_stale(holder: Holder, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if holder.host == this_host():
        return not pid_alive(holder.pid)
    return now - holder.heartbeat_at > STALE_AFTER


def current_holder(session: Session) -> Holder | None:
    row = session.get(CrawlLock, 1)
    if row is None:
        return None
    return Holder(row.host, row.pid, row.run_id, row.heartbeat_at, row.acquired_at)


def _engine(factory: sessionmaker[Session]) -> Engine:
    bind = factory.kw["bind"]
    assert isinstance(bind, Engine), "an archive's sessions are bound to its engine"
    return bind


def held_message(holder: Holder | None, *, since: bool = True) -> str:
    """The refusal's words, naming the crawl that holds the archive when it is known."""
    if holder is None:
        return "another crawl is writing to this archive (it holds the archive's lock)"
    when = f" since {holder.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC" if since else ""
    return (
        f"another crawl (pid {holder.pid} on {holder.host}, run {holder.run_id}) "
        f"is writing to this archive{when}"
    )


def acquire(factory: sessionmaker[Session], *, pid: int | None = None) -> Holder | None:
    """Take the lock for crawl process ``pid`` (default: this one). Returns the stale
    holder it replaced (or None); raises LockHeld."""
    pid = pid or os.getpid()
    engine = _engine(factory)
    if advisory.applies(engine):
        return _acquire_advisory(factory, engine, pid)
    return _acquire_row(factory, pid)


def _acquire_row(factory: sessionmaker[Session], pid: int) -> Holder | None:
    host = this_host()
    now = utcnow()
    with factory() as session:
        try:
            session.add(CrawlLock(id=1, host=host, pid=pid, acquired_at=now, heartbeat_at=now))
            session.commit()
            return None
        except IntegrityError:
            session.rollback()
        holder = current_holder(session)
        if holder is None:  # released between our insert and our read
            return _acquire_row(factory, pid)
        if holder.host == host and holder.pid == pid:
            return None
        if not is_stale(holder, now):
            raise LockHeld(held_message(holder), holder)
        take_over = (
            update(CrawlLock)
            .where(CrawlLock.id == 1, CrawlLock.pid == holder.pid, CrawlLock.host == holder.host)
            .values(host=host, pid=pid, run_id=None, acquired_at=now, heartbeat_at=now)
        )
        # An UPDATE gives a CursorResult (with rowcount); Session.execute is typed Result.
        taken = cast("CursorResult[Any]", session.execute(take_over))
        session.commit()
        if taken.rowcount != 1:
            raise LockHeld("another crawl took over a stale lock at the same moment")
        return holder


def _acquire_advisory(factory: sessionmaker[Session], engine: Engine, pid: int) -> Holder | None:
    here = advisory.holder_pid(engine)
    if here == pid:
        return None
    if here is not None or not advisory.try_take(engine, pid):
        holder = _advisory_holder(factory)
        raise LockHeld(held_message(holder), holder)
    # The lock is ours: a row still there was left by a crawl that ended without
    # releasing it (its session, and so its advisory lock, is gone).
    now = utcnow()
    try:
        with factory() as session:
            replaced = current_holder(session)
            session.execute(delete(CrawlLock))
            session.add(
                CrawlLock(id=1, host=this_host(), pid=pid, acquired_at=now, heartbeat_at=now)
            )
            session.commit()
    except BaseException:
        advisory.give_back(engine, pid)
        raise
    return replaced


def _advisory_holder(factory: sessionmaker[Session]) -> Holder | None:
    """Who holds the advisory lock, from its row. The holder writes the row just after
    taking the lock, over any row a crashed crawl left: a row that is missing or looks
    stale is given a moment to be replaced, then taken as it is (the advisory lock says
    its crawl is alive). None when there is no row."""
    deadline = time.monotonic() + ROW_WAIT_SECONDS
    while True:
        with factory() as session:
            holder = current_holder(session)
        if (holder is not None and not is_stale(holder)) or time.monotonic() > deadline:
            return holder
        time.sleep(0.1)


def attach_run(factory: sessionmaker[Session], run_id: int, *, pid: int | None = None) -> None:
    with factory() as session:
        session.execute(
            update(CrawlLock)
            .where(CrawlLock.id == 1, CrawlLock.pid == (pid or os.getpid()))
            .values(run_id=run_id)
        )
        session.commit()


def heartbeat(session: Session, *, pid: int | None = None) -> None:
    """Refresh the lock's heartbeat inside the caller's transaction. ``pid``: the process
    the lock names, when another one (its archive writer) writes for it."""
    session.execute(
        update(CrawlLock)
        .where(
            CrawlLock.id == 1,
            CrawlLock.pid == (pid or os.getpid()),
            CrawlLock.host == this_host(),
        )
        .values(heartbeat_at=utcnow())
    )


def verify(factory: sessionmaker[Session], *, pid: int | None = None) -> None:
    """Make sure the lock taken for ``pid`` is still held. Only PostgreSQL's can be lost
    (its session ended: the server restarted, the connection dropped): it is taken
    again, unless another crawl took it meanwhile (LockHeld)."""
    pid = pid or os.getpid()
    engine = _engine(factory)
    if not advisory.applies(engine) or advisory.holder_pid(engine) != pid:
        return
    if advisory.still_held(engine):
        return
    advisory.give_back(engine, pid)
    if not advisory.try_take(engine, pid):
        holder = _advisory_holder(factory)
        raise LockHeld(f"the crawl lost the archive's lock: {held_message(holder)}", holder)


def release(factory: sessionmaker[Session], *, pid: int | None = None) -> None:
    pid = pid or os.getpid()
    try:
        with factory() as session:
            session.execute(
                delete(CrawlLock).where(
                    CrawlLock.id == 1, CrawlLock.pid == pid, CrawlLock.host == this_host()
                )
            )
            session.commit()
    finally:
        advisory.give_back(_engine(factory), pid)


def live_holder(factory: sessionmaker[Session]) -> tuple[bool, Holder | None]:
    """Whether another live crawl holds the lock now (one that would refuse a crawl
    starting here), and who, when known."""
    engine = _engine(factory)
    if advisory.applies(engine):
        here = advisory.holder_pid(engine)
        if here == os.getpid() or (here is None and advisory.is_free(engine)):
            return False, None
        return True, _advisory_holder(factory)
    with factory() as session:
        holder = current_holder(session)
    if holder is None or is_stale(holder):
        return False, None
    if holder.host == this_host() and holder.pid == os.getpid():
        return False, None
    return True, holder


def ensure_no_live_holder(factory: sessionmaker[Session]) -> None:
    held, holder = live_holder(factory)
    if held:
        raise LockHeld(held_message(holder, since=False), holder)
