"""The records of ``cfbu export``, streamed from the archive: the latest version of every
article (or the archive as it stood after run N), every version, or every Q&A pair.

Rows are read in batches (``yield_per``) and handed on one at a time, with the aliases of
each batch's articles fetched in one query: memory stays flat however large the archive.
The columns of each kind of export are defined here once (``columns``); the file formats
are ``cfbu_crawler.formats``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement, Select

from cfbu_crawler.archive.db import ArchiveError
from cfbu_crawler.archive.models import Article, ArticleURL, Observation, QAPair, Run, Version
from cfbu_crawler.archive.timeutil import iso_utc
from cfbu_crawler.archive.vocabulary import (
    ANSWERED_OUTCOMES,
    LIVE_OUTCOMES,
    ArticleStatus,
    Outcome,
    RunStatus,
    StrEnum,
)
from cfbu_crawler.record import CONTENT_FIELDS

if TYPE_CHECKING:
    from typing_extensions import Unpack

    AnySelect = Select[Unpack[tuple[Any, ...]]]

BATCH = 500


class ExportKind(StrEnum):
    """What one record of an export is."""

    ARTICLES = "articles"  # an article: its latest version (as of a run)
    VERSIONS = "versions"  # one version of an article
    QA = "qa"  # one question and its answer


# One tuple per kind: the keys of every record, in order (the CSV header).
ARTICLE_COLUMNS: tuple[str, ...] = (
    "url",
    "status",
    *CONTENT_FIELDS,
    "first_seen",
    "last_seen",
    "version",
    "versions",
    "content_hash",
    "missing",
    "qa_count",
    "is_interview",
    "aliases",
)
VERSION_COLUMNS: tuple[str, ...] = (
    "url",
    "status",
    "version",
    "run",
    "cause",
    "changed_fields",
    "created_at",
    "extractor_version",
    "version_url",
    *CONTENT_FIELDS,
    "content_hash",
    "missing",
    "qa_count",
    "is_interview",
    "aliases",
)
QA_COLUMNS: tuple[str, ...] = (
    "url",
    "title",
    "published",
    "status",
    "version",
    "position",
    "question",
    "answer",
)
COLUMNS: dict[ExportKind, tuple[str, ...]] = {
    ExportKind.ARTICLES: ARTICLE_COLUMNS,
    ExportKind.VERSIONS: VERSION_COLUMNS,
    ExportKind.QA: QA_COLUMNS,
}


def columns(kind: ExportKind) -> tuple[str, ...]:
    return COLUMNS[kind]


# -- what "as it stood after run N" means ---------------------------------------------


def _check_run(conn: Connection, run: int) -> datetime:
    """The moment run ``run`` ended (or its last sign of life); ArchiveError if none."""
    row = conn.execute(
        select(Run.finished_at, Run.heartbeat_at, Run.started_at).where(Run.id == run)
    ).first()
    if row is None:
        last = conn.execute(select(func.max(Run.id))).scalar()
        known = f"runs are 1 to {last}" if last else "the archive holds no runs"
        raise ArchiveError(f"no run {run} in this archive ({known})")
    ended: datetime = row.finished_at or row.heartbeat_at or row.started_at
    return ended


def status_after(run: int) -> ColumnElement[str]:
    """An article's status after run ``run``: gone when a complete crawl up to then found
    it removed (404/410, or redirected into another article) and no fetch since, up to
    that run, found it live again; else live (the rule ``finish_run`` applies)."""
    removal, done, back = aliased(Observation), aliased(Run), aliased(Observation)
    came_back = (
        exists()
        .where(
            back.article_id == Article.id,
            back.outcome.in_(ANSWERED_OUTCOMES),
            back.run_id >= removal.run_id,
            back.run_id <= run,
        )
        .correlate_except(back)
    )
    removed = (
        exists()
        .where(
            removal.article_id == Article.id,
            removal.outcome == Outcome.GONE,
            removal.run_id <= run,
            done.id == removal.run_id,
            done.kind == "crawl",
            done.status == RunStatus.COMPLETE,
            ~came_back,
        )
        .correlate_except(removal, done)
    )
    return case((removed, literal(str(ArticleStatus.GONE))), else_=literal(str(ArticleStatus.LIVE)))


def last_seen_after(run: int) -> ColumnElement[datetime]:
    """When the article was last seen live up to run ``run``."""
    seen = aliased(Observation)
    latest = (
        select(func.max(seen.fetched_at))
        .where(
            seen.article_id == Article.id,
            seen.run_id <= run,
            seen.outcome.in_(LIVE_OUTCOMES),
        )
        .correlate_except(seen)
        .scalar_subquery()
    )
    return func.coalesce(latest, Article.first_seen)


def _versions_up_to(run: int | None) -> Any:
    """Per article: its highest version number and its number of versions (made up to
    run ``run``)."""
    query = select(
        Version.article_id,
        func.max(Version.number).label("number"),
        func.count().label("count"),
    )
    if run is not None:
        query = query.where(Version.run_id <= run)
    return query.group_by(Version.article_id).subquery()


def _article_columns(run: int | None) -> list[Any]:
    if run is None:
        return [
            Article.status.label("status"),
            Article.last_seen.label("last_seen"),
        ]
    return [status_after(run).label("status"), last_seen_after(run).label("last_seen")]


# -- the queries -------------------------------------------------------------------------

# The version columns every record takes (Core columns: no ORM objects per row).
_VERSION_FIELDS = (
    Version.number,
    Version.run_id,
    Version.cause,
    Version.changed_fields,
    Version.created_at,
    Version.extractor_version,
    Version.url.label("version_url"),
    *(getattr(Version, field) for field in CONTENT_FIELDS),
    Version.content_hash,
    Version.missing,
)


def _articles_query(run: int | None) -> AnySelect:
    picked = _versions_up_to(run)
    return (
        select(
            Article.id.label("article_id"),
            Article.url,
            Article.first_seen,
            *_article_columns(run),
            *_VERSION_FIELDS,
            picked.c.count.label("versions"),
        )
        .join(picked, picked.c.article_id == Article.id)
        .join(Version, and_(Version.article_id == Article.id, Version.number == picked.c.number))
        .order_by(Article.url, Article.id)
    )


def _versions_query(run: int | None) -> AnySelect:
    query = select(
        Article.id.label("article_id"), Article.url, *_article_columns(run), *_VERSION_FIELDS
    ).join(Version, Version.article_id == Article.id)
    if run is not None:
        query = query.where(Version.run_id <= run)
    return query.order_by(Article.url, Article.id, Version.number)


def _qa_query(run: int | None, all_versions: bool) -> AnySelect:
    status = Article.status if run is None else status_after(run)
    query: AnySelect = select(
        Article.url,
        Version.title,
        Version.published,
        status.label("status"),
        Version.number.label("version"),
        (QAPair.position + 1).label("position"),
        QAPair.question,
        QAPair.answer,
    ).join(Version, Version.article_id == Article.id)
    if all_versions:
        if run is not None:
            query = query.where(Version.run_id <= run)
    else:
        picked = _versions_up_to(run)
        query = query.join(
            picked,
            and_(picked.c.article_id == Article.id, picked.c.number == Version.number),
        )
    return query.join(QAPair, QAPair.version_id == Version.id).order_by(
        Article.url, Article.id, Version.number, QAPair.position
    )


def _aliases(
    conn: Connection, articles: dict[int, str], until: datetime | None
) -> dict[int, list[str]]:
    """Every other URL each article was reached by (up to ``until``), sorted."""
    if not articles:
        return {}
    found: dict[int, set[str]] = {article_id: set() for article_id in articles}
    query = select(ArticleURL.article_id, ArticleURL.url).where(
        ArticleURL.article_id.in_(list(articles))
    )
    if until is not None:
        query = query.where(ArticleURL.first_seen <= until)
    for article_id, url in conn.execute(query):
        if url != articles[article_id]:
            found[article_id].add(url)
    return {article_id: sorted(urls) for article_id, urls in found.items()}


def _content(row: Any) -> dict[str, Any]:
    """The record's content fields, empty values made uniform (as ``content_of``)."""
    out = {}
    for field in CONTENT_FIELDS:
        value = getattr(row, field)
        if field in ("breadcrumb", "qa"):
            value = list(value or [])
        elif field == "body":
            value = value or ""
        out[field] = value
    return out


