"""The ``cfbu`` program's quick exit (cfbu_crawler/cli/program.py): what a normal exit
does that matters still happens — pools' threads stopped, ``atexit`` handlers run, the
streams flushed — and the status is the command's."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a fresh interpreter each


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_quick_exit_stops_process_pools_runs_atexit_and_flushes(tmp_path: Path) -> None:
    marker = tmp_path / "atexit-ran"
    done = run_python(
        f"""
        import atexit, sys
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
        from cfbu_crawler.cli.program import quick_exit
        atexit.register(lambda: open({str(marker)!r}, "w").write("yes"))
        threads = ThreadPoolExecutor(2)
        threads.submit(sum, [1, 2])
        processes = ProcessPoolExecutor(1)
        assert processes.submit(abs, -3).result() == 3
        sys.stdout.write("no newline at the end")
        quick_exit(4)
        """
    )
    assert done.returncode == 4, done.stderr
    assert done.stdout == "no newline at the end"
    assert marker.read_text() == "yes"


def test_under_a_profiler_the_exit_is_the_normal_one(tmp_path: Path) -> None:
    stats = tmp_path / "profile.out"
    done = subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", str(stats), "-m", "cfbu_crawler", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert stats.stat().st_size > 0  # cProfile wrote its figures as the interpreter exited


def test_a_message_exits_with_status_1_and_goes_to_stderr() -> None:
    done = run_python(
        """
        from cfbu_crawler.cli.program import quick_exit
        quick_exit("something went wrong")
        """
    )
    assert done.returncode == 1
    assert done.stderr.strip() == "something went wrong"


def test_the_program_exits_with_the_commands_status(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    done = subprocess.run(
        [sys.executable, "-m", "cfbu_crawler", "runs", "--db", str(missing)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "no archive at" in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "cfbu_crawler", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0
    assert ok.stdout.startswith("cfbu, version")
