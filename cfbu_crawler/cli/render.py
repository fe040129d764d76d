"""Readable output for people: run summaries and tables (rich)."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from cfbu_crawler.archive.coverage import COVERAGE_FIELDS
from cfbu_crawler.archive.models import Run
from cfbu_crawler.archive.vocabulary import RunStatus


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def coverage_line(coverage: dict[str, Any] | None) -> str:
    if not coverage or not coverage.get("articles"):
        return "no articles"
    parts = [f"{field} {pct(coverage.get(field))}" for field in COVERAGE_FIELDS]
    if coverage.get("interviews"):
        parts.append(f"Q&A {pct(coverage.get('qa'))} of {coverage['interviews']} interviews")
    return ", ".join(parts)


def print_run_summary(run: Run, *, archive: str, log_file: Path | None = None) -> None:
    click.echo(
        f"Run {run.id} {run.status} ({run.finish_reason}) in "
        f"{(run.finished_at - run.started_at).total_seconds():.0f}s → {archive}"
        if run.finished_at
        else f"Run {run.id} {run.status}"
    )
    click.echo(
        f"  {run.requests} requests, {run.bytes_received:,} bytes; {run.new} new, {run.changed} changed, "
        f"{run.unchanged} unchanged, {run.moved} moved, {run.removed} removed, {run.errors} errors"
    )
    click.echo(f"  coverage: {coverage_line(run.coverage)}")
    for warning in run.warnings or []:
        click.echo(f"  warning: {warning}", err=True)
    if log_file:
        click.echo(f"  log: {log_file}")


RUN_HEADER = (
    "run",
    "started (UTC)",
    "status",
    "secs",
    "req",
    "new",
    "chg",
    "same",
    "moved",
    "gone",
    "err",
)
RUN_COUNTS = ("requests", "new", "changed", "unchanged", "moved", "removed", "errors")
RUN_INDENT = " " * 6


def _row(cells: tuple[str, ...] | list[str]) -> str:
    """One line of the runs listing (76 columns; bigger numbers push the rest right but
    stay apart): run, started, status, then the counts."""
    run, started, status, secs, req, new, chg, same, moved, gone, err = cells
    return (
        f"{run:>4}  {started:<16}  {status:<10} {secs:>4} {req:>5} {new:>4} {chg:>4} {same:>4}"
        f" {moved:>5} {gone:>4} {err:>4}"
    ).rstrip()


def run_lines(runs: list[dict[str, Any]], width: int = 80) -> list[str]:
    """The runs for people, fit for an 80-column terminal: a header, then per run one
    line of counts and, indented below, its coverage (complete runs) or why it did not
    complete, and any warnings (wrapped to ``width``)."""
    from cfbu_crawler.archive.timeutil import parse_iso

    lines = [_row(RUN_HEADER)]
    for run in runs:
        started = run["started_at"] or ""
        secs = ""
        if run["finished_at"] and started:
            secs = f"{(parse_iso(run['finished_at']) - parse_iso(started)).total_seconds():.0f}"
        status = run["status"] + (" ⚠" if run["warnings"] else "")
        counts = [str(run["counts"][key]) for key in RUN_COUNTS]
        lines.append(_row([str(run["id"]), started.replace("T", " ")[:16], status, secs, *counts]))
        notes = []
        if run["kind"] == "reparse":
            notes.append(f"reparse with extractor {run.get('extractor_version', '?')}")
        coverage = run["coverage"]
        if run["status"] == RunStatus.COMPLETE and (
            run["kind"] == "crawl" or (coverage or {}).get("articles")
        ):
            notes.append(f"coverage: {coverage_line(run['coverage'])}")
        elif run["status"] != RunStatus.COMPLETE and run.get("finish_reason"):
            notes.append(f"{run['status']}: {run['finish_reason']}")
        notes += [f"warning: {warning}" for warning in run["warnings"] or []]
        for note in notes:
            lines += textwrap.wrap(
                note,
                width=max(width - 1, 40),
                initial_indent=RUN_INDENT,
                subsequent_indent=RUN_INDENT + "  ",
                break_on_hyphens=False,
            )
    return lines


__all__ = ["console", "print_run_summary", "run_lines"]