def _interview(row: Any) -> dict[str, Any]:
    qa_count = len(row.qa or [])
    return {"qa_count": qa_count, "is_interview": qa_count > 0}


def _article_record(row: Any, aliases: list[str]) -> dict[str, Any]:
    return {
        "url": row.url,
        "status": str(row.status),
        **_content(row),
        "first_seen": iso_utc(row.first_seen),
        "last_seen": iso_utc(row.last_seen),
        "version": row.number,
        "versions": row.versions,
        "content_hash": row.content_hash,
        "missing": list(row.missing or []),
        **_interview(row),
        "aliases": aliases,
    }


def _version_record(row: Any, aliases: list[str]) -> dict[str, Any]:
    return {
        "url": row.url,
        "status": str(row.status),
        "version": row.number,
        "run": row.run_id,
        "cause": str(row.cause),
        "changed_fields": list(row.changed_fields or []),
        "created_at": iso_utc(row.created_at),
        "extractor_version": row.extractor_version,
        "version_url": row.version_url,
        **_content(row),
        "content_hash": row.content_hash,
        "missing": list(row.missing or []),
        **_interview(row),
        "aliases": aliases,
    }


def _qa_record(row: Any) -> dict[str, Any]:
    return {**row._asdict(), "status": str(row.status)}


