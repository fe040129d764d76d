"""The offline demo: a bundled copy of the cfbu.dk news section and the guided tour.

A stdlib-only, fully offline imitation of the site that ``cfbu`` archives: article texts
live in ``snapshot/`` (package data), :mod:`.content` models them, :mod:`.themes` renders
them in several markups (the current WordPress generation, a later theme, the older
table-layout CMS), :mod:`.site` describes one version of the site and answers HTTP paths,
:mod:`.edits` turns v1 into v2, :mod:`.build` builds either version, :mod:`.server`
serves a site on loopback and :mod:`.runner` is ``cfbu demo``'s tour.

Typical use::

    from cfbu_crawler.demo.build import build_site
    from cfbu_crawler.demo.server import SiteServer

    with SiteServer(build_site("v1")) as server:
        ...  # crawl server.base_url + "/nyheder/"
"""

from pathlib import Path

# Where ``cfbu demo`` writes its archive unless told otherwise.
DEFAULT_DEMO_DB = Path("data/demo.sqlite3")
