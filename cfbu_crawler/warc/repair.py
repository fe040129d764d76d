"""Finding, and cutting off, a record a killed crawl left half-written.

Records are appended whole (one write per gzip member), so a crawl killed with
``kill -9`` leaves complete files; a machine that loses power can still leave the last
member short. Before a crawl writes its own files it checks every file of the archive
that has no CDXJ index yet (a run that did not close its files): each gzip member must be
complete and hold exactly one WARC record of the length its header declares. A file
whose tail fails is cut back to its last complete record, so warcio and replay tools read
it to the end, and then indexed. The new run always starts a new file.
"""

from __future__ import annotations

import logging
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cfbu_crawler.warc.files import archive_files, index_path
from cfbu_crawler.warc.index import write_index

logger = logging.getLogger(__name__)
CHUNK = 1 << 20


@dataclass(frozen=True)
class Member:
    """One gzip member of a WARC file and whether it holds one whole record."""

    offset: int
    length: int
    complete: bool


def record_is_whole(block: bytes) -> bool:
    """Whether decompressed bytes are exactly one WARC record: its header, as many bytes
    as its ``Content-Length`` says, and the closing blank lines."""
    if not block.startswith(b"WARC/"):
        return False
    end = block.find(b"\r\n\r\n")
    if end < 0:
        return False
    length = None
    for line in block[:end].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                return False
    return length is not None and len(block) == end + 4 + length + 4


def members(path: Path) -> Iterator[Member]:
    """The gzip members of a file, in order; the last one may be incomplete."""
    with path.open("rb") as fh:
        start = pos = 0
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        block = bytearray()
        while chunk := fh.read(CHUNK):
            data = chunk
            while data:
                try:
                    block += inflater.decompress(data)
                except zlib.error:
                    yield Member(start, path.stat().st_size - start, False)
                    return
                if not inflater.eof:
                    pos += len(data)
                    break
                used = len(data) - len(inflater.unused_data)
                pos += used
                yield Member(start, pos - start, record_is_whole(bytes(block)))
                data = inflater.unused_data
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
                block = bytearray()
                start = pos
        if pos > start:
            yield Member(start, pos - start, False)


@dataclass(frozen=True)
class Repair:
    path: Path
    records: int  # whole records kept
    cut: int  # bytes cut off the end (0: the file was whole)


def complete_length(path: Path) -> tuple[int, int]:
    """(records, bytes) of the file's whole records before the first damaged one."""
    records = end = 0
    for member in members(path):
        if not member.complete:
            break
        records += 1
        end = member.offset + member.length
    return records, end


def repair_file(path: Path) -> Repair:
    """Cut a file back to its last whole record (nothing is done to a whole file)."""
    records, end = complete_length(path)
    size = path.stat().st_size
    if end < size:
        with path.open("r+b") as fh:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
        logger.warning(
            "%s: cut %d bytes of a half-written WARC record (a crawl was killed); "
            "%d whole records kept",
            path,
            size - end,
            records,
        )
    return Repair(path, records, size - end)


def repair_unclosed(directory: Path, prefix: str) -> list[Repair]:
    """Check and index every file of the archive left without an index by a run that
    did not finish. Only call this while holding the archive's crawl lock."""
    repairs = []
    for paths in archive_files(directory, prefix).values():
        for path in paths:
            if index_path(path).is_file():
                continue
            repair = repair_file(path)
            if repair.records == 0:
                path.unlink()  # nothing whole in it: not even its warcinfo
                logger.warning("%s: no whole WARC record, removed", path)
            else:
                write_index(path)
            repairs.append(repair)
    return repairs


__all__ = ["Member", "Repair", "members", "repair_file", "repair_unclosed"]
