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

With ``--postgres`` the same measurements run on PostgreSQL: a throwaway server in a
temporary directory (bench/pgserver.py, stock settings) gets the scale archive by
``cfbu copy-archive`` from the SQLite file (timed: a figure too), then ``VACUUM ANALYZE``
(timed; what autovacuum would do within a minute of the load) and every command runs with
``--db postgresql+psycopg://…``; the database size is ``pg_database_size``. ``--db URL``
does the same on a server of one's own: an empty database gets the copy, one that holds
this scale archive already (same row counts) is measured as it is. What the unchanged
re-crawl added is read from the SQLite build (same rows; its bytes are SQLite's).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pgserver  # noqa: E402
from build_scale_archive import TABLES, ensure  # noqa: E402
from proctree import watch  # noqa: E402

CFBU = [sys.executable, "-m", "cfbu_crawler"]
# Words of the generated articles' texts, for search queries (common and rare ones).
QUERIES = ("boligsocial", "helhedsplan", "fritidsjob", "beboerne", "evaluering", "Gellerup")
SEARCH_LIMIT = 20  # hits, as `cfbu search` shows by default


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


def search_figures(db: str, repeat: int) -> dict[str, Any]:
    """Search latency in process (the library, warm: each word searched once before the
    rounds are timed) and from the shell; with each word's median and its number of
    matching articles, on which the time depends (bench/README.md, "Search")."""
    from cfbu_crawler.archive.db import close_engine, open_engine
    from cfbu_crawler.archive.search import SearchRequest, search

    engine = open_engine(db, create=False)
    times: dict[str, list[float]] = {query: [] for query in QUERIES}
    matches: dict[str, int] = {}
    try:
        for query in QUERIES:  # warm
            matches[query] = search(engine, SearchRequest(query, limit=SEARCH_LIMIT)).total
        for _ in range(repeat):
            for query in QUERIES:
                started = time.perf_counter()
                search(engine, SearchRequest(query, limit=SEARCH_LIMIT))
                times[query].append(time.perf_counter() - started)
    finally:
        close_engine(engine)
    every = [t for per_word in times.values() for t in per_word]
    quantiles = statistics.quantiles(every, n=20)
    shell = median_wall([[*CFBU, "search", q, "--db", db] for q in QUERIES[:repeat]])
    return {
        "p50_ms": statistics.median(every) * 1000,
        "p95_ms": quantiles[18] * 1000,
        "shell_s": shell,
        "words": {
            query: {"matches": matches[query], "p50_ms": statistics.median(t) * 1000}
            for query, t in times.items()
        },
    }


def export_figures(db: str) -> tuple[float, float]:
    watched = watch([*CFBU, "export", "--format", "jsonl", "--output", "/dev/null", "--db", db])
    return watched.wall, max(kb for kb in watched.peak_kb.values()) / 1024


def growth(info: dict[str, Any]) -> tuple[dict[str, int], int]:
    before, after = info["before_unchanged"], info["after_unchanged"]
    rows = {t: after["rows"][t] - before["rows"][t] for t in before["rows"]}
    return {t: n for t, n in rows.items() if n}, after["bytes"] - before["bytes"]


# -- PostgreSQL ---------------------------------------------------------------------------


def pg_counts(url: str) -> dict[str, int] | None:
    """Rows per table of the archive in a PostgreSQL database (None: it holds none)."""
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("runs"):
                return None
            return {
                t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one())  # noqa: S608
                for t in TABLES
            }
    finally:
        engine.dispose()


def pg_sizes(url: str) -> tuple[int, dict[str, int], str]:
    """The database's size, each archive table's (indexes and TOAST included), and the
    server's version."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            total = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            tables = {
                t: int(conn.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar_one())
                for t in TABLES
            }
            version = conn.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    return int(total), tables, str(version)


def vacuum_analyze(url: str) -> float:
    """``VACUUM ANALYZE`` the database (planner statistics, visibility map); its seconds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    started = time.perf_counter()
    try:
        with engine.connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def copy_in(source: Path, url: str, rows: dict[str, int]) -> dict[str, Any] | None:
    """Copy the SQLite scale archive into ``url`` with `cfbu copy-archive`, timed, and
    VACUUM ANALYZE it; None when ``url`` holds this archive already."""
    held = pg_counts(url)
    if held is not None:
        if any(held[t] != rows[t] for t in TABLES):
            raise SystemExit(f"{url} holds another archive: {held}")
        return None
    watched = watch([*CFBU, "copy-archive", "--from", str(source), "--to", url, "--json"])
    report = json.loads(watched.out)
    copied = sum(t["rows"] for t in report["tables"].values())
    return {
        "wall_s": watched.wall,
        "cpu_s": watched.cpu_total,
        "peak_mb": max(watched.peak_kb.values()) / 1024,
        "rows": copied,
        "rows_per_s": copied / watched.wall,
        "source_mb_per_s": source.stat().st_size / 1e6 / watched.wall,
        "vacuum_analyze_s": vacuum_analyze(url),
    }


