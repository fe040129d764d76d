"""The crawl's extraction processes (``extractproc``) and archive writer process
(``archive.writerproc``) driven from a reactor of their own, for tests/test_workers.py:
the reactor stays out of pytest, so the test runs ``python -m support.workers SCENARIO
ARG`` and reads what happened, as JSON, from its output.

Scenarios: ``extract`` (pages sent to two workers at once: spread over both, same results
as here), ``extract_dies`` (a worker killed: its page fails, logged once, the others go on;
the extract pipeline extracts here once none is left), ``writer DB`` (the archive writer
records pages and outcomes for a run begun by the test, in the crawl's name, its errors
answered in turn, its close commits), ``writer_dies DB`` (the process killed: the calls
and the close fail).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from cfbu_crawler.archive.fetched import FetchedPage
from cfbu_crawler.extract import extract_article
from cfbu_crawler.extract.urls import Section
from support.reactorrun import serve

FIXTURE = Path(__file__).parents[1] / "fixtures" / "allcaps_subheadings"
SECTION = Section.from_start_url("https://cfbu.dk/nyheder/")
BASE = "http://127.0.0.1:1/nyheder/"


def page() -> tuple[bytes, str]:
    return (FIXTURE / "page.html").read_bytes(), (FIXTURE / "url.txt").read_text().strip()


def fetched(path: str) -> FetchedPage:
    url = BASE + path
    return FetchedPage(
        requested_url=url,
        final_url=url,
        identity_url=url,
        status=200,
        record={"title": path.upper(), "published": "2020-01-02", "body": "Tekst."},
        raw=b"<html>" + path.encode() + b"</html>",
    )


class Kept(logging.Handler):
    """What was logged, as [logger, level, message, process]."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[list[Any]] = []
        logging.getLogger().addHandler(self)
        logging.getLogger().setLevel(logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append([record.name, record.levelname, record.getMessage(), record.process])


async def sleep(seconds: float) -> None:
    from twisted.internet import reactor
    from twisted.internet.task import deferLater

    await deferLater(reactor, seconds)  # type: ignore[arg-type]  # zope-declared reactor


async def extract(_: str) -> dict[str, Any]:
    from twisted.internet.defer import gatherResults

    from cfbu_crawler.extractproc import ExtractionProcesses

    raw, url = page()
    workers = ExtractionProcesses(2)
    sent = [
        workers.extract(raw, url, None, section=SECTION, site_timezone="Europe/Copenhagen")
        for _ in range(4)
    ]
    waiting = [len(pipe.waiting) for pipe in workers.pipes]
    results = await gatherResults(sent)
    workers.close()
    here = extract_article(raw, url, None, section=SECTION)
    return {"waiting": waiting, "same": [result == here for result in results]}


async def extract_dies(_: str) -> dict[str, Any]:
    from itemadapter import ItemAdapter
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet.defer import Deferred

    from cfbu_crawler.extractproc import ExtractionProcesses
    from cfbu_crawler.items import ArticlePage
    from cfbu_crawler.pipelines.extract import ExtractPipeline

    kept = Kept()
    raw, url = page()
    here = extract_article(raw, url, None, section=SECTION)
    zone = "Europe/Copenhagen"
    workers = ExtractionProcesses(2)
    os.kill(workers.processes[0].pid or 0, signal.SIGKILL)
    # Sent before the reactor saw it die: the first page to the killed worker (none
    # waiting on either: the first), the second to the other.
    sent = [workers.extract(raw, url, None, section=SECTION, site_timezone=zone) for _ in "ab"]
    failed = []
    try:
        await sent[0]
    except BrokenPipeError as exc:
        failed.append(str(exc))
    second = await sent[1] == here
    while not workers.pipes[0].gone:
        await sleep(0.05)
    after = [
        await workers.extract(raw, url, None, section=SECTION, site_timezone=zone) == here
        for _ in range(3)
    ]
    workers.close()

    # The pipeline: its only worker killed, the page is extracted here, and the next too.
    pipeline = ExtractPipeline(SECTION, processes=1)
    pipeline.open_spider()
    assert pipeline.workers is not None
    os.kill(pipeline.workers.processes[0].pid or 0, signal.SIGKILL)
    items = []
    for _ in range(2):
        item = ArticlePage(requested_url=url, fetched_url=url, raw=raw, status=200)
        done = deferred_from_coro(pipeline.process_item(item))  # a Deferred, or the item
        if isinstance(done, Deferred):
            done = await done
        items.append(ItemAdapter(done)["extraction"] == here)
    return {
        "failed": failed,
        "second": second,
        "after": after,
        "pipeline": items,
        "pipeline_workers": pipeline.workers is not None,
        "logged": [r[2] for r in kept.records if r[1] == "ERROR"],
    }


def begun_run(db: str) -> tuple[Any, int]:
    from cfbu_crawler.archive.db import open_engine
    from cfbu_crawler.archive.store import ArchiveWriter

    writer = ArchiveWriter(open_engine(db, create=True), extractor_version="t")
    return writer, writer.begin_run(start_url=BASE, full=True, settings={})


def writer_options(db: str, run_id: int) -> Any:
    from cfbu_crawler.archive.writerproc import WriterOptions

    return WriterOptions(
        db_url=f"sqlite:///{db}",
        extractor_version="t",
        run_id=run_id,
        pid=os.getpid(),
        batch_seconds=60,
        batch_pages=100,
    )


async def writer(db: str) -> dict[str, Any]:
    import sqlite3

    from twisted.internet.defer import gatherResults

    from cfbu_crawler.archive.db import close_engine
    from cfbu_crawler.archive.writerproc import WriterProcess

    here, run_id = begun_run(db)
    remote = WriterProcess(writer_options(db, run_id))
    await remote.opened
    # All sent before the first answer: answered in turn, a refused call among them.
    first = remote.record_fetch(fetched("a/"), [])
    gone = remote.record_outcome(BASE + "b/", "gone", status=404)
    wrong = remote.record_outcome(BASE + "c/", "new")
    again = remote.record_fetch(fetched("a/"), [])
    broken = remote.record_fetch(fetched("d/"), ["qa: ValueError: x"])
    refused = ""
    try:
        await wrong
    except ValueError as exc:
        refused = str(exc)
    answers = await gatherResults([first, gone, again, broken])
    await remote.heartbeat()  # commits, in the crawl's name
    con = sqlite3.connect(db)
    lock_pid = con.execute("SELECT pid FROM crawl_lock").fetchall()
    con.close()
    last = await remote.record_fetch(fetched("e/"), [])
    await remote.close()  # commits what it holds
    run = here.finish_run("complete", reason="finished", listing_complete=True)
    close_engine(here.engine)
    while remote.process.is_alive():
        await sleep(0.05)
    return {
        "answers": [list(a) if a else a for a in answers],
        "refused": refused,
        "last": list(last),
        "lock_pid": lock_pid,
        "here": os.getpid(),
        "counts": [run.pages, run.new, run.unchanged, run.errors],
    }


async def writer_dies(db: str) -> dict[str, Any]:
    from cfbu_crawler.archive.writerproc import WriterProcess

    here, run_id = begun_run(db)
    remote = WriterProcess(writer_options(db, run_id))
    await remote.opened
    await remote.record_fetch(fetched("a/"), [])
    os.kill(remote.process.pid or 0, signal.SIGKILL)
    errors = []
    for call in (remote.record_fetch(fetched("b/"), []), remote.close()):
        try:
            await call
        except Exception as exc:
            errors.append(type(exc).__name__)
    run = here.finish_run("interrupted", reason="test")
    return {"errors": errors, "pages": run.pages}


SCENARIOS = {
    "extract": extract,
    "extract_dies": extract_dies,
    "writer": writer,
    "writer_dies": writer_dies,
}


def main(scenario: str, arg: str) -> None:
    serve(SCENARIOS, scenario, arg)


if __name__ == "__main__":
    main(*sys.argv[1:])
