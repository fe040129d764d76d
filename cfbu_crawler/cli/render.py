"""Readable output for people: run summaries and tables, diffs and changes (rich)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from cfbu_crawler.archive.models import Run
from cfbu_crawler.archive.textdiff import DELETE, INSERT, diff_segments
from cfbu_crawler.cli.runtable import coverage_line, run_lines
from cfbu_crawler.record import CONTENT_FIELDS


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


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


def _rich(op: str, text: str) -> str:
    if op == DELETE:
        return f"[red strike]{escape('[-' + text + '-]')}[/]"
    if op == INSERT:
        return f"[green]{escape('{+' + text + '+}')}[/]"
    return escape(text)


def rich_diff(old: str | None, new: str | None, *, context: int | None = None) -> str:
    """The word diff of two texts (archive.textdiff) as rich console markup: removals red
    and struck through, additions green, with the ``[-…-]``/``{+…+}`` markers of
    ``inline_diff`` kept so that it reads without colour too."""
    return "".join(_rich(op, text) for op, text in diff_segments(old, new, context=context))


# Words of unchanged context kept around each change in long texts.
CONTEXT_WORDS = 12
TEXT_FIELDS = ("title", "lead", "body")


def _short(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return " / ".join(str(v) for v in value)
    return str(value)


def _qa_lines(old: list[dict[str, str]], new: list[dict[str, str]]) -> list[str]:
    """Markup lines for the Q&A pairs that changed, pair by pair."""
    lines = []
    for i in range(max(len(old), len(new))):
        a = old[i] if i < len(old) else None
        b = new[i] if i < len(new) else None
        label = f"Q&A {i + 1}"
        if a is None and b is not None:
            lines.append(f"{label} [green]added[/]: {escape(b.get('question', ''))}")
            lines.append(f"  answer: {rich_diff('', b.get('answer', ''), context=CONTEXT_WORDS)}")
            continue
        if b is None and a is not None:
            lines.append(f"{label} [red]removed[/]: {escape(a.get('question', ''))}")
            continue
        assert a is not None and b is not None
        for part in ("question", "answer"):
            if a.get(part, "") != b.get(part, ""):
                text = rich_diff(a.get(part, ""), b.get(part, ""), context=CONTEXT_WORDS)
                lines.append(f"{label} {part}: {text}")
    return lines


def change_lines(changes: dict[str, dict[str, Any]]) -> list[str]:
    """Readable (rich markup) lines for a ``{field: {"from", "to"}}`` mapping, in record order:
    word diffs for texts and Q&A, old → new for the rest."""
    lines = []
    for field in CONTENT_FIELDS:
        if field not in changes:
            continue
        old, new = changes[field]["from"], changes[field]["to"]
        if field in TEXT_FIELDS:
            context = None if field == "title" else CONTEXT_WORDS
            lines.append(f"{field}: {rich_diff(old, new, context=context)}")
        elif field == "qa":
            pair_lines = _qa_lines(old or [], new or [])
            lines.extend(pair_lines or ["qa: (changed)"])
        else:
            lines.append(f"{field}: {escape(_short(old))} → {escape(_short(new))}")
    return lines


def indented(line: str, indent: str) -> str:
    """A (possibly multi-paragraph) change line, every line indented, blank lines dropped."""
    rows = [row for row in line.split("\n") if row.strip()]
    return indent + ("\n" + indent + "  ").join(rows)


def print_diff(out: Console, data: dict[str, Any]) -> None:
    added, removed, moved, changed = (data[k] for k in ("added", "removed", "moved", "changed"))
    out.print(
        f"Run {data['from_run']} → run {data['to_run']}: {len(added)} added, "
        f"{len(removed)} removed, {len(moved)} moved, {len(changed)} changed, "
        f"{data['unchanged']} unchanged"
    )
    if added:
        out.print(f"\n[bold]Added ({len(added)})[/]")
        for item in added:
            back = "  (back after its removal)" if item.get("restored") else ""
            out.print(f"  + {escape(item['url'])}  {escape(item['title'] or '')}{back}")
    if removed:
        out.print(f"\n[bold]Removed ({len(removed)})[/]")
        for item in removed:
            out.print(f"  - {escape(item['url'])}")
    if moved:
        out.print(f"\n[bold]Moved ({len(moved)})[/]")
        for item in moved:
            out.print(f"  {escape(item['from'])} → {escape(item['to'])}")
    if changed:
        out.print(f"\n[bold]Changed ({len(changed)})[/]")
        for item in changed:
            out.print(f"  ~ {escape(item['url'])}  ({', '.join(item['fields'])})")
            for line in change_lines(item["changes"]):
                out.print(indented(line, "      "))


__all__ = [
    "change_lines",
    "console",
    "indented",
    "print_diff",
    "print_run_summary",
    "rich_diff",
    "run_lines",
]
