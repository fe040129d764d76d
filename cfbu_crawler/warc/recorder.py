"""The Scrapy components that write a crawl's WARC files, and link observations to them.

``WarcRecorder`` is a downloader middleware placed next to the download handler (order
950, after every built-in middleware): its ``process_response`` sees each response as it
came off the wire, before decompression (HttpCompressionMiddleware, 590), redirects
(600) and retries (550) act on it, and the request with every header the other
middlewares set. So redirects, retried 503s, 304s, robots.txt and sitemaps are all
recorded, each body exactly as sent (gzip content coding kept). Scrapy's
``response_received`` signal would only see the final, decompressed response.

Each record's location rides on the request's meta (``cfbu_warc``: the hops of a
redirect or retry chain) to the spider; ``WarcLocationMiddleware`` (a spider middleware)
copies the right hop's location onto the items made from that response, and the store
pipeline writes it on the observation. The spider knows nothing of any of this.

The records are made and written by a process of their own (``writerproc``), so that
the reactor's thread goes on with other responses meanwhile; ``process_response``
awaits where the record lies. Calls reach that process in the order the responses came,
so it decides revisits as the crawl would itself.

Settings: ``CFBU_WARC`` (False: write nothing; ``cfbu crawl --no-warc``),
``CFBU_WARC_DIR`` (default ``warc/`` beside the archive), ``CFBU_WARC_MAX_SIZE`` (bytes
per file before rolling over), ``CFBU_WARC_PROCESS`` (False: write the records on the
reactor's thread, with the same code; for a machine of one core, or to debug).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from cfbu_crawler.archive.db import describe, resolve_db
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.items import ArticlePage, FetchOutcome
from cfbu_crawler.warc.files import archive_prefix, warc_dir_for
from cfbu_crawler.warc.location import WarcLocation
from cfbu_crawler.warc.records import Exchange
from cfbu_crawler.warc.writerproc import WarcWriterProcess
from cfbu_crawler.warc.writing import RunOptions, RunRecorder

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

META_KEY = "cfbu_warc"  # request.meta: ((url, status, WarcLocation), ...) of each hop
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def _headers(headers: Any) -> list[tuple[str, str]]:
    """Scrapy's headers as (name, value) pairs, one per value."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def exchange_of(request: Request, response: Response) -> Exchange:
    ip = getattr(response, "ip_address", None)
    return Exchange(
        url=response.url,
        status=response.status,
        body=response.body,
        date=utcnow(),
        response_headers=_headers(response.headers),
        request_headers=_headers(request.headers),
        method=request.method,
        request_body=request.body or b"",
        protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        ip_address=str(ip) if ip else None,
    )


def warcinfo(crawler: Crawler, run_id: int, db_url: str) -> dict[str, str]:
    from importlib.metadata import version

    import scrapy

    from cfbu_crawler import __version__

    settings = crawler.settings
    return {
        "software": f"cfbu/{__version__} (Scrapy {scrapy.__version__}; warcio {version('warcio')})",
        "format": "WARC File Format 1.0",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.0/",
        "isPartOf": f"cfbu archive {describe(db_url)}",
        "description": f"cfbu crawl run {run_id}, from {settings.get('CFBU_START_URL')}",
        "run": str(run_id),
        "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "http-header-user-agent": settings.get("USER_AGENT") or "",
        "operator": settings.get("CFBU_CONTACT_URL") or "",
    }


