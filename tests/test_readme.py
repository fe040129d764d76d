"""Docs as tests: the README tells the truth.

Every ``console`` block of README.md is a transcript: ``$ `` lines are commands, the lines
below each one its output. The test runs every command of every block, in README order,
in one scratch directory (the first is ``cfbu demo``, which makes the archive the others
read), with a shell and the project's ``cfbu`` on PATH, and compares what it printed
(stdout and stderr together) with the block — after normalising what varies from run to
run: loopback ports, dates and times, durations, byte counts, log file names, and the
spacing of aligned columns. In a block, a line ``[… anything …]`` stands for any number
of lines (an excerpt).

A block that cannot be run here (it needs the network or keeps running) is an
illustration: ``<!-- illustration -->`` on a line of its own just before the fence, and
the paragraph before it says so in words. Those are not run. Blocks added by any later
section of the README are checked the same way.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers import ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"^```console\n(.*?)^```", re.S | re.M)
ILLUSTRATION = "<!-- illustration -->"
ELISION = re.compile(r"^\[….*…\]$")

# What varies between two runs of the same command (applied to README and output alike).
NORMALISE = [
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"crawl-\d{8}T\d{6}-\d+\.log"), "crawl-TIME-PID.log"),
    (re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?Z?"), "TIME"),
    (re.compile(r"\bin \d+s\b"), "in Ns"),
    (re.compile(r"\b\d[\d,]* bytes\b"), "N bytes"),
    # WARC disk cost: its records carry the times and the port of the run
    (re.compile(r"\bwarc: \d+(\.\d+)? (B|kB|MB|GB)\b"), "warc: SIZE"),
    # the seconds column of `cfbu runs`
    (re.compile(r"\b(complete|failed|interrupted|running)( ⚠)? +\d+ "), r"\1\2 S "),
    (re.compile(r"[ \t]+"), " "),
]


@dataclass
class Command:
    line: str  # without the "$ "
    expected: list[str] = field(default_factory=list)


@dataclass
class Block:
    number: int
    illustration: bool
    commands: list[Command]


def readme_blocks(text: str | None = None) -> list[Block]:
    text = README.read_text(encoding="utf-8") if text is None else text
    blocks = []
    for number, match in enumerate(FENCE.finditer(text), 1):
        before = text[: match.start()].rstrip("\n").splitlines()
        illustration = bool(before) and before[-1].strip() == ILLUSTRATION
        commands: list[Command] = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                commands.append(Command(line[2:]))
            elif commands:
                commands[-1].expected.append(line)
        blocks.append(Block(number, illustration, commands))
    return blocks


def readme_commands() -> list[str]:
    return [c.line for b in readme_blocks() for c in b.commands]


def normalise(line: str) -> str:
    for pattern, replacement in NORMALISE:
        line = pattern.sub(replacement, line)
    return line.strip()


def matches(expected: list[str], actual: list[str]) -> bool:
    """Whether the output lines match the README's, ``[…]`` lines matching any lines."""
    want = [normalise(line) for line in expected]
    got = [normalise(line) for line in actual]
    while want and not want[-1]:
        want.pop()
    while got and not got[-1]:
        got.pop()

    def match(i: int, j: int) -> bool:
        if i == len(want):
            return j == len(got)
        if ELISION.match(want[i]):
            return any(match(i + 1, k) for k in range(j, len(got) + 1))
        return j < len(got) and want[i] == got[j] and match(i + 1, j + 1)

    return match(0, 0)


# -- the rules themselves ---------------------------------------------------------------


def test_blocks_commands_and_illustrations_are_found() -> None:
    text = (
        "Some text.\n\n```console\n$ cfbu runs\n run started\n   1 2026\n$ cfbu diff\nRun 1\n```\n\n"
        "An illustration: the real site.\n<!-- illustration -->\n```console\n$ cfbu crawl\nRun\n```\n"
    )
    first, second = readme_blocks(text)
    assert not first.illustration and second.illustration
    assert [(c.line, c.expected) for c in first.commands] == [
        ("cfbu runs", [" run started", "   1 2026"]),
        ("cfbu diff", ["Run 1"]),
    ]


def test_what_varies_is_normalised_and_nothing_else() -> None:
    readme = [
        "Run 1 complete in 2s → data/demo.sqlite3",
        "  44 requests, 272,402 bytes; 35 new",
        "   2  2026-11-25 13:57  complete      2    46",
        "  log: data/logs/crawl-20261125T135722-21259.log",
        "  + http://127.0.0.1:41659/nyheder/a/  A",
    ]
    run = [
        "Run 1 complete in 13s → data/demo.sqlite3",
        "  44 requests, 272,388 bytes; 35 new",
        "   2  2026-12-01 09:01  complete     13    46",
        "  log: data/logs/crawl-20261201T090101-4242.log",
        "  + http://127.0.0.1:5000/nyheder/a/  A",
    ]
    assert matches(readme, run)
    assert not matches(readme, [*run[:1], "  44 requests, 272,388 bytes; 34 new", *run[2:]])
    assert not matches(readme, run[:-1])  # a missing line
    assert matches(["head", "[… and so on …]"], ["head", "a", "b"])
    assert matches(["head", "[… and so on …]", "tail"], ["head", "tail"])
    assert not matches(["head", "[… and so on …]", "tail"], ["head", "a"])


def test_readme_shows_the_main_commands() -> None:
    shown = {shlex.split(c)[1] for c in readme_commands() if c.startswith("cfbu ")}
    assert {"demo", "crawl", "runs", "diff", "history", "show", "export", "reparse"} <= shown


def test_illustrations_say_so_in_words() -> None:
    text = README.read_text(encoding="utf-8")
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n")
        if before.endswith(ILLUSTRATION):
            paragraph = before[: -len(ILLUSTRATION)].rstrip().rsplit("\n\n", 1)[-1]
            assert "llustration" in paragraph, paragraph


def test_readme_names_the_install_and_test_commands_that_ci_runs() -> None:
    text = README.read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert 'pip install -e ".[test]"' in text and 'pip install -e ".[test]"' in ci
    assert "python -m pytest -q" in text and "python -m pytest -q" in ci
    assert "mypy" in text and "mypy" in ci


def test_readme_names_the_fast_lane_and_its_marker_is_registered() -> None:
    text = README.read_text(encoding="utf-8")
    assert 'python -m pytest -q -m "not slow"' in text
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"slow: ' in config and "--strict-markers" in config


# -- the transcript, run --------------------------------------------------------------------


@pytest.mark.slow
def test_every_readme_transcript_is_what_its_commands_print(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CFBU_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "80"
    env["PYTHONUNBUFFERED"] = "1"
    ran = 0
    for block in readme_blocks():
        if block.illustration:
            continue
        for command in block.commands:
            proc = subprocess.run(
                ["sh", "-c", command.line],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=180,
            )
            output = proc.stdout.splitlines()
            assert proc.returncode == 0, f"block {block.number}: $ {command.line}\n{proc.stdout}"
            assert matches(command.expected, output), (
                f"README block {block.number}: `$ {command.line}` printed\n{proc.stdout}\n"
                f"but the README shows\n" + "\n".join(command.expected)
            )
            ran += 1
    assert ran >= 7
