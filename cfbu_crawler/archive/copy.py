"""Moving an archive between databases (``cfbu copy-archive``): SQLite to PostgreSQL and
back, or between two of either.

Every table of the archive's models is copied, row for row with its ids (runs, raw
pages, articles and their aliases, versions with their breadcrumb items and Q&A pairs,
observations, HTTP validators, and whatever table the schema gains later), in the order
their foreign keys need, in batches, into one transaction of the target: it holds the
whole archive or, when anything fails, nothing new. The crawl lock's row is not copied
(it names a crawl of the source's); the target's own lock is held while it is written, so
no crawl starts on a half-made archive. What is read from the source is one consistent
snapshot (a read transaction), so a crawl may keep writing to the source meanwhile: its
run is copied as it stood, and ``append_missing_runs`` brings the rest later.

Then PostgreSQL's id sequences are moved past the copied ids, the target's search index
is rebuilt (each database has its own: ``search``), and the copy is verified before it
is committed (a copy that does not verify is rolled back): every table holds as many
rows as the source's snapshot, with the same content (a SHA-256 over each table's rows,
in key order, on both sides), and the target's versions and raw pages agree with
themselves (each version's content hash recomputed from its copied fields, each raw
page's SHA-256 from its decompressed body).

``append_missing_runs``: the target must hold an earlier copy of the same archive — all
its runs are the source's runs with the same ids (same kind, start, host and process).
The source's runs it lacks are brought over with everything they changed: the target is
made equal to the source, table by table (rows added, rows changed — an article's last
sighting, its status —, and rows gone, such as an article a later run found to be
another one, moved), and verified as a full copy is. A target that has runs the source
lacks, or another archive's runs, is refused.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    func,
    select,
    text,
)

from cfbu_crawler.archive import lock, tablesync
from cfbu_crawler.archive.content import content_hash
from cfbu_crawler.archive.db import (
    ArchiveError,
    describe,
    open_engine,
    resolve_db,
    session_factory,
)
from cfbu_crawler.archive.models import Base, CrawlLock, Observation, RawPage, Run, Version
from cfbu_crawler.archive.rawpages import inflate
from cfbu_crawler.archive.search.backend import backend_of
from cfbu_crawler.record import CONTENT_FIELDS

# The tables copied: every model's but the crawl lock's, parents before children.
TABLES: tuple[Table, ...] = tuple(
    table for table in Base.metadata.sorted_tables if table.name != CrawlLock.__tablename__
)
BATCH_ROWS = 500
# What makes a run the same run in two copies of an archive.
RUN_IDENTITY = ("id", "kind", "started_at", "host", "pid", "start_url")

Progress = tablesync.Progress


@dataclass
class TableReport:
    """One table: rows in the source (its snapshot), and what the copy did to the target."""

    name: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    removed: int = 0
    digest: str = ""


@dataclass
class CopyReport:
    """What ``copy_archive`` did and found."""

    source: str
    target: str
    append: bool
    tables: list[TableReport] = field(default_factory=list)
    runs_added: list[int] = field(default_factory=list)
    versions_checked: int = 0
    raw_pages_checked: int = 0
    # Versions (raw pages) that disagree with their content in the source already, and so
    # in the copy: their ids.
    versions_unmatched: list[int] = field(default_factory=list)
    raw_pages_unmatched: list[int] = field(default_factory=list)
    search_index: dict[str, int] = field(default_factory=dict)
    source_was_written: bool = False
    warc_records: int = 0  # fetches whose record lies in a WARC file (not in the database)
    source_url: str = ""
    target_url: str = ""
    seconds: float = 0.0

    def rows(self, name: str) -> int:
        return next(t.rows for t in self.tables if t.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "append_missing_runs": self.append,
            "runs_added": self.runs_added,
            "tables": {
                t.name: {
                    "rows": t.rows,
                    "added": t.added,
                    "changed": t.changed,
                    "removed": t.removed,
                    "sha256": t.digest,
                }
                for t in self.tables
            },
            "verified": {
                "tables": len(self.tables),
                "versions_content_hash": self.versions_checked,
                "raw_pages_sha256": self.raw_pages_checked,
                "versions_unmatched_in_source": self.versions_unmatched,
                "raw_pages_unmatched_in_source": self.raw_pages_unmatched,
            },
            "search_index": self.search_index,
            "source_was_being_written": self.source_was_written,
            "warc_records": self.warc_records,
            "seconds": round(self.seconds, 1),
        }


class CopyMismatch(ArchiveError):
    """The copy does not verify: the target differs from the source's snapshot."""