def kind_of(*, all_versions: bool = False, qa: bool = False) -> ExportKind:
    """The kind of export the options ask for (``--qa`` with ``--all-versions``: the Q&A
    pairs of every version)."""
    if qa:
        return ExportKind.QA
    return ExportKind.VERSIONS if all_versions else ExportKind.ARTICLES


def iter_records(
    engine: Engine, *, run: int | None = None, all_versions: bool = False, qa: bool = False
) -> Iterator[dict[str, Any]]:
    """The records of an export, one at a time, ordered by URL (then version, position);
    their keys are ``columns(kind_of(all_versions=…, qa=…))``.

    - by default the latest version of every article, gone ones included; with ``run``,
      the archive as it stood after that run: each article's latest version made up to
      then, its status then, articles first seen later left out;
    - ``all_versions``: every version (made up to ``run``, with the article's status
      then), with its run, cause and changed fields;
    - ``qa``: one record per question and answer, of the versions above.

    Raises ``ArchiveError`` for an unknown run.
    """
    kind = kind_of(all_versions=all_versions, qa=qa)
    with engine.connect() as conn:
        until = _check_run(conn, run) if run is not None else None
        if kind == ExportKind.QA:
            rows = conn.execution_options(yield_per=BATCH).execute(_qa_query(run, all_versions))
            yield from (_qa_record(row) for row in rows)
            return
        if kind == ExportKind.ARTICLES:
            query, build = _articles_query(run), _article_record
        else:
            query, build = _versions_query(run), _version_record
        rows = conn.execution_options(yield_per=BATCH).execute(query)
        for batch in rows.partitions():
            aliases = _aliases(conn, {row.article_id: row.url for row in batch}, until)
            for row in batch:
                yield build(row, aliases.get(row.article_id, []))
            del batch, aliases  # before the next batch is fetched


def export_records(engine: Engine, *, run: int | None = None) -> list[dict[str, Any]]:
    """Every article's record at once (tests and small archives; the command streams)."""
    return list(iter_records(engine, run=run))


__all__ = [
    "ARTICLE_COLUMNS",
    "QA_COLUMNS",
    "VERSION_COLUMNS",
    "ExportKind",
    "columns",
    "export_records",
    "iter_records",
    "kind_of",
    "last_seen_after",
    "status_after",
]
