"""Where a crawl's memory goes: a Scrapy extension for bench/crawl_memory.py ``--trace``.

Not part of the package: the benchmark adds it to a crawl with ``-s EXTENSIONS=…`` and
``bench/`` on ``PYTHONPATH``. When the spider opens it starts ``tracemalloc``
(``CFBU_MEMTRACE_FRAMES`` frames a traceback), and every second it writes one line of
JSON to ``CFBU_MEMTRACE_DIR/series.jsonl``: articles archived, requests waiting in the
scheduler, the memory tracemalloc sees, and the process's resident set. At the numbers of
archived articles given in ``CFBU_MEMTRACE_AT`` (``2000,5000``), when the scheduler first
holds ``CFBU_MEMTRACE_QUEUED`` requests, and when the spider opens and closes, it dumps
a snapshot (``at-<n>.snapshot``, ``queued-<n>``, ``opened``, ``closed``) for :func:`compare` to set side by side by
traceback. Tracing slows the crawl several times over and adds its own bookkeeping to
the resident set: its figures say *what* grows, the untraced run says *how much*.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


def rss_kb() -> tuple[int, int]:
    """(VmRSS, VmHWM) of this process, in KiB."""
    found = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0])
    return found["VmRSS"], found["VmHWM"]


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in [
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        ]
    ]


def malloc_mb() -> dict[str, float]:
    """glibc's view of its heap (all arenas): bytes taken from the system by brk/arenas,
    in use, free inside them, and mmapped blocks (``mallinfo2``)."""
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = _MallInfo2
    info = libc.mallinfo2()
    return {
        "malloc_arena_mb": round(info.arena / 1e6, 1),
        "malloc_used_mb": round(info.uordblks / 1e6, 1),
        "malloc_free_mb": round(info.fordblks / 1e6, 1),
        "malloc_mmap_mb": round(info.hblkhd / 1e6, 1),
    }


def pymalloc_mb() -> dict[str, float]:
    """Python's small-object allocator (objects of 512 bytes or less, in 1 MiB arenas of
    their own, outside glibc's heap): the arenas, the blocks in use in them and the free
    blocks of pools in use (``sys._debugmallocstats``, which writes to the C stderr)."""
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode(errors="replace")

    def number(label: str) -> float:
        found = re.search(rf"{label}\s*=\s*([\d,]+)", text)
        return int(found.group(1).replace(",", "")) / 1e6 if found else 0.0

    arenas = re.search(r"(\d+) arenas \* (\d+) bytes/arena", text)
    return {
        "pymalloc_arenas_mb": round(int(arenas.group(1)) * int(arenas.group(2)) / 1e6, 1)
        if arenas
        else 0.0,
        "pymalloc_used_mb": round(number("# bytes in allocated blocks"), 1),
        "pymalloc_free_mb": round(number("# bytes in available blocks"), 1),
    }


class MemTrace:
    def __init__(self, crawler: Crawler, directory: Path, at: list[int], frames: int) -> None:
        self.crawler = crawler
        self.directory = directory
        self.at = sorted(at)
        self.frames = frames
        self.queued = int(os.environ.get("CFBU_MEMTRACE_QUEUED", "0"))
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()
        directory.mkdir(parents=True, exist_ok=True)
        self.series = (directory / "series.jsonl").open("w")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MemTrace:
        directory = Path(os.environ["CFBU_MEMTRACE_DIR"])
        at = [int(n) for n in os.environ.get("CFBU_MEMTRACE_AT", "").split(",") if n]
        frames = int(os.environ.get("CFBU_MEMTRACE_FRAMES", "12"))
        ext = cls(crawler, directory, at, frames)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def articles(self) -> int:
        return int(self.crawler.stats.get_value("item_scraped_count", 0))

    def sample(self) -> dict[str, Any]:
        engine = self.crawler.engine
        scheduler = engine.scheduler if engine is not None else None
        slot = engine.scraper.slot if engine is not None else None
        traced, traced_peak = tracemalloc.get_traced_memory()
        rss, hwm = rss_kb()
        return {
            "t": round(time.monotonic() - self.started, 1),
            "articles": self.articles(),
            "requests": self.crawler.stats.get_value("downloader/request_count", 0),
            "queued": len(scheduler) if scheduler is not None else None,  # type: ignore[arg-type]
            # Responses the scraper holds (their callbacks and items at work), and the
            # size of their bodies (Scrapy stops downloading above 5 MB).
            "responses": len(slot.active) + len(slot.queue) if slot is not None else None,
            "responses_mb": round(slot.active_size / 1e6, 1) if slot is not None else None,
            "traced_mb": round(traced / 1e6, 1),
            "traced_peak_mb": round(traced_peak / 1e6, 1),
            "rss_mb": round(rss / 1024, 1),
            "hwm_mb": round(hwm / 1024, 1),
            "threads": len(os.listdir("/proc/self/task")),
            **malloc_mb(),
            **pymalloc_mb(),
        }

    def tick(self) -> None:
        row = self.sample()
        self.series.write(json.dumps(row) + "\n")
        self.series.flush()
        while self.at and row["articles"] >= self.at[0]:
            self.snapshot(f"at-{self.at.pop(0)}")
        if self.queued and (row["queued"] or 0) >= self.queued:
            self.snapshot(f"queued-{self.queued}")
            self.queued = 0

    def snapshot(self, name: str) -> None:
        if not tracemalloc.is_tracing():
            return
        gc.collect()
        row = self.sample()
        tracemalloc.take_snapshot().dump(str(self.directory / f"{name}.snapshot"))
        (self.directory / f"{name}.json").write_text(json.dumps(row))

    def spider_opened(self, spider: Spider) -> None:
        if self.frames > 0:
            tracemalloc.start(self.frames)
            self.snapshot("opened")
        self.loop = task.LoopingCall(self.tick)
        self.loop.start(1.0, now=True)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.snapshot("closed")
        self.series.close()
        tracemalloc.stop()


def compare(directory: Path, before: str, after: str, *, top: int = 25, frames: int = 6) -> str:
    """The tracebacks whose memory grew most from snapshot ``before`` to ``after``."""
    old = tracemalloc.Snapshot.load(str(directory / f"{before}.snapshot"))
    new = tracemalloc.Snapshot.load(str(directory / f"{after}.snapshot"))
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
    old, new = old.filter_traces(ignore), new.filter_traces(ignore)
    lines = []
    for stat in new.compare_to(old, "traceback")[:top]:
        lines.append(
            f"{stat.size_diff / 1e6:+8.2f} MB {stat.count_diff:+8d} blocks "
            f"(now {stat.size / 1e6:.2f} MB)"
        )
        for frame in stat.traceback.format(limit=frames, most_recent_first=True):
            lines.append("    " + frame)
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 4:
        sys.exit("usage: python bench/memtrace.py DIR BEFORE AFTER  (snapshot names)")
    print(compare(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
