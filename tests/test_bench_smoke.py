"""The benchmarks under bench/ still run: each at a tiny size (skipped without its data)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_open_web_metric_is_the_benchmarks() -> None:
    open_web = _load("open_web")
    truth = "one two three four five six"
    assert open_web.page_scores(truth, truth) == (1.0, 1.0, 1.0)
    precision, recall, _ = open_web.page_scores("one two three four five", truth)
    assert (precision, recall) == (1.0, 2 / 3)
    assert open_web.page_scores("", truth)[0] is None  # left out of the precision mean
    # shingles count with multiplicity: a repeated passage is extra output
    precision, _, _ = open_web.page_scores(truth + " " + truth, truth)
    assert precision < 0.5


def test_open_web_runs_on_two_pages(capsys: pytest.CaptureFixture[str]) -> None:
    open_web = _load("open_web")
    if not (open_web.DEFAULT_DATA / "ground-truth.json").is_file():
        pytest.skip("no ../shared/open-web beside the repository")
    assert open_web.main(["--limit", "2", "--repeat", "1", "--only", "cfbu", "--worst", "1"]) == 0
    out = capsys.readouterr().out
    assert "2 pages" in out and "cfbu" in out and "pages/s" in out


def test_open_web_skips_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_web = _load("open_web")
    assert open_web.main(["--data", str(tmp_path)]) == 0
    assert "skipped" in capsys.readouterr().out


def test_dates_bench_reads_the_day_in_a_url_and_strips_structured_dates() -> None:
    dates = _load("dates")
    assert dates.url_day("https://x.example/2019/11/8/slug/") == "2019-11-08"
    assert dates.url_day("https://x.example/news/slug") is None
    stripped = dates.text_only(
        '<script type="application/ld+json">{"datePublished":"2019"}</script>'
        '<meta property="article:published_time" content="2019-01-01">'
        '<time datetime="2019-01-01">1 Jan</time>'
    )
    assert "2019" not in stripped and "1 Jan" in stripped


def test_dates_bench_runs_on_two_pages(capsys: pytest.CaptureFixture[str]) -> None:
    dates = _load("dates")
    if not (dates.DEFAULT_DATA / "ground-truth.json").is_file():
        pytest.skip("no ../shared/open-web beside the repository")
    assert dates.main(["--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 pages" in out and "cfbu" in out and "text only" in out


# -- the speed and scale benchmarks (bench/README.md), each at a tiny size --------------


@pytest.mark.slow  # extracts every demo page ten times (some seconds)
def test_extract_speed_runs(capsys: pytest.CaptureFixture[str]) -> None:
    _load("extract_speed").main()
    assert "pages/s" in capsys.readouterr().out


@pytest.mark.slow  # crawls a loopback site, twice
def test_crawl_throughput_runs_against_a_bare_spider(capsys: pytest.CaptureFixture[str]) -> None:
    throughput = _load("crawl_throughput")
    assert (
        throughput.main(["--articles", "12", "--rounds", "1", "--concurrency", "4", "--processes"])
        == 0
    )
    out = capsys.readouterr().out
    assert "bare" in out and "cfbu: median" in out
    assert "s of CPU; its workers " in out  # cfbu's crawl process, then its workers
    # Both crawlers fetched the same number of pages.
    requests = {
        line.split()[1]: line.split()[2] for line in out.splitlines() if line.startswith("    1 ")
    }
    assert requests["bare"] == requests["cfbu"]


@pytest.mark.slow  # starts worker processes, in a subprocess (the reactor stays out of pytest)
def test_worker_calls_runs() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "worker_calls.py"), "--pages", "4", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for call, way in [("extract", "pipe"), ("extract", "pool"), ("record", "pipe")]:
        assert f"{call} over a {way}: median " in done.stdout


@pytest.mark.slow  # crawls a loopback site
def test_crawl_memory_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _load("crawl_memory").main(["--sizes", "12", "--series", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "cfbu_crawler crawl" in out and "bytes/article" in out
    assert "scheduler held at most" in out  # bench/memtrace.py ran in the crawl
    assert (tmp_path / "12" / "series.jsonl").read_text()


@pytest.mark.slow  # crawls a loopback site four times
def test_incremental_traffic_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        _load("incremental_traffic").main(["--articles", "12", "--edited", "10", "--sites", "1"])
        == 0
    )
    out = capsys.readouterr().out
    assert "unchanged re-crawl" in out and "vs full" in out


@pytest.fixture(scope="module")
def tiny_scale_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """bench/build_scale_archive.py's archive at 30 articles (10 % edited in run 5)."""
    build = _load("build_scale_archive")
    folder = tmp_path_factory.mktemp("scale")
    return build.ensure(30, path=folder / "scale-30.sqlite3", edited=10.0, workers=1)


