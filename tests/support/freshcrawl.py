"""An archive of the fresh site (tests/freshsite), crawled three times with the real
command line: run 1 the whole site, run 2 after an edit and a removal (incremental:
304s, a changed page, a 404), run 3 with ``--full`` (every unchanged page again: revisit
records). Its WARC files are in ``warc/`` beside it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from freshsite import FreshSite

from cfbu_crawler.demo.runner import crawl_command
from support.server import FixtureServer


@dataclass
class FreshArchive:
    db: Path
    server: FixtureServer
    site: FreshSite

    @property
    def warc_dir(self) -> Path:
        return self.db.parent / "warc"

    def crawl(self, *extra: str) -> None:
        import subprocess

        proc = subprocess.run(
            crawl_command(self.server.base_url, self.db, *extra),
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


@contextmanager
def fresh_archive(folder: Path, *extra: str) -> Iterator[FreshArchive]:
    """The three crawls, each with the ``cfbu crawl`` options ``extra``."""
    site = FreshSite()
    with FixtureServer(site) as server:
        archive = FreshArchive(folder / "fresh.sqlite3", server, site)
        archive.crawl(*extra)
        site.edit()
        archive.crawl(*extra)
        archive.crawl("--full", *extra)
        yield archive
