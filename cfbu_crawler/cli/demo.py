"""``cfbu demo``: the offline guided tour (see :mod:`cfbu_crawler.demo.runner`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cfbu_crawler.demo import DEFAULT_DEMO_DB


def diff_text(data: dict[str, Any]) -> str:
    """The diff as ``cfbu diff`` prints it (the same renderer), as text."""
    import io
    import sys

    from rich.console import Console

    from cfbu_crawler.cli.render import print_diff

    buffer = io.StringIO()
    out = Console(file=buffer, highlight=False, soft_wrap=True, force_terminal=sys.stdout.isatty())
    print_diff(out, data)
    return buffer.getvalue().rstrip("\n")


@click.command()
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DEMO_DB,
    show_default=True,
    help="The demo archive (an SQLite file; a previous demo archive there is replaced).",
)
@click.option(
    "--keep-serving",
    is_flag=True,
    help="Keep the changed demo site up afterwards (until Ctrl-C) to crawl it by hand.",
)
def demo(db: Path, keep_serving: bool) -> None:
    """Try cfbu offline in under a minute: serve a bundled copy of the news section on
    127.0.0.1, crawl it, change the site (new, edited, removed, moved articles), crawl
    again and show the diff, explaining each step.

    The demo archive is a separate file; a file there that is not a cfbu archive is
    refused and left untouched.

    \b
    Example:
      cfbu demo
      cfbu demo --db /tmp/demo.sqlite3 && cfbu runs --db /tmp/demo.sqlite3
    """
    from cfbu_crawler.demo.runner import DemoError, run_demo

    try:
        run_demo(db, diff_text=diff_text, keep_serving=keep_serving)
    except DemoError as exc:
        raise click.ClickException(str(exc)) from None
