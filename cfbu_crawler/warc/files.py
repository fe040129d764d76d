"""The WARC files of one archive: where they live, their names, writing them, disk use.

Files live in ``warc/`` beside the archive (``data/warc/`` for a PostgreSQL archive) and
are named after the archive and the run::

    <archive>-run<run, 6 digits>-<UTC start, YYYYMMDDHHMMSS>-<serial, 5 digits>.warc.gz

so the files of run 3 of ``data/cfbu.sqlite3`` are ``data/warc/cfbu-run000003-*``, and two
archives in one folder never mix. Each record is appended with a single write of its
whole gzip member, so a crawl killed at any moment leaves at most its last record
unfinished, which ``repair`` cuts off.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from warcio.recordloader import ArcWarcRecord

from cfbu_crawler.warc.diskuse import (
    FILE_SUFFIX,
    INDEX_SUFFIX,
    NAME_RE,
    DiskUse,
    archive_files,
    disk_use,
    index_path,
    prefix_of,
    usage_of,
    warc_dir_beside,
)
from cfbu_crawler.warc.location import WarcLocation
from cfbu_crawler.warc.records import RecordMaker, record_id

DEFAULT_MAX_SIZE = 1_000_000_000  # roll over to a new file past about 1 GB


def warc_dir_for(db_url: str) -> Path:
    """``warc/`` beside an SQLite archive; ``data/warc`` for other databases."""
    url = make_url(db_url)
    return warc_dir_beside(url.database if url.get_backend_name() == "sqlite" else None)


def archive_prefix(db_url: str) -> str:
    """What the archive's WARC file names start with: the SQLite file's stem, or the
    database's name."""
    return prefix_of(make_url(db_url).database)


def file_name(prefix: str, run_id: int, started: datetime, serial: int) -> str:
    return f"{prefix}-run{run_id:06d}-{started:%Y%m%d%H%M%S}-{serial:05d}{FILE_SUFFIX}"


def warc_usage(db_url: str, directory: Path | None = None) -> dict[int, dict[str, int]]:
    """Disk use of each run's WARC files, for ``cfbu runs``: {run: {"files", "bytes"}}."""
    return usage_of(directory or warc_dir_for(db_url), archive_prefix(db_url))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class RunWarcWriter:
    """Appends a run's records to its WARC files, starting each file with a ``warcinfo``
    record (``info``: software, run, archive) and rolling over past ``max_size``."""

    def __init__(
        self,
        directory: Path,
        prefix: str,
        run_id: int,
        info: dict[str, str],
        *,
        started: datetime,
        max_size: int = DEFAULT_MAX_SIZE,
    ) -> None:
        self.directory = directory
        self.prefix = prefix
        self.run_id = run_id
        self.info = info
        self.started = started
        self.max_size = max_size
        self.maker = RecordMaker()
        self.serial = 0
        self.fd: int | None = None
        self.path: Path | None = None
        self.size = 0
        self.records_in_file = 0
        self.written: list[Path] = []

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        while True:
            self.serial += 1
            path = self.directory / file_name(self.prefix, self.run_id, self.started, self.serial)
            try:
                self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
                break
            except FileExistsError:  # left by an earlier attempt of this run: never reuse
                continue
        self.path, self.size, self.records_in_file = path, 0, 0
        self.written.append(path)
        info = {**self.info, "file": str(self.serial)}
        self._append(self.maker.serialise(self.maker.warcinfo(path.name, info)))

    def _append(self, data: bytes) -> WarcLocation:
        assert self.fd is not None and self.path is not None
        offset = self.size
        _write_all(self.fd, data)
        self.size += len(data)
        self.records_in_file += 1
        return WarcLocation(self.path.name, offset, len(data))

    def write(self, records: Iterable[ArcWarcRecord]) -> list[WarcLocation]:
        """Append records (one exchange: its response or revisit, then its request) to
        the current file, in one file; returns where each one lies."""
        members = [self.maker.serialise(record) for record in records]
        total = sum(len(member) for member in members)
        if self.fd is not None and self.records_in_file > 1 and self.size + total > self.max_size:
            self._close_file()
        if self.fd is None:
            self._open()
        return [self._append(member) for member in members]

    def _close_file(self) -> None:
        if self.fd is not None:
            os.fsync(self.fd)
            os.close(self.fd)
        self.fd = None

    def close(self) -> list[Path]:
        """Close the current file; returns every file this run wrote."""
        self._close_file()
        return list(self.written)


__all__ = [
    "DEFAULT_MAX_SIZE",
    "FILE_SUFFIX",
    "INDEX_SUFFIX",
    "NAME_RE",
    "disk_use",
    "warc_usage",
    "DiskUse",
    "RunWarcWriter",
    "archive_files",
    "archive_prefix",
    "disk_use",
    "index_path",
    "record_id",
    "warc_dir_for",
]
