"""Running a crawl in this process (what ``cfbu crawl`` does): settings from options,
checked before anything is created, Scrapy's CrawlerProcess with our own handling of
Ctrl-C and SIGTERM, and the run's result with the exit code it deserves (the table in
docs/scheduling.md)."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.statscollectors import StatsCollector

from cfbu_crawler.archive import lock
from cfbu_crawler.archive.db import (
    ArchiveError,
    check_existing,
    close_engine,
    describe,
    open_engine,
    resolve_db,
    session_factory,
    sqlite_path,
)
from cfbu_crawler.archive.models import Run
from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.archive.vocabulary import FORCED_STOP, RunStatus
from cfbu_crawler.overrides import SettingError, check_overrides
from cfbu_crawler.procpool import start_fork_server

# Not under "cfbu_crawler": the notices go to the log file here and to the person by
# ``notice``, not twice to stderr through the console mirror.
logger = logging.getLogger("cfbu.crawl")

# Exit codes of `cfbu crawl` (README, "Crawl"; docs/scheduling.md). When several apply,
# the first in this order wins: 6, 1, 5, 4.
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCK_HELD = 3
EXIT_PAGE_ERRORS = 4
EXIT_COVERAGE_DROP = 5
EXIT_INTERRUPTED = 6
# How long another crawl may hold the archive before a refused crawl is worth a word
# under --quiet: one that started within this time is the night's crawl still at work
# (or a crawl by hand); one older has outlived a night's slot (hung, or far too slow).
QUIET_LOCK_AGE = timedelta(hours=20)


class CrawlError(Exception):
    """A crawl that could not start or did not finish; carries its exit code (and, when
    another crawl holds the archive, since when it does)."""

    def __init__(
        self, message: str, exit_code: int = EXIT_FAILED, *, held_since: datetime | None = None
    ) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.held_since = held_since

    def worth_a_word(self, now: datetime | None = None) -> bool:
        """Whether ``--quiet`` prints this: always, except a refusal because the night's
        crawl is still at work (see QUIET_LOCK_AGE)."""
        if self.exit_code != EXIT_LOCK_HELD or self.held_since is None:
            return self.exit_code != EXIT_LOCK_HELD
        return (now or utcnow()) - self.held_since >= QUIET_LOCK_AGE


@dataclass
class CrawlResult:
    run: Run
    exit_code: int
    log_file: Path | None
    start_failed: str | None = None  # why the start URL could not be fetched

    def failure(self) -> str:
        """One line on why the exit status is not 0 (for stderr; empty when it is 0)."""
        run = self.run
        if self.exit_code == EXIT_INTERRUPTED:
            how = "at once" if run.finish_reason == FORCED_STOP else "cleanly"
            return (
                f"run {run.id} interrupted (stopped {how}): recorded as interrupted, removes "
                "nothing; the next crawl completes the archive"
            )
        if self.start_failed:
            return f"cannot fetch the start URL {run.start_url}: {self.start_failed}"
        if self.exit_code == EXIT_FAILED:
            return f"run {run.id} {run.status}: {run.finish_reason}"
        parts = []
        if self.exit_code == EXIT_COVERAGE_DROP:
            parts.append(f"run {run.id}: " + "; ".join(run.warnings or []) + " (see `cfbu diff`)")
        if run.errors:
            pages = "1 page" if run.errors == 1 else f"{run.errors} pages"
            lead = "also " if parts else f"run {run.id}: "
            parts.append(
                f"{lead}{pages} still failed after retries (recorded on the run, fetched "
                "again next crawl; see `cfbu runs`)"
            )
        return "; ".join(parts)


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("cfbu_crawler.settings", priority="project")
    return settings


def check_start_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise CrawlError(f"start URL {url!r} is malformed: {exc}", EXIT_FAILED) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CrawlError(f"start URL must be an http(s) URL with a host, not {url!r}", EXIT_FAILED)
    return url.strip()


def probe_start_url(url: str, timeout: float = 5.0) -> str | None:
    """Why nothing can answer at the start URL's host and port (a refused connection, an
    unknown host, an unreachable network), or None when a connection opens, times out
    (Scrapy then tries with its own timeout and retries) or goes through a proxy."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return f"bad port in {url!r}"
    if parts.scheme in getproxies() and not proxy_bypass(host):
        return None
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror as exc:
        return f"unknown host {host!r} ({exc.strerror or exc})"
    except TimeoutError:
        return None
    except OSError as exc:
        return exc.strerror or str(exc)


