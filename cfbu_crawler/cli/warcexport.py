"""``cfbu export --format warc``: one run's captures (or every run's) as a WARC file."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from cfbu_crawler.cli.app import open_archive


def count(n: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("ch") else "s")
    return f"{n} {noun if n == 1 else plural}"


def export_warc(db: str | None, run_id: int | None, all_runs: bool, output: str) -> None:
    """Write the captures of run ``run_id`` (or of every crawl run) to ``output`` ("-":
    stdout, never a terminal); a file appears whole or not at all."""
    from cfbu_crawler.archive.captures import check_crawl_run, crawl_runs
    from cfbu_crawler.archive.db import resolve_db
    from cfbu_crawler.warc.export import export_runs

    if (run_id is None) == (not all_runs):
        raise click.UsageError("--format warc takes --run N or --all")
    engine = open_archive(db)
    if run_id is not None:
        check_crawl_run(engine, run_id)
        run_ids = [run_id]
    else:
        run_ids = crawl_runs(engine)
        if not run_ids:
            raise click.ClickException("the archive holds no crawl runs yet")
    db_url = resolve_db(db)
    if output == "-":
        if sys.stdout.isatty():
            raise click.ClickException("a WARC file is binary: give --output FILE")
        summary = export_runs(engine, db_url, run_ids, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        target = Path(output)
        if not target.parent.is_dir():
            raise click.ClickException(f"no folder {target.parent} to write {target.name} in")
        fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                summary = export_runs(engine, db_url, run_ids, fh, output_name=target.name)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial, 0o666 & ~umask)  # as open() would have made it
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    for run in summary.runs:
        source = (
            "copied from its WARC files"
            if run.source == "warc"
            else "rebuilt from the archive's stored pages (its WARC files are gone)"
        )
        line = (
            f"run {run.run_id}: {count(run.responses, 'response')}, "
            f"{count(run.revisits, 'revisit')}, {source}"
        )
        if run.without_body:
            line += f"; {count(run.without_body, 'fetch')} without a stored body left out"
        click.echo(line, err=True)
    if output != "-":
        click.echo(f"{summary.records} records written to {output}", err=True)
