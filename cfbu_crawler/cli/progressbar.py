"""Progress of a long command over the archive's articles (``cfbu reparse``): a live bar
with rate and ETA on a terminal (rich), a plain line every few seconds otherwise (cron
mails, logs; a run shorter than that prints none), on stderr so that ``--json`` output
stays clean."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import IO, Any

# How often the plain lines come (seconds), off a terminal.
PLAIN_EVERY = 10.0


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class ArticleProgress:
    """``with ArticleProgress("reparse") as p: ... p.total(n); p.advance(url, outcome)``."""

    def __init__(self, label: str, *, stream: IO[str] | None = None, live: bool | None = None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.count = 0
        self.of: int | None = None
        self.started = time.monotonic()
        self.last_line = self.started
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> ArticleProgress:
        if self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn(f"[bold]{self.label}[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self.stream, force_terminal=True),
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=None, rate="-")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.stop()
        elif kind is None and self.last_line > self.started:  # a long run: its last line
            self._line()

    def total(self, articles: int) -> None:
        self.of = articles
        if self.bar is not None:
            self.bar.update(self.task, total=articles)

    def advance(self, url: str, outcome: str) -> None:
        self.count += 1
        now = time.monotonic()
        if self.bar is not None:
            rate = self.count / max(now - self.started, 1e-9)
            self.bar.update(self.task, completed=self.count, rate=f"{rate:.0f}")
        elif now - self.last_line >= PLAIN_EVERY:
            self.last_line = now
            self._line()

    def _line(self) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-9)
        rate = self.count / elapsed
        of = self.of or 0
        share = f" ({self.count / of:.0%})" if of else ""
        eta = ""
        if of and rate > 0 and self.count < of:
            eta = f", ETA {_duration((of - self.count) / rate)}"
        print(
            f"{self.label}: {self.count:,}/{of:,} articles{share}, {rate:.0f}/s, "
            f"{_duration(elapsed)} elapsed{eta}",
            file=self.stream,
            flush=True,
        )
