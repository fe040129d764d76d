"""Scrapy settings of the cfbu project: polite by default, archive wiring, pipelines.

Every CFBU_* setting can be given with ``-s NAME=VALUE`` to ``scrapy crawl nyheder``; the
``cfbu crawl`` command sets them from its options.
"""

from cfbu_crawler import __version__

BOT_NAME = "cfbu"
SPIDER_MODULES = ["cfbu_crawler.spiders"]
NEWSPIDER_MODULE = "cfbu_crawler.spiders"
# `scrapy crawl` is the project's own: it exits non-zero when the run fails
# (docs/scheduling.md).
COMMANDS_MODULE = "cfbu_crawler.commands"

# --- cfbu ------------------------------------------------------------------------
CFBU_DB = None  # path or SQLAlchemy URL; None → $CFBU_DB or data/cfbu.sqlite3
CFBU_START_URL = "https://cfbu.dk/nyheder/"
CFBU_FULL = False  # re-fetch everything, ignoring sitemaps and validators
CFBU_CONTACT_URL = "https://github.com/cfbu-archive/cfbu"
CFBU_MAX_LISTING_PAGES = 500  # guard against endless pagination
CFBU_USE_SITEMAPS = True
# `scrapy crawl nyheder` exits 5 when extraction coverage dropped (as `cfbu crawl` does).
CFBU_FAIL_ON_COVERAGE_DROP = True
# WARC files of what each crawl fetched (docs/warc.md): on unless --no-warc.
CFBU_WARC = True
CFBU_WARC_DIR = None  # None → warc/ beside the archive
CFBU_WARC_MAX_SIZE = 1_000_000_000  # bytes per WARC file before a new one is started
# The site's timezone (IANA name): the day of a timestamp whose page shows no agreeing date
# (docs/extraction.md, "Dates"). cfbu.dk's readers are in Denmark.
CFBU_SITE_TIMEZONE = "Europe/Copenhagen"
# --- speed (bench/README.md): work kept off the reactor's thread ---------------------
CFBU_EXTRACT_PROCESSES = None  # extraction worker processes; None → one per core but one
CFBU_ARCHIVE_WRITER_PROCESS = True  # record pages from a process of their own
CFBU_WARC_PROCESS = True  # write WARC records from a process of their own (docs/warc.md)
CFBU_ARCHIVE_BATCH_SECONDS = 1.0  # commit page records at least this often (kill -9 loses ≤)
# Outputs of one response processed at once. Scrapy starts this many asyncio tasks for
# every response whatever it yields (an article page yields one item): its default of 100
# costs the reactor more than the page's own processing.
CONCURRENT_ITEMS = 16

# --- politeness (docs/scheduling.md, "Polite") -------------------------------------
USER_AGENT = f"cfbu-archiver/{__version__} (+{CFBU_CONTACT_URL})"
ROBOTSTXT_OBEY = True
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5  # each wait is 0.5-1.5 x DOWNLOAD_DELAY
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening port on a scheduled crawler

# --- retries (README, "Crawl"): transient failures, with backoff and Retry-After --------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
CFBU_RETRY_BACKOFF_BASE = 1.0
CFBU_RETRY_BACKOFF_MAX = 60.0
DOWNLOADER_MIDDLEWARES = {
    "cfbu_crawler.middlewares.ConditionalRequestsMiddleware": 450,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "cfbu_crawler.middlewares.BackoffRetryMiddleware": 550,
    # Next to the download handler: sees each response as sent, before any other.
    "cfbu_crawler.warc.recorder.WarcRecorder": 950,
}
SPIDER_MIDDLEWARES = {
    # Puts each item's WARC record location on it, for its observation.
    "cfbu_crawler.warc.recorder.WarcLocationMiddleware": 100,
}

ITEM_PIPELINES = {
    "cfbu_crawler.pipelines.extract.ExtractPipeline": 100,
    "cfbu_crawler.pipelines.content.ContentPipeline": 200,
    "cfbu_crawler.pipelines.breadcrumb.BreadcrumbPipeline": 300,
    "cfbu_crawler.pipelines.date.DatePipeline": 400,
    "cfbu_crawler.pipelines.qa.QAPipeline": 500,
    "cfbu_crawler.pipelines.normalise.NormalisePipeline": 600,
    "cfbu_crawler.pipelines.validate.ValidatePipeline": 700,
    "cfbu_crawler.pipelines.store.StorePipeline": 900,
}

EXTENSIONS = {
    # Hands the spider what the archive knows (the spider opens no database).
    "cfbu_crawler.crawlstate.ArchiveState": 100,
    "cfbu_crawler.extensions.CrawlProgress": 500,
    # A failed download is one line in the log, not a traceback.
    "cfbu_crawler.downloadlog.OneLineDownloadFailures": 0,
}

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
