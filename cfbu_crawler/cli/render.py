"""Readable output for people: run summaries and tables (rich)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from cfbu_crawler.archive.models import Run
from cfbu_crawler.archive.timeutil import iso


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def coverage_line(coverage: dict[str, Any] | None) -> str:
    if not coverage or not coverage.get("articles"):
        return "no articles"
    parts = [
        f"{field} {pct(coverage.get(field))}"
        for field in ("title", "published", "breadcrumb", "body")
    ]
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


def runs_table(runs: list[dict[str, Any]]) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for column in (
        "run",
        "status",
        "started (UTC)",
        "secs",
        "req",
        "new",
        "chg",
        "same",
        "moved",
        "rm",
        "err",
        "coverage",
    ):
        table.add_column(
            column,
            justify="right" if column not in ("status", "started (UTC)", "coverage") else "left",
        )
    for run in runs:
        counts = run["counts"]
        started = run["started_at"] or ""
        secs = ""
        if run["finished_at"] and run["started_at"]:
            from cfbu_crawler.archive.timeutil import parse_iso

            secs = f"{(parse_iso(run['finished_at']) - parse_iso(started)).total_seconds():.0f}"
        status = run["status"] + (" (reparse)" if run["kind"] == "reparse" else "")
        if run["warnings"]:
            status += " ⚠"
        table.add_row(
            str(run["id"]),
            status,
            started.replace("T", " ").rstrip("Z"),
            secs,
            str(counts["requests"]),
            str(counts["new"]),
            str(counts["changed"]),
            str(counts["unchanged"]),
            str(counts["moved"]),
            str(counts["removed"]),
            str(counts["errors"]),
            coverage_line(run["coverage"]),
        )
    return table


__all__ = ["console", "iso", "print_run_summary", "runs_table"]
