"""Running a crawl in this process (what ``cfbu crawl`` does): settings from options,
Scrapy's CrawlerProcess, and the run's result with the exit code it deserves."""

from __future__ import annotations

import logging
import os
import socket
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from cfbu_crawler.archive import lock
from cfbu_crawler.archive.db import (
    ArchiveError,
    close_engine,
    describe,
    open_engine,
    resolve_db,
    session_factory,
    sqlite_path,
)
from cfbu_crawler.archive.models import Run
from cfbu_crawler.archive.vocabulary import RunStatus

# Exit codes of `cfbu crawl` (documented in the README).
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_LOCK_HELD = 3
EXIT_PAGE_ERRORS = 4
EXIT_COVERAGE_DROP = 5
EXIT_INTERRUPTED = 6


class CrawlError(Exception):
    """A crawl that could not start or did not finish; carries its exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class CrawlResult:
    run: Run
    exit_code: int
    log_file: Path | None
    start_failed: str | None = None  # why the start URL could not be fetched

    def failure(self) -> str:
        """One line on why the run did not complete (for stderr)."""
        if self.start_failed:
            return f"cannot fetch the start URL {self.run.start_url}: {self.start_failed}"
        return f"crawl {self.run.status}: {self.run.finish_reason}"


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


def run_crawl(
    *,
    start_url: str,
    db: str | None = None,
    full: bool = False,
    delay: float | None = None,
    concurrency: int | None = None,
    log_dir: Path | None = None,
    fail_on_coverage_drop: bool = False,
    extra_settings: dict[str, Any] | None = None,
    console_log: bool = True,
) -> CrawlResult:
    """Crawl ``start_url`` into the archive ``db`` and return the finished run."""
    start_url = check_start_url(start_url)
    db_url = resolve_db(db)
    engine = open_engine(db_url, create=True)  # refuses non-archives, creates the schema
    try:
        try:
            lock.ensure_no_live_holder(session_factory(engine))
        except lock.LockHeld as exc:
            raise CrawlError(f"{describe(db_url)}: {exc}", EXIT_LOCK_HELD) from None
    finally:
        close_engine(engine)
    unreachable = probe_start_url(start_url)
    if unreachable is not None:
        # Nothing answers there: one attempt per URL records the failed run without
        # half a minute of retries (the user's -s settings still win).
        extra_settings = {"RETRY_ENABLED": False, **(extra_settings or {})}
    log_dir = log_dir if log_dir is not None else default_log_dir(db_url)
    log_file = None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        log_file = log_dir / f"crawl-{datetime.now():%Y%m%dT%H%M%S}-{os.getpid()}.log"
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
    process = CrawlerProcess(settings)
    if console_log and log_file is not None:
        _mirror_log_to_console(settings)
    crawler = process.create_crawler("nyheder")
    process.crawl(crawler)
    process.start()
    stats = crawler.stats
    if stats.get_value("cfbu/lock_held"):
        raise CrawlError(f"{describe(db_url)}: {stats.get_value('cfbu/lock_held')}", EXIT_LOCK_HELD)
    if stats.get_value("cfbu/fatal"):
        raise CrawlError(str(stats.get_value("cfbu/fatal")))
    run_id = stats.get_value("cfbu/run_id")
    if run_id is None:
        raise CrawlError("the crawl did not start (see the log for details)")
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


def exit_code_for(run: Run, fail_on_coverage_drop: bool) -> int:
    if run.status == RunStatus.INTERRUPTED:
        return EXIT_INTERRUPTED
    if run.status != RunStatus.COMPLETE:
        return EXIT_FAILED
    if run.errors:
        return EXIT_PAGE_ERRORS
    if fail_on_coverage_drop and run.warnings:
        return EXIT_COVERAGE_DROP
    return EXIT_OK


def _mirror_log_to_console(settings: Settings) -> None:
    """Plain log lines on stderr when not on a terminal (cron mails, systemd journal)."""
    if sys.stderr.isatty():
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    for name in ("cfbu.progress", "scrapy.core.engine", "cfbu_crawler"):
        logging.getLogger(name).addHandler(handler)


__all__ = ["ArchiveError", "CrawlError", "CrawlResult", "run_crawl"]
