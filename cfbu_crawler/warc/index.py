"""CDXJ indexes of the WARC files, and the earlier captures a run's revisits refer to.

Each closed WARC file gets a sorted CDXJ index beside it (``<name>.cdxj``, written by
cdxj-indexer, the index format of pywb and other replay tools): one line per response
and revisit record with its URL, time, MIME type, status, payload digest, offset and
length. A crawl reads the indexes of the archive's earlier files once, to know which
payloads it has archived already (a revisit refers to the first capture of a payload)
and the latest capture of each URL (a 304 refers to it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cdxj_indexer.main import write_cdx_index
from warcio.timeutils import timestamp_to_iso_date

from cfbu_crawler.warc.files import archive_files, index_path
from cfbu_crawler.warc.location import WarcLocation
from cfbu_crawler.warc.records import Capture

REVISIT_MIME = "warc/revisit"


def write_index(warc_path: Path) -> Path:
    """Write (or rewrite) the sorted CDXJ index of one WARC file; returns its path."""
    target = index_path(warc_path)
    partial = target.with_name(target.name + ".partial")
    write_cdx_index(str(partial), [str(warc_path)], {"sort": True})
    os.replace(partial, target)
    return target


@dataclass(frozen=True)
class IndexEntry:
    """One line of a CDXJ index."""

    urlkey: str
    timestamp: str  # 14 digits, UTC
    url: str
    mime: str
    status: str | None
    digest: str | None
    location: WarcLocation

    @property
    def is_revisit(self) -> bool:
        return self.mime == REVISIT_MIME

    @property
    def date(self) -> str:
        return str(timestamp_to_iso_date(self.timestamp))


def read_index(path: Path) -> Iterator[IndexEntry]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            urlkey, timestamp, rest = line.rstrip("\n").split(" ", 2)
            fields = json.loads(rest)
            yield IndexEntry(
                urlkey=urlkey,
                timestamp=timestamp,
                url=fields["url"],
                mime=fields.get("mime", ""),
                status=fields.get("status"),
                digest=fields.get("digest"),
                location=WarcLocation(
                    fields["filename"], int(fields["offset"]), int(fields["length"])
                ),
            )


@dataclass
class PriorCaptures:
    """What an archive's WARC files hold already: the first response record of each
    payload (by digest, with where it lies) and the latest capture of each URL."""

    by_digest: dict[str, tuple[Capture, WarcLocation]] = field(default_factory=dict)
    by_url: dict[str, Capture] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: Path, prefix: str) -> PriorCaptures:
        """From the indexes of the archive's WARC files (files without an index, or
        whose WARC file is gone, are left out)."""
        captures = cls()
        for paths in archive_files(directory, prefix).values():
            for path in paths:
                index = index_path(path)
                if not index.is_file():
                    continue
                entries = sorted(read_index(index), key=lambda e: e.location.offset)
                for entry in entries:
                    if entry.digest:
                        captures.add(
                            Capture(entry.url, entry.date, entry.digest),
                            None if entry.is_revisit else entry.location,
                        )
        return captures

    def add(self, capture: Capture, location: WarcLocation | None) -> None:
        """Remember a capture; ``location`` is that of its response record (None for a
        revisit, which holds no payload)."""
        if location is not None and capture.digest not in self.by_digest:
            self.by_digest[capture.digest] = (capture, location)
        self.by_url[capture.url] = capture

    def original(self, digest: str) -> Capture | None:
        """The first response record that holds this payload."""
        found = self.by_digest.get(digest)
        return found[0] if found else None

    def latest(self, url: str) -> Capture | None:
        """The response record whose payload the latest capture of ``url`` holds or
        repeats."""
        capture = self.by_url.get(url)
        if capture is None:
            return None
        return self.original(capture.digest) or capture


__all__ = ["IndexEntry", "PriorCaptures", "read_index", "write_index"]
