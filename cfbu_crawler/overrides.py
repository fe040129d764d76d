"""Checking ``-s NAME=VALUE`` settings before a crawl creates anything.

Scrapy reads a setting's value only when the component that uses it starts, well after
the archive and the run exist: ``-s DOWNLOAD_DELAY=abc`` would end in a traceback from
inside the reactor and an archive without runs. So ``cfbu crawl`` and ``scrapy crawl
nyheder`` check each given value against the type of the setting's default (Scrapy's
own, or the project's) first, the way Scrapy's ``getbool``/``getint``/``getfloat``/
``getdict`` will read it, and refuse a bad one in one line.

A name Scrapy and the project do not know is accepted (it may configure an added
component), unless it is one letter or two away from a known one: then it is a typo.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
from collections.abc import Mapping
from typing import Any

from scrapy.settings import BaseSettings, Settings
from scrapy.utils.misc import load_object

NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Integer defaults that Scrapy reads as seconds with ``getfloat``: decimals are fine.
SECONDS = frozenset(
    {
        "DOWNLOAD_DELAY",
        "DOWNLOAD_TIMEOUT",
        "DOWNLOAD_DELAY_JITTER",
        "AUTOTHROTTLE_START_DELAY",
        "AUTOTHROTTLE_MAX_DELAY",
        "AUTOTHROTTLE_TARGET_CONCURRENCY",
        "CLOSESPIDER_TIMEOUT",
        "CLOSESPIDER_TIMEOUT_NO_ITEM",
        "LOGSTATS_INTERVAL",
        "CFBU_PROGRESS_INTERVAL",
        "CFBU_RETRY_BACKOFF_BASE",
        "CFBU_RETRY_BACKOFF_MAX",
    }
)
# Settings that make no sense below a bound (a negative delay, no concurrency at all).
AT_LEAST = {
    "DOWNLOAD_DELAY": 0,
    "DOWNLOAD_TIMEOUT": 0,
    "AUTOTHROTTLE_START_DELAY": 0,
    "AUTOTHROTTLE_MAX_DELAY": 0,
    "RETRY_TIMES": 0,
    "CONCURRENT_REQUESTS": 1,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "CFBU_MAX_LISTING_PAGES": 1,
}
# Settings naming a class or function by its import path.
IMPORT_PATHS = frozenset(
    {
        "DNS_RESOLVER",
        "DOWNLOADER",
        "DUPEFILTER_CLASS",
        "HTTPCACHE_POLICY",
        "HTTPCACHE_STORAGE",
        "ITEM_PROCESSOR",
        "LOG_FORMATTER",
        "REQUEST_FINGERPRINTER_CLASS",
        "ROBOTSTXT_PARSER",
        "SCHEDULER",
        "SCHEDULER_DISK_QUEUE",
        "SCHEDULER_MEMORY_QUEUE",
        "SCHEDULER_PRIORITY_QUEUE",
        "SPIDER_LOADER_CLASS",
        "STATS_CLASS",
        "TWISTED_DNS_RESOLVER",
        "TWISTED_REACTOR",
    }
)


class SettingError(ValueError):
    """A ``-s NAME=VALUE`` that the crawl could not use (one line: what and why)."""


def parse_overrides(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``["NAME=VALUE", …]`` → ``{NAME: VALUE}``; raises SettingError on a malformed item."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SettingError(f"expected NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def check_overrides(overrides: Mapping[str, Any], base: BaseSettings | None = None) -> None:
    """Raise SettingError for the first value in ``overrides`` that the crawl would fail
    on. ``base`` holds the defaults to check against (Scrapy's, then the project's)."""
    if base is None:
        base = Settings()
        base.setmodule("cfbu_crawler.settings", priority="project")
    for name, value in overrides.items():
        check_setting(name, value, base)


def check_setting(name: str, value: Any, base: BaseSettings) -> None:
    where = f"{name}={value}"
    if not NAME.match(name):
        raise SettingError(f"{where}: {name!r} is not a setting name (e.g. DOWNLOAD_DELAY)")
    if not isinstance(value, str):  # set by the program itself, not typed by a user
        return
    if name not in base:
        close = difflib.get_close_matches(name, list(base), n=1, cutoff=0.85)
        if close:
            raise SettingError(f"{where}: unknown setting {name} (did you mean {close[0]}?)")
        return
    problem = _problem(name, value, base[name])
    if problem:
        raise SettingError(f"{where}: {problem}")


def _log_level_problem(value: str) -> str | None:
    if not isinstance(logging.getLevelName(value.upper()), int) and not value.isdigit():
        return f"a log level is expected (DEBUG, INFO, WARNING, ERROR), not {value!r}"
    return None


def _bool_problem(probe: BaseSettings, name: str, value: str) -> str | None:
    try:
        probe.getbool(name)
    except ValueError:
        return f"true or false is expected (1/0, True/False), not {value!r}"
    return None


def _number_problem(probe: BaseSettings, name: str, value: str, default: Any) -> str | None:
    decimal = isinstance(default, float) or name in SECONDS
    number: float
    try:
        number = probe.getfloat(name) if decimal else probe.getint(name)
    except ValueError:
        return f"{'a number' if decimal else 'a whole number'} is expected, not {value!r}"
    bound = AT_LEAST.get(name)
    if bound is not None and number < bound:
        return f"must be at least {bound}, not {value}"
    return None


def _json_object_problem(value: str) -> str | None:
    try:
        parsed = json.loads(value)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return 'a JSON object is expected (e.g. {"module.Class": 100}), not ' + repr(value)
    return None


def _json_list_problem(value: str) -> str | None:
    try:
        json.loads(value)
    except ValueError:
        return f"a comma-separated list or a JSON list is expected, not {value!r}"
    return None


def _import_problem(value: str) -> str | None:
    try:
        load_object(value)
    except (ImportError, AttributeError, ValueError, NameError) as exc:
        return f"cannot import {value!r} ({exc})"
    return None


def _timezone_problem(value: str) -> str | None:
    from cfbu_crawler.extract.page import check_timezone

    try:
        check_timezone(value)
    except ValueError as exc:
        return str(exc)
    return None


def _problem(name: str, value: str, default: Any) -> str | None:
    """What is wrong with ``value`` for a setting whose default is ``default``, or None."""
    probe = BaseSettings({name: value})
    if name == "LOG_LEVEL":
        return _log_level_problem(value)
    if name == "CFBU_SITE_TIMEZONE":
        return _timezone_problem(value)
    if isinstance(default, bool):
        return _bool_problem(probe, name, value)
    if isinstance(default, (int, float)):
        return _number_problem(probe, name, value, default)
    if isinstance(default, (dict, BaseSettings)):
        return _json_object_problem(value)
    if isinstance(default, (list, tuple)) and value.lstrip().startswith("["):
        return _json_list_problem(value)
    if name in IMPORT_PATHS:
        return _import_problem(value)
    return None


__all__ = ["SettingError", "check_overrides", "check_setting", "parse_overrides"]
