"""A tiny site for tests: a dict of path → (status, headers, body), served on 127.0.0.1
by ``http.server`` in a thread; ``routes`` can be replaced between crawls."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = tuple[int, dict[str, str], bytes]


class RoutesSite:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                status, headers, body = site.routes.get(
                    self.path, (404, {"Content-Type": "text/html"}, b"<h1>Ikke fundet</h1>")
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RoutesSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def html(body: str) -> Route:
    page = f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"
    return 200, {"Content-Type": "text/html; charset=utf-8"}, page.encode()


def article(title: str, text: str, date: str = "30. november 2015") -> Route:
    return html(
        f"<div class='trail'>Hjem / Nyheder / {title}</div><p class='date'>{date}</p>"
        f"<h1>{title}</h1><div class='text'><p>{text}</p><p>Andet afsnit om {title}.</p></div>"
        "<a href='/nyheder/'>Se seneste nyheder</a>"
    )


def redirect(location: str, status: int = 301) -> Route:
    return status, {"Location": location, "Content-Type": "text/html"}, b""
