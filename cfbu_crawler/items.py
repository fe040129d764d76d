"""Items the spider yields: fetched article pages, and fetches that made no page."""

from __future__ import annotations

import scrapy


class ArticlePage(scrapy.Item):
    """A fetched article page. The spider fills the fetch fields; the pipelines add the
    extracted record fields (docs/schema.md, ``versions``) and ``page``, the parsed
    document they share."""

    # Set by the spider.
    requested_url = scrapy.Field()  # first URL of the request (before redirects)
    fetched_url = scrapy.Field()  # final URL after redirects
    redirect_urls = scrapy.Field()
    status = scrapy.Field()
    raw = scrapy.Field()  # response body, bytes
    encoding = scrapy.Field()  # from the Content-Type header, or None
    content_type = scrapy.Field()
    etag = scrapy.Field()
    last_modified = scrapy.Field()
    sitemap_lastmod = scrapy.Field()
    sitemap_url = scrapy.Field()
    fetched_at = scrapy.Field()  # naive UTC datetime
    via = scrapy.Field()  # listing | sitemap | verify | retry | link
    # Set by the pipelines.
    page = scrapy.Field()  # cfbu_crawler.extract.page.Page (transient, never stored)
    url = scrapy.Field()  # identity URL (docs/schema.md, ``articles``)
    canonical = scrapy.Field()
    title = scrapy.Field()
    breadcrumb = scrapy.Field()
    category = scrapy.Field()
    published = scrapy.Field()
    blocks = scrapy.Field()  # list[Block], for the Q&A pipeline
    lead = scrapy.Field()
    body = scrapy.Field()
    qa = scrapy.Field()
    missing = scrapy.Field()  # required fields validation found empty
    extraction_errors = scrapy.Field()
    outcome = scrapy.Field()  # an archive.vocabulary.Outcome: new, changed, unchanged, moved, error


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
