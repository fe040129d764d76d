"""Threaded loopback HTTP server for a demo :class:`~.site.Site`, with fault injection.

``SiteServer`` is a context manager (``127.0.0.1``, port 0 by default); ``site`` may be
reassigned between crawls (v1 → v2). Every request is recorded in :class:`RequestStats`;
:meth:`SiteServer.set_fault` makes a path misbehave a given number of times.

Run standalone::

    python -m cfbu_crawler.demo.server --port 8000 --version v1
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
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from cfbu_crawler.demo.site import Response, Site, build_site

FAULT_KINDS = ("503", "timeout", "truncate", "reset", "redirect_loop", "huge", "binary")
HUGE_SIZE = 20 * 1024 * 1024
SERVER_NAME = "cfbu-demo/1.0"


class RequestRecord(NamedTuple):
    """One handled request."""

    method: str
    path: str
    status: int  # 0 when the connection was reset without an answer
    bytes_sent: int  # status line + headers + body
    conditional: bool  # carried If-None-Match or If-Modified-Since


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


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SiteServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    server: _HTTPServer  # type: ignore[assignment]

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self._send(
            Response(
                405, {"Allow": "GET, HEAD", "Content-Type": "text/plain"}, b"method not allowed\n"
            )
        )

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.owner.log_requests:
            super().log_message(format, *args)

    @property
    def _conditional(self) -> bool:
        return "If-None-Match" in self.headers or "If-Modified-Since" in self.headers

    def _record(self, status: int, nbytes: int) -> None:
        self.server.owner.stats.add(
            RequestRecord(self.command, self.path, status, nbytes, self._conditional)
        )

    def _handle(self) -> None:
        owner = self.server.owner
        fault = owner.faults.take(self.path)
        if fault is not None and self._fault(fault):
            return
        site = owner.site
        resp = site.respond(self.command, self.path, owner.base_url, dict(self.headers.items()))
        self._send(resp)

    def _head_bytes(self, status: int, headers: dict[str, str], length: int | None) -> bytes:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        lines = [
            f"HTTP/1.1 {status} {reason}",
            f"Server: {SERVER_NAME}",
            f"Date: {formatdate(usegmt=True)}",
        ]
        lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "content-length"]
        if length is not None:
            lines.append(f"Content-Length: {length}")
        if self.close_connection:
            lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, resp: Response) -> None:
        if resp.status == 304:
            length: int | None = None
        elif self.command == "HEAD":
            length = int(resp.headers.get("Content-Length", len(resp.body)))
        else:
            length = len(resp.body)
        head = self._head_bytes(resp.status, resp.headers, length)
        body = b"" if self.command == "HEAD" or resp.status == 304 else resp.body
        # recorded before writing so that a client never sees an answer the log lacks
        self._record(resp.status, len(head) + len(body))
        try:
            self.wfile.write(head + body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _fault(self, fault: Fault) -> bool:
        """Apply a fault; return True when the request is fully handled."""
        owner = self.server.owner
        kind = fault.kind
        if kind == "503":
            body = b"<html><body><h1>503 Service Unavailable</h1></body></html>\n"
            self._send(Response(503, {"Content-Type": "text/html", "Retry-After": "1"}, body))
            return True
        if kind == "timeout":
            owner._stopping.wait(fault.seconds)
            return False  # then answer normally
        if kind == "redirect_loop":
            parts = urlsplit(self.path)
            target = parts.path if "loop=1" in parts.query else parts.path + "?loop=1"
            self._send(
                Response(
                    302,
                    {"Location": owner.base_url + target, "Content-Type": "text/html"},
                    b"<html>loop</html>",
                )
            )
            return True
        if kind == "huge":
            self._send_huge()
            return True
        if kind == "binary":
            body = _fake_pdf()
            self._send(Response(200, {"Content-Type": "application/pdf"}, body))
            return True
        if kind == "truncate":
            resp = owner.site.respond("GET", self.path, owner.base_url, {})
            body = resp.body or b"x" * 2048
            self.close_connection = True
            headers = {k: v for k, v in resp.headers.items() if k.lower() != "content-length"}
            head = self._head_bytes(resp.status, headers, len(body))
            sent = body[: len(body) // 2]
            self._record(resp.status, len(head) + len(sent))
            try:
                self.wfile.write(head + sent)
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return True
        if kind == "reset":
            self.close_connection = True
            self._record(0, 0)
            try:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.rfile.close()
                self.connection.close()
            except OSError:
                pass
            return True
        return False

    def _send_huge(self) -> None:
        chunk = b"<p>" + b"Dette er en meget stor side. " * 34 + b"</p>\n"
        n = HUGE_SIZE // len(chunk) + 1
        total = len(b"<html><body>\n") + n * len(chunk) + len(b"</body></html>\n")
        head = self._head_bytes(200, {"Content-Type": "text/html; charset=UTF-8"}, total)
        self._record(200, len(head) + (0 if self.command == "HEAD" else total))
        try:
            self.wfile.write(head)
            if self.command != "HEAD":
                self.wfile.write(b"<html><body>\n")
                block = chunk * 256
                for _ in range(n // 256):
                    self.wfile.write(block)
                self.wfile.write(chunk * (n % 256))
                self.wfile.write(b"</body></html>\n")
        except OSError:
            self.close_connection = True


def _fake_pdf() -> bytes:
    return (
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"
    )


class SiteServer:
    """Serve a :class:`Site` on loopback in a background thread."""

    def __init__(
        self, site: Site, *, host: str = "127.0.0.1", port: int = 0, log_requests: bool = False
    ) -> None:
        self.site = site
        self.host = host
        self.port = port
        self.log_requests = log_requests
        self.stats = RequestStats()
        self.faults = FaultInjector()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def set_fault(self, path: str, kind: str, *, times: int = 1, seconds: float = 5.0) -> None:
        """Make ``path`` misbehave ``times`` times (see ``FAULT_KINDS``)."""
        self.faults.set(path, kind, times=times, seconds=seconds)

    def clear_faults(self) -> None:
        self.faults.clear()

    def start(self) -> SiteServer:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.owner = self
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def serve_forever(self) -> None:
        """Block until interrupted (the server must be started)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(site: Site, port: int = 0, *, host: str = "127.0.0.1", log_requests: bool = True) -> None:
    """Serve ``site`` until interrupted, printing the listing URL."""
    srv = SiteServer(site, host=host, port=port, log_requests=log_requests).start()
    print(
        f"Serving demo site {site.version} ({site.generation}) at {srv.base_url}/nyheder/",
        flush=True,
    )
    srv.serve_forever()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m cfbu_crawler.demo.server", description=__doc__.splitlines()[0]
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
    try:
        serve(site, args.port, host=args.host, log_requests=not args.quiet)
    except OSError as exc:
        print(f"error: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
