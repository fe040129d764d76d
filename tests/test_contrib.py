"""The scheduling files in contrib/ (systemd units, crontab) stay well-formed and keep
running ``cfbu crawl`` the way docs/scheduling.md describes."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRIB = ROOT / "contrib"


def read_unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # systemd keys are case-sensitive
    text = (CONTRIB / "systemd" / name).read_text(encoding="utf-8")
    parser.read_string(text, source=name)
    return parser


def runs_cfbu_crawl(command: str) -> bool:
    words = shlex.split(command)
    return any(
        Path(word).name == "cfbu" and words[i + 1 : i + 2] == ["crawl"]
        for i, word in enumerate(words)
    )


def test_service_runs_cfbu_crawl_once() -> None:
    unit = read_unit("cfbu-crawl.service")
    service = unit["Service"]
    assert service["Type"] == "oneshot"
    command = service["ExecStart"]
    assert runs_cfbu_crawl(command), command
    assert "--db" in shlex.split(command)
    assert service["Environment"].startswith("CFBU_DB=/")
    assert service["WorkingDirectory"].startswith("/")
    assert int(service["Nice"]) > 0
    # lock held (3) and page errors (4) are not failures of the unit; 1 and 5 are
    success = service["SuccessExitStatus"].split()
    assert set(success) == {"3", "4"}


def test_timer_is_nightly_and_persistent() -> None:
    unit = read_unit("cfbu-crawl.timer")
    timer = unit["Timer"]
    assert timer["OnCalendar"].strip()
    assert timer["Persistent"] == "true"
    assert timer.get("Unit", "cfbu-crawl.service") == "cfbu-crawl.service"
    assert unit["Install"]["WantedBy"] == "timers.target"


def test_crontab_line() -> None:
    text = (CONTRIB / "cron" / "cfbu.crontab").read_text(encoding="utf-8")
    jobs = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and "=" not in line.split()[0]
    ]
    assert len(jobs) == 1, jobs
    fields = jobs[0].split(None, 5)
    assert len(fields) == 6, "5 time fields and a command"
    minute, hour, *_ = fields[:5]
    assert minute.isdigit() and hour.isdigit(), "runs once a day at a fixed time"
    command = fields[5]
    assert "%" not in command, "cron turns % into a newline"
    assert runs_cfbu_crawl(command.split("||")[0].split("&&")[-1].split(">>")[0]), command
    assert "--db /" in command
    assert ">>" in command and "2>&1" in command, "output goes to a log"
    assert "flock" not in command, "cfbu takes its own lock"
