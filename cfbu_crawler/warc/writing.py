"""The WARC writing of one crawl run, wherever it runs (no Scrapy here).

``RunRecorder.open`` does what a run does before its first record: it checks and indexes
the files a killed crawl left without an index (``repair``), reads what the archive's
WARC files hold already (``index.PriorCaptures``: the first capture of each payload, the
latest capture of each URL) and starts the run's files (``files.RunWarcWriter``).
``record`` writes one exchange: a revisit when the server answered 304 or the payload is
archived already, a response otherwise, then the request. ``close`` closes the run's
files and writes their CDXJ indexes.

A crawl runs this in a process of its own (``writerproc``; setting
``CFBU_WARC_PROCESS``) or on its reactor's thread: the same code either way, called in
the order the responses came in, so the revisits are the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from cfbu_crawler.warc.files import RunWarcWriter
from cfbu_crawler.warc.index import PriorCaptures, write_index
from cfbu_crawler.warc.location import WarcLocation
from cfbu_crawler.warc.records import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    Capture,
    Exchange,
    payload_digest,
    record_id,
    warc_date,
)
from cfbu_crawler.warc.repair import repair_unclosed

logger = logging.getLogger(__name__)

RecordKind = Literal["response", "revisit"]  # what stands for the HTTP response


@dataclass(frozen=True)
class RunOptions:
    """Where and how a run writes its WARC files."""

    directory: Path
    prefix: str  # the archive's: file names start with it
    run_id: int
    info: dict[str, str]  # the warcinfo record's fields (software, run, archive, ...)
    started: datetime
    max_size: int  # bytes per file before the next one is started


@dataclass(frozen=True)
class Recorded:
    """Where an exchange's response (or revisit) record lies, and which it is."""

    location: WarcLocation
    kind: RecordKind

    @property
    def bytes(self) -> int:
        """The size of that record in its file (its request's record not counted)."""
        return self.location.length


class RunRecorder:
    """Writes a run's exchanges to its WARC files, deciding revisits from the captures of
    earlier runs and of this one. After a write failed (a full disk) it writes nothing
    more, and leaves its last file unindexed for the next crawl's repair."""

    def __init__(self, writer: RunWarcWriter, prior: PriorCaptures, repaired: int = 0) -> None:
        self.writer: RunWarcWriter | None = writer
        self.prior = prior
        self.repaired = repaired  # files of killed crawls that had a torn record cut off

    @classmethod
    def open(cls, options: RunOptions) -> RunRecorder:
        """Repair, read the earlier captures, start the run's files. Raises ``OSError``
        when the WARC folder or its files cannot be read."""
        repairs = repair_unclosed(options.directory, options.prefix)
        prior = PriorCaptures.load(options.directory, options.prefix)
        writer = RunWarcWriter(
            options.directory,
            options.prefix,
            options.run_id,
            options.info,
            started=options.started,
            max_size=options.max_size,
        )
        return cls(writer, prior, repaired=sum(1 for repair in repairs if repair.cut))

    def record(self, exchange: Exchange) -> Recorded | None:
        """Write the exchange (its response or revisit, then its request); where the
        first lies. None once writing has stopped. An ``OSError`` (a full disk) is
        raised once, and stops the writing."""
        writer = self.writer
        if writer is None:
            return None
        maker = writer.maker
        digest = payload_digest(exchange.body)
        kind: RecordKind
        if exchange.status == 304:
            kind = "revisit"
            record = maker.revisit(
                exchange, profile=SERVER_NOT_MODIFIED, refers_to=self.prior.latest(exchange.url)
            )
        elif exchange.body and (original := self.prior.original(digest)) is not None:
            kind = "revisit"
            record = maker.revisit(exchange, profile=IDENTICAL_PAYLOAD, refers_to=original)
        else:
            kind = "response"
            record = maker.response(exchange)
        try:
            location, _ = writer.write([record, maker.request(exchange, record_id(record))])
        except OSError:
            self.writer = None
            raise
        if exchange.status != 304:
            capture = Capture(exchange.url, warc_date(exchange.date), digest)
            self.prior.add(capture, location if kind == "response" else None)
        return Recorded(location, kind)

    def close(self) -> list[str] | None:
        """Close the run's files and index each (a file whose index fails is indexed by
        the next crawl); the names of the files written. None when writing had stopped."""
        writer, self.writer = self.writer, None
        if writer is None:
            return None
        files = writer.close()
        for path in files:
            try:
                write_index(path)
            except Exception:  # the next crawl indexes it (repair_unclosed)
                logger.exception("indexing %s failed", path)
        return [path.name for path in files]


__all__ = ["RecordKind", "Recorded", "RunOptions", "RunRecorder"]
