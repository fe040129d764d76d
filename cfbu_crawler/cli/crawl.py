"""``cfbu crawl``: crawl the news section into the archive."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import click

from cfbu_crawler.cli.app import db_option, emit_json, json_option


class StartURLOption(click.Option):
    """``--start-url``, whose default (cfbu.dk's news listing) is read from the crawler's
    URL rules only when it is needed, so that ``cfbu --help`` does not load them."""

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        from cfbu_crawler.extract.urls import DEFAULT_START_URL

        return DEFAULT_START_URL


@click.command()
@click.option(
    "--start-url",
    cls=StartURLOption,
    show_default=True,
    metavar="URL",
    help="The news listing to start from; the allowed domain follows it.",
)
@db_option
@click.option(
    "--full", is_flag=True, help="Re-fetch everything (ignore sitemaps, ETags, known pages)."
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    metavar="S",
    help="Seconds between requests to the site [default: 1, with AutoThrottle].",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=16),
    metavar="N",
    help="Concurrent requests per host [default: 2].",
)
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the crawl log goes [default: logs/ beside the archive].",
)
@click.option(
    "--fail-on-coverage-drop/--no-fail-on-coverage-drop",
    default=True,
    show_default=True,
    help="Exit with status 5 when extraction coverage dropped since the last complete run.",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print nothing on success and one line on failure (for cron); the log file "
    "still gets everything.",
)
@click.option(
    "--contact",
    envvar="CFBU_CONTACT_URL",
    metavar="URL",
    help="Contact URL (or mailto:) put in the User-Agent [default: $CFBU_CONTACT_URL or the project's].",
)
@click.option(
    "--no-warc",
    is_flag=True,
    help="Write no WARC files of what was fetched [default: write them to warc/ beside the archive].",
)
@click.option(
    "--site-timezone",
    metavar="ZONE",
    help="The site's timezone (IANA name): the day of a timestamp the page shows no date "
    "for [default: Europe/Copenhagen].",
)
@click.option(
    "-s",
    "--set",
    "overrides",
    multiple=True,
    metavar="NAME=VALUE",
    help="Any Scrapy/cfbu setting, as with `scrapy crawl -s` (repeatable).",
)
@json_option
def crawl(
    start_url: str,
    db: str | None,
    full: bool,
    delay: float | None,
    concurrency: int | None,
    log_dir: Path | None,
    fail_on_coverage_drop: bool,
    quiet: bool,
    contact: str | None,
    no_warc: bool,
    site_timezone: str | None,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Crawl the Nyheder listing and every article into the archive.

    Incremental by default (sitemaps, conditional requests, stops early on known
    listing pages); every change lands as a new version.

    \b
    Exit status (when several apply, the first listed here wins):
      6  interrupted (Ctrl-C, SIGTERM): the run is recorded as interrupted
      1  failed (start URL unreachable, unusable archive or log folder)
      2  a bad option or -s value: nothing was created
      3  another crawl holds the archive: nothing was done
      5  extraction coverage dropped since the last complete run
         (the site's markup changed?; --no-fail-on-coverage-drop: off)
      4  complete, but some pages still failed after retries
      0  complete

    \b
    Example:
      cfbu crawl --start-url https://cfbu.dk/nyheder/ --db data/cfbu.sqlite3
      cfbu crawl --quiet          # for cron: silent unless something is wrong
    """
    # From here on SIGTERM interrupts like Ctrl-C: stopped before the crawl even started,
    # the exit status is still 6 (interrupted), not a death by signal.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        from cfbu_crawler.archive.db import describe, resolve_db
        from cfbu_crawler.archive.queries import run_dict
        from cfbu_crawler.cli.render import print_run_summary
        from cfbu_crawler.crawl import EXIT_OK, EXIT_USAGE, CrawlError, run_crawl
        from cfbu_crawler.overrides import SettingError, parse_overrides
    except KeyboardInterrupt:
        click.echo("Error: interrupted before the crawl started: nothing was recorded", err=True)
        raise SystemExit(6) from None

    try:
        extra: dict[str, str] = parse_overrides(overrides)
    except SettingError as exc:
        raise click.BadParameter(str(exc), param_hint="-s/--set") from None
    if contact:
        extra = {"CFBU_CONTACT_URL": contact, **extra}

    def notice(message: str) -> None:
        click.echo(message, err=True)

    if no_warc:
        extra["CFBU_WARC"] = "False"  # as a -s value would be (checked the same way)
    if site_timezone:
        extra["CFBU_SITE_TIMEZONE"] = site_timezone  # checked like a -s value
    try:
        result = run_crawl(
            start_url=start_url,
            db=db,
            full=full,
            delay=delay,
            concurrency=concurrency,
            log_dir=log_dir,
            fail_on_coverage_drop=fail_on_coverage_drop,
            extra_settings=extra,
            console_log=not quiet,
            notice=None if quiet else notice,
        )
    except CrawlError as exc:
        if exc.exit_code == EXIT_USAGE:
            raise click.BadParameter(str(exc).removeprefix("-s "), param_hint="-s/--set") from None
        if not quiet or exc.worth_a_word():
            click.echo(f"Error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    run = result.run
    if as_json:
        emit_json(run_dict(run) | {"log_file": str(result.log_file) if result.log_file else None})
    elif not quiet:
        print_run_summary(run, archive=describe(resolve_db(db)), log_file=result.log_file)
    if result.exit_code != EXIT_OK:
        click.echo(f"Error: {result.failure()}", err=True)
    raise SystemExit(result.exit_code)
