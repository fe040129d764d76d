"""The ``cfbu`` command line: a click group of thin commands over library functions.

The group (:mod:`.app`) loads each command's module only when that command is used.
"""

from __future__ import annotations

from cfbu_crawler.cli.app import main

__all__ = ["main"]
