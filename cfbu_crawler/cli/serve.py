"""``cfbu serve``: browse and query the archive in Datasette, read-only."""

from __future__ import annotations

import click

from cfbu_crawler.cli.app import db_option


@click.command()
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every interface, the archive is then public).",
)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8001,
    show_default=True,
    help="Port to listen on (0: any free port).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the archive in a web browser.")
def serve(db: str | None, host: str, port: int, open_browser: bool) -> None:
    """Browse and query the archive in Datasette, read-only.

    Every table, view and column is described (docs/schema.md); the latest_versions
    view has full-text search; canned queries answer the usual questions (latest
    articles, interviews, what changed in a run, one article's history, articles gone
    or moved, coverage per run). Stored pages are shown as text. The archive is opened
    read-only: a crawl can write to it meanwhile. Ctrl-C stops the server.

    \b
    Example:
      cfbu serve --db data/cfbu.sqlite3 --open
    """
    from cfbu_crawler.serve.app import bind, make_datasette, served_archive, url_of
    from cfbu_crawler.serve.app import serve as run_server

    archive = served_archive(db)
    datasette = make_datasette(archive)
    sock = bind(host, port)
    click.echo(f"Serving {archive.path} read-only at {url_of(sock)} (Ctrl-C to stop)")
    run_server(datasette, sock, open_browser=open_browser)
