"""Shared fixtures (the fixture site served on 127.0.0.1, port 0) and the fast lane's
guard.

A test that starts a server (anything that listens on a socket) or a crawl in a
subprocess (``cfbu crawl``, ``cfbu demo``, ``scrapy crawl``, Scrapyd, PostgreSQL) must be
marked ``slow``; ``python -m pytest -m "not slow"`` is the fast lane for day-to-day work.
An unmarked test that does either fails, saying so, instead of quietly slowing the lane.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from support import postgres
from support.freshcrawl import FreshArchive
from support.freshcrawl import fresh_archive as fresh_archive_of
from support.server import FixtureServer

from cfbu_crawler.demo.build import build_site

# Subcommands (of cfbu, python -m cfbu_crawler, scrapy) and programs that crawl or serve.
SLOW_SUBCOMMANDS = frozenset({"crawl", "demo", "serve"})
SLOW_PROGRAMS = frozenset(
    {"scrapyd", "scrapyd-deploy", "initdb", "pg_ctl", "postgres", "wayback", "chromium"}
)


@pytest.fixture(scope="session")
def site_server() -> Iterator[FixtureServer]:
    """The mixed-generation v1 fixture site on 127.0.0.1 (port 0), shared by the session.
    Tests that change the site use their own server (``fresh_server``)."""
    with FixtureServer(build_site("v1")) as server:
        yield server


@pytest.fixture
def fresh_server() -> Iterator[FixtureServer]:
    with FixtureServer(build_site("v1")) as server:
        yield server


# -- the archive's two backends ---------------------------------------------------------
# Archive-level tests take ``archive_url`` (or ``new_archive`` for several archives) and run
# once on SQLite and once on PostgreSQL. The PostgreSQL server is one for the session,
# started by the first test that needs it; those tests are ``slow`` (the server is one),
# and skip, saying why, where no PostgreSQL can be started.

BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.slow))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    reason = postgres.unavailable()
    if reason is not None:
        pytest.skip(reason)
    with postgres.PostgresServer() as server:
        yield server


class ArchiveLocations:
    """Fresh archive locations on one backend: a file path in a temporary folder
    (SQLite) or a new database of the session's server (PostgreSQL, dropped after)."""

    def __init__(self, backend: str, folder: Path, server: postgres.PostgresServer | None) -> None:
        self.backend = backend
        self.folder = folder
        self.server = server
        self.made: list[str] = []

    def __call__(self, name: str = "a", *, empty: bool = False) -> str:
        """A new archive's ``--db`` value: holding an empty archive on PostgreSQL (or no
        table at all, with ``empty``); a file that does not exist yet on SQLite."""
        if self.server is None:
            return str(self.folder / f"{name}.sqlite3")
        url = self.server.new_database(empty=empty)
        self.made.append(url)
        return url

    def close(self) -> None:
        if self.server is not None:
            for url in self.made:
                self.server.drop_database(url)


def _locations(request: pytest.FixtureRequest, backend: str, folder: Path) -> ArchiveLocations:
    server = request.getfixturevalue("postgres_server") if backend == "postgresql" else None
    return ArchiveLocations(backend, folder, server)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test's archives live in: ``sqlite`` or ``postgresql``."""
    return str(request.param)


@pytest.fixture
def new_archive(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> Iterator[Callable[..., str]]:
    """Makes fresh archive locations (``new_archive("name")``) on the test's backend."""
    locations = _locations(request, backend, tmp_path)
    yield locations
    locations.close()


@pytest.fixture
def archive_url(new_archive: Callable[..., str]) -> str:
    """A fresh archive location on the test's backend (its ``--db`` value)."""
    return new_archive()


@pytest.fixture(scope="module", params=BACKENDS)
def module_backend(request: pytest.FixtureRequest) -> str:
    """As ``backend``, for archives a whole module shares."""
    return str(request.param)


@pytest.fixture(scope="module")
def module_new_archive(
    request: pytest.FixtureRequest,
    module_backend: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., str]]:
    """As ``new_archive``, for archives a whole module shares."""
    locations = _locations(request, module_backend, tmp_path_factory.mktemp("archives"))
    yield locations
    locations.close()


@pytest.fixture(scope="session")
def fresh_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshArchive]:
    """An archive of tests/freshsite crawled three times, with its WARC files; the site
    stays served (tests that serve the archive or write to it use their own copy)."""
    with fresh_archive_of(tmp_path_factory.mktemp("fresh")) as archive:
        yield archive


# -- the guard -------------------------------------------------------------------------------


def _words(args: Any) -> list[str]:
    argv = [args] if isinstance(args, (str, bytes, os.PathLike)) else list(args)
    words: list[str] = []
    for arg in argv:
        text = os.fsdecode(arg) if isinstance(arg, (bytes, os.PathLike)) else str(arg)
        words += shlex.split(text) if " " in text else [text]
    return words


def crawls_or_serves(args: Any) -> bool:
    """Whether a subprocess command line starts a crawl or a server (asking one of them
    for ``--help`` does neither)."""
    words = _words(args)
    if {"--help", "-h"} & set(words):
        return False
    return bool({Path(w).name for w in words} & SLOW_PROGRAMS or set(words) & SLOW_SUBCOMMANDS)


def _refuse(item: pytest.Item, what: str) -> None:
    pytest.fail(f"{item.nodeid} {what} but is not marked slow", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Generator[None, None, None]:
    with _guard(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    with _guard(item):
        return (yield)


class _guard:
    """While an unmarked test (and its fixtures) runs: no listening socket, no crawl."""

    def __init__(self, item: pytest.Item) -> None:
        self.item = item
        self.patch = pytest.MonkeyPatch()

    def __enter__(self) -> None:
        if self.item.get_closest_marker("slow"):
            return
        item = self.item
        listen = socket.socket.listen
        popen_init = subprocess.Popen.__init__

        def guarded_listen(sock: socket.socket, *args: Any) -> None:
            _refuse(item, "starts a server")
            listen(sock, *args)

        def guarded_popen(self: subprocess.Popen, args: Any, *rest: Any, **kwargs: Any) -> None:
            if crawls_or_serves(args):
                _refuse(item, f"runs `{' '.join(_words(args))[:120]}`")
            popen_init(self, args, *rest, **kwargs)

        self.patch.setattr(socket.socket, "listen", guarded_listen)
        self.patch.setattr(subprocess.Popen, "__init__", guarded_popen)

    def __exit__(self, *exc: object) -> None:
        self.patch.undo()