@pytest.mark.slow  # starts extraction workers and runs the commands in processes
def test_scale_archive_build_reparse_and_commands_run(
    tiny_scale_archive: tuple[Path, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build = _load("build_scale_archive")
    path, info = tiny_scale_archive
    assert info["rows"]["articles"] == 30 and info["rows"]["versions"] == 30 * 3 + 3
    grew = {
        t: info["after_unchanged"]["rows"][t] - info["before_unchanged"]["rows"][t]
        for t in build.TABLES
    }
    assert {t: n for t, n in grew.items() if n} == {"runs": 1, "observations": 30}
    scale = _load("archive_scale")
    monkeypatch.setattr(scale, "ensure", lambda articles: tiny_scale_archive)
    assert scale.main(["--articles", "30", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "cfbu diff" in out and "peak RSS" in out and "per article-version" in out
    assert "cfbu search: in process p50" in out and "by word (matching articles" in out
    assert _load("reparse_speed").main(["--archive", str(path)]) == 0
    assert "pages/s" in capsys.readouterr().out


@pytest.mark.slow  # starts a PostgreSQL server, copies the archive into it, runs the commands
def test_archive_scale_runs_on_a_throwaway_postgres_server(
    tiny_scale_archive: tuple[Path, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import psycopg

    reason = _load("pgserver").unavailable()
    if reason is not None:
        pytest.skip(reason)
    scale = _load("archive_scale")
    monkeypatch.setattr(scale, "ensure", lambda articles: tiny_scale_archive)
    assert scale.main(["--articles", "30", "--repeat", "1", "--postgres"]) == 0
    out = capsys.readouterr().out
    assert "cfbu copy-archive from SQLite" in out and "VACUUM ANALYZE" in out
    assert "pg_database_size" in out and "cfbu diff --json" in out and "peak RSS" in out
    figures = json.loads(out.splitlines()[-1])
    postgres = figures["postgres"]
    assert postgres["url"].startswith("postgresql+psycopg://")
    assert postgres["copy"]["rows"] >= sum(tiny_scale_archive[1]["rows"].values())
    assert postgres["bytes"] > 0 and figures["search"]["p95_ms"] > 0
    with pytest.raises(psycopg.OperationalError):  # the server is gone with the run
        psycopg.connect(postgres["url"].replace("+psycopg", ""), connect_timeout=5)


@pytest.mark.slow  # starts a PostgreSQL server
def test_archive_scale_copies_into_an_empty_database_only(
    tiny_scale_archive: tuple[Path, dict[str, Any]],
) -> None:
    pgserver = _load("pgserver")
    reason = pgserver.unavailable()
    if reason is not None:
        pytest.skip(reason)
    scale = _load("archive_scale")
    path, info = tiny_scale_archive
    with pgserver.Server() as server:
        url = server.create_database("scale")
        copied = scale.copy_in(path, url, info["rows"])
        assert copied is not None and copied["rows_per_s"] > 0
        assert scale.copy_in(path, url, info["rows"]) is None  # holds it already: measured
        with pytest.raises(SystemExit, match="holds another archive"):
            scale.copy_in(path, url, {**info["rows"], "articles": 31})


@pytest.mark.slow  # starts cfbu in processes
def test_cli_startup_runs(capsys: pytest.CaptureFixture[str]) -> None:
    assert _load("cli_startup").main(["--runs", "1"]) == 0
    out = capsys.readouterr().out
    assert "cfbu runs" in out and "cfbu --help" in out


@pytest.mark.slow  # measures in fresh processes
def test_write_cpu_runs_against_a_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    write_cpu = _load("write_cpu")
    assert (
        write_cpu.main(["--articles", "6", "--passes", "1", "--baseline", str(BENCH.parent)]) == 0
    )
    out = capsys.readouterr().out
    medians = json.loads(out.splitlines()[-1])
    assert set(medians) == {"this", "baseline"}
    for figures in medians.values():
        assert set(figures) == {"new", "unchanged", "changed", "not_modified"}
        assert all(ms > 0 for ms in figures.values())
    assert "this/baseline new:" in out
