"""WARC records from the parts of one HTTP exchange, with warcio (no Scrapy here).

A response record holds the HTTP response as the server sent it, content coding (gzip)
included; only the transfer coding (chunked) is undone by the HTTP client, so
``Content-Length`` is set to the length of the body as stored. A revisit record holds the
response's status line and headers only, and names the earlier capture whose payload it
repeats (profile ``identical-payload-digest``) or which the server confirmed
(``server-not-modified``, a 304).
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import BufferWARCWriter

WARC_VERSION = "WARC/1.0"
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"
# Hop-by-hop headers the HTTP client has already acted on: the stored body is de-chunked.
DROPPED_RESPONSE_HEADERS = frozenset({"transfer-encoding", "content-length"})
# Statuses whose responses have no body (RFC 9110): no Content-Length is made up for them.
BODILESS = frozenset({204, 304})

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Exchange:
    """One request and the response it got, as they crossed the wire."""

    url: str
    status: int
    body: bytes  # the response body with its content coding, transfer coding undone
    date: datetime  # when the response arrived (UTC; naive means UTC)
    response_headers: Headers = field(default_factory=list)
    request_headers: Headers = field(default_factory=list)
    method: str = "GET"
    request_body: bytes = b""
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None


@dataclass(frozen=True)
class Capture:
    """An earlier capture a revisit record can refer to."""

    url: str
    date: str  # WARC-Date of its record (ISO 8601, UTC)
    digest: str  # payload digest, "sha1:<base32>"


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body, as warcio writes it (``sha1:`` + base32)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(when: datetime) -> str:
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return str(datetime_to_iso_date(when))


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def response_http_headers(exchange: Exchange) -> StatusAndHeaders:
    headers = [
        (name, value)
        for name, value in exchange.response_headers
        if name.lower() not in DROPPED_RESPONSE_HEADERS
    ]
    if exchange.status not in BODILESS:
        headers.append(("Content-Length", str(len(exchange.body))))
    return StatusAndHeaders(
        status_line(exchange.status), headers, protocol=exchange.protocol or "HTTP/1.1"
    )


def request_http_headers(exchange: Exchange) -> StatusAndHeaders:
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = [("Host", parts.netloc)] + [
        (name, value) for name, value in exchange.request_headers if name.lower() != "host"
    ]
    return StatusAndHeaders(f"{exchange.method} {target} HTTP/1.1", headers, protocol="")


class RecordMaker:
    """Makes and serialises records, each one gzip member (warcio's writer)."""

    def __init__(self) -> None:
        self.builder = BufferWARCWriter(gzip=True, warc_version=WARC_VERSION)

    def warcinfo(self, filename: str, info: dict[str, str]) -> ArcWarcRecord:
        return self.builder.create_warcinfo_record(filename, info)

    def _warc_headers(self, exchange: Exchange, warcinfo_id: str | None) -> dict[str, str]:
        headers = {"WARC-Date": warc_date(exchange.date)}
        if warcinfo_id:
            headers["WARC-Warcinfo-ID"] = warcinfo_id
        if exchange.ip_address:
            headers["WARC-IP-Address"] = exchange.ip_address
        return headers

    def response(self, exchange: Exchange, warcinfo_id: str | None = None) -> ArcWarcRecord:
        return self.builder.create_warc_record(
            exchange.url,
            "response",
            payload=io.BytesIO(exchange.body),
            length=len(exchange.body),
            warc_headers_dict=self._warc_headers(exchange, warcinfo_id),
            http_headers=response_http_headers(exchange),
        )

    def revisit(
        self,
        exchange: Exchange,
        *,
        profile: str,
        refers_to: Capture | None,
        warcinfo_id: str | None = None,
    ) -> ArcWarcRecord:
        """A revisit record: the response's headers, and the capture it refers to (a 304
        for a URL never captured before refers to none)."""
        headers = self._warc_headers(exchange, warcinfo_id)
        headers["WARC-Profile"] = profile
        if refers_to is not None:
            headers["WARC-Refers-To-Target-URI"] = refers_to.url
            headers["WARC-Refers-To-Date"] = refers_to.date
            headers["WARC-Payload-Digest"] = refers_to.digest
        record = self.builder.create_warc_record(
            exchange.url,
            "revisit",
            warc_headers_dict=headers,
            http_headers=response_http_headers(exchange),
        )
        return record

    def request(self, exchange: Exchange, concurrent_to: str | None) -> ArcWarcRecord:
        headers = {"WARC-Date": warc_date(exchange.date)}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        return self.builder.create_warc_record(
            exchange.url,
            "request",
            payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            warc_headers_dict=headers,
            http_headers=request_http_headers(exchange),
        )

    def serialise(self, record: ArcWarcRecord) -> bytes:
        """The record as one gzip member."""
        out = self.builder.out
        out.seek(0)
        out.truncate()
        self.builder.write_record(record)
        return bytes(self.builder.get_contents())

    def serialise_all(self, records: Iterable[ArcWarcRecord]) -> list[bytes]:
        return [self.serialise(record) for record in records]


def record_id(record: ArcWarcRecord) -> str:
    return str(record.rec_headers.get_header("WARC-Record-ID"))


__all__ = [
    "IDENTICAL_PAYLOAD",
    "SERVER_NOT_MODIFIED",
    "Capture",
    "Exchange",
    "RecordMaker",
    "payload_digest",
    "record_id",
    "warc_date",
]
