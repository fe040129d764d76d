"""Commands that read the archive: ``runs`` and ``export`` (the records come from
``cfbu_crawler.archive.export``, the file formats from ``cfbu_crawler.formats``)."""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click

from cfbu_crawler.cli.app import db_option, emit_json, json_option, open_archive
from cfbu_crawler.formats import FORMATS


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
    """The runs, each with the disk use of its WARC files: through ``sqlite3`` alone from
    an SQLite archive whose schema is current (SQLAlchemy takes longer to load than this
    command may), else through the engine (which upgrades an outdated schema first)."""
    from cfbu_crawler.archive.runlist import read_runs as read
    from cfbu_crawler.archive.sqlitefile import open_current, sqlite_file
    from cfbu_crawler.warc.diskuse import prefix_of, usage_of, warc_dir_beside

    con = open_current(db)
    if con is None:
        from cfbu_crawler.archive import queries
        from cfbu_crawler.archive.db import resolve_db
        from cfbu_crawler.warc.files import warc_usage

        data = queries.list_runs(open_archive(db), limit)
        usage = warc_usage(resolve_db(db))
    else:
        try:
            data = read(con.cursor(), limit)
        finally:
            con.close()
        path = str(sqlite_file(db))
        usage = usage_of(warc_dir_beside(path), prefix_of(path))
    for run in data:
        run["warc"] = usage.get(run["id"], {"files": 0, "bytes": 0})
    return data


@contextmanager
def output_stream(output: str, *, encoding: str = "utf-8") -> Iterator[TextIO]:
    """Where an export goes: stdout (``-``), or FILE, written beside it under a temporary
    name and renamed into place when complete (a failed export leaves no half a file)."""
    if output == "-":
        sys.stdout.flush()
        stream = io.TextIOWrapper(
            sys.stdout.buffer, encoding=encoding, newline="", write_through=True
        )
        try:
            yield stream
            stream.flush()
        except BrokenPipeError:
            # The reader went away (``cfbu export | head``): stop quietly, as `cat` does.
            _silence_stdout()
            raise SystemExit(0) from None
        finally:
            with contextlib.suppress(ValueError):  # already detached or closed
                stream.detach()
        return
    target = Path(output)
    folder = target.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise click.ClickException(f"cannot write {output}: the folder {folder} {what}")
    if target.is_dir():
        raise click.ClickException(f"cannot write {output}: it is a folder")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
    try:
        with open(handle, "w", encoding=encoding, newline="") as stream:
            yield stream
        # mkstemp makes the file private (0600): give it the mode a plain open() would.
        os.chmod(temporary, target.stat().st_mode if target.exists() else _new_file_mode())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    """The permissions a new file gets under the process's umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again."""
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@click.command()
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "warc"]),
    default=None,
    help="Output format [default: jsonl; csv with --excel]; warc: what the crawls fetched.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    metavar="FILE",
    help="Write to FILE instead of stdout (its folder must exist).",
)
@click.option(
    "--run",
    "run",
    type=click.IntRange(min=1),
    metavar="N",
    help="The archive as it stood after run N (see `cfbu runs`); with --format warc: "
    "the captures of run N.",
)
@click.option(
    "--all-versions",
    is_flag=True,
    help="One record per version, with its run, cause and changed fields.",
)
@click.option(
    "--qa",
    is_flag=True,
    help="One row per interview question and answer (url, title, date, position).",
)
@click.option(
    "--excel", is_flag=True, help="CSV for Excel: UTF-8 with a byte order mark, ';' between cells."
)
@click.option("--all", "all_runs", is_flag=True, help="With --format warc: every run's captures.")
def export(
    db: str | None,
    fmt: str | None,
    output: str,
    run: int | None,
    all_versions: bool,
    qa: bool,
    excel: bool,
    all_runs: bool,
) -> None:
    """Export the archive: by default the latest version of every article, gone ones
    included, with its status, first and last sighting, number of versions, Q&A count
    and former URLs (aliases).

    --run N exports the archive as it stood after run N; --all-versions every version
    with its run, cause (site or extractor) and changed fields; --qa one row per
    question and answer. CSV has the same columns as JSON Lines (lists as JSON text);
    cells a spreadsheet would run as a formula (=, +, -, @ first) get a leading
    apostrophe. The export streams: memory does not grow with the archive. An archive
    without articles exports nothing (exit 0) and says so on stderr.

    `--format warc` writes what a crawl fetched, as WARC records (docs/warc.md): run N's
    with `--run N`, every run's with `--all`.

    \b
    Example:
      cfbu export --format csv --excel --output nyheder.csv
      cfbu export --qa --format csv --output interviews.csv
      cfbu export --run 3 --output after-run-3.jsonl
      cfbu export --format warc --run 1 --output run1.warc.gz
    """
    from cfbu_crawler.archive import export as library
    from cfbu_crawler.formats import write_records

    if fmt == "warc":
        from cfbu_crawler.cli.warcexport import export_warc

        if all_versions or qa or excel:
            raise click.UsageError("--all-versions, --qa and --excel do not go with --format warc")
        export_warc(db, run, all_runs, output)
        return
    if all_runs:
        raise click.UsageError("--all goes with --format warc (every run's captures)")
    if excel and fmt not in (None, "csv"):
        raise click.UsageError(f"--excel writes CSV; it does not go with --format {fmt}")
    fmt = fmt or ("csv" if excel else "jsonl")
    engine = open_archive(db)
    kind = library.kind_of(all_versions=all_versions, qa=qa)
    records = library.iter_records(engine, run=run, all_versions=all_versions, qa=qa)
    # Read the first record before opening the output: an unknown run fails without
    # leaving a file behind.
    first = next(records, None)
    rows = records if first is None else itertools.chain([first], records)
    with output_stream(output) as stream:
        count = write_records(rows, stream, fmt, library.columns(kind), excel=excel)
    one, many = {
        library.ExportKind.ARTICLES: ("article", "articles"),
        library.ExportKind.VERSIONS: ("version", "versions"),
        library.ExportKind.QA: ("Q&A pair", "Q&A pairs"),
    }[kind]
    if count == 0:
        click.echo(
            f"note: nothing to export: the archive holds no {many} {_scope(run)}".rstrip(), err=True
        )
    if output != "-":
        click.echo(f"{count} {one if count == 1 else many} written to {output}", err=True)


def _scope(run: int | None) -> str:
    return f"as of run {run}" if run is not None else "yet"
