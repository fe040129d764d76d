"""WARC files of real crawls (of tests/freshsite): read back with warcio and matched
against the archive's observations; CDXJ indexes; `cfbu export --format warc`, from the
files and rebuilt from the stored pages; `--no-warc`; the disk cost in `cfbu runs`; the
same records written by the WARC writer process and on the crawl's own thread; a failed
WARC write."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import run_cfbu
from support.freshcrawl import FreshArchive
from support.freshcrawl import fresh_archive as fresh_archive_of
from warcio.archiveiterator import ArchiveIterator

from cfbu_crawler.archive.captures import stored_captures
from cfbu_crawler.archive.db import close_engine, open_engine
from cfbu_crawler.warc.files import archive_files, index_path
from cfbu_crawler.warc.index import read_index
from cfbu_crawler.warc.records import IDENTICAL_PAYLOAD, SERVER_NOT_MODIFIED, payload_digest

pytestmark = pytest.mark.slow


def records(path: Path) -> list:
    """Every record of a WARC file, read to the end with warcio (digests checked)."""
    found = []
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh, check_digests="raise")
        for record in iterator:
            record.payload = record.content_stream().read()  # content coding undone
            found.append(record)
    return found


def captures(db: Path, run_id: int) -> list:
    engine = open_engine(str(db), create=False)
    try:
        return list(stored_captures(engine, run_id))
    finally:
        close_engine(engine)


def record_at(warc_dir: Path, name: str, offset: int, length: int):
    with (warc_dir / name).open("rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    record = next(iter(ArchiveIterator(io.BytesIO(data))))
    raw = record.raw_stream.read()
    return record, raw


def test_each_run_writes_one_file_with_a_warcinfo_record_first(fresh_archive) -> None:
    files = archive_files(fresh_archive.warc_dir, "fresh")
    assert sorted(files) == [1, 2, 3]
    for run_id, paths in files.items():
        assert len(paths) == 1
        first = records(paths[0])[0]
        assert first.rec_type == "warcinfo"
        info = first.payload.decode()
        assert "software: cfbu/" in info and "Scrapy" in info and "warcio" in info
        assert f"run: {run_id}" in info
        assert first.rec_headers.get_header("WARC-Filename") == paths[0].name


def test_every_file_reads_to_the_end_and_matches_the_observations(fresh_archive) -> None:
    check_files_and_observations(fresh_archive)


def check_files_and_observations(archive: FreshArchive) -> None:
    warc_dir = archive.warc_dir
    for run_id, paths in archive_files(warc_dir, "fresh").items():
        by_offset = {}
        for path in paths:
            for record in records(path):  # raises on a bad digest or a cut record
                assert record.rec_type in ("warcinfo", "request", "response", "revisit")
            by_offset[path.name] = path
        fetched = [c for c in captures(archive.db, run_id) if c.status is not None]
        assert fetched, f"run {run_id} observed nothing"
        for capture in fetched:
            assert capture.warc_file in by_offset, capture
            record, raw = record_at(
                warc_dir, capture.warc_file, capture.warc_offset, capture.warc_length
            )
            uri = record.rec_headers.get_header("WARC-Target-URI")
            assert uri in (capture.final_url, capture.url)
            assert record.http_headers.get_statuscode() == str(capture.status)
            if capture.status == 304:
                assert record.rec_type == "revisit"
                assert record.rec_headers.get_header("WARC-Profile") == SERVER_NOT_MODIFIED
                continue
            digest = record.rec_headers.get_header("WARC-Payload-Digest")
            if record.rec_type == "response":
                assert digest == payload_digest(raw)
                # the archive keeps the body decompressed; the WARC as sent (gzip here)
                assert record.http_headers.get_header("Content-Encoding") == "gzip"
                assert (
                    hashlib.sha256(gzip.decompress(raw)).digest()
                    == hashlib.sha256(capture.content).digest()
                )
            else:
                assert record.rec_type == "revisit"
                assert record.rec_headers.get_header("WARC-Profile") == IDENTICAL_PAYLOAD
                if capture.content is not None:  # the archive keeps no body of a 404
                    assert digest == payload_digest(gzip.compress(capture.content, mtime=0))


def test_unchanged_pages_of_a_full_recrawl_are_revisits_of_run_1(fresh_archive) -> None:
    (path,) = archive_files(fresh_archive.warc_dir, "fresh")[3]
    kinds = {}
    for record in records(path):
        if record.rec_type in ("response", "revisit"):
            kinds[record.rec_headers.get_header("WARC-Target-URI")] = record
    article = fresh_archive.server.url("/nyheder/lektiehjaelp-paa-biblioteket/")
    revisit = kinds[article]
    assert revisit.rec_type == "revisit"
    assert revisit.rec_headers.get_header("WARC-Refers-To-Target-URI") == article
    assert revisit.rec_headers.get_header("WARC-Refers-To-Date", "").startswith("20")


def test_each_file_has_a_cdxj_index_of_its_responses_and_revisits(fresh_archive) -> None:
    for paths in archive_files(fresh_archive.warc_dir, "fresh").values():
        for path in paths:
            entries = list(read_index(index_path(path)))
            found = [
                (r.rec_headers.get_header("WARC-Target-URI"), r.rec_type)
                for r in records(path)
                if r.rec_type in ("response", "revisit")
            ]
            assert len(entries) == len(found)
            assert [e.urlkey for e in entries] == sorted(e.urlkey for e in entries)
            for entry in entries:
                record, _ = record_at(path.parent, entry.location.file, *_span(entry))
                assert record.rec_headers.get_header("WARC-Target-URI") == entry.url


def _span(entry) -> tuple[int, int]:
    return entry.location.offset, entry.location.length


def _responses(path: Path) -> dict[str, object]:
    return {
        r.rec_headers.get_header("WARC-Target-URI"): r
        for r in records(path)
        if r.rec_type == "response"
    }


def test_export_of_run_1_holds_a_response_for_every_article(fresh_archive, tmp_path) -> None:
    out = tmp_path / "run1.warc.gz"
    proc = run_cfbu(
        "export", "--db", str(fresh_archive.db), "--format", "warc", "--run", "1", "-o", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert "copied from its WARC files" in proc.stderr
    responses = _responses(out)
    articles = [c for c in captures(fresh_archive.db, 1) if c.article_id is not None]
    assert len(articles) == 6
    for capture in articles:
        assert capture.answered_url in responses
        assert responses[capture.answered_url].payload == capture.content  # decoded


def test_export_of_a_full_recrawl_turns_revisits_into_responses(fresh_archive, tmp_path) -> None:
    out = tmp_path / "run3.warc.gz"
    run_cfbu(
        "export",
        "--db",
        str(fresh_archive.db),
        "--format",
        "warc",
        "--run",
        "3",
        "-o",
        str(out),
        check=True,
    )
    responses = _responses(out)
    for capture in captures(fresh_archive.db, 3):
        if capture.article_id is not None:
            assert capture.answered_url in responses  # replayable on its own


def test_export_rebuilds_from_the_stored_pages_when_the_warc_files_are_gone(
    fresh_archive, tmp_path
) -> None:
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(fresh_archive.db, copy)  # no warc/ beside the copy
    out = tmp_path / "rebuilt.warc.gz"
    proc = run_cfbu("export", "--db", str(copy), "--format", "warc", "--run", "1", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "rebuilt from the archive's stored pages" in proc.stderr
    all_records = records(out)
    assert "rebuilt by cfbu" in all_records[1].payload.decode()
    responses = _responses(out)
    for capture in captures(copy, 1):
        if capture.article_id is not None:
            record = responses[capture.answered_url]
            assert record.payload == capture.content
            assert record.http_headers.get_statuscode() == "200"


def test_export_all_runs_and_refusals(fresh_archive, tmp_path) -> None:
    out = tmp_path / "all.warc.gz"
    proc = run_cfbu(
        "export", "--db", str(fresh_archive.db), "--format", "warc", "--all", "-o", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    assert [line.split(":")[0] for line in proc.stderr.splitlines()[:3]] == [
        "run 1",
        "run 2",
        "run 3",
    ]
    assert sum(1 for r in records(out) if r.rec_type == "warcinfo") == 4  # export's + 3 runs'
    missing = run_cfbu("export", "--db", str(fresh_archive.db), "--format", "warc", "--run", "9")
    assert missing.returncode == 1
    assert missing.stderr.strip() == "Error: the archive holds no run 9 (see `cfbu runs`)"
    folder = run_cfbu(
        "export",
        "--db",
        str(fresh_archive.db),
        "--format",
        "warc",
        "--run",
        "1",
        "-o",
        str(tmp_path / "nowhere" / "x.warc.gz"),
    )
    assert folder.returncode == 1 and len(folder.stderr.strip().splitlines()) == 1


def test_runs_reports_each_runs_warc_disk_cost(fresh_archive) -> None:
    proc = run_cfbu("runs", "--db", str(fresh_archive.db), "--json", check=True)
    reported = {run["id"]: run["warc"] for run in json.loads(proc.stdout)}
    for run_id, paths in archive_files(fresh_archive.warc_dir, "fresh").items():
        size = sum(p.stat().st_size + index_path(p).stat().st_size for p in paths)
        assert reported[run_id] == {"files": len(paths), "bytes": size}
    text = run_cfbu("runs", "--db", str(fresh_archive.db), check=True).stdout
    assert f"warc: {reported[1]['bytes'] / 1000:.0f} kB in 1 file" in text


def test_no_warc_writes_no_file_and_leaves_observations_unlinked(fresh_archive, tmp_path) -> None:
    db = tmp_path / "plain.sqlite3"
    proc = run_cfbu(
        "crawl",
        "--start-url",
        fresh_archive.server.url("/nyheder/"),
        "--db",
        str(db),
        "--delay",
        "0",
        "--no-warc",
    )
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "warc").exists()
    assert all(c.warc_file is None for c in captures(db, 1))
    text = run_cfbu("runs", "--db", str(db), check=True).stdout
    assert "warc:" not in text


@pytest.fixture(scope="module")
def in_process_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshArchive]:
    """The fresh archive's three crawls again, the WARC records written on the crawl's
    own thread (the session's fresh archive has them written by their own process)."""
    folder = tmp_path_factory.mktemp("warc-in-process")
    with fresh_archive_of(folder, "-s", "CFBU_WARC_PROCESS=False") as archive:
        yield archive


def written(archive: FreshArchive) -> dict[int, Counter]:
    """Each run's response and revisit records: path, status, kind, profile, and the
    path of the record a revisit refers to (the servers' ports differ, and so do the
    payloads whose links name them)."""
    runs: dict[int, Counter] = {}
    for run_id, paths in archive_files(archive.warc_dir, "fresh").items():
        found: Counter = Counter()
        for path in paths:
            for record in records(path):
                if record.rec_type not in ("response", "revisit"):
                    continue
                headers = record.rec_headers
                refers_to = headers.get_header("WARC-Refers-To-Target-URI")
                found[
                    (
                        urlsplit(headers.get_header("WARC-Target-URI")).path,
                        record.http_headers.get_statuscode(),
                        record.rec_type,
                        headers.get_header("WARC-Profile"),
                        urlsplit(refers_to).path if refers_to else None,
                    )
                ] += 1
        runs[run_id] = found
    return runs


def test_records_written_by_their_process_are_those_the_crawl_writes_itself(
    fresh_archive, in_process_archive
) -> None:
    check_files_and_observations(in_process_archive)
    by_process, in_process = written(fresh_archive), written(in_process_archive)
    assert sorted(by_process) == sorted(in_process) == [1, 2, 3]
    for run_id in (1, 2, 3):
        assert by_process[run_id] == in_process[run_id], f"run {run_id}"
    kinds = Counter(kind for key, n in by_process[3].items() for kind in [key[2]] * n)
    assert kinds["revisit"] > kinds["response"]  # the full re-crawl: mostly revisits


@pytest.mark.parametrize("process", [True, False], ids=["process", "in-process"])
def test_a_failed_warc_write_is_logged_once_and_the_crawl_goes_on(
    fresh_archive, tmp_path, process: bool
) -> None:
    blocked = tmp_path / "a-file"  # where the WARC folder should be: like a full disk,
    blocked.write_text("")  # every write fails
    db = tmp_path / "a.sqlite3"
    proc = run_cfbu(
        "crawl",
        "--start-url",
        fresh_archive.server.url("/nyheder/"),
        "--db",
        str(db),
        "--delay",
        "0",
        "-s",
        f"CFBU_WARC_DIR={blocked / 'warc'}",
        "-s",
        f"CFBU_WARC_PROCESS={process}",
    )
    assert proc.returncode == 0, proc.stderr
    assert "Run 1 complete" in proc.stdout
    log = "".join(p.read_text() for p in (tmp_path / "logs").glob("crawl-*.log"))
    assert log.count("writing WARC records failed, WARC writing stops") == 1
    assert "'cfbu/warc_error': " in log
    assert "'cfbu/warc_files'" not in log
    fetched = [c for c in captures(db, 1) if c.status is not None]
    assert len(fetched) >= 5  # the articles of the edited site, archived all the same
    assert all(c.warc_file is None for c in fetched)
