"""Commands that read the archive: ``runs`` and ``export``."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys

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
    from cfbu_crawler.archive import queries
    from cfbu_crawler.archive.db import ArchiveError, resolve_db
    from cfbu_crawler.cli.render import run_lines
    from cfbu_crawler.warc.files import warc_usage

    engine = open_archive(db)
    data = queries.list_runs(engine, limit)
    usage = warc_usage(resolve_db(db))
    for run in data:
        run["warc"] = usage.get(run["id"], {"files": 0, "bytes": 0})
    if as_json:
        emit_json(data)
        return
    if not data:
        raise ArchiveError("the archive holds no runs yet (run `cfbu crawl` first)")
    width = min(shutil.get_terminal_size((80, 24)).columns, 120)
    click.echo("\n".join(run_lines(data, width)))


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
    type=click.Choice(["jsonl", "json", "csv", "warc"]),
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
@click.option(
    "--run",
    "run_id",
    type=click.IntRange(min=1),
    metavar="N",
    help="With --format warc: the captures of run N.",
)
@click.option("--all", "all_runs", is_flag=True, help="With --format warc: every run's captures.")
def export(db: str | None, fmt: str, output: str, run_id: int | None, all_runs: bool) -> None:
    """Export the latest version of every article, gone ones included.

    An archive without articles exports nothing (exit 0: no JSONL lines, `[]`, or the
    CSV header) and says so on stderr.

    `--format warc` writes what a crawl fetched, as WARC records (docs/warc.md): run N's
    with `--run N`, every run's with `--all`.

    \b
    Example:
      cfbu export --format csv --output nyheder.csv
      cfbu export --format warc --run 1 --output run1.warc.gz
    """
    from cfbu_crawler.archive import queries

    if fmt == "warc":
        from cfbu_crawler.cli.warcexport import export_warc

        export_warc(db, run_id, all_runs, output)
        return
    if run_id is not None or all_runs:
        raise click.UsageError("--run and --all go with --format warc")

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
