"""Commands that read the archive: ``runs`` and ``export``."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from typing import Any

import click

from cfbu_crawler.cli.app import db_option, emit_json, json_option, open_archive
from cfbu_crawler.record import CONTENT_FIELDS


@click.command()
@db_option
@click.option("--limit", type=click.IntRange(min=1), help="Show only the newest N runs.")
@json_option
def runs(db: str | None, limit: int | None, as_json: bool) -> None:
    """List the runs, newest first, with status, counts and extraction coverage.

    \b
    Example:
      cfbu runs --limit 5
    """
    from cfbu_crawler.archive.sqlitefile import ArchiveError
    from cfbu_crawler.cli.runtable import run_lines

    data = read_runs(db, limit)
    if as_json:
        emit_json(data)
        return
    if not data:
        raise ArchiveError("the archive holds no runs yet (run `cfbu crawl` first)")
    width = min(shutil.get_terminal_size((80, 24)).columns, 120)
    click.echo("\n".join(run_lines(data, width)))


def read_runs(db: str | None, limit: int | None) -> list[dict[str, Any]]:
    """The runs: through ``sqlite3`` alone from an SQLite archive whose schema is current
    (SQLAlchemy takes longer to load than this command may), else through the engine
    (which upgrades an outdated schema first)."""
    from cfbu_crawler.archive.runlist import read_runs as read
    from cfbu_crawler.archive.sqlitefile import open_current

    con = open_current(db)
    if con is None:
        from cfbu_crawler.archive import queries

        return queries.list_runs(open_archive(db), limit)
    try:
        return read(con.cursor(), limit)
    finally:
        con.close()


# The record's fields in record order, as in the JSON exports, then the archive's own.
CSV_COLUMNS = (
    "url",
    "status",
    *CONTENT_FIELDS,
    "first_seen",
    "last_seen",
    "versions",
    "content_hash",
)


@click.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json", "csv"]),
    default="jsonl",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="Write to FILE instead of stdout.",
)
def export(db: str | None, fmt: str, output: str) -> None:
    """Export the latest version of every article, gone ones included.

    An archive without articles exports nothing (exit 0: no JSONL lines, `[]`, or the
    CSV header) and says so on stderr.

    \b
    Example:
      cfbu export --format csv --output nyheder.csv
    """
    from cfbu_crawler.archive import queries

    engine = open_archive(db)
    records = queries.export_records(engine)
    if not records:
        click.echo("note: the archive holds no articles yet: nothing to export", err=True)
    buffer = io.StringIO()
    if fmt == "jsonl":
        for record in records:
            buffer.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "json":
        buffer.write(json.dumps(records, ensure_ascii=False, indent=2) + "\n")
    else:
        writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for record in records:
            row = dict(record)
            row["breadcrumb"] = " / ".join(record["breadcrumb"])
            row["qa"] = json.dumps(record["qa"], ensure_ascii=False)
            writer.writerow(row)
    if output == "-":
        sys.stdout.write(buffer.getvalue())
    else:
        with open(output, "w", encoding="utf-8", newline="") as fh:
            fh.write(buffer.getvalue())
        click.echo(f"{len(records)} articles written to {output}", err=True)
