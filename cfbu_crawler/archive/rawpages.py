"""Raw response bodies: zlib-compressed, stored once per SHA-256 of the uncompressed bytes."""

from __future__ import annotations

import hashlib
import zlib

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.models import RawPage

BY_SHA256 = select(RawPage).where(RawPage.sha256 == bindparam("sha256"))


def store_raw_page(
    session: Session, content: bytes, *, content_type: str | None, encoding: str | None
) -> RawPage:
    """Return the row holding ``content``, adding it if this body was never seen."""
    digest = hashlib.sha256(content).hexdigest()
    existing = session.scalar(BY_SHA256, {"sha256": digest})
    if existing is not None:
        return existing
    page = RawPage(
        sha256=digest,
        size=len(content),
        compression="zlib",
        content_type=content_type,
        encoding=encoding,
        content=zlib.compress(content, 6),
    )
    session.add(page)
    session.flush()
    return page


def raw_content(page: RawPage) -> bytes:
    """The uncompressed body of a stored page."""
    return inflate(page.content, page.compression)


def inflate(content: bytes, compression: str | None) -> bytes:
    """A stored body uncompressed (``raw_pages.content`` by ``raw_pages.compression``)."""
    if compression == "zlib":
        return zlib.decompress(content)
    if compression in ("", "none", None):
        return content
    raise ValueError(f"unknown compression {compression!r}")