def default_log_dir(db_url: str) -> Path:
    path = sqlite_path(db_url)
    return (path.parent if path is not None else Path("data")) / "logs"


def build_settings(
    *,
    start_url: str,
    db_url: str,
    full: bool = False,
    delay: float | None = None,
    concurrency: int | None = None,
    log_file: Path | None = None,
    log_level: str = "INFO",
    extra: dict[str, Any] | None = None,
) -> Settings:
    settings = project_settings()
    settings.set("CFBU_START_URL", start_url, priority="cmdline")
    settings.set("CFBU_DB", db_url, priority="cmdline")
    settings.set("CFBU_FULL", full, priority="cmdline")
    if delay is not None:
        settings.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        settings.set("AUTOTHROTTLE_START_DELAY", max(delay, 0.01), priority="cmdline")
        if delay == 0:
            settings.set("DOWNLOAD_DELAY_JITTER", 0.0, priority="cmdline")
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
    if concurrency is not None:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS", max(concurrency, 1) * 4, priority="cmdline")
    if log_file is not None:
        settings.set("LOG_FILE", str(log_file), priority="cmdline")
        settings.set("LOG_FILE_APPEND", False, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    for name, value in (extra or {}).items():
        settings.set(name, value, priority="cmdline")
    contact = (extra or {}).get("CFBU_CONTACT_URL")
    if contact and "USER_AGENT" not in (extra or {}):
        settings.set("USER_AGENT", user_agent(contact), priority="cmdline")
    return settings


def user_agent(contact_url: str) -> str:
    """The crawler's User-Agent: the project, its version and whom to contact."""
    from cfbu_crawler import __version__

    return f"cfbu-archiver/{__version__} (+{contact_url})"


def prepare_log_file(log_dir: Path) -> Path:
    """The crawl's log file in ``log_dir`` (created); CrawlError in words if it cannot be."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrawlError(
            f"cannot create the log folder {log_dir}: {exc.strerror or exc} "
            "(choose another one with --log-dir)"
        ) from None
    log_file = log_dir / f"crawl-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.log"
    try:
        log_file.touch()
    except OSError as exc:
        raise CrawlError(
            f"cannot write the log file {log_file}: {exc.strerror or exc} "
            "(choose another folder with --log-dir)"
        ) from None
    return log_file


def interrupt_on_sigterm() -> None:
    """Until the crawl's own handlers are in place, SIGTERM interrupts like Ctrl-C does
    (a KeyboardInterrupt that ``run_crawl`` turns into status 6)."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def ignore_signals() -> None:
    """The crawl is over and its run recorded: a late Ctrl-C or SIGTERM must not turn
    the exit status into a death by signal while the result is printed."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _prepare(
    *,
    start_url: str,
    db_url: str,
    full: bool,
    delay: float | None,
    concurrency: int | None,
    log_dir: Path | None,
    extra_settings: dict[str, Any] | None,
    console_log: bool,
) -> tuple[CrawlerProcess, Crawler, Path, str | None]:
    """Everything up to the start of the reactor: the log file, the archive (checked,
    then created), the lock (refused when held), the probe of the start URL, and the
    crawler with its settings."""
    check_existing(db_url, must_exist=False)  # refuses non-archives, creates nothing
    # A folder the user chose is made first: if it cannot be, nothing else is made.
    log_file = prepare_log_file(log_dir) if log_dir is not None else None
    engine = open_engine(db_url, create=True)  # creates the archive and its schema
    try:
        if log_file is None:
            log_file = prepare_log_file(default_log_dir(db_url))
        try:
            lock.ensure_no_live_holder(session_factory(engine))
        except lock.LockHeld as exc:
            since = exc.holder.acquired_at if exc.holder else None
            raise CrawlError(
                f"{describe(db_url)}: {exc}", EXIT_LOCK_HELD, held_since=since
            ) from None
    finally:
        close_engine(engine)
    # Checked: the crawl goes ahead. The workers' fork server imports what they need
    # while the crawler is built below (Scrapy's components), not after it.
    start_fork_server()
    unreachable = probe_start_url(start_url)
    if unreachable is not None:
        # Nothing answers there: one attempt per URL records the failed run without
        # half a minute of retries (the user's -s settings still win).
        extra_settings = {"RETRY_ENABLED": False, **(extra_settings or {})}
    settings = build_settings(
        start_url=start_url,
        db_url=db_url,
        full=full,
        delay=delay,
        concurrency=concurrency,
        log_file=log_file,
        extra=extra_settings,
    )
    settings.set("LOG_INSTALL_ROOT_HANDLER", True, priority="cmdline")
    if not console_log:
        settings.set("CFBU_PROGRESS_LIVE", False, priority="cmdline")
    process = CrawlerProcess(settings)
    if console_log:
        _mirror_log_to_console(settings)
    crawler = process.create_crawler("nyheder")
    process.crawl(crawler)
    return process, crawler, log_file, unreachable


def run_crawl(
    *,
    start_url: str,
    db: str | None = None,
    full: bool = False,
    delay: float | None = None,
    concurrency: int | None = None,
    log_dir: Path | None = None,
    fail_on_coverage_drop: bool = True,
    extra_settings: dict[str, Any] | None = None,
    console_log: bool = True,
    notice: Callable[[str], None] | None = None,
) -> CrawlResult:
    """Crawl ``start_url`` into the archive ``db`` and return the finished run.

    Everything that can be checked is checked before anything is created: the start URL,
    the ``extra_settings`` (``-s``), the log folder, then the archive and its lock.
    ``console_log`` mirrors the log on stderr when it is not a terminal (cron mail, the
    journal); ``notice`` receives the one-line notices for people (the first Ctrl-C).
    """
    start_url = check_start_url(start_url)
    try:
        check_overrides(extra_settings or {})
    except SettingError as exc:
        raise CrawlError(f"-s {exc}", EXIT_USAGE) from None
    db_url = resolve_db(db)
    interrupt_on_sigterm()
    try:
        process, crawler, log_file, unreachable = _prepare(
            start_url=start_url,
            db_url=db_url,
            full=full,
            delay=delay,
            concurrency=concurrency,
            log_dir=log_dir,
            extra_settings=extra_settings,
            console_log=console_log,
        )
    except KeyboardInterrupt:
        raise CrawlError(
            "interrupted before the crawl started: nothing was recorded", EXIT_INTERRUPTED
        ) from None
    # Our handlers, not Scrapy's: the first signal is announced at once.
    StopOnSignals(process, notice).install()
    try:
        process.start(install_signal_handlers=False)
    finally:
        ignore_signals()
    return crawl_result(
        crawler.stats,
        db_url,
        log_file=log_file,
        fail_on_coverage_drop=fail_on_coverage_drop,
        unreachable=unreachable,
    )


def crawl_result(
    stats: StatsCollector,
    db_url: str,
    *,
    log_file: Path | None = None,
    fail_on_coverage_drop: bool = True,
    unreachable: str | None = None,
) -> CrawlResult:
    """The result of a crawl that ran (``cfbu crawl`` or ``scrapy crawl nyheder``), from
    its stats and the run it recorded; CrawlError when it never got to record one."""
    if stats.get_value("cfbu/lock_held"):
        raise CrawlError(f"{describe(db_url)}: {stats.get_value('cfbu/lock_held')}", EXIT_LOCK_HELD)
    if stats.get_value("cfbu/fatal"):
        raise CrawlError(str(stats.get_value("cfbu/fatal")))
    run_id = stats.get_value("cfbu/run_id")
    if run_id is None:
        where = f": {log_file}" if log_file else ""
        raise CrawlError(f"the crawl did not start (see the log{where})")
    engine = open_engine(db_url, create=False)
    try:
        with session_factory(engine)() as session:
            run = session.get(Run, run_id)
            assert run is not None
            session.expunge(run)
    finally:
        close_engine(engine)
    start_failed = stats.get_value("cfbu/start_failed")
    return CrawlResult(
        run=run,
        exit_code=exit_code_for(run, fail_on_coverage_drop),
        log_file=log_file,
        start_failed=(unreachable or start_failed) if start_failed else None,
    )


def exit_code_for(run: Run, fail_on_coverage_drop: bool = True) -> int:
    """The exit status a finished run deserves: interrupted 6, not complete 1, then a
    coverage drop 5 (it wins over 4: a markup change must not hide behind a page that
    failed), pages that still failed 4, else 0."""
    if run.status == RunStatus.INTERRUPTED:
        return EXIT_INTERRUPTED
    if run.status != RunStatus.COMPLETE:
        return EXIT_FAILED
    if fail_on_coverage_drop and run.warnings:
        return EXIT_COVERAGE_DROP
    if run.errors:
        return EXIT_PAGE_ERRORS
    return EXIT_OK


class StopOnSignals:
    """Ctrl-C and SIGTERM during a crawl. The first says at once that the crawl is
    stopping and stops it gracefully (requests in flight finish, the run is recorded as
    interrupted); the second stops it at once (the store records the run as interrupted
    as the reactor shuts down); any more change nothing. Used instead of Scrapy's own
    handlers, which only log the first signal to the log file."""

    def __init__(self, process: CrawlerProcess, notice: Callable[[str], None] | None) -> None:
        self.process = process
        self.notice = notice
        self.received = 0

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self.handle)

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        # Nothing here but counting: the work runs in the reactor, as Scrapy's own
        # handlers do (a signal may interrupt a write to the very stream we would use).
        reactor = _reactor()
        self.received += 1
        if self.received == 1:
            reactor.callFromThread(self.stop_gracefully, signum)
        elif self.received == 2:
            reactor.callFromThread(self.stop_at_once, signum)

    def stop_gracefully(self, signum: int) -> None:
        name = signal.Signals(signum).name
        message = (
            f"{name}: stopping the crawl - the requests in flight finish, then the run is "
            "recorded as interrupted (press Ctrl-C or send SIGTERM again to stop at once)"
        )
        logger.warning("%s", message)
        if self.notice is not None:
            self.notice(message)
        self.process.stop()

    def stop_at_once(self, signum: int) -> None:
        reactor = _reactor()
        message = f"{signal.Signals(signum).name} again: stopping at once"
        logger.warning("%s", message)
        if self.notice is not None:
            self.notice(message)
        with contextlib.suppress(RuntimeError):  # already stopping
            reactor.stop()


def _reactor() -> Any:
    """Twisted's global reactor, as Scrapy installed it. Typed loosely: Twisted declares
    its reactor methods on zope interfaces, which mypy cannot read without a plugin."""
    from twisted.internet import reactor

    return reactor


def _mirror_log_to_console(settings: Settings) -> None:
    """Plain log lines on stderr when not on a terminal (cron mails, systemd journal)."""
    if sys.stderr.isatty():
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    for name in ("cfbu.progress", "scrapy.core.engine", "cfbu_crawler"):
        logging.getLogger(name).addHandler(handler)


__all__ = [
    "ArchiveError",
    "CrawlError",
    "CrawlResult",
    "crawl_result",
    "exit_code_for",
    "probe_start_url",
    "run_crawl",
]
