"""Shared fixtures: the fixture site served on 127.0.0.1 (port 0)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cfbu_crawler.demo.server import SiteServer
from cfbu_crawler.demo.site import build_site

SEED = Path(__file__).resolve().parents[1].parent / "shared" / "seed"


@pytest.fixture(scope="session")
def site_server() -> Iterator[SiteServer]:
    """The mixed-generation v1 fixture site on 127.0.0.1 (port 0), shared by the session.
    Tests that change the site use their own server (``fresh_server``)."""
    with SiteServer(build_site("v1")) as server:
        yield server


@pytest.fixture
def fresh_server() -> Iterator[SiteServer]:
    with SiteServer(build_site("v1")) as server:
        yield server