def report_postgres(url: str, source: Path, copied: dict[str, Any] | None, versions: int) -> Any:
    total, tables, version = pg_sizes(url)
    print(f"PostgreSQL {version}: {url}")
    if copied is None:
        print("  (it held this scale archive already: not copied)")
    else:
        print(
            f"  cfbu copy-archive from SQLite: {copied['wall_s']:.1f} s wall, "
            f"{copied['cpu_s']:.1f} s CPU (cfbu's processes), peak RSS "
            f"{copied['peak_mb']:.0f} MB; {copied['rows']:,} rows, "
            f"{copied['rows_per_s']:,.0f} rows/s, {copied['source_mb_per_s']:.1f} MB/s of "
            f"the {source.stat().st_size / 1e6:,.0f} MB SQLite file (copy, verification and "
            f"search index); then VACUUM ANALYZE {copied['vacuum_analyze_s']:.1f} s"
        )
    biggest = sorted(tables.items(), key=lambda item: -item[1])[:4]
    print(
        f"  pg_database_size {total / 1e6:,.0f} MB, {total / versions / 1024:.1f} KiB per "
        "article-version; largest tables (indexes included): "
        + ", ".join(f"{t} {n / 1e6:,.0f} MB" for t, n in biggest)
    )
    return {"url": url, "server_version": version, "copy": copied, "bytes": total}


# -- the measurements ----------------------------------------------------------------------


def measure(db: str, picked: list[str], repeat: int) -> dict[str, Any]:
    """Every command's figures on the archive ``db`` (a path or an SQLAlchemy URL)."""
    db_arg = ["--db", db]
    results = {
        "cfbu diff": median_wall([[*CFBU, "diff", *db_arg]] * repeat),
        "cfbu diff --json": median_wall([[*CFBU, "diff", "--json", *db_arg]] * repeat),
        "cfbu show SLUG": median_wall([[*CFBU, "show", s, *db_arg] for s in picked]),
        "cfbu history SLUG": median_wall([[*CFBU, "history", s, *db_arg] for s in picked]),
        "cfbu runs": median_wall([[*CFBU, "runs", *db_arg]] * repeat),
    }
    for label, seconds in results.items():
        print(f"  {label:22} {seconds:6.3f} s (median of {repeat})")
    wall, peak = export_figures(db)
    print(f"  {'cfbu export (jsonl)':22} {wall:6.1f} s, peak RSS {peak:.0f} MB")
    found = search_figures(db, repeat)
    print(
        f"  cfbu search: in process p50 {found['p50_ms']:.1f} ms, p95 {found['p95_ms']:.1f} ms;"
        f" from the shell {found['shell_s']:.3f} s (median)"
    )
    print(
        "    by word (matching articles: median): "
        + ", ".join(
            f"{word} ({w['matches']:,}: {w['p50_ms']:.1f} ms)" for word, w in found["words"].items()
        )
    )
    return {"commands": results, "export": [wall, peak], "search": found}


def postgres_url(args: argparse.Namespace, stack: contextlib.ExitStack) -> str | None:
    """The PostgreSQL database to measure: ``--db``, or one of a throwaway server."""
    if args.db:
        return str(args.db)
    if not args.postgres:
        return None
    reason = pgserver.unavailable()
    if reason:
        raise SystemExit(f"--postgres: {reason}")
    server = stack.enter_context(pgserver.Server())
    return server.create_database("cfbu_scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--postgres", action="store_true", help="measure on a throwaway PostgreSQL server"
    )
    parser.add_argument("--db", metavar="URL", help="measure on this PostgreSQL database")
    args = parser.parse_args(argv)
    db, info = ensure(args.articles)
    rows = info["rows"]
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
    with contextlib.ExitStack() as stack:
        url = postgres_url(args, stack)
        postgres = None
        if url is not None:
            copied = copy_in(db, url, rows)
            postgres = report_postgres(url, db, copied, rows["versions"])
        figures = measure(url or str(db), picked, args.repeat)
    print(json.dumps({**figures, "postgres": postgres}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
