"""Help for newcomers: every command says what it does with an example, ``--version``
works, help is quick (it loads neither Scrapy nor the archive), and shell completion
scripts are generated (docs/completion.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from cfbu_crawler import __version__
from cfbu_crawler.cli import main
from cfbu_crawler.cli.app import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
# Every command of `cfbu`, as the group lists them (it loads them lazily).
NAMES = main.list_commands(click.Context(main))


def command(name: str) -> click.Command:
    found = main.get_command(click.Context(main), name)
    assert found is not None, name
    return found


def test_the_group_lists_every_command() -> None:
    assert main.list_commands(click.Context(main)) == sorted(COMMANDS)
    assert {"crawl", "demo", "diff", "export", "history", "reparse", "runs", "show"} <= set(NAMES)
    for name in NAMES:
        assert command(name).name == name


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cfbu, version {__version__}"


@pytest.mark.parametrize("name", [None, *NAMES])
def test_every_help_says_what_it_does_with_an_example(name: str | None) -> None:
    args = ["--help"] if name is None else [name, "--help"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Example" in text, f"cfbu {name or ''} --help has no Example block"
    # the \b block keeps the example lines as written (not re-wrapped into a paragraph)
    example = text.split("Example", 1)[1].splitlines()[1]
    assert example.strip().startswith("cfbu"), text
    shown = main if name is None else command(name)
    assert shown.get_short_help_str(limit=200).strip(), name


def test_every_command_is_listed_in_the_main_help() -> None:
    text = CliRunner().invoke(main, ["--help"]).stdout
    for name in NAMES:
        if not command(name).hidden:
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
    assert complete("cfbu export --format ") == ["jsonl", "json", "csv", "warc"]


def test_completion_is_documented() -> None:
    text = (ROOT / "docs" / "completion.md").read_text(encoding="utf-8")
    assert "_CFBU_COMPLETE=bash_source cfbu" in text


def test_help_option_names() -> None:
    for args in (["-h"], ["runs", "-h"]):
        short, long = (CliRunner().invoke(main, a) for a in (args, [*args[:-1], "--help"]))
        assert short.exit_code == 0 and short.stdout.startswith("Usage: "), short.output
        assert short.stdout == long.stdout


# What `cfbu COMMAND --help` may not load: Scrapy (and Twisted), Alembic, SQLAlchemy and
# the archive's models; `cfbu --help` not the extractor either (`crawl --help` shows the
# default start URL, which the crawler's URL rules define).
HEAVY = ("scrapy", "twisted", "alembic", "sqlalchemy", "cfbu_crawler.archive")
PROBE = """
import json, sys
from cfbu_crawler.cli import main
try:
    main(sys.argv[1:], prog_name="cfbu")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


@pytest.mark.parametrize("name", [None, *NAMES])
def test_help_loads_neither_scrapy_nor_alembic_nor_the_archive(name: str | None) -> None:
    # A fresh interpreter: this one has imported everything already.
    args = ["--help"] if name is None else [name, "--help"]
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    assert answer["code"] == 0
    heavy = HEAVY if name else (*HEAVY, "cfbu_crawler.extract")
    loaded = [m for m in answer["modules"] if m.split(".")[0] in heavy or m.startswith(heavy)]
    assert loaded == [], f"cfbu {' '.join(args)} imported {loaded[:10]}"
    assert "Usage: cfbu" in proc.stdout
