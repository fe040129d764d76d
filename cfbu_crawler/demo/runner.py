"""``cfbu demo``: a guided, offline tour of the archiver for a newcomer.

:func:`run_demo` serves the bundled snapshot of the news section (:func:`build_site`
``"v1"``) on 127.0.0.1, crawls it into a demo archive, switches the server to the scripted
``"v2"`` (new, edited, removed, moved and unlisted articles, a new theme), crawls again
and prints the diff between the two crawls, explaining each step as it goes.

Each crawl runs ``cfbu crawl`` in a subprocess: Scrapy's Twisted reactor cannot be
started twice in one process. Nothing leaves the machine; the politeness delay is off
because the only server crawled is the demo's own loopback one. The diff is shown as
``cfbu diff`` prints it: the command line hands its renderer in (``diff_text``), so the
demo does not depend on the command line.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from cfbu_crawler.archive.db import (
    ArchiveError,
    check_existing,
    close_engine,
    open_engine,
    resolve_db,
    session_factory,
)
from cfbu_crawler.archive.diff import diff_runs
from cfbu_crawler.archive.lock import LockHeld, ensure_no_live_holder
from cfbu_crawler.demo import DEFAULT_DEMO_DB, edits
from cfbu_crawler.demo.build import build_site
from cfbu_crawler.demo.server import SiteServer
from cfbu_crawler.demo.site import Site

CRAWL_TIMEOUT = 120  # seconds; a demo crawl takes a few

Echo = Callable[..., Any]
DiffText = Callable[[dict[str, Any]], str]


class DemoError(Exception):
    """The demo could not run (one line for the user)."""


def prepare_db(db: Path) -> bool:
    """Make room for a fresh demo archive at ``db``; True when an old one was removed.

    An existing cfbu archive is removed (with its ``-wal`` and ``-shm`` files) unless a
    crawl is writing to it; anything else at that path is refused and left untouched.
    """
    if not db.exists():
        return False
    url = resolve_db(str(db))
    try:
        check_existing(url, must_exist=True)
    except ArchiveError as exc:
        raise DemoError(f"{exc}; the demo will not overwrite it (pick another --db)") from None
    engine = open_engine(url, create=False)
    try:
        ensure_no_live_holder(session_factory(engine))
    except LockHeld as exc:
        raise DemoError(f"{db}: {exc}; the demo will not remove it") from None
    finally:
        close_engine(engine)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return True


def crawl_command(base_url: str, db: Path | str, *extra: str) -> list[str]:
    """The ``cfbu crawl`` command line for a loopback fixture site (the demo's, the
    tests', the benchmarks'): politeness delay off, since the server is our own."""
    return [
        sys.executable,
        "-m",
        "cfbu_crawler",
        "crawl",
        "--start-url",
        f"{base_url}/nyheder/",
        "--db",
        str(db),
        "--delay",
        "0",
        "--concurrency",
        "4",
        *extra,
    ]


def _crawl(base_url: str, db: Path, echo: Echo) -> None:
    """Run one crawl in a subprocess and show its summary, indented."""
    command = crawl_command(base_url, db)
    echo(f"  $ cfbu crawl --start-url {base_url}/nyheder/ --db {shlex.quote(str(db))} --delay 0")
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise DemoError(f"the demo crawl took more than {CRAWL_TIMEOUT} s; gave up") from None
    for line in proc.stdout.splitlines():
        echo("  " + line)
    if proc.returncode != 0:
        errors = [line for line in proc.stderr.splitlines() if line.strip()]
        reason = errors[-1] if errors else f"exit status {proc.returncode}"
        raise DemoError(f"the demo crawl failed ({reason})")


def _para(echo: Echo, text: str) -> None:
    echo(click.wrap_text(text, width=78, initial_indent="", subsequent_indent=""))


def run_demo(
    db: Path = DEFAULT_DEMO_DB,
    echo: Echo = click.echo,
    *,
    diff_text: DiffText,
    keep_serving: bool = False,
) -> dict[str, Any]:
    """Run the guided demo into the archive ``db``; return what happened.

    ``diff_text`` renders the ``cfbu diff --json`` data of the two crawls for people (the
    command line passes its own ``cfbu diff`` renderer). The result holds ``db``,
    ``base_url``, ``runs`` (the two crawl run ids), ``diff`` (the ``cfbu diff --json``
    data) and ``seconds``. With ``keep_serving`` the v2 site stays up after the tour until
    Ctrl-C, for crawling it by hand.
    """
    started = time.monotonic()
    db = Path(db)
    replaced = prepare_db(db)
    v1 = build_site("v1")
    v2 = build_site("v2")
    bold = {"bold": True} if echo is click.echo else {}

    def heading(text: str) -> None:
        echo("")
        echo(click.style(text, **bold) if bold else text)

    with SiteServer(v1) as server:
        base = server.base_url
        echo(click.style("cfbu demo", **bold) if bold else "cfbu demo")
        _para(
            echo,
            f"This tour needs no network. It serves a bundled copy of the cfbu.dk news section "
            f"({len(v1.articles)} articles, in the site's current and older page layouts) "
            f"on your own machine at {base}/nyheder/, archives it, changes the site, archives "
            f"it again and shows what changed. The demo archive is {db}"
            + (" (the previous demo archive there was replaced)." if replaced else "."),
        )

        heading("Step 1 of 3: the first crawl")
        _para(
            echo,
            "The crawler reads the listing pages of the news section, follows every article, "
            "extracts its title, date, breadcrumb, category, lead, body and interview Q&A, and "
            "stores each article as version 1 together with the raw page. The politeness "
            "delay is off because this server is the demo's own; against cfbu.dk the crawler "
            "obeys robots.txt and waits between requests.",
        )
        _crawl(base, db, echo)

        heading("Step 2 of 3: the site changes")
        server.site = v2
        _para(
            echo,
            f"The server now shows a later version of the site: {_edit_summary(v1, v2)}. "
            "Every page also moved to a new theme (different HTML for the same text), "
            "which must not count as a change.",
        )

        heading("Step 3 of 3: the second crawl")
        _para(
            echo,
            "This crawl is incremental: it asks the server whether pages changed since the last "
            "crawl (ETag, sitemap dates) and stores a new version only when an article's "
            "content changed. Articles the listing no longer shows are fetched directly, so "
            "an unlisted article is not mistaken for a removed one.",
        )
        _crawl(base, db, echo)

        url = resolve_db(str(db))
        engine = open_engine(url, create=False)
        try:
            data = diff_runs(engine)
        finally:
            close_engine(engine)

        heading(f"What changed: cfbu diff --db {db}")
        echo(diff_text(data))

        heading("What next")
        echo(next_steps(db))
        result = {
            "db": str(db),
            "base_url": base,
            "runs": [data["from_run"], data["to_run"]],
            "diff": data,
            "seconds": round(time.monotonic() - started, 1),
        }
        if keep_serving:
            echo("")
            _para(
                echo,
                f"The changed demo site stays up at {base}/nyheder/ - crawl it yourself with "
                f"`cfbu crawl --start-url {base}/nyheder/ --db {db} --delay 0`. Ctrl-C stops it.",
            )
            server.serve_forever()
            echo("stopped serving")
    return result


def next_steps(db: Path) -> str:
    """The closing paragraph: commands to try on the demo archive, then the real site."""
    q = shlex.quote(str(db))
    slug = edits.TITLE_EDIT
    return "\n".join(
        [
            "Explore the demo archive (runs, history and show take --json for machines):",
            f"  cfbu runs --db {q}",
            "      the two crawls, with their counts and extraction coverage",
            f"  cfbu history {slug} --db {q}",
            "      every version of one article and what changed each time",
            f"  cfbu show {slug} --db {q} --version 1",
            "      one article as archived (leave out --version for the latest)",
            f"  cfbu export --db {q} --format csv --output demo.csv",
            "      the latest version of every article, removed ones included",
            "To archive the real site (politely: robots.txt, a delay between requests) run",
            "`cfbu crawl`, which writes data/cfbu.sqlite3. `cfbu --help` lists every command.",
        ]
    )


def _edit_summary(v1: Site, v2: Site) -> str:
    """One sentence on the scripted edits, from the two site models."""
    old = {a.slug for a in v1.articles}
    new = {a.slug for a in v2.articles}
    added = len(new - old - set(v2.moved.values()))
    edited = sum(1 for slug in edits.EXPECTED_CHANGES if slug in old)
    parts = [
        f"{added} new articles",
        f"{edited} edited (a paragraph, an interview answer, a title, a date)",
        f"{len(v2.removed - v1.removed)} removed",
        f"{len(set(v2.moved) - set(v1.moved))} moved to a new address",
        f"{len(v2.unlisted - v1.unlisted)} dropped from the listing but still online",
    ]
    return ", ".join(parts)


__all__ = ["DemoError", "crawl_command", "prepare_db", "run_demo"]
