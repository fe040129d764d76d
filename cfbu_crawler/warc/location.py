"""Where a record lies in a WARC file (what an observation points to)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WarcLocation:
    """A record of a WARC file: the file's name (in the archive's WARC folder), the
    offset of its gzip member and the member's length in bytes."""

    file: str
    offset: int
    length: int
