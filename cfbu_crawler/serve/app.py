"""The Datasette instance over an archive, and the web server that serves it.

Datasette opens the SQLite file read-only (``?mode=ro``, its default for files that may
change): it never writes, never takes the crawl lock, and in WAL mode a crawl writing at
the same time is never blocked; every request sees the last committed state. Not
``immutable``: a crawl may be writing (docs/schema.md, "Reading while a crawl writes").
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cfbu_crawler.archive.db import ArchiveError, close_engine, describe, open_engine, resolve_db
from cfbu_crawler.archive.db import sqlite_path as sqlite_file

if TYPE_CHECKING:
    from datasette.app import Datasette

DEFAULT_PORT = 8001

# Datasette's settings for an archive: long bodies are cut in HTML tables (the row page,
# JSON and CSV have them whole).
SETTINGS = {"truncate_cells_html": 300, "default_page_size": 50, "sql_time_limit_ms": 5000}


@dataclass(frozen=True)
class ServedArchive:
    path: Path
    name: str  # Datasette's name of the database (the file's stem)


def served_archive(db: str | None) -> ServedArchive:
    """The SQLite archive to serve, checked (and its schema brought up to date, as every
    command does) before Datasette opens it read-only. A PostgreSQL archive is refused
    in one line: Datasette reads SQLite."""
    url = resolve_db(db)
    path = sqlite_file(url)
    if path is None:
        raise ArchiveError(
            f"cfbu serve needs an SQLite archive: Datasette reads SQLite only, and "
            f"{describe(url)} is not one"
        )
    close_engine(open_engine(url, create=False))
    return ServedArchive(path=path, name=path.stem)


def make_datasette(archive: ServedArchive) -> Datasette:
    from datasette.app import Datasette

    from cfbu_crawler.serve import plugin
    from cfbu_crawler.serve.metadata import build_metadata

    plugin.register()
    return Datasette(
        [str(archive.path)],
        metadata=build_metadata(archive.name, str(archive.path)),
        settings=SETTINGS,
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ArchiveError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(datasette: Datasette, sock: socket.socket, *, open_browser: bool = False) -> None:
    """Serve until interrupted (Ctrl-C, SIGTERM)."""
    import uvicorn

    config = uvicorn.Config(datasette.app(), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [url_of(sock)]).start()
    server.run(sockets=[sock])


__all__ = ["DEFAULT_PORT", "ServedArchive", "bind", "make_datasette", "serve", "served_archive"]
