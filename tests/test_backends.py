"""The two backends of the archive tests: where no PostgreSQL server can be started, its
half of the tests is skipped, saying why (README.md, "Set up and test")."""

from __future__ import annotations

import pytest
from support import postgres


def test_without_postgresql_binaries_the_reason_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "binaries", lambda: None)
    assert postgres.unavailable() == "no PostgreSQL binaries (initdb, pg_ctl) on this machine"


def test_as_root_without_a_postgres_user_the_reason_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_such_user(name: str) -> None:
        raise KeyError(name)

    monkeypatch.setattr(postgres.os, "geteuid", lambda: 0)
    monkeypatch.setattr(postgres.pwd, "getpwnam", no_such_user)
    monkeypatch.setattr(postgres, "binaries", lambda: postgres.Path("/usr/bin"))
    reason = postgres.unavailable()
    assert reason is not None and "no 'postgres' user" in reason


def test_binaries_are_found_on_the_path_or_in_debians_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(postgres.shutil, "which", lambda name, path=None: None)
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    assert postgres.binaries() is None


def test_each_backend_is_a_parameter_and_postgresql_is_slow() -> None:
    from conftest import BACKENDS

    assert BACKENDS[0] == "sqlite"
    assert BACKENDS[1].values == ("postgresql",)
    assert [mark.name for mark in BACKENDS[1].marks] == ["slow"]