def copy_archive(
    source_db: str,
    target_db: str,
    *,
    append_missing_runs: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy the archive ``source_db`` into ``target_db`` (both ``--db`` values) and verify
    the copy (see the module's docstring). Raises ``ArchiveError`` when the target holds an
    archive (without ``append_missing_runs``: any at all; with it: one that is not an
    earlier copy of the source), and ``CopyMismatch`` when the copy does not verify."""
    source_url, target_url = resolve_db(source_db), resolve_db(target_db)
    if source_url == target_url:
        raise ArchiveError(f"--from and --to are the same archive ({describe(source_url)})")
    started = time.monotonic()
    source = open_engine(source_url, create=False)
    target = open_engine(target_url, create=True)
    report = CopyReport(describe(source_url), describe(target_url), append_missing_runs)
    report.source_url, report.target_url = source_url, target_url
    report.source_was_written = lock.live_holder(session_factory(source))[0]
    factory = session_factory(target)
    lock.acquire(factory)
    try:
        with snapshot(source) as src, target.begin() as dst:
            report.runs_added, compare = _check_target(src, dst, report, append=append_missing_runs)
            _copy_tables(src, dst, report, compare, batch_rows=batch_rows, progress=progress)
            report.warc_records = int(
                src.execute(
                    select(func.count()).where(Observation.warc_file.is_not(None))
                ).scalar_one()
            )
            _reset_sequences(dst)
            report.search_index = backend_of(dst).rebuild(dst)
            # Read back before the commit: a copy that does not verify is rolled back.
            _verify(src, dst, report, batch_rows=batch_rows)
    finally:
        lock.release(factory)
    report.seconds = time.monotonic() - started
    return report


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection that reads one consistent state of the archive until it closes,
    whatever is committed meanwhile: a read transaction (SQLite in WAL mode keeps its
    snapshot from the first read; PostgreSQL's REPEATABLE READ from the first query)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite opens no transaction for reads: open it ourselves.
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            finally:
                conn.exec_driver_sql("ROLLBACK")
            return
        conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


# -- what the target may hold ----------------------------------------------------------


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _check_target(
    src: Connection, dst: Connection, report: CopyReport, *, append: bool
) -> tuple[list[int], bool]:
    """Refuse a target that may not be written (see ``copy_archive``); returns the ids of
    the source's runs the target lacks, and whether the target holds anything."""
    held = {table.name: _count(dst, table) for table in TABLES}
    source_runs = _runs(src)
    if not any(held.values()):
        return sorted(source_runs), False
    if not append:
        raise ArchiveError(
            f"{report.target} already holds an archive ({held['runs']} runs, "
            f"{held['articles']} articles): copy into an empty database, or add "
            "--append-missing-runs to bring over only the runs it lacks"
        )
    target_runs = _runs(dst)
    for run_id, identity in sorted(target_runs.items()):
        theirs = source_runs.get(run_id)
        if theirs != identity:
            what = "has no run" if theirs is None else "has another run"
            raise ArchiveError(
                f"cannot append to {report.target}: its run {run_id} (started "
                f"{identity[1]:%Y-%m-%d %H:%M} on {identity[2]}) is not in {report.source} "
                f"({what} {run_id} there): the target is not an earlier copy of the source"
            )
    return sorted(set(source_runs) - set(target_runs)), True


def _runs(conn: Connection) -> dict[int, tuple[Any, ...]]:
    columns = [Run.__table__.c[name] for name in RUN_IDENTITY]
    return {row[0]: tuple(row[1:]) for row in conn.execute(select(*columns))}


# -- copying ----------------------------------------------------------------------------


def _copy_tables(
    src: Connection,
    dst: Connection,
    report: CopyReport,
    compare: bool,
    *,
    batch_rows: int,
    progress: Progress | None,
) -> None:
    """Every table, parents first; with ``compare`` (the target holds an earlier copy),
    the rows the source no longer has are removed first (``tablesync``)."""
    removed = tablesync.remove_stale(src, dst, TABLES, batch_rows) if compare else {}
    for table in TABLES:
        counts = TableReport(
            table.name, rows=_count(src, table), removed=removed.get(table.name, 0)
        )
        report.tables.append(counts)
        changes = tablesync.sync_table(
            src,
            dst,
            table,
            total=counts.rows,
            compare=compare,
            batch_rows=batch_rows,
            progress=progress,
        )
        counts.added, counts.changed = changes.added, changes.changed


def _reset_sequences(dst: Connection) -> None:
    """PostgreSQL: move each id sequence past the highest id copied (rows were inserted
    with their ids, which leaves the sequences where they were). SQLite needs nothing:
    a new row's id is one more than the highest."""
    if dst.dialect.name != "postgresql":
        return
    for table in TABLES:
        columns = list(table.primary_key.columns)
        if len(columns) != 1:
            continue
        name = columns[0].name
        dst.execute(
            text(
                f"SELECT setval(seq, COALESCE((SELECT MAX({name}) FROM {table.name}), 0) + 1, "
                f"false) FROM pg_get_serial_sequence(:table, :column) AS seq "
                "WHERE seq IS NOT NULL"
            ),
            {"table": table.name, "column": name},
        )


# -- verifying --------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return hashlib.sha256(bytes(value)).hexdigest()
    return value


def table_digest(conn: Connection, table: Table, batch_rows: int = BATCH_ROWS) -> tuple[int, str]:
    """A table's rows (in key order) and a SHA-256 over their values, the same for the
    same rows whichever database holds them."""
    digest = hashlib.sha256()
    rows = 0
    for row in tablesync.stream(conn, table, batch_rows):
        line = json.dumps(
            [_canonical(value) for value in row], ensure_ascii=False, sort_keys=True, default=str
        )
        digest.update(line.encode("utf-8") + b"\n")
        rows += 1
    return rows, digest.hexdigest()


def _verify(src: Connection, dst: Connection, report: CopyReport, *, batch_rows: int) -> None:
    """Compare the target with the source's snapshot, table by table, and check the
    target's versions and raw pages against their own content."""
    problems = []
    for counts, table in zip(report.tables, TABLES, strict=True):
        rows, digest = table_digest(src, table, batch_rows)
        copied_rows, copied = table_digest(dst, table, batch_rows)
        counts.digest = copied
        if (rows, digest) != (copied_rows, copied):
            problems.append(
                f"{table.name}: {copied_rows} rows in the copy, {rows} in the source"
                if rows != copied_rows
                else f"{table.name}: the rows differ from the source's"
            )
    report.versions_checked, bad_versions = _check_versions(dst, batch_rows)
    report.raw_pages_checked, bad_pages = _check_raw_pages(dst, batch_rows)
    # What disagrees with itself in the copy may have done so in the source already.
    if bad_versions:
        report.versions_unmatched = _already(src, bad_versions, _check_versions, batch_rows)
    if bad_pages:
        report.raw_pages_unmatched = _already(src, bad_pages, _check_raw_pages, batch_rows)
    for what, bad, already in (
        ("versions", bad_versions, report.versions_unmatched),
        ("raw pages", bad_pages, report.raw_pages_unmatched),
    ):
        if set(bad) - set(already):
            problems.append(f"{what} {sorted(set(bad) - set(already))[:10]}: changed by the copy")
    if problems:
        raise CopyMismatch(
            f"the copy into {report.target} does not verify, nothing was written: "
            + "; ".join(problems)
        )


def _already(
    src: Connection,
    bad: list[int],
    check: Callable[[Connection, int], tuple[int, list[int]]],
    batch_rows: int,
) -> list[int]:
    """Of the ids that disagree in the copy, those that disagree in the source too."""
    return sorted(set(bad) & set(check(src, batch_rows)[1]))


def _check_versions(conn: Connection, batch_rows: int) -> tuple[int, list[int]]:
    """Versions checked, and those whose content hash is not their fields' hash."""
    columns = [Version.id, Version.content_hash, *(getattr(Version, f) for f in CONTENT_FIELDS)]
    checked, bad = 0, []
    rows = conn.execute(
        select(*columns).order_by(Version.id).execution_options(yield_per=batch_rows)
    )
    for row in rows:
        checked += 1
        if content_hash(dict(row._mapping)) != row.content_hash:
            bad.append(row.id)
    return checked, bad


def _check_raw_pages(conn: Connection, batch_rows: int) -> tuple[int, list[int]]:
    """Raw pages checked, and those whose body's SHA-256 is not the one recorded."""
    checked, bad = 0, []
    query = select(RawPage.id, RawPage.sha256, RawPage.compression, RawPage.content)
    for row in conn.execute(query.order_by(RawPage.id).execution_options(yield_per=batch_rows)):
        checked += 1
        try:
            body = inflate(bytes(row.content), row.compression)
        except (ValueError, zlib.error):
            bad.append(row.id)
            continue
        if hashlib.sha256(body).hexdigest() != row.sha256:
            bad.append(row.id)
    return checked, bad


__all__ = [
    "BATCH_ROWS",
    "TABLES",
    "CopyMismatch",
    "CopyReport",
    "TableReport",
    "copy_archive",
    "snapshot",
    "table_digest",
]
