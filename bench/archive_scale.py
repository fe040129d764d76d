"""The commands on an archive far larger than the site: 100,000 articles × 3 versions.

The archive comes from bench/build_scale_archive.py (built on first use and kept). Each
figure is the median of ``--repeat`` fresh processes (`cfbu ...` from the shell, output
thrown away), except where said:

- `cfbu diff` of the last two complete crawls (an unchanged crawl, then one after 1 %
  of the articles were edited): target under 2 s;
- `cfbu show` and `cfbu history` of articles picked across the archive: under 0.3 s;
- `cfbu runs`: under 0.3 s;
- `cfbu export --format jsonl` to /dev/null: its wall time and peak resident set, which
  must stay under 300 MB (streamed, not built in memory);
- `cfbu search` (when the command exists): p50 and p95 of queries in process (the
  library function, warm) — under 20 and 100 ms — and the wall time from the shell —
  under 0.5 s;
- the database's size per article-version, and what the unchanged re-crawl added (rows
  per table, bytes): observations only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_scale_archive import ensure  # noqa: E402
from proctree import watch  # noqa: E402

CFBU = [sys.executable, "-m", "cfbu_crawler"]
# Words of the generated articles' texts, for search queries (common and rare ones).
QUERIES = ("boligsocial", "helhedsplan", "fritidsjob", "beboerne", "evaluering", "Gellerup")


def median_wall(commands: list[list[str]]) -> float:
    return statistics.median(watch(command).wall for command in commands)


def slugs(db: Path, count: int) -> list[str]:
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        step = max(1, total // count)
        return [
            row[0]
            for row in con.execute(
                f"SELECT slug FROM articles WHERE id % {step} = 0 LIMIT {count}"  # noqa: S608
            )
        ]
    finally:
        con.close()


def search_figures(db: Path, repeat: int) -> dict[str, float] | None:
    """Search latency in process and from the shell, if this cfbu has `cfbu search`."""
    if importlib.util.find_spec("cfbu_crawler.archive.search") is None:
        return None
    from cfbu_crawler.archive import search
    from cfbu_crawler.archive.db import close_engine, open_engine

    def run_search(engine: Any, query: str) -> Any:
        # As `cfbu search` runs it: the best 20 hits.
        return search.search(engine, search.SearchRequest(query=query, limit=20))

    engine = open_engine(str(db), create=False)
    times = []
    try:
        run_search(engine, QUERIES[0])  # warm
        for _ in range(repeat):
            for query in QUERIES:
                started = time.perf_counter()
                run_search(engine, query)
                times.append(time.perf_counter() - started)
    finally:
        close_engine(engine)
    quantiles = statistics.quantiles(times, n=20)
    shell = median_wall([[*CFBU, "search", q, "--db", str(db)] for q in QUERIES[:repeat]])
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p95_ms": quantiles[18] * 1000,
        "shell_s": shell,
    }


def export_figures(db: Path) -> tuple[float, float]:
    watched = watch(
        [*CFBU, "export", "--format", "jsonl", "--output", "/dev/null", "--db", str(db)]
    )
    return watched.wall, max(kb for kb in watched.peak_kb.values()) / 1024


def growth(info: dict[str, Any]) -> tuple[dict[str, int], int]:
    before, after = info["before_unchanged"], info["after_unchanged"]
    rows = {t: after["rows"][t] - before["rows"][t] for t in before["rows"]}
    return {t: n for t, n in rows.items() if n}, after["bytes"] - before["bytes"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    db, info = ensure(args.articles)
    rows = info["rows"]
    db_arg = ["--db", str(db)]
    picked = slugs(db, args.repeat)
    print(f"archive: {db}")
    print(
        f"  {rows['articles']:,} articles, {rows['versions']:,} versions, "
        f"{rows['observations']:,} observations, {rows['raw_pages']:,} stored pages; "
        f"{info['bytes'] / 1e6:,.0f} MB, {info['bytes'] / rows['versions'] / 1024:.1f} KiB "
        "per article-version (raw pages, versions, observations and indexes included)"
    )
    added, grew = growth(info)
    print(f"  the unchanged re-crawl added {added} and {grew / 1e6:.1f} MB")
    results = {
        "cfbu diff": median_wall([[*CFBU, "diff", *db_arg]] * args.repeat),
        "cfbu diff --json": median_wall([[*CFBU, "diff", "--json", *db_arg]] * args.repeat),
        "cfbu show SLUG": median_wall([[*CFBU, "show", s, *db_arg] for s in picked]),
        "cfbu history SLUG": median_wall([[*CFBU, "history", s, *db_arg] for s in picked]),
        "cfbu runs": median_wall([[*CFBU, "runs", *db_arg]] * args.repeat),
    }
    for label, seconds in results.items():
        print(f"  {label:22} {seconds:6.3f} s (median of {args.repeat})")
    wall, peak = export_figures(db)
    print(f"  {'cfbu export (jsonl)':22} {wall:6.1f} s, peak RSS {peak:.0f} MB")
    found = search_figures(db, args.repeat)
    if found is None:
        print("  cfbu search: not in this cfbu")
    else:
        print(
            f"  cfbu search: in process p50 {found['p50_ms']:.1f} ms, p95 {found['p95_ms']:.1f} ms;"
            f" from the shell {found['shell_s']:.3f} s (median)"
        )
    print(json.dumps({"commands": results, "export": [wall, peak], "search": found}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
