"""Scenarios that need Twisted's reactor, run in a subprocess (the reactor stays out of
pytest): ``drive`` on the test's side, ``serve`` on the subprocess's. A scenario is an
async function of one string argument returning a JSON-able dict; the subprocess prints
that dict (or ``{"error": ...}``) as its last line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

TESTS = Path(__file__).parent.parent

Scenario = Callable[[str], Awaitable[dict[str, Any]]]


def drive(module: str, scenario: str, arg: str) -> dict[str, Any]:
    """Run ``scenario`` of ``support.<module>`` in a fresh interpreter; its outcome."""
    proc = subprocess.run(
        [sys.executable, "-m", f"support.{module}", scenario, arg],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=TESTS,
        env={**os.environ, "PYTHONPATH": str(TESTS)},
    )
    assert proc.returncode == 0, proc.stderr
    outcome: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    assert "error" not in outcome, outcome["error"]
    return outcome


def serve(scenarios: dict[str, Scenario], scenario: str, arg: str) -> None:
    """In the subprocess: run ``scenarios[scenario](arg)`` on an asyncio reactor and
    print its outcome."""
    from twisted.internet import asyncioreactor

    asyncioreactor.install()
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    outcome: dict[str, Any] = {}

    def start() -> None:
        done = Deferred.fromCoroutine(scenarios[scenario](arg))
        done.addCallbacks(outcome.update, lambda failure: outcome.update(error=str(failure)))
        done.addBoth(lambda _: reactor.stop())

    reactor.callWhenRunning(start)
    reactor.run()
    print(json.dumps(outcome))
