"""The test suite's loopback server: the demo's :class:`~cfbu_crawler.demo.server.SiteServer`
plus request statistics and fault injection.

:class:`FixtureServer` serves any site with ``respond(method, path, base_url,
request_headers)`` (the demo :class:`~cfbu_crawler.demo.site.Site`, the blind sites in
``blindsite``, plain route tables in :mod:`support.routes`). Every answer is recorded in
:class:`RequestStats` (bytes as written: status line, headers and body), and
:meth:`FixtureServer.set_fault` makes a path misbehave a given number of times (a 503, a
timeout, a truncated body, a reset connection, a redirect loop, a 20 MiB body, a PDF).

Run standalone to crawl a fixture site by hand::

    python tests/support/server.py --port 8000 --version v1
"""

from __future__ import annotations

import argparse
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from cfbu_crawler.demo.build import build_site
from cfbu_crawler.demo.server import RequestHandler, ServedSite, SiteServer
from cfbu_crawler.demo.site import Response

FAULT_KINDS = ("503", "timeout", "truncate", "reset", "redirect_loop", "huge", "binary")
HUGE_SIZE = 20 * 1024 * 1024


class RequestRecord(NamedTuple):
    """One handled request."""

    method: str
    path: str
    status: int  # 0 when the connection was reset without an answer
    bytes_sent: int  # status line + headers + body
    conditional: bool  # carried If-None-Match or If-Modified-Since
    at: float  # time.monotonic() when it was answered


class RequestStats:
    """Thread-safe request log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    @property
    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def total_requests(self) -> int:
        return len(self)

    def total_bytes(self) -> int:
        with self._lock:
            return sum(r.bytes_sent for r in self._records)

    def paths(self) -> list[str]:
        """The requested paths (with their query), in order."""
        return [r.path for r in self.records]

    def count(self, *, path: str | None = None, status: int | None = None) -> int:
        return sum(
            1
            for r in self.records
            if (path is None or urlsplit(r.path).path == path)
            and (status is None or r.status == status)
        )

    def conditional_requests(self) -> int:
        return sum(1 for r in self.records if r.conditional)

    def reset(self) -> None:
        with self._lock:
            self._records.clear()


@dataclass
class Fault:
    """A pending fault: ``kind`` fires ``remaining`` more times."""

    kind: str
    remaining: int
    seconds: float = 5.0
    fired: int = 0


class FaultInjector:
    """Per-path faults (matched on the path without query string)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}
        self._fired: dict[str, int] = {}

    def set(self, path: str, kind: str, *, times: int = 1, seconds: float = 5.0) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; choose from {', '.join(FAULT_KINDS)}")
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._faults[urlsplit(path).path] = Fault(kind, times, seconds)

    def take(self, path: str) -> Fault | None:
        """Consume one firing for ``path`` if a fault is pending."""
        key = urlsplit(path).path
        with self._lock:
            f = self._faults.get(key)
            if f is None:
                return None
            f.remaining -= 1
            f.fired += 1
            self._fired[key] = self._fired.get(key, 0) + 1
            if f.remaining <= 0:
                del self._faults[key]
            return Fault(f.kind, f.remaining, f.seconds, f.fired)

    def remaining(self, path: str) -> int:
        with self._lock:
            f = self._faults.get(urlsplit(path).path)
            return f.remaining if f else 0

    def fired(self, path: str) -> int:
        with self._lock:
            return self._fired.get(urlsplit(path).path, 0)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self._fired.clear()


