"""The runs listing of ``cfbu runs`` and the small formatters run summaries share (counts
in words, sizes, coverage), as plain text that fits an 80-column terminal.

It needs neither rich nor the archive's models, so that ``cfbu runs`` starts at once.
"""

from __future__ import annotations

import textwrap
from typing import Any

from cfbu_crawler.archive.vocabulary import COVERAGE_FIELDS, RunStatus


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 error``, ``2 errors``, ``1,234 bytes`` (``words`` for an irregular plural)."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def size(nbytes: int) -> str:
    """A disk size for people: 148 kB, 12.3 MB, 1.2 GB (powers of 1000)."""
    if nbytes < 1_000_000:
        return f"{max(nbytes, 1) / 1000:.0f} kB" if nbytes >= 1000 else f"{nbytes} bytes"
    if nbytes < 1_000_000_000:
        return f"{nbytes / 1e6:.1f} MB"
    return f"{nbytes / 1e9:.1f} GB"


def coverage_line(coverage: dict[str, Any] | None) -> str:
    if not coverage or not coverage.get("articles"):
        return "no articles"
    parts = [f"{field} {pct(coverage.get(field))}" for field in COVERAGE_FIELDS]
    if coverage.get("interviews"):
        parts.append(
            f"Q&A {pct(coverage.get('qa'))} of {plural(coverage['interviews'], 'interview')}"
        )
    return ", ".join(parts)


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
    lines = [_row(RUN_HEADER)]
    for run in runs:
        lines.append(_run_row(run))
        for note in _run_notes(run):
            lines += textwrap.wrap(
                note,
                width=max(width - 1, 40),
                initial_indent=RUN_INDENT,
                subsequent_indent=RUN_INDENT + "  ",
                break_on_hyphens=False,
            )
    return lines


def _run_row(run: dict[str, Any]) -> str:
    """A run's line of counts in the listing."""
    from cfbu_crawler.archive.timeutil import parse_iso

    started = run["started_at"] or ""
    secs = ""
    if run["finished_at"] and started:
        secs = f"{(parse_iso(run['finished_at']) - parse_iso(started)).total_seconds():.0f}"
    status = run["status"] + (" ⚠" if run["warnings"] else "")
    counts = [str(run["counts"][key]) for key in RUN_COUNTS]
    return _row([str(run["id"]), started.replace("T", " ")[:16], status, secs, *counts])


def _run_notes(run: dict[str, Any]) -> list[str]:
    """What the listing says below a run's counts: what a reparse used, the coverage of
    a complete run or why it did not complete, and its warnings."""
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
    if (run.get("warc") or {}).get("files"):
        files = run["warc"]["files"]
        notes.append(f"warc: {size(run['warc']['bytes'])} in {files} file{'s' * (files > 1)}")
    notes += [f"warning: {warning}" for warning in run["warnings"] or []]
    return notes


__all__ = ["coverage_line", "pct", "plural", "run_lines", "size"]
