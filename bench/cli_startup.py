"""How long `cfbu --help` takes, against the bare interpreter's start-up (the floor).

The command line loads its commands lazily, so help needs neither Scrapy nor the archive;
the target is an answer in under 0.3 s. Each figure is the median of N fresh processes,
measured in one run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20, help="processes per figure")
    args = parser.parse_args()
    python = [sys.executable]
    rows = [
        ("python -c pass", python + ["-c", "pass"]),
        ("cfbu --help", python + ["-m", "cfbu_crawler", "--help"]),
        ("cfbu crawl --help", python + ["-m", "cfbu_crawler", "crawl", "--help"]),
        ("import scrapy (for scale)", python + ["-c", "import scrapy.crawler"]),
    ]
    floor = None
    print(f"{'':28} {'median s':>9} {'vs python':>10}")
    for label, command in rows:
        seconds = median_seconds(command, args.runs)
        floor = floor or seconds
        print(f"{label:28} {seconds:9.3f} {seconds / floor:9.1f}x")


if __name__ == "__main__":
    main()
