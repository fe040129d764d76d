"""The WARC writer process (``warc.writerproc``), driven from a reactor as a crawl does
(tests/support/warcwriter.py, in a subprocess): it writes what the crawl would write
itself, the crawl logs what it logs, a failed write (a full disk) stops it after one
error and leaves a file the next crawl repairs, and the calls fail once it died."""

from __future__ import annotations

import io
import resource
from pathlib import Path
from typing import Any

import pytest
from support import reactorrun
from support.warcwriter import exchanges, options
from warcio.archiveiterator import ArchiveIterator

from cfbu_crawler.warc.files import archive_files, index_path
from cfbu_crawler.warc.location import WarcLocation
from cfbu_crawler.warc.repair import repair_unclosed
from cfbu_crawler.warc.writing import RunRecorder

pytestmark = pytest.mark.slow  # each test starts processes

TESTS = Path(__file__).parent


def drive(scenario: str, folder: Path) -> dict[str, Any]:
    return reactorrun.drive("warcwriter", scenario, str(folder))


def described(folder: Path, location: WarcLocation) -> tuple[str, ...]:
    """What a record is, read back at its location (its id and date left out)."""
    with (folder / location.file).open("rb") as fh:
        fh.seek(location.offset)
        member = fh.read(location.length)
    (record,) = list(ArchiveIterator(io.BytesIO(member), check_digests="raise"))
    headers = record.rec_headers
    return (
        record.rec_type,
        headers.get_header("WARC-Target-URI"),
        record.http_headers.get_statuscode(),
        headers.get_header("WARC-Payload-Digest") or "",
        headers.get_header("WARC-Profile") or "",
        headers.get_header("WARC-Refers-To-Target-URI") or "",
    )


def test_the_process_writes_what_the_crawl_would_write_itself(tmp_path: Path) -> None:
    here_dir, there_dir = tmp_path / "here", tmp_path / "there"
    here = RunRecorder.open(options(here_dir))
    here_records = [here.record(exchange) for exchange in exchanges()]
    here_files = here.close()

    there = drive("write", there_dir)  # every record sent before the first answer

    assert there["files"] == here_files == ["arch-run000001-20261125130000-00001.warc.gz"]
    assert index_path(there_dir / there["files"][0]).is_file()
    kinds = [kind for kind, *_ in there["records"]]
    assert kinds == [
        "response",
        "response",
        "revisit",  # b repeats a's payload
        "response",
        "response",
        "revisit",  # a 304
        "revisit",  # the same 404 page as robots.txt's
    ]
    assert [r.kind for r in here_records if r] == kinds
    assert [described(there_dir, WarcLocation(*where)) for _, *where in there["records"]] == [
        described(here_dir, r.location) for r in here_records if r
    ]


def test_what_the_process_logs_is_logged_by_the_crawl(tmp_path: Path) -> None:
    killed = RunRecorder.open(options(tmp_path))
    killed.record(exchanges()[1])
    assert killed.writer is not None
    (path,) = killed.writer.close()  # never indexed, as a killed crawl leaves its file
    with path.open("ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00torn")

    outcome = drive("logs", tmp_path)

    assert outcome["repaired"] == 1
    (cut,) = [r for r in outcome["logged"] if "half-written WARC record" in r[2]]
    name, level, _, process = cut
    assert (name, level) == ("cfbu_crawler.warc.repair", "WARNING")
    assert process != outcome["here"]  # logged by the process, handled by the crawl
    assert index_path(path).is_file()


@pytest.mark.skipif(not hasattr(resource, "prlimit"), reason="limits another process")
def test_a_full_disk_stops_the_process_after_one_error_and_the_next_crawl_repairs(
    tmp_path: Path,
) -> None:
    outcome = drive("full", tmp_path)

    assert outcome["failed"] == "OSError"  # EFBIG: the limit, as a full disk's ENOSPC
    assert outcome["after"] is None  # nothing more written
    assert outcome["files"] is None  # nothing closed or indexed: left to the next crawl
    (path,) = archive_files(tmp_path, "arch")[1]
    assert path.stat().st_size == outcome["room"]  # the record it could not finish
    assert not index_path(path).exists()
    (repair,) = repair_unclosed(tmp_path, "arch")
    assert (repair.records, repair.cut) == (3, 100)  # warcinfo, response, request kept
    with path.open("rb") as fh:
        kinds = [r.rec_type for r in ArchiveIterator(fh, check_digests="raise")]
    assert kinds == ["warcinfo", "response", "request"]


def test_calls_fail_once_the_process_died(tmp_path: Path) -> None:
    assert drive("dies", tmp_path)["errors"] == ["BrokenPipeError", "BrokenPipeError"]
