"""The benchmarks under bench/ still run: each at a tiny size (skipped without its data)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

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