class FixtureServer(SiteServer):
    """A :class:`SiteServer` that logs every request and can inject faults."""

    def __init__(
        self,
        site: ServedSite,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_requests: bool = False,
    ) -> None:
        super().__init__(site, host=host, port=port, log_requests=log_requests)
        self.stats = RequestStats()
        self.faults = FaultInjector()
        self._stopping = threading.Event()  # cuts a "timeout" fault short at stop()

    def start(self) -> FixtureServer:
        self._stopping.clear()
        return super().start()

    def stop(self) -> None:
        self._stopping.set()
        super().stop()

    def set_fault(self, path: str, kind: str, *, times: int = 1, seconds: float = 5.0) -> None:
        """Make ``path`` misbehave ``times`` times (see ``FAULT_KINDS``)."""
        self.faults.set(path, kind, times=times, seconds=seconds)

    def clear_faults(self) -> None:
        self.faults.clear()

    def record(self, request: RequestHandler, status: int, nbytes: int) -> None:
        conditional = "If-None-Match" in request.headers or "If-Modified-Since" in request.headers
        self.stats.add(
            RequestRecord(
                request.command, request.path, status, nbytes, conditional, time.monotonic()
            )
        )

    def answer(self, request: RequestHandler) -> None:
        fault = self.faults.take(request.path)
        if fault is not None and self._fault(request, fault):
            return
        super().answer(request)

    # -- faults --------------------------------------------------------------------------
    def _fault(self, request: RequestHandler, fault: Fault) -> bool:
        """Apply a fault; return True when the request is fully handled."""
        kind = fault.kind
        if kind == "503":
            body = b"<html><body><h1>503 Service Unavailable</h1></body></html>\n"
            request.send(Response(503, {"Content-Type": "text/html", "Retry-After": "1"}, body))
            return True
        if kind == "timeout":
            self._stopping.wait(fault.seconds)
            return False  # then answer normally
        if kind == "redirect_loop":
            parts = urlsplit(request.path)
            target = parts.path if "loop=1" in parts.query else parts.path + "?loop=1"
            request.send(
                Response(
                    302,
                    {"Location": self.base_url + target, "Content-Type": "text/html"},
                    b"<html>loop</html>",
                )
            )
            return True
        if kind == "huge":
            self._send_huge(request)
            return True
        if kind == "binary":
            request.send(Response(200, {"Content-Type": "application/pdf"}, _fake_pdf()))
            return True
        if kind == "truncate":
            self._send_truncated(request)
            return True
        if kind == "reset":
            self._reset(request)
            return True
        return False

    def _send_truncated(self, request: RequestHandler) -> None:
        """Announce the full length, send half the body, close the connection."""
        resp = self.site.respond("GET", request.path, self.base_url, {})
        body = resp.body or b"x" * 2048
        request.close_connection = True
        headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-length"}
        head = request.head_bytes(resp.status, headers, len(body))
        sent = body[: len(body) // 2]
        self.record(request, resp.status, len(head) + len(sent))
        try:
            request.wfile.write(head + sent)
            request.wfile.flush()
            request.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _reset(self, request: RequestHandler) -> None:
        """Drop the connection with a TCP reset (SO_LINGER 0), without an answer."""
        request.close_connection = True
        self.record(request, 0, 0)
        try:
            request.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
            request.rfile.close()
            request.connection.close()
        except OSError:
            pass

    def _send_huge(self, request: RequestHandler) -> None:
        chunk = b"<p>" + b"Dette er en meget stor side. " * 34 + b"</p>\n"
        n = HUGE_SIZE // len(chunk) + 1
        total = len(b"<html><body>\n") + n * len(chunk) + len(b"</body></html>\n")
        head = request.head_bytes(200, {"Content-Type": "text/html; charset=UTF-8"}, total)
        self.record(request, 200, len(head) + (0 if request.command == "HEAD" else total))
        try:
            request.wfile.write(head)
            if request.command != "HEAD":
                request.wfile.write(b"<html><body>\n")
                block = chunk * 256
                for _ in range(n // 256):
                    request.wfile.write(block)
                request.wfile.write(chunk * (n % 256))
                request.wfile.write(b"</body></html>\n")
        except OSError:
            request.close_connection = True


def _fake_pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python tests/support/server.py", description=__doc__.splitlines()[0]
    )
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--version", choices=("v1", "v2"), default="v1")
    ap.add_argument("--generation", choices=("current", "old", "mixed"), default="mixed")
    ap.add_argument("--theme", choices=("wp_yoast", "wp_plain", "wp_2024"), default=None)
    ap.add_argument("--articles", type=int, default=None)
    ap.add_argument("--no-sitemaps", action="store_true")
    ap.add_argument("--no-etags", action="store_true")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    site = build_site(
        args.version,
        generation=args.generation,
        theme=args.theme,
        sitemaps=not args.no_sitemaps,
        etags=not args.no_etags,
        articles=args.articles,
    )
    server = FixtureServer(site, host=args.host, port=args.port, log_requests=not args.quiet)
    try:
        server.start()
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    print(f"Serving fixture site {site.version} ({site.generation}) at {server.base_url}/nyheder/")
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
