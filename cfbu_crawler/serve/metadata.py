"""Datasette's metadata for an archive: every table, view and column described from
``archive.schemadoc`` (the source of docs/schema.md too), units, full-text search on the
``latest_versions`` view, and the canned queries of ``archive.canned``."""

from __future__ import annotations

from typing import Any

from cfbu_crawler.archive.canned import CANNED_QUERIES
from cfbu_crawler.archive.schemadoc import DESCRIPTION, RELATIONS, TITLE

SOURCE_URL = "https://github.com/cfbu-archive/cfbu"
# The full-text index of the latest versions (docs/schema.md, "Full-text search"): one
# row per article, rowid = the article's id.
LATEST_FTS_TABLE = "latest_versions_fts"
LATEST_FTS_PK = "article_id"


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def table_metadata() -> dict[str, dict[str, Any]]:
    tables: dict[str, dict[str, Any]] = {}
    for relation in RELATIONS:
        entry: dict[str, Any] = {
            "description": sentence(relation.title),
            "columns": relation.columns(),
        }
        if relation.units:
            entry["units"] = dict(relation.units)
        tables[relation.name] = entry
    tables["latest_versions"].update(
        fts_table=LATEST_FTS_TABLE, fts_pk=LATEST_FTS_PK, sort_desc="published"
    )
    tables["runs"]["sort_desc"] = "id"
    return tables


def canned_queries() -> dict[str, dict[str, str]]:
    return {
        query.name: {
            "title": query.title,
            "description": query.description,
            "sql": query.sql.strip(),
        }
        for query in CANNED_QUERIES
    }


def build_metadata(database: str, archive: str) -> dict[str, Any]:
    """The metadata for the Datasette database ``database`` (the archive file's stem);
    ``archive`` names the archive for people (its path)."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "source": "cfbu",
        "source_url": SOURCE_URL,
        "databases": {
            database: {
                "description": f"The archive {archive}, opened read-only.",
                "tables": table_metadata(),
                "queries": canned_queries(),
            }
        },
    }


__all__ = ["LATEST_FTS_PK", "LATEST_FTS_TABLE", "build_metadata"]
