"""The package's import graph: no cycle, deferred imports (inside functions) included; the
command line on top (nothing imports it), the archive below any screen (no rich, no click);
no top-level ``pipelines`` and no test scaffolding imported.

The graph is read from the source with :mod:`ast` rather than with grimp (the usual tool):
grimp finds modules by walking the package's folder, and so misses ``cfbu_crawler.pipelines``,
which is installed from the repository's top-level ``pipelines/`` folder (setup.py).
Imports under ``if TYPE_CHECKING:`` are left out: they never run.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Iterator
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "cfbu_crawler"
# Subpackages installed from a folder outside the package's own (see setup.py).
MAPPED = ("cfbu_crawler.pipelines",)
# Top-level names that only exist in the source tree or in tests/: the package importing
# one works from a checkout and breaks once installed.
NOT_INSTALLED = ("pipelines", "tests", "support", "helpers", "blindsite", "changes_archive")


def _files(name: str, folder: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(folder.iterdir()):
        if path.name == "__init__.py":
            yield name, path
        elif path.suffix == ".py":
            yield f"{name}.{path.stem}", path
        elif (path / "__init__.py").is_file():
            yield from _files(f"{name}.{path.name}", path)


@cache
def modules() -> dict[str, Path]:
    """Every module of the installed package (name → source file)."""
    found: dict[str, Path] = {}
    for name in (PACKAGE, *MAPPED):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.submodule_search_locations, name
        found.update(_files(name, Path(next(iter(spec.submodule_search_locations)))))
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(path: Path, module: str) -> Iterator[tuple[str, int]]:
    """``(dotted name, line)`` of everything ``module`` imports, anywhere in the file;
    ``from a import b`` gives ``a.b`` (a submodule, or a name in ``a``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno


def _in_graph(name: str) -> str | None:
    """The module of the graph that importing ``name`` loads (its longest known prefix)."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in modules():
            return candidate
    return None


@cache
def graph() -> dict[str, set[str]]:
    """module → the modules it imports. Importing ``p.q.m`` from outside ``p.q`` also runs
    ``p.q``'s ``__init__``, so that is an edge too."""
    edges: dict[str, set[str]] = {name: set() for name in modules()}
    for module, path in modules().items():
        for name, _ in imported_names(path, module):
            target = _in_graph(name)
            if target is None or target == module:
                continue
            edges[module].add(target)
            parent = target.rpartition(".")[0]
            while parent and not module.startswith(parent + "."):
                edges[module].add(parent)
                parent = parent.rpartition(".")[0]
    return edges


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(frozenset(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_graph_covers_the_whole_package() -> None:
    names = set(modules())
    assert {"cfbu_crawler.cli.app", "cfbu_crawler.demo.runner", "cfbu_crawler.archive.db"} <= names
    assert "cfbu_crawler.pipelines.store" in names  # installed from pipelines/
    assert "cfbu_crawler.archive.db" in graph()["cfbu_crawler.cli.app"]  # a deferred import


def test_cycle_finder_finds_a_cycle_through_a_package_init() -> None:
    edges = {"a.x": {"b.y"}, "b": {"b.z"}, "b.y": set(), "b.z": {"a.x"}}
    assert cycles(edges) == []
    edges["a.x"].add("b")  # what importing b.y from a.x also runs
    assert cycles(edges) == [frozenset({"a.x", "b", "b.z"})]


def test_the_package_import_graph_has_no_cycle() -> None:
    found = cycles(graph())
    assert found == [], [sorted(c) for c in found]


def test_nothing_below_the_command_line_imports_it() -> None:
    # cfbu_crawler.__main__ (`python -m cfbu_crawler`) is the command line's entry point.
    below = {
        m: t
        for m, t in graph().items()
        if not m.startswith(("cfbu_crawler.cli", "cfbu_crawler.__main__"))
    }
    offenders = sorted(
        module
        for module, targets in below.items()
        if any(t == "cfbu_crawler.cli" or t.startswith("cfbu_crawler.cli.") for t in targets)
    )
    assert offenders == []


def test_no_top_level_pipelines_or_test_scaffolding_is_imported() -> None:
    sources = {**modules()}
    for path in sorted((ROOT / "tests").rglob("*.py")):
        sources[f"tests/{path.relative_to(ROOT / 'tests')}"] = path
    offenders = []
    for module, path in sources.items():
        for name, line in imported_names(path, module if "/" not in module else "tests"):
            top = name.split(".")[0]
            if top == "pipelines" or (module in modules() and top in NOT_INSTALLED):
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert offenders == []


def test_the_archive_knows_no_screen() -> None:
    # archive/ returns data (diff segments, not markup); the command line renders it.
    offenders = [
        f"{module}:{line} imports {name}"
        for module, path in modules().items()
        if module.startswith("cfbu_crawler.archive")
        for name, line in imported_names(path, module)
        if name.split(".")[0] in ("rich", "click")
    ]
    assert offenders == []
