"""What the crawler hands the archive for one fetched article page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cfbu_crawler.warc.location import WarcLocation


@dataclass
class FetchedPage:
    """One article page as fetched and extracted, ready for ``ArchiveWriter.record_page``."""

    requested_url: str  # the URL asked for (before redirects)
    final_url: str  # the URL that answered (after redirects)
    identity_url: str  # the article's identity: canonical link, or the final URL
    status: int
    record: dict[str, Any]  # the extracted record fields
    raw: bytes
    content_type: str | None = None
    encoding: str | None = None
    redirect_urls: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    sitemap_lastmod: str | None = None
    sitemap_url: str | None = None
    fetched_at: datetime | None = None
    missing: list[str] = field(default_factory=list)  # required fields found empty
    via: str | None = None  # a Via: how the crawler came to fetch it
    warc: WarcLocation | None = None  # the response's record in the run's WARC files

    def urls(self) -> set[str]:
        """Every URL this fetch reached the article by: all become its aliases."""
        return {
            url
            for url in (self.identity_url, self.final_url, self.requested_url, *self.redirect_urls)
            if url
        }
