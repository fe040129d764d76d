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

from cfbu_crawler.demo.edits import expected_diff
from cfbu_crawler.demo.server import SiteServer, serve
from cfbu_crawler.demo.site import Site, build_site, expected_records

__all__ = ["Site", "SiteServer", "build_site", "expected_diff", "expected_records", "serve"]
