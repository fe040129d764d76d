"""The ``cfbu`` command line: a click group of thin commands over library functions."""

from __future__ import annotations

from cfbu_crawler.cli import changes as _changes  # noqa: F401
from cfbu_crawler.cli import crawl as _crawl  # noqa: F401  (registers commands)
from cfbu_crawler.cli import demo as _demo  # noqa: F401
from cfbu_crawler.cli import read as _read  # noqa: F401
from cfbu_crawler.cli.app import main

__all__ = ["main"]
