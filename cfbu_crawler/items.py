"""Items the spider yields: fetched article pages, and fetches that made no page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import scrapy
from scrapy.item import ItemMeta

from cfbu_crawler.record import RECORD_FIELDS

# The record's fields (``url``, ``title`` ... ``qa``: cfbu_crawler.record), declared from
# the one list of them. A base item class, so that Scrapy's ItemMeta collects them; to a
# type checker it is the plain Item it is built from.
if TYPE_CHECKING:
    RecordFields = scrapy.Item
else:
    RecordFields = ItemMeta(
        "RecordFields",
        (scrapy.Item,),
        {"__module__": __name__, **{name: scrapy.Field() for name in RECORD_FIELDS}},
    )


class ArticlePage(RecordFields):
    """A fetched article page. The spider fills the fetch fields; the pipelines add the
    record (docs/record.md) and how complete it is. Only plain, picklable values ride on
    it: the parse tree never leaves ``extract_article``."""

    # Set by the spider.
    requested_url = scrapy.Field()  # first URL of the request (before redirects)
    fetched_url = scrapy.Field()  # final URL after redirects
    redirect_urls = scrapy.Field()
    status = scrapy.Field()
    raw = scrapy.Field()  # response body, bytes (archived, then dropped by the store)
    encoding = scrapy.Field()  # from the Content-Type header, or None
    content_type = scrapy.Field()
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    sitemap_lastmod = scrapy.Field()
    sitemap_url = scrapy.Field()
    fetched_at = scrapy.Field()  # naive UTC datetime
    via = scrapy.Field()  # an archive.vocabulary.Via: how the crawler came to fetch it
    # Set by the pipelines, besides the record's fields.
    extraction = scrapy.Field()  # cfbu_crawler.extract.Extraction (dropped by the store)
    canonical = scrapy.Field()
    missing = scrapy.Field()  # required fields validation found empty
    extraction_errors = scrapy.Field()  # ["step: ExceptionType: message"] of crashed extractors
    outcome = scrapy.Field()  # an archive.vocabulary.Outcome: new, changed, unchanged, moved, error
    # Set by warc.recorder.WarcLocationMiddleware: the response's record in the WARC files.
    warc_file = scrapy.Field()
    warc_offset = scrapy.Field()
    warc_length = scrapy.Field()


class FetchOutcome(scrapy.Item):
    """A fetch that produced no article page: 304, 404/410, a failure after retries, or
    an article skipped because the sitemap says it has not changed."""

    url = scrapy.Field()
    outcome = scrapy.Field()  # an Outcome: not_modified, gone, error or skipped
    status = scrapy.Field()
    error = scrapy.Field()
    raw = scrapy.Field()
    content_type = scrapy.Field()
    final_url = scrapy.Field()
    sitemap_lastmod = scrapy.Field()
    sitemap_url = scrapy.Field()
    via = scrapy.Field()  # an archive.vocabulary.Via
    # The response's record in the WARC files (warc.recorder.WarcLocationMiddleware).
    warc_file = scrapy.Field()
    warc_offset = scrapy.Field()
    warc_length = scrapy.Field()
