"""Threaded loopback HTTP server for the demo site.

:class:`SiteServer` serves a site on ``127.0.0.1`` (port 0 by default) in a background
thread: anything with ``respond(method, path, base_url, request_headers)`` returning a
:class:`~.site.Response`, such as :class:`~.site.Site`. It is a context manager, and its
``site`` may be replaced between crawls (v1 → v2).

It speaks HTTP/1.1 with keep-alive (as Scrapy's downloader expects of a real site) and
adds ``Server``, ``Date`` and ``Content-Length``. Two hooks let a subclass change how a
request is answered (:meth:`SiteServer.answer`) and see every answer before it is written
(:meth:`SiteServer.record`): the test suite's server adds request statistics and fault
injection through them.
"""

from __future__ import annotations

import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar

from cfbu_crawler.demo.site import Response

SERVER_NAME = "cfbu-demo/1.0"
_S = TypeVar("_S", bound="SiteServer")


class ServedSite(Protocol):
    """What :class:`SiteServer` serves."""

    def respond(
        self,
        method: str,
        path: str,
        base_url: str,
        request_headers: dict[str, str] | None = None,
    ) -> Response: ...


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SiteServer


class RequestHandler(BaseHTTPRequestHandler):
    """One connection; every request is handed to the owning :class:`SiteServer`."""

    protocol_version = "HTTP/1.1"
    server_version = SERVER_NAME
    server: _HTTPServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.server.owner.answer(self)

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.owner.answer(self)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send(
            Response(
                405, {"Allow": "GET, HEAD", "Content-Type": "text/plain"}, b"method not allowed\n"
            )
        )

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.owner.log_requests:
            super().log_message(format, *args)

    def head_bytes(self, status: int, headers: dict[str, str], length: int | None) -> bytes:
        """Status line and headers of an answer (``Content-Length`` set to ``length``)."""
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

    def write(self, data: bytes) -> None:
        """Write to the client; a client that went away closes the connection."""
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def send(self, resp: Response) -> None:
        """Send ``resp`` (no body for HEAD and 304)."""
        if resp.status == 304:
            length: int | None = None
        elif self.command == "HEAD":
            length = int(resp.headers.get("Content-Length", len(resp.body)))
        else:
            length = len(resp.body)
        head = self.head_bytes(resp.status, resp.headers, length)
        body = b"" if self.command == "HEAD" or resp.status == 304 else resp.body
        # recorded before writing, so that a client never sees an answer the record lacks
        self.server.owner.record(self, resp.status, len(head) + len(body))
        self.write(head + body)


class SiteServer:
    """Serve a site on loopback in a background thread."""

    def __init__(
        self,
        site: ServedSite,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_requests: bool = False,
    ) -> None:
        self.site = site
        self.host = host
        self.port = port
        self.log_requests = log_requests
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` of the server (still known after it stopped)."""
        if self.port == 0:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # -- hooks for subclasses ----------------------------------------------------------
    def answer(self, request: RequestHandler) -> None:
        """Answer one request with the site's response."""
        request.send(
            self.site.respond(
                request.command, request.path, self.base_url, dict(request.headers.items())
            )
        )

    def record(self, request: RequestHandler, status: int, nbytes: int) -> None:
        """Called with each answer's status and size (status line, headers and body)
        before it is written; ``status`` 0 is a connection dropped without an answer."""

    # -- running -----------------------------------------------------------------------
    def start(self: _S) -> _S:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), RequestHandler)
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

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