class WarcRecorder:
    """Downloader middleware: every response (and its request) into the run's WARC files,
    written by a process of its own (``writerproc``) or, with ``CFBU_WARC_PROCESS`` off,
    here on the reactor's thread (``writing``: the same code)."""

    def __init__(self, crawler: Crawler, *, in_process: bool = False) -> None:
        self.crawler = crawler
        self.in_process = in_process
        self.local: RunRecorder | None = None  # the run's, written here
        self.remote: WarcWriterProcess | None = None  # the run's, written by its process
        self.writing = False  # records are sent; off for good after an error

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        settings = crawler.settings
        if not settings.getbool("CFBU_WARC", True):
            raise NotConfigured("WARC writing is off (CFBU_WARC)")
        recorder = cls(crawler, in_process=not settings.getbool("CFBU_WARC_PROCESS", True))
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        # The store pipeline has opened the run (and holds the crawl lock) by now; a crawl
        # that could not (another crawl holds the archive) writes no WARC file either.
        run_id = self.crawler.stats.get_value("cfbu/run_id")
        if run_id is None:
            return
        settings = self.crawler.settings
        db_url = resolve_db(settings.get("CFBU_DB"))
        options = RunOptions(
            directory=Path(settings.get("CFBU_WARC_DIR") or warc_dir_for(db_url)),
            prefix=archive_prefix(db_url),
            run_id=run_id,
            info=warcinfo(self.crawler, run_id, db_url),
            started=utcnow(),
            max_size=settings.getint("CFBU_WARC_MAX_SIZE"),
        )
        self.writing = True
        if not self.in_process:
            # Opened while the crawl starts; the records sent meanwhile wait behind it.
            try:
                self.remote = WarcWriterProcess(options)
            except OSError as exc:  # no process could be started
                self._failed(exc)
                return
            self.remote.opened.addCallbacks(
                lambda repaired: self._opened(options, repaired),
                lambda failure: self._open_failed(options, failure),
            )
            return
        try:
            self.local = RunRecorder.open(options)
        except OSError as exc:
            self._unreadable(options, exc)
            return
        self._opened(options, self.local.repaired)

    def _opened(self, options: RunOptions, repaired: int) -> None:
        stats = self.crawler.stats
        if repaired:
            stats.inc_value("cfbu/warc_repaired", repaired)
        stats.set_value("cfbu/warc_dir", str(options.directory))

    def _open_failed(self, options: RunOptions, failure: Failure) -> None:
        error = failure.value
        assert error is not None
        if isinstance(error, OSError) and not isinstance(error, BrokenPipeError):
            self._unreadable(options, error)
        else:  # the process died
            self._failed(error)

    def _unreadable(self, options: RunOptions, exc: OSError) -> None:
        logger.error("WARC files in %s cannot be read, none written: %s", options.directory, exc)
        self.writing = False

    def _failed(self, exc: BaseException) -> None:
        """A write failed (a full disk), or the writer process died: the crawl goes on,
        the archive still records its pages, without WARC locations from now on."""
        if self.writing:
            logger.error("writing WARC records failed, WARC writing stops: %s", exc)
            self.crawler.stats.set_value("cfbu/warc_error", str(exc))
        self.writing = False

    async def process_response(self, request: Request, response: Response) -> Response:
        if not self.writing:
            return response
        exchange = exchange_of(request, response)
        try:
            if self.local is not None:
                recorded = self.local.record(exchange)
            else:
                assert self.remote is not None
                recorded = await maybe_deferred_to_future(self.remote.record(exchange))
        except OSError as exc:
            self._failed(exc)
            return response
        if recorded is not None:
            stats = self.crawler.stats
            stats.inc_value(f"cfbu/warc/{recorded.kind}")
            stats.inc_value("cfbu/warc/bytes", recorded.bytes)
            request.meta[META_KEY] = (
                *request.meta.get(META_KEY, ()),
                (response.url, response.status, recorded.location),
            )
        return response

    async def spider_closed(self, spider: Spider) -> None:
        """Once every record sent is written: close the run's files and index them."""
        local, remote = self.local, self.remote
        self.local = self.remote = None
        try:
            if local is not None:
                names = local.close()
            elif remote is not None:
                names = await maybe_deferred_to_future(remote.close())
            else:
                return
        except OSError as exc:
            logger.error("closing the WARC files failed: %s", exc)
            return
        if names is not None:
            self.crawler.stats.set_value("cfbu/warc_files", names)


def _hops(response: Any) -> tuple[tuple[str, int, WarcLocation], ...]:
    try:
        hops: tuple[tuple[str, int, WarcLocation], ...] = response.meta.get(META_KEY, ())
        return hops
    except AttributeError:  # a Failure, or a response without its request
        return ()


def location_for(item: Any, hops: Iterable[tuple[str, int, WarcLocation]]) -> WarcLocation | None:
    """The record an item's observation points to: for a page, the response that served
    it; for an outcome, the response its status came from (the redirect itself, for
    a page redirected away), else the last response of its URL. A skipped article was not
    fetched: none."""
    hops = list(hops)[::-1]  # the latest first
    if isinstance(item, ArticlePage):
        urls = [item.get("fetched_url")]
        status = item.get("status")
    elif isinstance(item, FetchOutcome):
        if item.get("outcome") == "skipped":
            return None
        urls = [item.get("final_url"), item.get("url")]
        status = item.get("status")
        if status in REDIRECTS:
            urls.reverse()
    else:
        return None
    for url, hop_status, location in hops:
        if url in urls and hop_status == status:
            return location
    for wanted in urls:
        for hop_url, _, location in hops:
            if wanted and hop_url == wanted:
                return location
    return None


class WarcLocationMiddleware:
    """Spider middleware: puts the WARC record's location on the items made from a
    response (``warc_file``, ``warc_offset``, ``warc_length``)."""

    @staticmethod
    def stamp(response: Any, item: Any) -> Any:
        hops = _hops(response)
        if hops:
            location = location_for(item, hops)
            if location is not None:
                item["warc_file"] = location.file
                item["warc_offset"] = location.offset
                item["warc_length"] = location.length
        return item

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        for item in result:
            yield self.stamp(response, item)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield self.stamp(response, item)


__all__ = ["META_KEY", "WarcLocationMiddleware", "WarcRecorder", "location_for"]
