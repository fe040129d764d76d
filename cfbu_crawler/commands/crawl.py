"""``scrapy crawl nyheder``: the same crawl as ``cfbu crawl``, with the same exit status.

Scrapy's own ``crawl`` exits 0 whenever the spider could start, also when the run failed
(the start URL unreachable) — and cron, systemd and Scrapyd users rely on the status. This
command replaces it for the project (``COMMANDS_MODULE`` in the settings) and, for the
``nyheder`` spider:

- refuses a bad ``-s`` value in one line, before anything is created (exit 2);
- gives up on a start URL where nothing answers as fast as ``cfbu crawl`` (one attempt
  per URL instead of retries with backoff; a ``-s RETRY_ENABLED=…`` still wins);
- exits as ``cfbu crawl`` does (docs/scheduling.md): 0 complete, 1 failed, 3 another
  crawl holds the archive, 4 pages still failed, 5 extraction coverage dropped (unless
  ``-s CFBU_FAIL_ON_COVERAGE_DROP=0``), 6 interrupted — with the reason as one line on
  stderr.

Other spiders run exactly as with Scrapy's command.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.crawler import Crawler

from cfbu_crawler.overrides import SettingError, check_overrides, parse_overrides

SPIDER = "nyheder"


class Command(ScrapyCrawl):
    def short_desc(self) -> str:
        return "Run a spider; `crawl nyheder` exits non-zero when its run fails"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] != SPIDER:
            super().run(args, opts)
            return
        try:
            check_overrides(parse_overrides(opts.set or []))
        except SettingError as exc:
            print(f"Error: -s {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        unreachable = self.give_up_fast(opts)
        assert self.crawler_process is not None
        crawler = self._create_crawler(SPIDER)
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        self.exitcode = self.exit_status(crawler, unreachable)

    def give_up_fast(self, opts: argparse.Namespace) -> str | None:
        """Why nothing answers at the start URL (then retries are off), or None."""
        from cfbu_crawler.crawl import probe_start_url

        assert self.crawler_process is not None
        settings = self.crawler_process.settings
        start_url = opts.spargs.get("start_url") or settings.get("CFBU_START_URL")
        if not start_url:
            return None
        unreachable = probe_start_url(start_url)
        if unreachable is not None and (settings.getpriority("RETRY_ENABLED") or 0) < 40:  # not -s
            settings.set("RETRY_ENABLED", False, priority="cmdline")
        return unreachable

    def exit_status(self, crawler: Crawler, unreachable: str | None) -> int:
        from cfbu_crawler.archive.db import ArchiveError, resolve_db
        from cfbu_crawler.crawl import EXIT_FAILED, EXIT_OK, CrawlError, crawl_result

        if self.crawler_process is not None and self.crawler_process.bootstrap_failed:
            return EXIT_FAILED
        settings = crawler.settings
        try:
            result = crawl_result(
                crawler.stats,
                resolve_db(settings.get("CFBU_DB")),
                fail_on_coverage_drop=settings.getbool("CFBU_FAIL_ON_COVERAGE_DROP", True),
                unreachable=unreachable,
            )
        except CrawlError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return exc.exit_code
        except ArchiveError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        if result.exit_code != EXIT_OK:
            print(f"Error: {result.failure()}", file=sys.stderr)
        return result.exit_code
