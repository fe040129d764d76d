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
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
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
