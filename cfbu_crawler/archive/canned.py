"""Ready-made queries a reader of the archive needs, in SQLite's dialect: ``cfbu serve``
offers them as Datasette's canned queries (a form for their parameters, a table of
rows, CSV and JSON). Each reads the documented schema (docs/schema.md) only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: str
    description: str
    sql: str


LATEST_ARTICLES = CannedQuery(
    "latest_articles",
    "Latest articles",
    "The newest version of every live article, newest first.",
    """
SELECT published, title, category, url, version, versions, qa_count, article_id, version_id
FROM latest_versions
WHERE status = 'live'
ORDER BY published DESC, title
""",
)

INTERVIEWS = CannedQuery(
    "interviews",
    "Interviews",
    "Articles whose newest version has questions and answers, newest first, with the "
    "number of questions.",
    """
SELECT published, title, qa_count AS questions, status, url, article_id, version_id
FROM latest_versions
WHERE is_interview = 1
ORDER BY published DESC, title
""",
)

CHANGES_IN_RUN = CannedQuery(
    "changes_in_run",
    "What changed in run N",
    "Articles new, changed (with the changed fields, and whether the site or a newer "
    "extractor made the change), moved or removed in one run.",
    """
SELECT CASE WHEN v.number = 1 THEN 'new' ELSE 'changed' END AS change, v.cause,
       v.changed_fields, a.url AS url, NULL AS moved_from, v.title, v.number AS version, v.id AS version_id
FROM versions v JOIN articles a ON a.id = v.article_id
WHERE v.run_id = :run
UNION ALL
SELECT 'moved', NULL, NULL, o.final_url, o.url, lv.title, lv.version, lv.version_id
FROM observations o JOIN latest_versions lv ON lv.article_id = o.article_id
WHERE o.run_id = :run AND o.outcome = 'moved'
UNION ALL
SELECT 'removed', NULL, NULL, a.url, NULL, lv.title, lv.version, lv.version_id
FROM articles a JOIN latest_versions lv ON lv.article_id = a.id
WHERE a.gone_run_id = :run
ORDER BY 1, 4
""",
)

ARTICLE_HISTORY = CannedQuery(
    "article_history",
    "The history of one article",
    "Every version of one article, by its slug or any URL it was reached by: when, by "
    "which run, why (site or extractor) and which fields changed.",
    """
SELECT v.number AS version, v.run_id AS run, v.created_at, v.cause, v.changed_fields,
       v.title, v.published, v.url, v.raw_page_id, v.id AS version_id
FROM versions v JOIN articles a ON a.id = v.article_id
WHERE a.slug = :article OR a.url = :article
   OR a.id IN (SELECT article_id FROM article_urls WHERE url = :article)
ORDER BY a.id, v.number
""",
)

GONE_OR_MOVED = CannedQuery(
    "gone_or_moved",
    "Articles gone or moved",
    "Articles the site removed (404/410 in a complete run) and articles that answered "
    "under a new URL, latest first.",
    """
SELECT 'gone' AS what, a.url, NULL AS now_at, a.gone_since AS since, a.gone_run_id AS run,
       lv.title, a.id AS article_id
FROM articles a JOIN latest_versions lv ON lv.article_id = a.id
WHERE a.status = 'gone'
UNION ALL
SELECT 'moved', o.url, o.final_url, o.fetched_at, o.run_id, lv.title, o.article_id
FROM observations o JOIN latest_versions lv ON lv.article_id = o.article_id
WHERE o.outcome = 'moved'
ORDER BY since DESC
""",
)

COVERAGE_PER_RUN = CannedQuery(
    "coverage_per_run",
    "Field coverage per run",
    "For each run, the share (in %) of its articles on which each field was found, the "
    "interviews found and the share of them with Q&A extracted, and any warnings.",
    """
SELECT id AS run, kind, status, started_at,
       json_extract(coverage, '$.articles') AS articles,
       round(100 * json_extract(coverage, '$.title'), 1) AS title_pct,
       round(100 * json_extract(coverage, '$.published'), 1) AS published_pct,
       round(100 * json_extract(coverage, '$.breadcrumb'), 1) AS breadcrumb_pct,
       round(100 * json_extract(coverage, '$.body'), 1) AS body_pct,
       json_extract(coverage, '$.interviews') AS interviews,
       round(100 * json_extract(coverage, '$.qa'), 1) AS qa_pct,
       warnings
FROM runs
ORDER BY id DESC
""",
)

CANNED_QUERIES: tuple[CannedQuery, ...] = (
    LATEST_ARTICLES,
    INTERVIEWS,
    CHANGES_IN_RUN,
    ARTICLE_HISTORY,
    GONE_OR_MOVED,
    COVERAGE_PER_RUN,
)

# One stored page, for ``cfbu serve``'s text view of it.
RAW_PAGE_SQL = (
    "SELECT id, size, compression, content_type, encoding, content FROM raw_pages WHERE id = :id"
)

__all__ = ["CANNED_QUERIES", "RAW_PAGE_SQL", "CannedQuery"]
