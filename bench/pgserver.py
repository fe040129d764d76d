"""A throwaway PostgreSQL server for the benchmarks, in a temporary directory.

The test suite's own (tests/support/postgres.py: PostgreSQL's binaries on the machine,
127.0.0.1 only, run as the ``postgres`` user when run as root), except that it keeps
PostgreSQL's default durability settings, so what is measured is what a stock server
gives, and makes no template archive: the benchmark copies its archive into a new
database.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
from postgres import PostgresServer, unavailable  # noqa: E402


class Server(PostgresServer):
    """One stock PostgreSQL server: ``with Server() as server:``."""

    def __init__(self) -> None:
        super().__init__(durable=True, template=False)

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its URL."""
        self.execute(f"CREATE DATABASE {name}")  # our own constant name
        return self.url(name)


__all__ = ["Server", "unavailable"]
