"""Readable output for people: run summaries and tables, diffs and changes (rich)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from cfbu_crawler.archive.textdiff import DELETE, INSERT, diff_segments
from cfbu_crawler.archive.vocabulary import RunStatus
from cfbu_crawler.cli.runtable import coverage_line, plural, run_lines
from cfbu_crawler.record import CONTENT_FIELDS

if TYPE_CHECKING:  # the ORM is not loaded to show a history (``cfbu history`` starts at once)
    from cfbu_crawler.archive.models import Run


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def run_headline(run: Run, archive: str) -> str:
    """``Run 3 complete in 54s → archive``; a run that did not complete says why
    (``Run 4 interrupted (shutdown) in 12s → …``)."""
    why = (
        ""
        if run.status == RunStatus.COMPLETE or not run.finish_reason
        else f" ({run.finish_reason})"
    )
    if not run.finished_at:
        return f"Run {run.id} {run.status}{why}"
    seconds = (run.finished_at - run.started_at).total_seconds()
    return f"Run {run.id} {run.status}{why} in {seconds:.0f}s → {archive}"


def print_run_summary(run: Run, *, archive: str, log_file: Path | None = None) -> None:
    click.echo(run_headline(run, archive))
    click.echo(
        f"  {plural(run.requests, 'request')}, {plural(run.bytes_received, 'byte')}; "
        f"{run.new} new, {run.changed} changed, {run.unchanged} unchanged, {run.moved} moved, "
        f"{run.removed} removed, {plural(run.errors, 'error')}"
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


def _clip(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _was(field: str, value: Any) -> str:
    """A short account of a value that vanished."""
    if field == "qa":
        return plural(len(value or []), "question")
    return _clip(_short(value))


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


def _titled(url: str, title: str | None) -> str:
    return f"{escape(url)}  {escape(title or '(no title)')}"


def _diff_summary(data: dict[str, Any], suspect: int) -> str:
    parts = [f"{len(data['added'])} added"]
    if data["first_archived"]:
        parts.append(f"{len(data['first_archived'])} first archived")
    parts += [
        f"{len(data['removed'])} removed",
        f"{len(data['moved'])} moved",
        f"{len(data['changed']) - suspect} changed",
    ]
    if suspect:
        parts.append(f"{suspect} suspect")
    if data["unlisted"]:
        parts.append(f"{len(data['unlisted'])} unlisted")
    parts.append(f"{data['unchanged']} unchanged")
    return f"Run {data['from_run']} → run {data['to_run']}: " + ", ".join(parts)


def _fields_label(item: dict[str, Any]) -> str:
    suspect = set(item.get("suspect_fields") or [])
    return ", ".join(f"{f} (suspect)" if f in suspect else f for f in item["fields"])


def _section(
    out: Console,
    title: str,
    items: list[dict[str, Any]],
    lines: Callable[[dict[str, Any]], list[str]],
    note: str = "",
) -> None:
    """One section of ``cfbu diff``: a bold title with the count (and a note), then the
    lines of each item; nothing when there are no items."""
    if not items:
        return
    out.print(f"\n[bold]{title} ({len(items)})[/]{note}")
    # A hundred items' lines at a time: rich's cost is mostly per call (a diff of a
    # thousand changed articles printed line by line spent 0.8 s in it).
    for start in range(0, len(items), 100):
        out.print("\n".join(line for item in items[start : start + 100] for line in lines(item)))


def _added_lines(item: dict[str, Any]) -> list[str]:
    back = "  (back after its removal)" if item.get("restored") else ""
    return [f"  + {_titled(item['url'], item['title'])}{back}"]


def _first_archived_lines(item: dict[str, Any]) -> list[str]:
    return [
        f"  + {_titled(item['url'], item['title'])}",
        f"      run {item['failed_in_run']}: {escape(item['reason'])}",
    ]


def _changed_lines(item: dict[str, Any]) -> list[str]:
    head = f"  ~ {escape(item['url'])}  ({_fields_label(item)})"
    return [head, *(indented(line, "      ") for line in change_lines(item["changes"]))]


def _suspect_lines(item: dict[str, Any]) -> list[str]:
    lost = "; ".join(
        f"{field}: {escape(_was(field, item['changes'][field]['from']))} → (none)"
        for field in item["fields"]
    )
    return [f"  ? {escape(item['url'])}  {lost}"]


def print_diff(out: Console, data: dict[str, Any]) -> None:
    """``cfbu diff`` for people: a summary line, the warnings, then one section per kind
    of change. Changes that are only suspect (a field that vanished while its coverage
    dropped) get their own section, apart from the site's edits."""
    changed = data["changed"]
    only_suspect = [c for c in changed if set(c["fields"]) <= set(c.get("suspect_fields") or [])]
    edits = [c for c in changed if c not in only_suspect]
    out.print(_diff_summary(data, len(only_suspect)))
    _section(out, "Warnings", data["warnings"], lambda w: [f"  ! {escape(w['message'])}"])
    _section(out, "Added", data["added"], _added_lines)
    _section(
        out,
        "First archived",
        data["first_archived"],
        _first_archived_lines,
        ": failed in an earlier run, archived now (not new on the site)",
    )
    _section(out, "Removed", data["removed"], lambda i: [f"  - {_titled(i['url'], i['title'])}"])
    _section(
        out,
        "Moved",
        data["moved"],
        lambda i: [f"  {escape(i['from'])} → {_titled(i['to'], i['title'])}"],
    )
    _section(
        out,
        "Unlisted",
        data["unlisted"],
        lambda i: [f"  ? {_titled(i['url'], i['title'])}"],
        ": no longer in the listing or the sitemap, still online (kept live)",
    )
    _section(out, "Changed", edits, _changed_lines)
    _section(
        out,
        "Suspect",
        only_suspect,
        _suspect_lines,
        ": a field vanished where its coverage dropped (see the warnings): probably "
        "extraction, not an edit",
    )


__all__ = [
    "change_lines",
    "plural",
    "console",
    "indented",
    "print_diff",
    "print_run_summary",
    "rich_diff",
    "run_lines",
]
