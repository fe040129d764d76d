"""The pieces of issue 10 that need no crawl: exit statuses and their order, what --quiet
keeps quiet, -s checking, errors in words, and the small wording fixes."""

from __future__ import annotations

import errno
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from changes_archive import build
from click.testing import CliRunner

from cfbu_crawler.archive.models import Run
from cfbu_crawler.cli import main
from cfbu_crawler.cli.errors import describe_error
from cfbu_crawler.cli.render import plural, run_headline
from cfbu_crawler.crawl import (
    EXIT_LOCK_HELD,
    CrawlError,
    CrawlResult,
    exit_code_for,
)
from cfbu_crawler.demo.runner import next_steps
from cfbu_crawler.overrides import SettingError, check_overrides, parse_overrides

NOW = datetime(2026, 12, 1, 3, 17)


def run_with(status: str = "complete", errors: int = 0, warnings: list[str] | None = None) -> Run:
    return Run(
        id=7,
        status=status,
        errors=errors,
        warnings=warnings or [],
        started_at=NOW,
        finished_at=NOW + timedelta(seconds=54),
        finish_reason="finished",
    )


DROP = "extraction coverage of published dropped from 100% to 0% - has the site's markup changed?"


@pytest.mark.parametrize(
    ("run", "on", "code"),
    [
        (run_with(), True, 0),
        (run_with(errors=2), True, 4),
        (run_with(warnings=[DROP]), True, 5),
        (run_with(errors=1, warnings=[DROP]), True, 5),  # 5 wins over 4
        (run_with(errors=1, warnings=[DROP]), False, 4),  # --no-fail-on-coverage-drop
        (run_with("failed", warnings=[DROP]), True, 1),
        (run_with("interrupted", errors=3), True, 6),
    ],
)
def test_exit_status_order(run: Run, on: bool, code: int) -> None:
    assert exit_code_for(run, on) == code


def test_the_coverage_check_is_on_by_default() -> None:
    assert exit_code_for(run_with(errors=1, warnings=[DROP])) == 5
    help_text = CliRunner().invoke(main, ["crawl", "--help"]).stdout
    assert "[default: fail-on-coverage-drop]" in help_text and "--quiet" in help_text


def test_the_one_line_for_5_names_the_field_and_mentions_the_failed_pages() -> None:
    line = CrawlResult(run_with(errors=1, warnings=[DROP]), 5, None).failure()
    assert "published" in line and "1 page still failed" in line and "\n" not in line
    assert "2 pages" in CrawlResult(run_with(errors=2), 4, None).failure()


def test_quiet_keeps_an_overlapping_night_quiet_unless_the_other_crawl_outlived_a_night() -> None:
    young = CrawlError("held", EXIT_LOCK_HELD, held_since=NOW - timedelta(hours=2))
    old = CrawlError("held", EXIT_LOCK_HELD, held_since=NOW - timedelta(hours=26))
    assert not young.worth_a_word(NOW)
    assert old.worth_a_word(NOW)
    assert CrawlError("archive unusable").worth_a_word(NOW)


@pytest.mark.parametrize(
    ("setting", "needle"),
    [
        ("DOWNLOAD_DELAY=abc", "a number is expected, not 'abc'"),
        ("DOWNLOAD_DELAY=-1", "at least 0"),
        ("CONCURRENT_REQUESTS_PER_DOMAIN=1.5", "a whole number"),
        ("ROBOTSTXT_OBEY=perhaps", "true or false"),
        ("ITEM_PIPELINES=[1]", "a JSON object"),
        ("LOG_LEVEL=LOUD", "a log level"),
        ("DOWNLOAD_DELAI=2", "did you mean DOWNLOAD_DELAY?"),
        ("TWISTED_REACTOR=no.such.Reactor", "cannot import"),
        ("download_delay=1", "not a setting name"),
    ],
)
def test_bad_settings_are_refused_in_one_line(setting: str, needle: str) -> None:
    with pytest.raises(SettingError, match="^" + setting.split("=")[0]) as info:
        check_overrides(parse_overrides([setting]))
    assert needle in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(
    "setting",
    ["DOWNLOAD_DELAY=0.5", "RETRY_TIMES=0", "ROBOTSTXT_OBEY=False", "CFBU_FULL=1",
     "DOWNLOAD_TIMEOUT=2.5", "MY_OWN_COMPONENT_SETTING=x", "LOG_LEVEL=debug"],
)  # fmt: skip
def test_good_settings_pass(setting: str) -> None:
    check_overrides(parse_overrides([setting]))


def test_errors_in_words() -> None:
    missing = FileNotFoundError(errno.ENOENT, "No such file or directory", "out/x.jsonl")
    assert describe_error(missing) == (
        "cannot use out/x.jsonl: no such file or folder (check the path: folders are not "
        "created for you)"
    )
    denied = PermissionError(errno.EACCES, "Permission denied", "/x")
    assert "permission denied" in describe_error(denied)
    assert "ValueError" not in describe_error(ValueError("odd"))
    assert "--verbose" in describe_error(ValueError("odd"))


def test_counts_are_singular_and_plural() -> None:
    assert (plural(1, "error"), plural(2, "error"), plural(0, "version")) == (
        "1 error",
        "2 errors",
        "0 versions",
    )
    assert plural(1, "fetch", "fetches") == "1 fetch" and plural(1234, "byte") == "1,234 bytes"


def test_a_complete_run_says_complete_and_others_say_why() -> None:
    assert run_headline(run_with(), "a.sqlite3") == "Run 7 complete in 54s → a.sqlite3"
    stopped = run_with("interrupted")
    stopped.finish_reason = "shutdown"
    assert run_headline(stopped, "a.sqlite3") == "Run 7 interrupted (shutdown) in 54s → a.sqlite3"


def test_show_and_history_take_a_slug_with_slashes_and_suggest_close_ones(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    build(db).dispose()
    runner = CliRunner()
    for ref in ("a-body/", "/a-body/", "a-body"):
        result = runner.invoke(main, ["show", ref, "--db", str(db)])
        assert result.exit_code == 0, result.output
    typo = runner.invoke(main, ["show", "a-bdy", "--db", str(db)])
    assert typo.exit_code == 1
    assert "no article with slug 'a-bdy' in this archive (did you mean: a-body?)" in typo.stderr
    history = runner.invoke(main, ["history", "h-new", "--db", str(db)]).stdout
    assert "; 1 version, 1 fetch" in history


def test_the_demo_offers_json_only_where_the_commands_have_it() -> None:
    text = next_steps(Path("data/demo.sqlite3"))
    claimed = text.splitlines()[0]
    runner = CliRunner()
    for command in ("runs", "history", "show", "export"):
        has_json = "--json" in runner.invoke(main, [command, "--help"]).stdout
        offered = command in claimed.split("(")[1]
        assert not offered or has_json, (command, claimed)
