"""Raw response bodies: zlib-compressed, stored once per SHA-256 of the uncompressed bytes.

Written with Core statements on the session's connection, not as ORM objects: nothing
reads a body back in the transaction that stores it, and a page record (one per fetched
page) spent a third of its time in the ORM's unit of work for this row
(bench/README.md, "Crawl throughput").
"""

from __future__ import annotations

import hashlib
import zlib

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from cfbu_crawler.archive.models import RawPage

ID_BY_SHA256 = select(RawPage.id).where(RawPage.sha256 == bindparam("sha256"))
INSERT = insert(RawPage)


def store_raw_page(
    session: Session, content: bytes, *, content_type: str | None, encoding: str | None
) -> int:
    """The id of the row holding ``content``, added if this body was never seen."""
    digest = hashlib.sha256(content).hexdigest()
    connection = session.connection()  # Core: no autoflush of the session's pending rows
    existing = connection.execute(ID_BY_SHA256, {"sha256": digest}).scalar()
    if existing is not None:
        return int(existing)
    result = connection.execute(
        INSERT,
        {
            "sha256": digest,
            "size": len(content),
            "compression": "zlib",
            "content_type": content_type,
            "encoding": encoding,
            "content": zlib.compress(content, 6),
        },
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


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
