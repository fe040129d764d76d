"""One run's captures (or every run's) as one WARC file, what ``cfbu export --format
warc`` writes.

From the run's WARC files when they are all there: every whole record is copied as it
was written (warcinfo, requests, responses, revisits), except that a revisit whose
original payload is not earlier in the export becomes a full response record (payload
taken from the original), so the file replays on its own. A 304 stays a revisit: the
server sent no body.

When the run's files are gone (deleted to save space, or a crawl with ``--no-warc``),
the captures are rebuilt from the archive: a response record for every fetch whose body
the archive kept (article pages, and error pages it kept), with the status, the
Content-Type and the body as stored (decompressed); other HTTP headers and the requests
are not kept in the archive, and a ``warcinfo`` record ahead of them says so. Listing
pages, sitemaps and robots.txt are only in the WARC files.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import Engine
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from cfbu_crawler.archive.captures import StoredCapture, run_warc_files, stored_captures
from cfbu_crawler.archive.db import describe
from cfbu_crawler.warc.files import archive_files, archive_prefix, warc_dir_for
from cfbu_crawler.warc.index import PriorCaptures
from cfbu_crawler.warc.location import WarcLocation
from cfbu_crawler.warc.records import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Exchange,
    RecordMaker,
    record_id,
)
from cfbu_crawler.warc.repair import members

REBUILT_NOTE = (
    "The WARC files of this run are gone: these records were rebuilt by cfbu from the "
    "bodies its archive keeps. Status, Content-Type and body (decompressed) are as "
    "fetched; other HTTP headers and the requests were not kept."
)


@dataclass
class RunExport:
    run_id: int
    source: str  # "warc" (copied from the run's WARC files) or "archive" (rebuilt)
    responses: int = 0
    revisits: int = 0
    other: int = 0  # warcinfo and request records
    without_body: int = 0  # rebuilt: fetches whose body the archive did not keep


@dataclass
class ExportSummary:
    runs: list[RunExport] = field(default_factory=list)

    @property
    def responses(self) -> int:
        return sum(run.responses for run in self.runs)

    @property
    def records(self) -> int:
        return sum(run.responses + run.revisits + run.other for run in self.runs)


def read_member(path: Path, location: WarcLocation | tuple[int, int]) -> bytes:
    offset, length = (
        (location.offset, location.length) if isinstance(location, WarcLocation) else location
    )
    with path.open("rb") as fh:
        fh.seek(offset)
        return fh.read(length)


def parse_member(data: bytes) -> ArcWarcRecord:
    return next(iter(ArchiveIterator(io.BytesIO(data))))


class WarcExporter:
    """Writes the captures of runs, one after another, to one WARC stream."""

    def __init__(self, engine: Engine, db_url: str, out: BinaryIO, directory: Path | None = None):
        self.engine = engine
        self.db_url = db_url
        self.out = out
        self.directory = directory or warc_dir_for(db_url)
        self.prefix = archive_prefix(db_url)
        self.files = archive_files(self.directory, self.prefix)
        self.prior = PriorCaptures.load(self.directory, self.prefix)
        self.maker = RecordMaker()
        self.payloads_written: set[str] = set()
        self.summary = ExportSummary()

    def write(self, record: ArcWarcRecord) -> None:
        self.out.write(self.maker.serialise(record))

    def begin(self, run_ids: list[int], output_name: str) -> None:
        from cfbu_crawler import __version__

        runs = ", ".join(str(r) for r in run_ids)
        self.write(
            self.maker.warcinfo(
                output_name,
                {
                    "software": f"cfbu/{__version__}",
                    "format": "WARC File Format 1.0",
                    "description": f"cfbu export of run {runs} of the archive {describe(self.db_url)}",
                    "isPartOf": f"cfbu archive {describe(self.db_url)}",
                },
            )
        )
        self.summary.runs.clear()

    def export_run(self, run_id: int) -> RunExport:
        files = self.files.get(run_id, [])
        needed = run_warc_files(self.engine, run_id)
        if files and needed <= {path.name for path in files}:
            result = RunExport(run_id, "warc")
            for path in files:
                self._copy_file(path, result)
        else:
            result = RunExport(run_id, "archive")
            self._rebuild(run_id, result)
        self.summary.runs.append(result)
        return result

    # -- from the WARC files -----------------------------------------------------------
    def _copy_file(self, path: Path, result: RunExport) -> None:
        for member in members(path):
            if not member.complete:
                break  # a file being written now, or cut by a crash: whole records only
            data = read_member(path, (member.offset, member.length))
            record = parse_member(data)
            kind = record.rec_type
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            profile = record.rec_headers.get_header("WARC-Profile")
            if kind == "revisit" and profile == IDENTICAL_PAYLOAD and digest:
                if digest not in self.payloads_written:
                    expanded = self._expand(record, digest)
                    if expanded is not None:
                        self.write(expanded)
                        self.payloads_written.add(digest)
                        result.responses += 1
                        continue
                result.revisits += 1
            elif kind == "revisit":
                result.revisits += 1
            elif kind == "response":
                if digest:
                    self.payloads_written.add(digest)
                result.responses += 1
            else:
                result.other += 1
            self.out.write(data)

    def _expand(self, revisit: ArcWarcRecord, digest: str) -> ArcWarcRecord | None:
        """A response record with the revisit's headers and the original's payload."""
        found = self.prior.by_digest.get(digest)
        if found is None:
            return None
        _, location = found
        path = self.directory / location.file
        if not path.is_file():
            return None
        original = parse_member(read_member(path, location))
        payload = original.raw_stream.read()
        headers = {
            name: value
            for name, value in revisit.rec_headers.headers
            if name in ("WARC-Date", "WARC-IP-Address", "WARC-Warcinfo-ID")
        }
        headers["WARC-Refers-To-Target-URI"] = revisit.rec_headers.get_header(
            "WARC-Refers-To-Target-URI"
        )
        http_headers = revisit.http_headers
        http_headers.replace_header("Content-Length", str(len(payload)))
        return self.maker.builder.create_warc_record(
            revisit.rec_headers.get_header("WARC-Target-URI"),
            "response",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_headers_dict=headers,
            http_headers=http_headers,
        )

    # -- from the archive -----------------------------------------------------------------
    def _rebuild(self, run_id: int, result: RunExport) -> None:
        info = self.maker.warcinfo(
            "", {"description": f"run {run_id}: {REBUILT_NOTE}", "run": str(run_id)}
        )
        self.write(info)
        result.other += 1
        for capture in stored_captures(self.engine, run_id):
            record = self._rebuilt_record(capture, record_id(info))
            if record is None:
                result.without_body += 1
                continue
            self.write(record)
            if record.rec_type == "response":
                result.responses += 1
            else:
                result.revisits += 1

    def _rebuilt_record(self, capture: StoredCapture, warcinfo_id: str) -> ArcWarcRecord | None:
        assert capture.status is not None
        headers = [("Content-Type", capture.content_type)] if capture.content_type else []
        exchange = Exchange(
            url=capture.answered_url if capture.status != 304 else capture.url,
            status=capture.status,
            body=capture.content or b"",
            date=capture.fetched_at,
            response_headers=headers,
        )
        if capture.status == 304:
            return self.maker.revisit(
                exchange, profile=SERVER_NOT_MODIFIED, refers_to=None, warcinfo_id=warcinfo_id
            )
        if capture.content is None:
            return None
        record = self.maker.response(exchange, warcinfo_id)
        digest = record.rec_headers.get_header("WARC-Payload-Digest")
        if digest:
            self.payloads_written.add(digest)
        return record


def export_runs(
    engine: Engine,
    db_url: str,
    run_ids: list[int],
    out: BinaryIO,
    *,
    output_name: str = "",
    directory: Path | None = None,
) -> ExportSummary:
    """Write the captures of ``run_ids`` (in that order) to ``out`` as one WARC stream."""
    exporter = WarcExporter(engine, db_url, out, directory)
    exporter.begin(run_ids, output_name)
    for run_id in run_ids:
        exporter.export_run(run_id)
    return exporter.summary


def iter_records(path: Path) -> Iterator[ArcWarcRecord]:
    """Every record of a WARC file (warcio), for readers and tests."""
    with path.open("rb") as fh:
        yield from ArchiveIterator(fh)


__all__ = ["ExportSummary", "RunExport", "WarcExporter", "export_runs", "iter_records"]
