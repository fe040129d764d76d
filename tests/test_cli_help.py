"""Help for newcomers: every command says what it does with an example, ``--version``
works, and shell completion scripts are generated (docs/completion.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cfbu_crawler import __version__
from cfbu_crawler.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cfbu, version {__version__}"


@pytest.mark.parametrize("name", [None, *sorted(main.commands)])
def test_every_help_says_what_it_does_with_an_example(name: str | None) -> None:
    args = ["--help"] if name is None else [name, "--help"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Example" in text, f"cfbu {name or ''} --help has no Example block"
    # the \b block keeps the example lines as written (not re-wrapped into a paragraph)
    example = text.split("Example", 1)[1].splitlines()[1]
    assert example.strip().startswith("cfbu"), text
    command = main if name is None else main.commands[name]
    assert command.get_short_help_str(limit=200).strip(), name


def test_every_command_is_listed_in_the_main_help() -> None:
    text = CliRunner().invoke(main, ["--help"]).stdout
    for name, command in main.commands.items():
        if not command.hidden:
            assert f"  {name} " in text, name


def test_bash_completion_script_from_the_installed_command() -> None:
    script = Path(sys.executable).with_name("cfbu")
    if not script.exists():
        pytest.skip("no installed cfbu script beside this Python")
    env = {**os.environ, "_CFBU_COMPLETE": "bash_source"}
    proc = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "_cfbu_completion()" in proc.stdout
    assert "complete -o nosort -F _cfbu_completion cfbu" in proc.stdout


def test_completion_offers_commands_and_choices() -> None:
    def complete(words: str) -> list[str]:
        env = {"_CFBU_COMPLETE": "bash_complete", "COMP_WORDS": words}
        env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
        result = CliRunner().invoke(main, [], env=env, prog_name="cfbu")
        return [line.split(",", 1)[1] for line in result.stdout.splitlines()]

    assert complete("cfbu hi") == ["history"]
    assert complete("cfbu export --format ") == ["jsonl", "json", "csv"]


def test_completion_is_documented() -> None:
    text = (ROOT / "docs" / "completion.md").read_text(encoding="utf-8")
    assert "_CFBU_COMPLETE=bash_source cfbu" in text


def test_help_option_names() -> None:
    assert CliRunner().invoke(main, ["runs", "-h"]).exit_code == 0
    assert isinstance(main, click.Group)
