"""The scheduling files in contrib/ (systemd units, crontab) stay well-formed, keep
running ``cfbu crawl`` the way docs/scheduling.md describes, and work as written on a
fresh install: the cron line and the service's commands run, paths substituted, in an
empty folder against a loopback site."""

from __future__ import annotations

import configparser
import grp
import os
import pwd
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.harbour import HarbourServer
from support.harbour import harbour_site as site_version

ROOT = Path(__file__).resolve().parents[1]
CONTRIB = ROOT / "contrib"
INSTALL = "/srv/cfbu"
REAL_START = "https://cfbu.dk/nyheder/"


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
    assert "--fail-on-coverage-drop" in shlex.split(command)
    # lock held (3) and page errors (4) are not failures of the unit; 1, 2, 5 and 6 are
    success = service["SuccessExitStatus"].split()
    assert set(success) == {"3", "4"}
    # the data folder the sandbox makes writable is created first, on a fresh install
    data = service["ReadWritePaths"].lstrip("-")
    assert data in service["ExecStartPre"] and service["ExecStartPre"].startswith("+")


def test_timer_is_nightly_and_persistent() -> None:
    unit = read_unit("cfbu-crawl.timer")
    timer = unit["Timer"]
    assert timer["OnCalendar"].strip()
    assert timer["Persistent"] == "true"
    assert timer.get("Unit", "cfbu-crawl.service") == "cfbu-crawl.service"
    assert unit["Install"]["WantedBy"] == "timers.target"


def cron_job() -> str:
    text = (CONTRIB / "cron" / "cfbu.crontab").read_text(encoding="utf-8")
    jobs = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and "=" not in line.split()[0]
    ]
    assert len(jobs) == 1, jobs
    return jobs[0]


def test_crontab_line() -> None:
    fields = cron_job().split(None, 5)
    assert len(fields) == 6, "5 time fields and a command"
    minute, hour, *_ = fields[:5]
    assert minute.isdigit() and hour.isdigit(), "runs once a day at a fixed time"
    command = fields[5]
    assert "%" not in command, "cron turns % into a newline"
    assert runs_cfbu_crawl(command.split("&&")[-1]), command
    words = shlex.split(command.split("&&")[-1])
    assert "--db" in words and words[words.index("--db") + 1].startswith("/")
    assert {"--quiet", "--fail-on-coverage-drop"} <= set(words), "mails only what needs a person"
    assert ">" not in command, "the shell opens no file of its own (its folder may not exist)"
    assert "flock" not in command, "cfbu takes its own lock"


def fresh_install(tmp_path: Path) -> Path:
    """An empty install folder with the project's virtualenv (as `.venv`) and nothing else."""
    home = tmp_path / "srv-cfbu"
    home.mkdir()
    (home / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return home


def on_fresh_install(text: str, home: Path, start: str) -> str:
    return text.replace(INSTALL, str(home)).replace(REAL_START, start)


def cron_env(home: Path) -> dict[str, str]:
    """cron's minimal environment."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SHELL": "/bin/sh", "LANG": "C.UTF-8"}


def run_statuses(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [row[0] for row in con.execute("SELECT status FROM runs ORDER BY id")]
    finally:
        con.close()


@pytest.mark.slow
def test_the_cron_line_as_shipped_works_on_a_fresh_install(tmp_path: Path) -> None:
    home = fresh_install(tmp_path)
    command = cron_job().split(None, 5)[5]
    with HarbourServer() as server:
        line = on_fresh_install(command, home, f"{server.base_url}/nyheder/")
        night1 = subprocess.run(
            ["sh", "-c", line], cwd="/", env=cron_env(home), capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        # A good night: status 0 and no output, so cron mails nothing.
        assert (night1.returncode, night1.stdout, night1.stderr) == (0, "", "")
        db = home / "data" / "cfbu.sqlite3"
        assert run_statuses(db) == ["complete"]
        assert list((home / "data" / "logs").glob("crawl-*.log"))
        # The night after a redesign with a page that keeps failing: one line to mail.
        server.site = site_version("v2")
        night2 = subprocess.run(
            ["sh", "-c", line], cwd="/", env=cron_env(home), capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
    assert night2.returncode == 5 and night2.stdout == ""
    (mail,) = night2.stderr.strip().splitlines()
    assert "published" in mail
    assert run_statuses(db) == ["complete", "complete"]


def unit_command(value: str) -> str:
    """An Exec line as a shell command: without systemd's prefixes (``+``, ``-``, ``@``)."""
    return value.lstrip("+-@!:")


@pytest.mark.slow
def test_the_service_commands_work_on_a_fresh_install(tmp_path: Path) -> None:
    home = fresh_install(tmp_path)
    user = pwd.getpwuid(os.getuid()).pw_name
    group = grp.getgrgid(os.getgid()).gr_name
    with HarbourServer() as server:
        text = on_fresh_install(
            (CONTRIB / "systemd" / "cfbu-crawl.service").read_text(encoding="utf-8"),
            home,
            f"{server.base_url}/nyheder/",
        )
        text = text.replace("-o cfbu -g cfbu", f"-o {user} -g {group}")
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str  # type: ignore[assignment,method-assign]
        unit.read_string(text)
        service = unit["Service"]
        name, _, value = service["Environment"].partition("=")
        env = {**cron_env(home), name: value}
        for key in ("ExecStartPre", "ExecStart"):
            proc = subprocess.run(
                ["sh", "-c", unit_command(service[key])],
                cwd=service["WorkingDirectory"],
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
            assert proc.returncode == 0, (key, proc.stdout, proc.stderr[-2000:])
        assert run_statuses(Path(value)) == ["complete"]
        analyze = shutil.which("systemd-analyze")
        if analyze:  # the unit as systemd reads it (now that its binary exists)
            path = tmp_path / "cfbu-crawl.service"
            path.write_text(
                text.replace("User=cfbu", f"User={user}").replace("Group=cfbu", f"Group={group}"),
                encoding="utf-8",
            )
            check = subprocess.run(
                [analyze, "verify", str(path)], capture_output=True, text=True, timeout=60
            )
            assert check.returncode == 0, check.stdout + check.stderr
