"""Peak memory (RSS) of `cfbu export` on generated archives of growing size.

Each export runs in its own process (the command line, in-process in a fresh
interpreter), which reports its own peak resident set size; the output goes to a file.
The archive sizes grow tenfold: a streaming export keeps a flat peak, a list-building one
would grow with the archive. The archives come from tests/support/bigarchive.py (two
versions per article, ~1.2 kB of Danish text per version).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.bigarchive import fill  # noqa: E402

from cfbu_crawler.archive.db import close_engine, open_engine  # noqa: E402

CHILD = """
import json, resource, sys, time
from cfbu_crawler.cli import main
started = time.perf_counter()
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"peak_mib": peak_kib / 1024, "secs": time.perf_counter() - started}),
          file=sys.stderr)
"""

EXPORTS = {
    "jsonl": ["--format", "jsonl"],
    "csv --excel": ["--excel"],
    "--all-versions csv": ["--all-versions", "--format", "csv"],
    "--qa csv": ["--qa", "--format", "csv"],
}


def measure(db: Path, out: Path, args: list[str]) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "export", "--db", str(db), "--output", str(out), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,30000", help="articles per archive")
    options = parser.parse_args()
    sizes = [int(n) for n in options.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        for articles in sizes:
            db = Path(tmp) / f"archive-{articles}.sqlite3"
            started = time.perf_counter()
            engine = open_engine(str(db), create=True)
            fill(engine, articles=articles, versions=2)
            close_engine(engine)
            made = time.perf_counter() - started
            mib = db.stat().st_size / 2**20
            print(f"archive of {articles:,} articles (2 versions each): {mib:.0f} MiB, {made:.0f}s")
            for label, args in EXPORTS.items():
                out = Path(tmp) / "export.out"
                result = measure(db, out, args)
                rows.append((articles, label, result, out.stat().st_size / 2**20))
        print()
        print(f"{'articles':>9}  {'export':<20} {'peak RSS':>9} {'output':>9} {'time':>7}")
        for articles, label, result, size in rows:
            print(
                f"{articles:>9,}  {label:<20} {result['peak_mib']:>7.0f} MiB"
                f" {size:>5.0f} MiB {result['secs']:>6.1f}s"
            )
        print()
        for label in EXPORTS:
            peaks = [r[2]["peak_mib"] for r in rows if r[1] == label]
            print(
                f"{label:<20} peak RSS at {sizes[-1]:,} articles / at {sizes[0]:,}: "
                f"{peaks[-1] / peaks[0]:.2f}x (archive {sizes[-1] / sizes[0]:.0f}x)"
            )


if __name__ == "__main__":
    main()
