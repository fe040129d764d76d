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

Settings: ``CFBU_WARC`` (False: write nothing; ``cfbu crawl --no-warc``),
``CFBU_WARC_DIR`` (default ``warc/`` beside the archive), ``CFBU_WARC_MAX_SIZE`` (bytes
per file before rolling over).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cfbu_crawler.archive.db import describe, resolve_db
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.items import ArticlePage, FetchOutcome
from cfbu_crawler.warc.files import RunWarcWriter, archive_prefix, warc_dir_for
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

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

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
    """Downloader middleware: every response (and its request) into the run's WARC files."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.writer: RunWarcWriter | None = None
        self.prior = PriorCaptures()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcRecorder:
        if not crawler.settings.getbool("CFBU_WARC", True):
            raise NotConfigured("WARC writing is off (CFBU_WARC)")
        recorder = cls(crawler)
        crawler.signals.connect(recorder.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(recorder.spider_closed, signal=signals.spider_closed)
        return recorder

    def spider_opened(self, spider: Spider) -> None:
        # The store pipeline has opened the run (and holds the crawl lock) by now; a crawl
        # that could not (another crawl holds the archive) writes no WARC file either.
        stats = self.crawler.stats
        run_id = stats.get_value("cfbu/run_id")
        if run_id is None:
            return
        settings = self.crawler.settings
        db_url = resolve_db(settings.get("CFBU_DB"))
        directory = Path(settings.get("CFBU_WARC_DIR") or warc_dir_for(db_url))
        prefix = archive_prefix(db_url)
        try:
            for repair in repair_unclosed(directory, prefix):
                if repair.cut:
                    stats.inc_value("cfbu/warc_repaired")
            self.prior = PriorCaptures.load(directory, prefix)
        except OSError as exc:
            logger.error("WARC files in %s cannot be read, none written: %s", directory, exc)
            return
        self.writer = RunWarcWriter(
            directory,
            prefix,
            run_id,
            warcinfo(self.crawler, run_id, db_url),
            started=utcnow(),
            max_size=settings.getint("CFBU_WARC_MAX_SIZE"),
        )
        stats.set_value("cfbu/warc_dir", str(directory))

    def process_response(self, request: Request, response: Response) -> Response:
        if self.writer is None:
            return response
        try:
            location = self.record(request, response)
        except OSError as exc:  # a full disk: the crawl goes on, the archive still records
            logger.error("writing WARC records failed, WARC writing stops: %s", exc)
            self.crawler.stats.set_value("cfbu/warc_error", str(exc))
            self.writer = None
            return response
        request.meta[META_KEY] = (
            *request.meta.get(META_KEY, ()),
            (response.url, response.status, location),
        )
        return response

    def record(self, request: Request, response: Response) -> WarcLocation:
        """Write the exchange (a response, or a revisit, then the request); returns where
        the response or revisit record lies."""
        assert self.writer is not None
        exchange = exchange_of(request, response)
        maker = self.writer.maker
        digest = payload_digest(exchange.body)
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
        location, _ = self.writer.write([record, maker.request(exchange, record_id(record))])
        if exchange.status != 304:
            capture = Capture(exchange.url, warc_date(exchange.date), digest)
            self.prior.add(capture, location if kind == "response" else None)
        stats = self.crawler.stats
        stats.inc_value(f"cfbu/warc/{kind}")
        stats.inc_value("cfbu/warc/bytes", location.length)
        return location

    def spider_closed(self, spider: Spider) -> None:
        if self.writer is None:
            return
        files = self.writer.close()
        self.writer = None
        for path in files:
            try:
                write_index(path)
            except Exception:  # the next crawl indexes it (repair_unclosed)
                logger.exception("indexing %s failed", path)
        self.crawler.stats.set_value("cfbu/warc_files", [p.name for p in files])


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
