"""The Datasette plugin of ``cfbu serve``, registered in process (``register()``).

- Stored pages as plain text: ``/-/raw-page/<id>`` serves a body of ``raw_pages``
  decompressed and decoded, as ``text/plain`` with ``X-Content-Type-Options: nosniff``
  and a sandboxing Content-Security-Policy, so a stored page (which may carry scripts)
  is never rendered as HTML from the archive's origin; ``?download=1`` gives the bytes as
  fetched, as an attachment.
- Links in tables and query results: URLs (``url``, ``final_url``, …) to the live page;
  ``raw_page_id`` (a version's or a fetch's page) to the text view above; in views and
  canned queries, ``article_id`` and ``version_id`` to their rows.
"""

from __future__ import annotations

from typing import Any

from datasette import Response, hookimpl
from markupsafe import Markup, escape

from cfbu_crawler.archive.canned import RAW_PAGE_SQL
from cfbu_crawler.archive.rawpages import inflate

PLUGIN_NAME = "cfbu"
URL_COLUMNS = frozenset({"url", "final_url", "now_at", "moved_from", "start_url"})
ROW_LINKS = {"article_id": "articles", "version_id": "versions"}
# Tables whose foreign keys Datasette links itself.
TABLES_WITH_KEYS = frozenset(
    {"articles", "article_urls", "versions", "observations", "breadcrumb_items", "qa_pairs"}
)
TEXT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Referrer-Policy": "no-referrer",
}


def raw_page_path(datasette: Any, raw_page_id: int) -> str:
    return str(datasette.urls.path(f"/-/raw-page/{int(raw_page_id)}"))


def decode(body: bytes, content_type: str | None, encoding: str | None) -> str:
    """A stored body as text: the declared encoding, else what the page itself says
    (BOM, ``<meta charset>``), as a browser would (w3lib)."""
    from w3lib.encoding import html_to_unicode

    header = content_type or ""
    if encoding and "charset=" not in header.lower():
        header = f"{header}; charset={encoding}"
    return html_to_unicode(header or None, body)[1]


async def raw_page(datasette: Any, request: Any) -> Response:
    """One stored page, as text (or its bytes, with ``?download=1``)."""
    raw_page_id = int(request.url_vars["raw_page_id"])
    database = datasette.get_database()
    result = await database.execute(RAW_PAGE_SQL, {"id": raw_page_id})
    row = result.first()
    if row is None:
        return Response.text(f"no stored page {raw_page_id}\n", status=404, headers=TEXT_HEADERS)
    body = inflate(row["content"], row["compression"])
    if request.args.get("download"):
        return Response(
            body,
            content_type="application/octet-stream",
            headers={
                **TEXT_HEADERS,
                "Content-Disposition": f'attachment; filename="raw-page-{raw_page_id}.html"',
            },
        )
    text = decode(body, row["content_type"], row["encoding"])
    return Response.text(text, headers=TEXT_HEADERS)


@hookimpl
def register_routes(datasette: Any) -> list[tuple[str, Any]]:
    return [(r"^/-/raw-page/(?P<raw_page_id>\d+)$", raw_page)]


def _link(href: str, text: str, *, external: bool = False) -> Markup:
    rel = ' rel="noopener noreferrer nofollow"' if external else ""
    return Markup(f'<a href="{escape(href)}"{rel}>{escape(text)}</a>')


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Markup | None:
    if isinstance(value, dict):  # a foreign key Datasette expanded: {"value", "label"}
        value = value.get("value")
    if value is None or value == "":
        return None
    if (
        column in URL_COLUMNS
        and isinstance(value, str)
        and value.startswith(("http://", "https://"))
    ):
        return _link(value, value, external=True)
    if column == "raw_page_id" and isinstance(value, int):
        return _link(raw_page_path(datasette, value), f"stored page {value}")
    if table == "raw_pages" and column == "content":
        return _link(raw_page_path(datasette, row["id"]), "show as text")
    if column in ROW_LINKS and isinstance(value, int) and table not in TABLES_WITH_KEYS:
        target = ROW_LINKS[column]
        return _link(datasette.urls.row(database, target, str(value)), str(value))
    return None


def register() -> None:
    """Register this plugin with Datasette (once per process)."""
    import sys

    from datasette.plugins import pm

    if pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(sys.modules[__name__], name=PLUGIN_NAME)


__all__ = ["register"]
