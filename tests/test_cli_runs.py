"""``cfbu runs`` for people fits an 80-column terminal, whatever the numbers and notes."""

from __future__ import annotations

from typing import Any

from cfbu_crawler.cli.render import run_lines


def run(**over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": 12345,
        "kind": "crawl",
        "status": "complete",
        "started_at": "2026-11-25T13:05:14Z",
        "finished_at": "2026-11-25T15:05:16Z",
        "finish_reason": "finished",
        "counts": {
            "requests": 123456,
            "bytes": 10**9,
            "pages": 0,
            "new": 1234,
            "changed": 1234,
            "unchanged": 12345,
            "removed": 1234,
            "moved": 1234,
            "errors": 1234,
        },
        "coverage": {
            "articles": 1500,
            "title": 1.0,
            "published": 0.99,
            "breadcrumb": 0.98,
            "body": 1.0,
            "interviews": 120,
            "qa": 0.95,
        },
        "warnings": [],
    }
    return data | over


def test_every_line_fits_80_columns_even_with_big_numbers_and_long_notes() -> None:
    runs = [
        run(warnings=["coverage of published dropped from 99% to 40% since run 12344 " * 3]),
        run(id=7, status="interrupted", finish_reason="shutdown " * 20, coverage=None),
        run(id=6, kind="reparse", coverage=None),
    ]
    lines = run_lines(runs, width=80)
    assert all(len(line) < 80 for line in lines), "\n".join(lines)
    assert lines[0].split() == [
        "run", "started", "(UTC)", "status", "secs", "req", "new", "chg", "same", "moved",
        "gone", "err",
    ]  # fmt: skip
    first = lines[1].split()
    assert first[:4] == ["12345", "2026-11-25", "13:05", "complete"]
    assert first[4:] == ["⚠", "7202", "123456", "1234", "1234", "12345", "1234", "1234", "1234"]
    text = "\n".join(lines)
    assert "coverage: title 100%, published 99%" in text
    assert "warning: coverage of published dropped" in text
    assert "interrupted: shutdown" in text
    assert "reparse with extractor" in text
