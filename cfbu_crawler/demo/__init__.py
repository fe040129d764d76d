"""Bundled demo/fixture copy of the cfbu.dk news section.

A stdlib-only, fully offline imitation of the site that ``cfbu`` archives: article texts
live in ``snapshot/`` (package data), :mod:`.themes` renders them in several markups
(current WordPress generation, a later theme, the older table-layout CMS),
:mod:`.site` describes one version of the site and answers HTTP paths, :mod:`.edits`
turns v1 into v2 and predicts the diff, and :mod:`.server` serves a site on loopback.

Typical use::

    from cfbu_crawler.demo import build_site, expected_records, SiteServer

    with SiteServer(build_site("v1")) as srv:
        ...  # crawl srv.base_url + "/nyheder/"
        records = expected_records(srv.site, srv.base_url)
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Site": "site",
    "build_site": "site",
    "expected_records": "site",
    "expected_diff": "edits",
    "SiteServer": "server",
    "serve": "server",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    # lazy, so that ``python -m cfbu_crawler.demo.server`` does not import itself twice
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
