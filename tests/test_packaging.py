"""What ``pip install .`` installs: the package with its pipelines inside its own namespace
(``cfbu_crawler.pipelines``, from the top-level ``pipelines/`` folder), its package data,
and nothing that only the tests use.

The files are those setuptools' ``build_py`` lays out for the wheel, from a copy of the
project (no build isolation and no network needed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT_FILES = ("cfbu_crawler", "pipelines", "pyproject.toml", "setup.py", "README.md")
# Names that belong to the tests (tests/support), never to the installed package.
TEST_ONLY = ("FaultInjector", "RequestStats", "def expected_records", "def expected_diff")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files a wheel of the project would hold (``build_py``'s output)."""
    work = tmp_path_factory.mktemp("packaging")
    project = work / "project"
    project.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=ignore)
        else:
            shutil.copy2(source, project / name)
    out = work / "lib"
    proc = subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_only_the_cfbu_crawler_package_is_installed(installed: Path) -> None:
    assert sorted(p.name for p in installed.iterdir()) == ["cfbu_crawler"]


def test_the_pipelines_are_installed_inside_the_package(installed: Path) -> None:
    modules = sorted(p.name for p in (ROOT / "pipelines").glob("*.py"))
    assert "store.py" in modules
    assert sorted(p.name for p in (installed / "cfbu_crawler" / "pipelines").glob("*.py")) == (
        modules
    )


def test_package_data_is_installed(installed: Path) -> None:
    package = installed / "cfbu_crawler"
    assert (package / "py.typed").is_file()
    assert (package / "archive" / "migrations" / "script.py.mako").is_file()
    assert list((package / "archive" / "migrations" / "versions").glob("*.py"))
    snapshot = list((package / "demo" / "snapshot").glob("*.json"))
    assert len(snapshot) >= 35


def test_no_test_scaffolding_is_installed(installed: Path) -> None:
    found = [
        f"{path.relative_to(installed)}: {name}"
        for path in installed.rglob("*.py")
        for name in TEST_ONLY
        if name in path.read_text(encoding="utf-8")
    ]
    assert found == []
    assert not list(installed.rglob("conftest.py"))
