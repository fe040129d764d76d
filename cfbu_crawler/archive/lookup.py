"""One article, named by a user, with its versions: plain SQL read through a ``Reader``.

``cfbu show`` and ``cfbu history`` must answer at once, also on an archive of a hundred
thousand articles; loading SQLAlchemy's ORM alone takes longer than that. So these reads
are written once, as SQL text with named parameters (``:name``), and run either through
``sqlite3`` (``sqlitefile.PlainSqlite``: an SQLite archive whose schema is current) or through an
engine's connection (``EngineReader``: any database). Rows come back as dicts; values
that SQLite stores as text (timestamps, JSON) are decoded as the ORM would
(``archive.runlist``).
"""

from __future__ import annotations

import difflib
from typing import Any, Protocol

from cfbu_crawler.archive.content import content_of
from cfbu_crawler.archive.runlist import json_value, time_text
from cfbu_crawler.archive.sqlitefile import ArchiveError

# Columns read of an article and of a version.
ARTICLE = "id, key, url, slug, status, first_seen, last_seen, first_run_id, last_run_id, gone_since"
VERSION = (
    "id, number, run_id, created_at, cause, changed_fields, content_hash, extractor_version,"
    " url, title, breadcrumb, category, published, lead, body, qa, missing"
)
JSON_COLUMNS = ("changed_fields", "breadcrumb", "qa", "missing")


class Reader(Protocol):
    """Runs one SQL statement (named parameters) and returns its rows as dicts."""

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]: ...


class EngineReader:
    """Through an SQLAlchemy engine (imported by the caller: this module needs none)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(text(sql), params).mappings()]


def _article(reader: Reader, where: str, **params: Any) -> list[dict[str, Any]]:
    return reader.rows(f"SELECT {ARTICLE} FROM articles WHERE {where}", **params)  # noqa: S608


def _by_id(reader: Reader, ids: list[int]) -> list[dict[str, Any]]:
    found = []
    for article_id in dict.fromkeys(ids):
        found += _article(reader, "id = :id", id=article_id)
    return found


def _suggest(reader: Reader, slug: str) -> str:
    """`` (did you mean: a, b?)`` with the archive's closest slugs, or nothing."""
    slugs = sorted({row["slug"] for row in reader.rows("SELECT slug FROM articles")})
    close = difflib.get_close_matches(slug, slugs, n=3, cutoff=0.6)
    return f" (did you mean: {', '.join(close)}?)" if close else ""


def _by_url(reader: Reader, ref: str) -> dict[str, Any] | None:
    """The article a URL (any alias, any host; scheme optional) names, or None."""
    from cfbu_crawler.extract.urls import url_key  # only URLs need it (w3lib)

    key = url_key(ref if "://" in ref else "https://" + ref.lstrip("/"))
    found = _article(reader, "key = :key", key=key)
    if not found:
        aliases = reader.rows("SELECT article_id FROM article_urls WHERE key = :key", key=key)
        found = _by_id(reader, [a["article_id"] for a in aliases])
    if not found:
        # Same path on any host (e.g. an archive of a loopback copy of the site).
        path = "/" + key.split("/", 3)[-1] if key.count("/") >= 3 else key
        matches = _article(reader, "key LIKE '%' || :path", path=path)
        found = matches if len(matches) == 1 else []
    return found[0] if found else None


def _by_slug(reader: Reader, slug: str) -> list[dict[str, Any]]:
    """The articles whose slug, or one of whose former URLs' last segment, is ``slug``."""
    matches = _article(reader, "slug = :slug", slug=slug)
    if not matches:
        aliases = reader.rows(
            "SELECT article_id FROM article_urls WHERE key LIKE '%' || :tail ORDER BY id",
            tail="/" + slug + "/",
        )
        matches = _by_id(reader, [a["article_id"] for a in aliases])
    return matches


