"""Shared fixtures: the fixture site served on 127.0.0.1 (port 0)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.server import FixtureServer

from cfbu_crawler.demo.build import build_site


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
