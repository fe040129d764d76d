"""A crawl killed with SIGKILL leaves WARC files warcio reads to the end, and no worker
process (its WARC writer) still writing to them; a record cut short (as a power cut can
leave one) is found and cut off by the next crawl, which writes a new file of its own."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from freshsite import FreshSite
from support.server import FixtureServer
from warcio.archiveiterator import ArchiveIterator

from cfbu_crawler.demo.runner import crawl_command
from cfbu_crawler.warc.files import archive_files, index_path
from cfbu_crawler.warc.repair import complete_length, members

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc"),
]


def group_alive(group: int) -> bool:
    """Whether a process of process group ``group`` runs (zombies do not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
        except (OSError, ValueError):  # gone meanwhile
            continue
        if state != "Z" and int(pgrp) == group:
            return True
    return False


def read_all(path: Path) -> list[str]:
    with path.open("rb") as fh:
        return [r.rec_type for r in ArchiveIterator(fh, check_digests="raise")]


def test_kill_9_mid_crawl_leaves_readable_files_and_the_next_crawl_cuts_a_torn_record(
    tmp_path: Path,
) -> None:
    db = tmp_path / "killed.sqlite3"
    with FixtureServer(FreshSite()) as server:
        # One article hangs: the crawl is mid-way, with records written, when killed.
        server.set_fault("/nyheder/sommerfest-med-rekordfremmoede/", "timeout", seconds=60)
        proc = subprocess.Popen(
            crawl_command(server.base_url, db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its group: the crawl and its worker processes
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                files = archive_files(tmp_path / "warc", "killed").get(1, [])
                if files and sum(1 for _ in members(files[0])) >= 9:  # warcinfo + 4 exchanges
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the crawl wrote no WARC records")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        # Its WARC writer process writes nothing more, and exits within half a second.
        deadline = time.monotonic() + 5
        while group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not group_alive(proc.pid), "the crawl's worker processes outlived it"
        server.clear_faults()

        (killed,) = archive_files(tmp_path / "warc", "killed")[1]
        assert not index_path(killed).exists()  # the run never closed its file
        kinds = read_all(killed)  # warcio reads it to the end
        assert kinds[0] == "warcinfo" and "response" in kinds
        whole = killed.stat().st_size
        assert complete_length(killed)[1] == whole

        # A record cut short: the first half of a copy of the file's last member.
        last = list(members(killed))[-1]
        with killed.open("rb") as fh:
            fh.seek(last.offset)
            member = fh.read(last.length)
        with killed.open("ab") as fh:
            fh.write(member[: len(member) // 2])
        assert not list(members(killed))[-1].complete

        again = subprocess.run(
            crawl_command(server.base_url, db), capture_output=True, text=True, timeout=180
        )
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Run 2 complete" in again.stdout

    assert killed.stat().st_size == whole  # cut back to its last whole record
    assert read_all(killed) == kinds
    assert index_path(killed).exists()
    files = archive_files(tmp_path / "warc", "killed")
    assert sorted(files) == [1, 2]
    assert files[2][0] != killed and read_all(files[2][0])[0] == "warcinfo"
    log = next((tmp_path / "logs").glob("crawl-*.log"), None)
    logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("crawl-*.log"))
    assert log is not None and "half-written WARC record" in logs
