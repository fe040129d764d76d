"""Where an archive's WARC files are and what they take on disk, with the standard
library alone: ``cfbu runs`` shows each run's WARC files and must answer at once, without
loading SQLAlchemy or warcio (``warc.files`` re-exports these for the rest of cfbu).

Files live in ``warc/`` beside an SQLite archive (``data/warc/`` for a PostgreSQL
archive) and are named after the archive and the run (``warc.files``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FILE_SUFFIX = ".warc.gz"
INDEX_SUFFIX = ".cdxj"
NAME_RE = re.compile(
    r"^(?P<prefix>.+)-run(?P<run>\d{6,})-(?P<started>\d{14})-(?P<serial>\d{5})\.warc\.gz$"
)


def warc_dir_beside(database: str | None) -> Path:
    """``warc/`` beside an SQLite archive's file; ``data/warc`` for other databases
    (``database`` None or ``:memory:``)."""
    if database and database != ":memory:":
        return Path(database).parent / "warc"
    return Path("data") / "warc"


def prefix_of(database: str | None) -> str:
    """What the archive's WARC file names start with: the SQLite file's stem, or the
    database's name."""
    name = Path(database).stem if database else "cfbu"
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "cfbu"


def index_path(warc_path: Path) -> Path:
    """The CDXJ index beside a WARC file."""
    return warc_path.with_name(warc_path.name[: -len(FILE_SUFFIX)] + INDEX_SUFFIX)


def archive_files(directory: Path, prefix: str) -> dict[int, list[Path]]:
    """The archive's WARC files by run, each run's in the order written."""
    runs: dict[int, list[tuple[str, int, Path]]] = {}
    if not directory.is_dir():
        return {}
    for path in directory.iterdir():
        match = NAME_RE.match(path.name)
        if match and match["prefix"] == prefix and path.is_file():
            runs.setdefault(int(match["run"]), []).append(
                (match["started"], int(match["serial"]), path)
            )
    return {run: [p for *_, p in sorted(files)] for run, files in sorted(runs.items())}


@dataclass(frozen=True)
class DiskUse:
    files: int
    bytes: int  # the WARC files and their CDXJ indexes


def disk_use(directory: Path, prefix: str) -> dict[int, DiskUse]:
    """What each run's WARC files (and indexes) take on disk."""
    use = {}
    for run_id, paths in archive_files(directory, prefix).items():
        size = 0
        for path in paths:
            size += path.stat().st_size
            index = index_path(path)
            if index.is_file():
                size += index.stat().st_size
        use[run_id] = DiskUse(len(paths), size)
    return use


def usage_of(directory: Path, prefix: str) -> dict[int, dict[str, int]]:
    """Disk use of each run's WARC files, for ``cfbu runs``: {run: {"files", "bytes"}}."""
    return {
        run: {"files": u.files, "bytes": u.bytes} for run, u in disk_use(directory, prefix).items()
    }


__all__ = [
    "FILE_SUFFIX",
    "INDEX_SUFFIX",
    "NAME_RE",
    "DiskUse",
    "archive_files",
    "disk_use",
    "index_path",
    "prefix_of",
    "usage_of",
    "warc_dir_beside",
]
