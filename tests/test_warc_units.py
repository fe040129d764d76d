"""WARC writing without a crawl: records from an exchange, files and rollover, repair of a
torn record, the captures a revisit refers to, a run's recorder (revisits, repair at
open, a failed write), and which record an item points to."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from support.warcwriter import options
from warcio.archiveiterator import ArchiveIterator

from cfbu_crawler.items import ArticlePage, FetchOutcome
from cfbu_crawler.warc.files import (
    RunWarcWriter,
    archive_files,
    archive_prefix,
    index_path,
    warc_dir_for,
)
from cfbu_crawler.warc.index import PriorCaptures, write_index
from cfbu_crawler.warc.location import WarcLocation
from cfbu_crawler.warc.recorder import location_for
from cfbu_crawler.warc.records import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Capture,
    Exchange,
    RecordMaker,
    payload_digest,
    record_id,
)
from cfbu_crawler.warc.repair import members, record_is_whole, repair_file, repair_unclosed
from cfbu_crawler.warc.writing import RunRecorder

WHEN = datetime(2026, 11, 25, 13, 0, 0)


def exchange(url: str = "http://127.0.0.1:8000/nyheder/a/", body: bytes = b"<html>a</html>"):
    return Exchange(
        url=url,
        status=200,
        body=body,
        date=WHEN,
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Transfer-Encoding", "chunked"),
            ("Content-Length", "999"),
        ],
        request_headers=[("User-Agent", "cfbu-test"), ("Host", "ignored")],
    )


def read(path: Path) -> list:
    with path.open("rb") as fh:
        out = []
        for record in ArchiveIterator(fh, check_digests="raise"):
            record.payload = record.content_stream().read()
            out.append(record)
        return out


def writer(tmp_path: Path, max_size: int = 10**9) -> RunWarcWriter:
    return RunWarcWriter(
        tmp_path, "arch", 7, {"software": "cfbu/test"}, started=WHEN, max_size=max_size
    )


def test_response_record_holds_the_body_as_sent_with_its_length(tmp_path: Path) -> None:
    w = writer(tmp_path)
    maker = w.maker
    response = maker.response(exchange())
    w.write([response, maker.request(exchange(), record_id(response))])
    (path,) = w.close()
    warcinfo, resp, req = read(path)
    assert warcinfo.rec_type == "warcinfo"
    assert resp.http_headers.get_header("Content-Length") == str(len(b"<html>a</html>"))
    assert resp.http_headers.get_header("Transfer-Encoding") is None
    assert resp.payload == b"<html>a</html>"
    assert resp.rec_headers.get_header("WARC-Date") == "2026-11-25T13:00:00Z"
    assert req.http_headers.protocol == "GET"
    assert req.http_headers.get_header("Host") == "127.0.0.1:8000"
    assert req.rec_headers.get_header("WARC-Concurrent-To") == record_id(response)


def test_files_roll_over_past_the_size_limit_each_with_a_warcinfo(tmp_path: Path) -> None:
    w = writer(tmp_path, max_size=2000)
    for n in range(6):
        ex = exchange(f"http://127.0.0.1:8000/nyheder/{n}/", b"x" * 700 + bytes([n]))
        w.write([w.maker.response(ex)])
    paths = w.close()
    assert len(paths) > 1
    assert [p.name for p in paths][:2] == [
        "arch-run000007-20261125130000-00001.warc.gz",
        "arch-run000007-20261125130000-00002.warc.gz",
    ]
    assert sum(len(read(p)) - 1 for p in paths) == 6
    assert all(read(p)[0].rec_type == "warcinfo" for p in paths)
    assert archive_files(tmp_path, "arch") == {7: paths}


def test_locations_point_at_the_records(tmp_path: Path) -> None:
    w = writer(tmp_path)
    first, second = (w.write([w.maker.response(exchange(f"http://h/{n}/"))])[0] for n in (1, 2))
    (path,) = w.close()
    data = path.read_bytes()
    for location, url in ((first, "http://h/1/"), (second, "http://h/2/")):
        member = data[location.offset : location.offset + location.length]
        (record,) = list(ArchiveIterator(io.BytesIO(member)))
        assert record.rec_headers.get_header("WARC-Target-URI") == url


def test_a_torn_last_record_is_cut_and_the_file_indexed(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.write([w.maker.response(exchange())])
    (path,) = w.close()
    whole = path.stat().st_size
    torn = w.maker.serialise(w.maker.response(exchange("http://h/torn/")))
    with path.open("ab") as fh:
        fh.write(torn[:-10])
    assert [m.complete for m in members(path)] == [True, True, False]
    (repair,) = repair_unclosed(tmp_path, "arch")
    assert (repair.records, repair.cut) == (2, len(torn) - 10)
    assert path.stat().st_size == whole
    assert [r.rec_type for r in read(path)] == ["warcinfo", "response"]
    assert path.with_name(path.name.replace(".warc.gz", ".cdxj")).exists()
    assert repair_unclosed(tmp_path, "arch") == []  # indexed: never checked again


def test_a_whole_file_is_left_as_it_is(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.write([w.maker.response(exchange())])
    (path,) = w.close()
    before = path.read_bytes()
    assert repair_file(path).cut == 0
    assert path.read_bytes() == before


def test_record_is_whole_checks_the_declared_length() -> None:
    block = b"WARC/1.0\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n"
    assert record_is_whole(block)
    assert not record_is_whole(block[:-1])
    assert not record_is_whole(b"garbage")


def test_prior_captures_know_first_payloads_and_latest_urls(tmp_path: Path) -> None:
    w = writer(tmp_path)
    body = b"<html>same</html>"
    w.write([w.maker.response(exchange("http://h/a/", body))])
    revisit = w.maker.revisit(
        exchange("http://h/b/", body),
        profile="http://netpreserve.org/warc/1.0/revisit/identical-payload-digest",
        refers_to=Capture("http://h/a/", "2026-11-25T13:00:00Z", payload_digest(body)),
    )
    w.write([revisit])
    (path,) = w.close()
    write_index(path)
    prior = PriorCaptures.load(tmp_path, "arch")
    original = prior.original(payload_digest(body))
    assert original is not None and original.url == "http://h/a/"
    latest_b = prior.latest("http://h/b/")
    assert latest_b is not None and latest_b.url == "http://h/a/"  # the payload's original
    assert prior.latest("http://h/unknown/") is None


def test_warc_folder_and_names_follow_the_archive() -> None:
    assert warc_dir_for("sqlite:///data/cfbu.sqlite3") == Path("data/warc")
    assert warc_dir_for("postgresql+psycopg://u@h/cfbu") == Path("data/warc")
    assert archive_prefix("sqlite:///data/demo.sqlite3") == "demo"
    assert archive_prefix("postgresql+psycopg://u@h/news archive") == "news_archive"


def test_items_point_at_the_record_of_their_own_response() -> None:
    redirect = WarcLocation("f", 10, 5)
    final = WarcLocation("f", 20, 5)
    hops = [("http://h/old/", 301, redirect), ("http://h/listing/", 200, final)]
    gone = FetchOutcome(
        url="http://h/old/", outcome="gone", status=301, final_url="http://h/listing/"
    )
    assert location_for(gone, hops) == redirect
    page = ArticlePage(fetched_url="http://h/new/", status=200)
    retried = [("http://h/new/", 503, redirect), ("http://h/new/", 200, final)]
    assert location_for(page, retried) == final
    not_modified = FetchOutcome(url="http://h/new/", outcome="not_modified", status=304)
    assert location_for(not_modified, [("http://h/new/", 304, final)]) == final
    skipped = FetchOutcome(url="http://h/new/", outcome="skipped")
    assert location_for(skipped, retried) is None


def test_maker_serialises_each_record_as_its_own_gzip_member() -> None:
    maker = RecordMaker()
    one = maker.serialise(maker.response(exchange()))
    two = maker.serialise(maker.response(exchange()))
    assert one[:2] == two[:2] == b"\x1f\x8b"
    assert len(list(ArchiveIterator(io.BytesIO(one + two)))) == 2


def not_modified(url: str) -> Exchange:
    return Exchange(url=url, status=304, body=b"", date=WHEN)


def test_a_run_recorder_decides_revisits_from_earlier_runs_and_its_own(tmp_path: Path) -> None:
    body = b"<html>same</html>"
    first = RunRecorder.open(options(tmp_path, 1))
    a = first.record(exchange("http://h/a/", body))
    b = first.record(exchange("http://h/b/", body))
    again = first.record(not_modified("http://h/b/"))
    assert a is not None and b is not None and again is not None
    assert (a.kind, b.kind, again.kind) == ("response", "revisit", "revisit")
    assert a.bytes == a.location.length > 0
    (name,) = first.close() or []
    assert index_path(tmp_path / name).is_file()
    revisits = [r for r in read(tmp_path / name) if r.rec_type == "revisit"]
    assert [r.rec_headers.get_header("WARC-Target-URI") for r in revisits] == ["http://h/b/"] * 2
    assert [r.rec_headers.get_header("WARC-Refers-To-Target-URI") for r in revisits] == [
        "http://h/a/"
    ] * 2

    second = RunRecorder.open(options(tmp_path, 2))  # knows run 1's captures
    c = second.record(exchange("http://h/c/", body))
    d = second.record(not_modified("http://h/b/"))
    assert c is not None and d is not None and (c.kind, d.kind) == ("revisit", "revisit")
    (name2,) = second.close() or []
    revisits = [r for r in read(tmp_path / name2) if r.rec_type == "revisit"]
    assert [r.rec_headers.get_header("WARC-Refers-To-Target-URI") for r in revisits] == [
        "http://h/a/",  # the first capture of the payload
        "http://h/a/",  # b's latest capture repeats a's payload
    ]
    assert [r.rec_headers.get_header("WARC-Profile") for r in revisits] == [
        IDENTICAL_PAYLOAD,
        SERVER_NOT_MODIFIED,
    ]


def test_a_run_recorder_repairs_the_files_of_a_killed_crawl_first(tmp_path: Path) -> None:
    killed = RunRecorder.open(options(tmp_path, 1))
    killed.record(exchange())
    assert killed.writer is not None
    (path,) = killed.writer.close()  # closed, never indexed: as a killed crawl leaves it
    with path.open("ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00torn")
    opened = RunRecorder.open(options(tmp_path, 2))
    assert opened.repaired == 1
    assert index_path(path).is_file()
    assert opened.prior.original(payload_digest(b"<html>a</html>")) is not None
    opened.close()


def test_a_failed_write_is_raised_once_and_stops_the_run_recorder(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    recorder = RunRecorder.open(options(blocked / "warc", 1))  # nothing to read there
    with pytest.raises(OSError):
        recorder.record(exchange())
    assert recorder.record(exchange("http://h/b/")) is None  # nothing more is written
    assert recorder.close() is None
