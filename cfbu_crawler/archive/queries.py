"""Reading the archive for the commands: runs and exports (one article and its versions:
``archive.lookup``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from cfbu_crawler.archive import runlist
from cfbu_crawler.archive.content import content_of
from cfbu_crawler.archive.export import iter_records
from cfbu_crawler.archive.models import Article, Run, Version


def run_dict(run: Run) -> dict[str, Any]:
    """A run described for people and machines (``archive.runlist.run_dict``)."""
    return runlist.run_dict({column: getattr(run, column) for column in runlist.RUN_COLUMNS})


def list_runs(engine: Engine, limit: int | None = None) -> list[dict[str, Any]]:
    """The runs, newest first (the newest ``limit``), as ``cfbu runs --json`` gives them."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            return runlist.read_runs(cursor, limit)
        finally:
            cursor.close()
    finally:
        connection.close()


def version_record(article: Article, version: Version) -> dict[str, Any]:
    """One version as a record (docs/record.md): the article's URL and the content."""
    return {"url": article.url, **content_of(version)}


def export_records(engine: Engine, *, run: int | None = None) -> list[dict[str, Any]]:
    """The latest version of every article (gone ones included), as ``cfbu export``
    writes it (``cfbu_crawler.archive.export``, which streams; this is the whole list)."""
    return list(iter_records(engine, run=run))
