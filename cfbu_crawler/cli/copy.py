"""``cfbu copy-archive``: move an archive between databases (the library is
``cfbu_crawler.archive.copy``); a progress display on a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from cfbu_crawler.cli.app import emit_json, json_option

if TYPE_CHECKING:
    from cfbu_crawler.archive.copy import CopyReport, Progress


@click.command("copy-archive")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="PATH|URL",
    help="The archive to copy: an SQLite file or an SQLAlchemy URL.",
)
@click.option(
    "--to",
    "target",
    required=True,
    metavar="PATH|URL",
    help="Where to copy it: a new or empty SQLite file or PostgreSQL database.",
)
@click.option(
    "--append-missing-runs",
    is_flag=True,
    help="The target holds an earlier copy of this archive: bring over the runs it "
    "lacks (and all they changed) instead of refusing.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Rows read and written at a time.",
)
@json_option
def copy_archive(
    source: str, target: str, append_missing_runs: bool, batch: int, as_json: bool
) -> None:
    """Copy a whole archive into another database, for example from SQLite to
    PostgreSQL (or back): every run, article, alias, version, observation, raw page and
    Q&A pair, with their ids, in one transaction of the target. Then the copy is
    verified (row counts, a SHA-256 of every table on both sides, each version's content
    hash and each raw page's SHA-256) and the target's search index rebuilt.

    A target that already holds an archive is refused, unless --append-missing-runs and
    it holds an earlier copy of this one: then the runs made since are brought over. A
    crawl may write to the source meanwhile (what it has committed when the copy starts
    is copied); none can start on the target until the copy is done.

    \b
    Example:
      cfbu copy-archive --from data/cfbu.sqlite3 --to postgresql+psycopg://cfbu@db.example.org/cfbu
      cfbu copy-archive --from data/cfbu.sqlite3 --to postgresql+psycopg://cfbu@db.example.org/cfbu --append-missing-runs
    """
    from cfbu_crawler.archive.copy import copy_archive as copy

    with progress_display(enabled=not as_json) as progress:
        report = copy(
            source,
            target,
            append_missing_runs=append_missing_runs,
            batch_rows=batch,
            progress=progress,
        )
    if as_json:
        emit_json(report.as_dict())
        return
    click.echo("\n".join(summary(report)))


@contextmanager
def progress_display(*, enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar per table on a terminal (stderr); nothing otherwise."""
    from rich.console import Console

    out = Console(stderr=True)
    if not enabled or not out.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    tasks: dict[str, TaskID] = {}
    with Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=out,
        transient=True,
    ) as bars:

        def advance(table: str, done: int, total: int) -> None:
            if table not in tasks:
                tasks[table] = bars.add_task(table, total=total or 1)
            bars.update(tasks[table], completed=done if total else 1)

        yield advance


def summary(report: CopyReport) -> list[str]:
    """The report in words: what was copied, how it was verified, the search index."""
    from cfbu_crawler.cli.render import plural

    counts = {t.name: t for t in report.tables}
    total = sum(t.rows for t in report.tables)
    what = ", ".join(
        plural(counts[name].rows, word)
        for name, word in (
            ("runs", "run"),
            ("articles", "article"),
            ("versions", "version"),
            ("observations", "observation"),
            ("raw_pages", "raw page"),
        )
    )
    if report.append:
        runs = ", ".join(map(str, report.runs_added)) or "none"
        changed = sum(t.added + t.changed + t.removed for t in report.tables)
        head = (
            f"Appended to {report.target} from {report.source}: runs {runs} "
            f"({plural(changed, 'row')} added, changed or removed); it now holds {what}."
        )
    else:
        head = (
            f"Copied {report.source} → {report.target}: {what} "
            f"({plural(total, 'row')} in {plural(len(report.tables), 'table')}) "
            f"in {report.seconds:.0f}s."
        )
    versions = checked(
        report.versions_checked, report.versions_unmatched, "version", "their content hash"
    )
    pages = checked(
        report.raw_pages_checked, report.raw_pages_unmatched, "raw page", "their SHA-256"
    )
    lines = [
        head,
        "Verified: every table holds the source's rows (counts and a SHA-256 of each table "
        f"match); {versions}, {pages}.",
    ]
    index = report.search_index
    lines.append(
        f"Search index rebuilt: {plural(index.get('articles', 0), 'article')} "
        f"(latest versions), {plural(index.get('versions', 0), 'version')}."
    )
    lines += warc_note(report)
    if report.source_was_written:
        lines.append(
            "A crawl was writing to the source: its run is copied as it stood; "
            "run this again with --append-missing-runs when it has finished."
        )
    return lines


def warc_note(report: CopyReport) -> list[str]:
    """What becomes of the source's WARC files (files beside the archive, not rows)."""
    if not report.warc_records:
        return []
    from cfbu_crawler.cli.render import plural
    from cfbu_crawler.warc.files import archive_prefix, warc_dir_for

    source_dir, target_dir = (warc_dir_for(u) for u in (report.source_url, report.target_url))
    same_names = archive_prefix(report.source_url) == archive_prefix(report.target_url)
    if same_names and source_dir.resolve() == target_dir.resolve():
        return []
    what = f"{plural(report.warc_records, 'fetch', 'fetches')} point into the WARC files in {source_dir}"
    if same_names:
        return [
            f"Note: {what}, which are files, not rows: copy them to {target_dir} to keep "
            "them with the copy (without them, `cfbu export --format warc` rebuilds their "
            "records from the stored pages)."
        ]
    return [
        f"Note: {what}, which are files, not rows, named after the source: `cfbu export "
        "--format warc` of the copy rebuilds their records from the stored pages."
    ]


def checked(count: int, unmatched: list[int], what: str, against: str) -> str:
    """``41 versions match their content hash``, or how many do not, as in the source."""
    from cfbu_crawler.cli.render import plural

    if not unmatched:
        return f"{plural(count, what)} match {against}"
    ids = ", ".join(map(str, unmatched[:5])) + (", …" if len(unmatched) > 5 else "")
    return (
        f"{count - len(unmatched):,} of {plural(count, what)} match {against} (the other "
        f"{len(unmatched):,} {'does' if len(unmatched) == 1 else 'do'} not in the source "
        f"either: {'id' if len(unmatched) == 1 else 'ids'} {ids})"
    )
