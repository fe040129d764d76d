"""A WARC writer process (``warc.writerproc``) driven from a reactor of its own, for
tests/test_warc_process.py: the reactor stays out of pytest, so the test runs
``python -m support.warcwriter SCENARIO FOLDER`` and reads what happened, as JSON, from
its output.

Scenarios: ``write`` (every kind of record, all sent at once, then the close), ``logs``
(open an archive whose WARC folder holds a torn file: what the process logged), ``full``
(a file size limit on the process after its first record, as a full disk), ``dies`` (the
process is killed: the calls fail).
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from cfbu_crawler.warc.records import Exchange
from cfbu_crawler.warc.writing import Recorded, RunOptions
from support.reactorrun import serve

WHEN = datetime(2026, 11, 25, 13, 0, 0)


def options(directory: Path, run_id: int = 1) -> RunOptions:
    return RunOptions(
        directory=directory,
        prefix="arch",
        run_id=run_id,
        info={"software": "cfbu/test"},
        started=WHEN,
        max_size=10**9,
    )


def exchanges() -> list[Exchange]:
    """Responses, a payload met twice, a redirect, a 304: every kind of record."""
    same = b"<html>same</html>"
    made = [
        ("http://h/robots.txt", 404, b"not found"),
        ("http://h/a/", 200, same),
        ("http://h/b/", 200, same),
        ("http://h/c/", 200, b"<html>c</html>" * 200),
        ("http://h/old/", 301, b""),
        ("http://h/a/", 304, b""),
        ("http://h/sitemap.xml", 404, b"not found"),
    ]
    return [
        Exchange(
            url=url,
            status=status,
            body=body,
            date=WHEN,
            response_headers=[("Content-Type", "text/html")],
            request_headers=[("User-Agent", "cfbu-test")],
        )
        for url, status, body in made
    ]


def as_json(recorded: Recorded | None) -> list[Any] | None:
    if recorded is None:
        return None
    location = recorded.location
    return [recorded.kind, location.file, location.offset, location.length]


async def write(folder: Path) -> dict[str, Any]:
    from twisted.internet.defer import gatherResults

    from cfbu_crawler.warc.writerproc import WarcWriterProcess

    remote = WarcWriterProcess(options(folder))
    repaired = await remote.opened
    recorded = await gatherResults([remote.record(exchange) for exchange in exchanges()])
    files = await remote.close()
    return {"repaired": repaired, "records": [as_json(r) for r in recorded], "files": files}


async def logs(folder: Path) -> dict[str, Any]:
    from cfbu_crawler.warc.writerproc import WarcWriterProcess

    logged: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            logged.append(record)

    logging.getLogger().addHandler(Keep())
    logging.getLogger().setLevel(logging.INFO)
    remote = WarcWriterProcess(options(folder, 2))
    repaired = await remote.opened
    await remote.close()
    return {
        "repaired": repaired,
        "logged": [[r.name, r.levelname, r.getMessage(), r.process] for r in logged],
        "here": os.getpid(),
    }


async def full(folder: Path) -> dict[str, Any]:
    from cfbu_crawler.warc.writerproc import WarcWriterProcess

    remote = WarcWriterProcess(options(folder))
    await remote.opened
    sample = exchanges()
    first = await remote.record(sample[0])
    assert first is not None
    # The process may write 100 bytes more to its file: a disk nearly full.
    room = (folder / first.location.file).stat().st_size + 100
    resource.prlimit(remote.process.pid or 0, resource.RLIMIT_FSIZE, (room, room))
    try:
        failed = as_json(await remote.record(sample[3]))
    except OSError as exc:
        failed = type(exc).__name__
    after = as_json(await remote.record(sample[2]))
    files = await remote.close()
    return {"room": room, "failed": failed, "after": after, "files": files}


async def dies(folder: Path) -> dict[str, Any]:
    from cfbu_crawler.warc.writerproc import WarcWriterProcess

    remote = WarcWriterProcess(options(folder))
    await remote.opened
    os.kill(remote.process.pid or 0, signal.SIGKILL)
    errors = []
    for exchange in exchanges()[:2]:
        try:
            await remote.record(exchange)
        except OSError as exc:
            errors.append(type(exc).__name__)
    return {"errors": errors}


SCENARIOS = {"write": write, "logs": logs, "full": full, "dies": dies}


def main(scenario: str, folder: str) -> None:
    serve({name: _in_folder(run) for name, run in SCENARIOS.items()}, scenario, folder)


def _in_folder(run: Any) -> Any:
    """A scenario of a folder given as a string (``reactorrun.serve``'s argument)."""

    async def scenario(folder: str) -> dict[str, Any]:
        result: dict[str, Any] = await run(Path(folder))
        return result

    return scenario


if __name__ == "__main__":
    main(*sys.argv[1:])