def resolve(reader: Reader, ref: str) -> dict[str, Any]:
    """The article a user names by URL (any alias, any host) or slug; raises
    ``ArchiveError`` with a clear message when it is unknown or ambiguous."""
    ref = ref.strip()
    if "://" not in ref and "/" not in ref.strip("/"):
        ref = ref.strip("/")  # a slug typed with slashes (``slug/``, ``/slug/``)
    if "/" in ref:
        article = _by_url(reader, ref)
        if article is None:
            last = ref.rstrip("/").rsplit("/", 1)[-1]
            raise ArchiveError(f"no article {ref!r} in this archive{_suggest(reader, last)}")
        return article
    matches = _by_slug(reader, ref)
    if not matches:
        raise ArchiveError(f"no article with slug {ref!r} in this archive{_suggest(reader, ref)}")
    if len(matches) > 1:
        urls = ", ".join(a["url"] for a in matches[:5])
        raise ArchiveError(f"slug {ref!r} is ambiguous: {urls}")
    return matches[0]


def versions(reader: Reader, article_id: int) -> list[dict[str, Any]]:
    """The article's versions, oldest first (JSON columns decoded)."""
    rows = reader.rows(
        f"SELECT {VERSION} FROM versions WHERE article_id = :id ORDER BY number",  # noqa: S608
        id=article_id,
    )
    for row in rows:
        for column in JSON_COLUMNS:
            row[column] = json_value(row[column]) or []
    return rows


def head(reader: Reader, article: dict[str, Any]) -> dict[str, Any]:
    """What every view of an article says about it: URL, status, when seen, aliases."""
    urls = reader.rows("SELECT url FROM article_urls WHERE article_id = :id", id=article["id"])
    return {
        "url": article["url"],
        "slug": article["slug"],
        "status": article["status"],
        "gone_since": time_text(article["gone_since"]),
        "first_seen": time_text(article["first_seen"]),
        "last_seen": time_text(article["last_seen"]),
        "first_run": article["first_run_id"],
        "last_run": article["last_run_id"],
        "aliases": sorted({u["url"] for u in urls if u["url"] != article["url"]}),
    }


def article_history(reader: Reader, ref: str) -> dict[str, Any]:
    """All versions of the article named by ``ref`` (``archive.history.article_history``)."""
    article = resolve(reader, ref)
    result = head(reader, article)
    count = reader.rows(
        "SELECT count(id) AS n FROM observations WHERE article_id = :id", id=article["id"]
    )
    result["observations"] = count[0]["n"] if count else 0
    out = []
    previous: dict[str, Any] | None = None
    for version in versions(reader, article["id"]):
        content = content_of(version)
        fields = list(version["changed_fields"])
        changes = {}
        if previous is not None:
            changes = {f: {"from": previous[f], "to": content[f]} for f in fields}
        out.append(
            {
                "number": version["number"],
                "run_id": version["run_id"],
                "created_at": time_text(version["created_at"]),
                "cause": version["cause"],
                "changed_fields": fields,
                "content_hash": version["content_hash"],
                "extractor_version": version["extractor_version"],
                "title": version["title"],
                "published": version["published"],
                "changes": changes,
            }
        )
        previous = content
    result["versions"] = out
    return result


def show_article(reader: Reader, ref: str, version: int | None = None) -> dict[str, Any]:
    """One version of the article named by ``ref`` as a record
    (``archive.history.show_article``)."""
    article = resolve(reader, ref)
    found = versions(reader, article["id"])
    if not found:
        raise ArchiveError(f"article {article['url']} has no stored version")
    if version is None:
        chosen = found[-1]
    else:
        matches = [v for v in found if v["number"] == version]
        if not matches:
            raise ArchiveError(
                f"article {article['url']} has no version {version} "
                f"(it has versions 1 to {found[-1]['number']})"
            )
        chosen = matches[0]
    about = head(reader, article)
    record = {"url": article["url"], **content_of(chosen)}
    record.update(
        status=article["status"],
        version=chosen["number"],
        versions=len(found),
        cause=chosen["cause"],
        run_id=chosen["run_id"],
        created_at=time_text(chosen["created_at"]),
        first_seen=about["first_seen"],
        last_seen=about["last_seen"],
        gone_since=about["gone_since"],
        aliases=about["aliases"],
        missing=list(chosen["missing"]),
        content_hash=chosen["content_hash"],
    )
    return record


__all__ = [
    "EngineReader",
    "Reader",
    "article_history",
    "resolve",
    "show_article",
    "versions",
]
