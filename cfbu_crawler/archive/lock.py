"""One writer at a time: the crawl lock row, stale-lock detection and takeover.

The lock lives in the database itself (table ``crawl_lock``), so it works the same for
SQLite files and for a PostgreSQL archive shared between hosts. A lock is stale when its
process is gone (same host) or its heartbeat is older than ``STALE_AFTER`` (other hosts).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from cfbu_crawler.archive.models import CrawlLock
from cfbu_crawler.archive.timeutil import utcnow

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

STALE_AFTER = timedelta(minutes=15)


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


def acquire(factory: sessionmaker[Session], *, pid: int | None = None) -> Holder | None:
    """Take the lock. Returns the stale holder it replaced (or None); raises LockHeld."""
    pid = pid or os.getpid()
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
            return acquire(factory, pid=pid)
        if holder.host == host and holder.pid == pid:
            return None
        if not is_stale(holder, now):
            raise LockHeld(
                f"another crawl (pid {holder.pid} on {holder.host}, run {holder.run_id}) "
                f"is writing to this archive since {holder.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC",
                holder,
            )
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


def release(factory: sessionmaker[Session], *, pid: int | None = None) -> None:
    with factory() as session:
        session.execute(
            delete(CrawlLock).where(
                CrawlLock.id == 1,
                CrawlLock.pid == (pid or os.getpid()),
                CrawlLock.host == this_host(),
            )
        )
        session.commit()


def lock_free(factory: sessionmaker[Session]) -> Holder | None:
    """The live holder of the lock, or None when a crawl could start now."""
    with factory() as session:
        holder = current_holder(session)
    if holder is None or is_stale(holder):
        return None
    if holder.host == this_host() and holder.pid == os.getpid():
        return None
    return holder


def ensure_no_live_holder(factory: sessionmaker[Session]) -> None:
    holder = lock_free(factory)
    if holder is not None:
        raise LockHeld(
            f"another crawl (pid {holder.pid} on {holder.host}, run {holder.run_id}) is writing "
            "to this archive",
            holder,
        )
