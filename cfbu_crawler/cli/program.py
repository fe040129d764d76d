"""The ``cfbu`` program (its console script and ``python -m cfbu_crawler``): the command
line, then a quick exit.

When a command is done, everything it writes is written: the archive committed and
closed, the log handlers flushed, the worker processes gone. What is left of a normal
exit is the interpreter freeing, one by one, the objects of Scrapy, Twisted and
SQLAlchemy — about half a second after a crawl, which the operating system does at once.
So the program does what matters of a normal exit (non-daemon threads joined, ``atexit``
handlers — multiprocessing's clean-up and logging's flush among them — the standard
streams flushed) and then leaves with ``os._exit``. Tests run the click group
(:data:`cfbu_crawler.cli.main`) in process, never this.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
from typing import NoReturn

from cfbu_crawler.cli.app import main


def run() -> NoReturn:
    """Run the command line (``sys.argv``) and exit with its status."""
    try:
        main.main(prog_name="cfbu")
    except SystemExit as exc:
        quick_exit(exc.code)
    quick_exit(0)


def quick_exit(code: object) -> NoReturn:
    """Exit with ``code`` (as ``SystemExit`` reads it) without tearing the heap down.
    Under a profiler or a tracer (``python -m cProfile``, coverage) the exit is the
    normal one: they write what they found as the interpreter exits."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        raise SystemExit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # a message, as sys.exit("...") gives: printed, status 1
        print(code, file=sys.stderr)
        status = 1
    # The interpreter's own first step of an exit: the handlers of threading's atexit
    # (concurrent.futures wakes its pools' manager threads there), then the join of every
    # non-daemon thread. Joined without those handlers, a pool's manager thread waits
    # for ever.
    threading._shutdown()  # type: ignore[attr-defined]  # noqa: SLF001
    atexit._run_exitfuncs()  # noqa: SLF001  (what the interpreter would run now)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            status = status or 120  # what Python exits with when stdout cannot be flushed
    os._exit(status)


__all__ = ["quick_exit", "run"]
