"""``cfbu crawl``: crawl the news section into the archive."""

from __future__ import annotations

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
    "--fail-on-coverage-drop",
    is_flag=True,
    help="Exit with status 5 when extraction coverage dropped since the last run.",
)
@click.option(
    "--contact",
    envvar="CFBU_CONTACT_URL",
    metavar="URL",
    help="Contact URL (or mailto:) put in the User-Agent [default: $CFBU_CONTACT_URL or the project's].",
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
    contact: str | None,
    site_timezone: str | None,
    overrides: tuple[str, ...],
    as_json: bool,
) -> None:
    """Crawl the Nyheder listing and every article into the archive.

    Incremental by default (sitemaps, conditional requests, stops early on known
    listing pages); every change lands as a new version.

    \b
    Exit status: 0 ok, 1 failed, 3 another crawl holds the archive,
    4 finished but some pages failed, 5 coverage dropped (--fail-on-coverage-drop),
    6 interrupted (SIGTERM, Ctrl-C).

    \b
    Example:
      cfbu crawl --start-url https://cfbu.dk/nyheder/ --db data/cfbu.sqlite3
    """
    from cfbu_crawler.archive.db import describe, resolve_db
    from cfbu_crawler.archive.queries import run_dict
    from cfbu_crawler.archive.vocabulary import RunStatus
    from cfbu_crawler.cli.render import print_run_summary
    from cfbu_crawler.crawl import CrawlError, run_crawl

    extra = {"CFBU_CONTACT_URL": contact} if contact else {}
    if site_timezone:
        from cfbu_crawler.extract import check_timezone

        try:
            extra["CFBU_SITE_TIMEZONE"] = check_timezone(site_timezone)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--site-timezone") from None
    for item in overrides:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--set")
        extra[name.strip()] = value
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
        )
    except CrawlError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(exc.exit_code) from None
    run = result.run
    if as_json:
        emit_json(run_dict(run) | {"log_file": str(result.log_file) if result.log_file else None})
    else:
        print_run_summary(run, archive=describe(resolve_db(db)), log_file=result.log_file)
    if run.status != RunStatus.COMPLETE:
        click.echo(f"Error: {result.failure()}", err=True)
    raise SystemExit(result.exit_code)
