"""The archive's vocabularies, each defined once: what a fetch came to (observation
outcomes), how a run ended (run statuses), whether an article is still on the site, and
why a version was made.

They are string enums: a member *is* its stored string (``Outcome.GONE == "gone"``), so
the values in the database, in ``--json`` output and in Scrapy stats stay the words
documented in docs/schema.md.
"""

from __future__ import annotations

import sys
from enum import Enum

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # Python 3.10 has no StrEnum: the same thing, as 3.11 defines it

    class StrEnum(str, Enum):
        """A ``str`` whose ``str()`` and ``format()`` are its value."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return str(self.value).__format__(spec)


class Outcome(StrEnum):
    """What one fetch (or one decision not to fetch) of an article URL came to: the
    ``observations.outcome`` column (docs/schema.md, ``observations``)."""

    NEW = "new"  # first version of an article
    CHANGED = "changed"  # a new version
    UNCHANGED = "unchanged"  # fetched, content as before
    MOVED = "moved"  # answered under another article URL: same article, new URL
    NOT_MODIFIED = "not_modified"  # 304 to a conditional request
    SKIPPED = "skipped"  # not fetched: the sitemap says it has not changed
    GONE = "gone"  # 404/410, or permanently redirected away from the section
    ERROR = "error"  # failed after retries, not HTML, extraction or storage failed


# A page was fetched and stored (a version made or confirmed).
PAGE_OUTCOMES = (Outcome.NEW, Outcome.CHANGED, Outcome.UNCHANGED, Outcome.MOVED)
# The site answered for the article in this run: it is live.
ANSWERED_OUTCOMES = (*PAGE_OUTCOMES, Outcome.NOT_MODIFIED)
# The article was live in this run, answered or vouched for by the sitemap.
LIVE_OUTCOMES = (*ANSWERED_OUTCOMES, Outcome.SKIPPED)


class Via(StrEnum):
    """How the crawler came to fetch an article URL (``observations.via``): where the run
    found it, or why it checked it directly."""

    LISTING = "listing"  # linked from a page of the news listing
    SITEMAP = "sitemap"  # listed in an XML sitemap (or skipped because its lastmod held)
    LINK = "link"  # linked from another article (a related-articles list)
    RETRY = "retry"  # its last fetch failed: fetched again first
    # A known article this run's navigation did not reach, checked directly at the end of
    # the sweep: ``unlisted`` when the run proves that neither the listing nor a sitemap
    # shows it any more (the listing was walked to its end, or the sitemap that listed it
    # was read without it); ``check`` when the run cannot tell (an incremental walk
    # stopped early, before the pages where it would be).
    UNLISTED = "unlisted"
    CHECK = "check"


# How a run found an article that answered: the verdicts on whether it is still listed.
LISTED_VIAS = (Via.LISTING, Via.SITEMAP)


class RunStatus(StrEnum):
    """How a run ended (``runs.status``). Only a complete crawl may declare an article
    removed; a run left running by a killed process is later marked interrupted."""

    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


class ArticleStatus(StrEnum):
    """``articles.status``: still on the site, or removed (kept with its history)."""

    LIVE = "live"
    GONE = "gone"


class Cause(StrEnum):
    """Why a version was made (``versions.cause``): the site changed the article, or a
    newer extractor read the same page differently (``cfbu reparse``, or a crawl after
    an upgrade)."""

    SITE = "site"
    EXTRACTOR = "extractor"


# The record fields whose coverage (share of a run's articles that have them) each run
# keeps, and whose drop warns that extraction degrades (archive/coverage.py).
COVERAGE_FIELDS = ("title", "published", "breadcrumb", "body")

# ``runs.finish_reason`` of a crawl stopped at once (a second Ctrl-C or SIGTERM): the
# reactor stopped before Scrapy closed the spider.
FORCED_STOP = "forced_shutdown"
# ``runs.finish_reason`` of a crawl stopped because its archive writer process ended
# (killed, out of memory): a failed run, whose pages not archived the next run fetches.
WRITER_DIED = "archive_writer_died"

__all__ = [
    "ANSWERED_OUTCOMES",
    "COVERAGE_FIELDS",
    "FORCED_STOP",
    "LIVE_OUTCOMES",
    "PAGE_OUTCOMES",
    "WRITER_DIED",
    "ArticleStatus",
    "Cause",
    "Outcome",
    "RunStatus",
    "LISTED_VIAS",
    "StrEnum",
    "Via",
]
