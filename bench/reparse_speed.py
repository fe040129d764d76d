"""`cfbu reparse` over a large archive: pages per second and the cores it keeps busy.

Runs `cfbu reparse --json` in a subprocess on a copy of the archive from
bench/build_scale_archive.py (100,000 articles by default; built on first use, which
takes a while), and reports articles re-extracted per second of wall time and the CPU
time of the whole process tree over the wall time (about 2 on a 2-core machine when both
cores work). The target is at least 150 pages/s on 100,000 stored pages. ``--baseline
PATH`` also times the cfbu of another checkout on another copy, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_scale_archive import ensure  # noqa: E402
from proctree import watch  # noqa: E402


def reparse(db: Path, source: Path | None = None) -> tuple[float, float, dict[str, object]]:
    command = [sys.executable, "-m", "cfbu_crawler", "reparse", "--json", "--db", str(db)]
    env = dict(os.environ, PYTHONPATH=str(source)) if source is not None else None
    watched = watch(command, env)
    return watched.wall, watched.cpu_total, json.loads(watched.out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--archive", type=Path, help="an archive to copy instead")
    parser.add_argument("--baseline", type=Path, help="also time the cfbu of this checkout")
    args = parser.parse_args(argv)
    archive = args.archive or ensure(args.articles)[0]
    who = [("cfbu", None)] + ([("base", args.baseline)] if args.baseline else [])
    print(f"archive: {archive} ({archive.stat().st_size / 1e6:.0f} MB)")
    print(f"{'':6} {'articles':>9} {'wall s':>8} {'cpu s':>8} {'pages/s':>8} {'cores':>6}  result")
    with tempfile.TemporaryDirectory(dir=archive.parent) as tmp:
        for label, source in who:
            copy = Path(tmp) / f"{label}.sqlite3"
            shutil.copy(archive, copy)
            wall, cpu, result = reparse(copy, source)
            n = int(str(result["articles"]))
            counts = {k: result[k] for k in ("changed", "unchanged", "failed", "skipped")}
            print(
                f"{label:6} {n:9d} {wall:8.1f} {cpu:8.1f} {n / wall:8.0f} {cpu / wall:6.2f}  {counts}"
            )
            copy.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
