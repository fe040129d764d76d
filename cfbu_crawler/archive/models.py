"""SQLAlchemy 2.0 models of the archive (documented for archivists in docs/schema.md).

One row per article identity, every URL it was reached by as an alias, a version only
when the extracted content changes, an observation for every fetch, raw pages stored
compressed and deduplicated by hash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from cfbu_crawler.archive.vocabulary import ArticleStatus, Cause, RunStatus

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime()}


class Run(Base):
    """One crawl (or one ``reparse``) with its settings, status and counts."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="crawl")  # crawl | reparse
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.RUNNING, index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]
    finish_reason: Mapped[str | None] = mapped_column(String(64))
    start_url: Mapped[str | None] = mapped_column(Text)
    full: Mapped[bool] = mapped_column(Boolean, default=False)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    software_version: Mapped[str] = mapped_column(String(32))
    extractor_version: Mapped[str] = mapped_column(String(32))
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None]
    requests: Mapped[int] = mapped_column(default=0)
    bytes_received: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    removed: Mapped[int] = mapped_column(default=0)
    moved: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    listing_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    coverage: Mapped[dict[str, Any] | None]
    warnings: Mapped[list[Any]] = mapped_column(default=list)


class Article(Base):
    """One article, whatever URL it was reached by."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)  # scheme-free normalised URL
    url: Mapped[str] = mapped_column(Text)  # current canonical URL
    slug: Mapped[str] = mapped_column(Text, index=True)
    status: Mapped[str] = mapped_column(String(8), default=ArticleStatus.LIVE, index=True)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    first_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    last_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    gone_since: Mapped[datetime | None]
    gone_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    # HTTP validators of the last full response, for conditional requests.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    sitemap_lastmod: Mapped[str | None] = mapped_column(Text)
    sitemap_url: Mapped[str | None] = mapped_column(Text)  # the sitemap that lists it

    versions: Mapped[list[Version]] = relationship(
        back_populates="article", order_by="Version.number", cascade="all, delete-orphan"
    )
    aliases: Mapped[list[ArticleURL]] = relationship(
        back_populates="article", cascade="all, delete-orphan"
    )


class ArticleURL(Base):
    """Every URL an article was reached by (old slugs, old-generation URLs, redirects)."""

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(Text, unique=True)
    url: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]

    article: Mapped[Article] = relationship(back_populates="aliases")


class Version(Base):
    """One distinct extracted content of an article (the record fields of
    docs/schema.md, ``versions``)."""

    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    created_at: Mapped[datetime]
    cause: Mapped[str] = mapped_column(String(16), default=Cause.SITE)
    changed_fields: Mapped[list[Any]] = mapped_column(default=list)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    extractor_version: Mapped[str] = mapped_column(String(32))
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    breadcrumb: Mapped[list[Any]] = mapped_column(default=list)
    category: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(10), index=True)
    lead: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    qa: Mapped[list[Any]] = mapped_column(default=list)
    missing: Mapped[list[Any]] = mapped_column(default=list)  # fields flagged by validation

    article: Mapped[Article] = relationship(back_populates="versions")
    breadcrumb_items: Mapped[list[BreadcrumbItem]] = relationship(
        cascade="all, delete-orphan", order_by="BreadcrumbItem.position"
    )
    qa_pairs: Mapped[list[QAPair]] = relationship(
        cascade="all, delete-orphan", order_by="QAPair.position"
    )


class BreadcrumbItem(Base):
    """A version's breadcrumb trail, one label a row."""

    __tablename__ = "breadcrumb_items"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(Text)


class QAPair(Base):
    """A version's interview structure, one question and its answer a row."""

    __tablename__ = "qa_pairs"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("versions.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)


class RawPage(Base):
    """A fetched response body, zlib-compressed, stored once per distinct SHA-256."""

    __tablename__ = "raw_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int]
    compression: Mapped[str] = mapped_column(String(8), default="zlib")
    content_type: Mapped[str | None] = mapped_column(Text)
    encoding: Mapped[str | None] = mapped_column(String(32))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Observation(Base):
    """One fetch (or one direct check) of an article URL during a run."""

    __tablename__ = "observations"
    __table_args__ = (Index("ix_observations_run_article", "run_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"), index=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime]
    outcome: Mapped[str] = mapped_column(String(16))  # an Outcome
    version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id", ondelete="SET NULL"))
    raw_page_id: Mapped[int | None] = mapped_column(ForeignKey("raw_pages.id"))
    bytes: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    via: Mapped[str | None] = mapped_column(String(16))  # a Via: how the run came to it
    # The response (or revisit) record of this fetch in the crawl's WARC files: the file's
    # name (in the WARC folder beside the archive), the gzip member's offset and length.
    warc_file: Mapped[str | None] = mapped_column(Text)
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    warc_length: Mapped[int | None] = mapped_column(Integer)


class CrawlLock(Base):
    """At most one row: the crawl that currently writes to this archive."""

    __tablename__ = "crawl_lock"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int]
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class HttpValidator(Base):
    """ETag / Last-Modified of listing pages and sitemaps, saved by complete runs only,
    so that the next run can ask "has this changed?" instead of downloading it again."""

    __tablename__ = "http_validators"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(Text, unique=True)  # the URL itself (query kept)
    kind: Mapped[str] = mapped_column(String(16))  # listing | sitemap
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    updated_at: Mapped[datetime]
