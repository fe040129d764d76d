"""Export records written as files: JSON Lines, JSON and CSV (also CSV for Excel).

Records arrive one at a time and leave one at a time (memory does not grow with the
archive). CSV carries the same columns as the JSON formats: lists and objects as their
JSON text, ``true``/``false`` for flags, nothing for null. Every CSV is safe to open in a
spreadsheet: a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return — which a spreadsheet would run as a formula — gets a leading apostrophe (the
OWASP advice on CSV injection). ``excel`` writes what Danish Excel opens as is: a UTF-8
byte order mark (or it guesses a legacy code page and mangles æøå) and ``;`` between
cells (Excel's list separator where the decimal mark is a comma).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMATS: tuple[str, ...] = ("jsonl", "json", "csv")
# First characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def neutralise(text: str) -> str:
    """A cell a spreadsheet would run as a formula, made inert text."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str:
    """One value as a CSV cell: text as it is, lists/objects/flags/numbers as JSON, null
    as nothing; then neutralised."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return neutralise(text)


def write_jsonl(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_json(records: Iterable[dict[str, Any]], out: TextIO) -> int:
    """A JSON array, written record by record (the same text ``json.dumps(list,
    indent=2)`` gives)."""
    count = 0
    for record in records:
        body = json.dumps(record, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        out.write(("[\n  " if count == 0 else ",\n  ") + body)
        count += 1
    out.write("\n]\n" if count else "[]\n")
    return count


def write_csv(
    records: Iterable[dict[str, Any]],
    out: TextIO,
    columns: Sequence[str],
    *,
    excel: bool = False,
) -> int:
    """A header of ``columns``, then one row per record (``out`` opened with
    ``newline=""``)."""
    if excel:
        out.write(BOM)
    writer = csv.writer(out, delimiter=";" if excel else ",")
    writer.writerow(columns)
    count = 0
    for record in records:
        writer.writerow([csv_cell(record.get(column)) for column in columns])
        count += 1
    return count


def write_records(
    records: Iterable[dict[str, Any]],
    out: TextIO,
    fmt: str,
    columns: Sequence[str],
    *,
    excel: bool = False,
) -> int:
    """Write ``records`` to ``out`` in format ``fmt``; returns how many."""
    if fmt == "jsonl":
        return write_jsonl(records, out)
    if fmt == "json":
        return write_json(records, out)
    if fmt == "csv":
        return write_csv(records, out, columns, excel=excel)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")


__all__ = [
    "FORMATS",
    "FORMULA_STARTS",
    "csv_cell",
    "neutralise",
    "write_csv",
    "write_json",
    "write_jsonl",
    "write_records",
]
