"""Downloader middlewares: conditional requests from the archive's validators, and
Scrapy's retry policy with exponential backoff and Retry-After.

``ConditionalRequestsMiddleware`` adds If-None-Match / If-Modified-Since to the requests
the spider marks as conditional (``meta["cfbu_conditional"]``: article, listing or
sitemap), from what ``crawlstate.ArchiveState`` loaded from the archive.

Scrapy's ``RetryMiddleware`` decides *whether* to retry (5xx, timeouts, resets);
``BackoffRetryMiddleware`` only decides *when*: it waits ``base * 2**(n-1)`` seconds
(capped), or what the server's ``Retry-After`` asks for, before handing the retry request
back.
"""

from __future__ import annotations

import asyncio
from datetime import timezone
from email.utils import parsedate_to_datetime

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings

from cfbu_crawler.archive.timeutil import utcnow
from cfbu_crawler.crawlstate import ArchiveState


def retry_after_seconds(value: bytes | str | None, *, cap: float) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return min(float(text), cap)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc).replace(tzinfo=None)
    return max(0.0, min((when - utcnow()).total_seconds(), cap))


class ConditionalRequestsMiddleware:
    """If-None-Match / If-Modified-Since for requests marked conditional, asked for the
    first URL only: a redirect keeps the headers of the request it follows, and a request
    the spider sends unconditionally (the full fetch of a redirect target that answered
    304) carries no mark."""

    def __init__(self, state: ArchiveState) -> None:
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestsMiddleware:
        state = crawler.get_extension(ArchiveState)
        if state is None:
            raise NotConfigured("conditional requests need the ArchiveState extension")
        return cls(state)

    def process_request(self, request: Request) -> None:
        kind = request.meta.get("cfbu_conditional")
        if not kind or request.meta.get("redirect_urls"):
            return
        for name, value in self.state.view.conditional_headers(request.url, kind).items():
            request.headers.setdefault(name, value)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.base = settings.getfloat("CFBU_RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("CFBU_RETRY_BACKOFF_MAX", 60.0)

    def backoff(self, retry_request: Request, response: Response | None = None) -> float:
        attempt = max(1, int(retry_request.meta.get("retry_times", 1)))
        delay: float = min(self.base * 2 ** (attempt - 1), self.cap)
        if response is not None:
            asked = retry_after_seconds(response.headers.get(b"Retry-After"), cap=self.cap)
            if asked is not None:
                delay = asked
        return delay

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await asyncio.sleep(self.backoff(result, response))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await asyncio.sleep(self.backoff(result))
        return result
