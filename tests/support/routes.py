"""A tiny site for tests: a table of path → (status, headers, body), served by the
fixture server; ``routes`` can be replaced between crawls."""

from __future__ import annotations

from collections.abc import Mapping

from cfbu_crawler.demo.site import Response
from support.server import FixtureServer

Route = tuple[int, dict[str, str], bytes]
NOT_FOUND: Route = (404, {"Content-Type": "text/html"}, b"<h1>Ikke fundet</h1>")


class Routes:
    """Answers a request from the table, by its exact path (query string included)."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes

    def respond(
        self,
        method: str,
        path: str,
        base_url: str,
        request_headers: Mapping[str, str] | None = None,
    ) -> Response:
        status, headers, body = self.routes.get(path, NOT_FOUND)
        return Response(status, dict(headers), body)


class RoutesSite(FixtureServer):
    """A fixture server of a route table; ``routes`` may be replaced between crawls."""

    site: Routes

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(Routes(routes))

    @property
    def routes(self) -> dict[str, Route]:
        return self.site.routes

    @routes.setter
    def routes(self, routes: dict[str, Route]) -> None:
        self.site.routes = routes


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
