"""No function of the installed package is more complex than cyclomatic complexity 15,
except the extraction heuristics (cfbu_crawler/extract/), whose layered fallbacks over
many markups are branchy by nature.

Measured with radon, which counts every ``and``/``or`` and comprehension as a branch.
Ruff's C901 (configured in pyproject.toml with the same limit and exception) checks as
you type, but counts neither, so it lets through functions that radon rates up to twenty.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from radon.complexity import cc_visit
from radon.visitors import Class, Function

ROOT = Path(__file__).resolve().parents[1]
LIMIT = 15
CHECKED = ("cfbu_crawler", "pipelines")
EXEMPT = ROOT / "cfbu_crawler" / "extract"


def _functions(blocks: list[Function | Class]) -> Iterator[Function]:
    """Every function and method, closures included. radon lists each class's methods as
    blocks of their own, but neither closures nor the methods of inner classes."""
    for block in blocks:
        if isinstance(block, Function):
            yield block
            yield from _functions(list(block.closures))
        else:
            for inner in block.inner_classes:
                yield from _functions([*inner.methods, inner])


def too_complex(source: str, limit: int = LIMIT) -> list[str]:
    return [
        f"{f.lineno} {f.fullname} ({f.complexity})"
        for f in _functions(cc_visit(source))
        if f.complexity > limit
    ]


def test_the_measure_counts_boolean_operators_and_closures() -> None:
    source = (
        "def outer(a, b, c):\n"
        "    def inner():\n"
        "        return a and b and c or a\n"
        "    return inner\n"
        "class Outer:\n"
        "    def method(self, a, b):\n"
        "        return [x for x in a if x and b]\n"
        "    class Inner:\n"
        "        def method(self, a, b):\n"
        "            return a or b or a and b\n"
    )
    assert sorted(too_complex(source, limit=3)) == [
        "2 inner (4)",
        "6 Outer.method (4)",
        "9 Inner.method (4)",
    ]


def test_no_function_outside_the_extraction_heuristics_is_above_complexity_15() -> None:
    checked = [
        path
        for folder in CHECKED
        for path in sorted((ROOT / folder).rglob("*.py"))
        if EXEMPT not in path.parents
    ]
    assert len(checked) > 40
    found = [
        f"{path.relative_to(ROOT)}:{entry}"
        for path in checked
        for entry in too_complex(path.read_text(encoding="utf-8"))
    ]
    assert found == []
