"""full-text search (FTS5 on SQLite), interviews in latest_versions, aliases by article

- ``latest_versions`` gains ``qa_count`` and ``is_interview`` (at the end: ``SELECT *``
  users keep their column positions);
- ``article_urls.article_id`` is indexed (an article's aliases, read by every export);
- on SQLite: the ``versions_text`` view and the FTS5 indexes ``latest_versions_fts``
  (latest version of each article, rowid = article id) and ``versions_fts`` (every
  version, external content over ``versions_text``, rowid = version id), filled from the
  archive's versions. Other databases get no index here (their search backend is still
  to come), so the migration leaves them as they are apart from the view and the index.

What the indexes hold and how to query them: docs/schema.md, "Full-text search". The
statements are kept here as they were at this revision (a migration is a snapshot); the
code that keeps the indexes in step is cfbu_crawler/archive/search/fts5.py.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_LATEST_VERSIONS_VIEW = """
CREATE VIEW latest_versions AS
SELECT a.id AS article_id, a.url, a.slug, a.status, a.first_seen, a.last_seen,
       v.id AS version_id, v.number AS version, v.title, v.category, v.published,
       v.lead, v.body, v.breadcrumb, v.qa, v.content_hash, v.missing, v.created_at,
       (SELECT COUNT(*) FROM versions v2 WHERE v2.article_id = a.id) AS versions
FROM articles a
JOIN versions v ON v.article_id = a.id
WHERE v.number = (SELECT MAX(v3.number) FROM versions v3 WHERE v3.article_id = a.id)
"""

LATEST_VERSIONS_VIEW = """
CREATE VIEW latest_versions AS
SELECT a.id AS article_id, a.url, a.slug, a.status, a.first_seen, a.last_seen,
       v.id AS version_id, v.number AS version, v.title, v.category, v.published,
       v.lead, v.body, v.breadcrumb, v.qa, v.content_hash, v.missing, v.created_at,
       (SELECT COUNT(*) FROM versions v2 WHERE v2.article_id = a.id) AS versions,
       (SELECT COUNT(*) FROM qa_pairs q WHERE q.version_id = v.id) AS qa_count,
       CASE WHEN EXISTS (SELECT 1 FROM qa_pairs q WHERE q.version_id = v.id)
            THEN 1 ELSE 0 END AS is_interview
FROM articles a
JOIN versions v ON v.article_id = a.id
WHERE v.number = (SELECT MAX(v3.number) FROM versions v3 WHERE v3.article_id = a.id)
"""

# Each version's searchable text: questions one a line, answers separated by a blank
# line, the breadcrumb's labels joined by " / ".
VERSIONS_TEXT_VIEW = """
CREATE VIEW versions_text AS
SELECT v.id, v.title, v.lead, v.body,
       (SELECT group_concat(q.question, char(10)) FROM
          (SELECT question FROM qa_pairs WHERE version_id = v.id ORDER BY position) q)
         AS questions,
       (SELECT group_concat(q.answer, char(10) || char(10)) FROM
          (SELECT answer FROM qa_pairs WHERE version_id = v.id ORDER BY position) q)
         AS answers,
       (SELECT group_concat(b.label, ' / ') FROM
          (SELECT label FROM breadcrumb_items WHERE version_id = v.id ORDER BY position) b)
         AS breadcrumb,
       v.category
FROM versions v
"""

LATEST_FTS = """
CREATE VIRTUAL TABLE latest_versions_fts USING fts5(
    title, lead, body, questions, answers, breadcrumb, category,
    version_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""

VERSIONS_FTS = """
CREATE VIRTUAL TABLE versions_fts USING fts5(
    title, lead, body, questions, answers, breadcrumb, category,
    content = 'versions_text', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
)
"""

FILL_LATEST = """
INSERT INTO latest_versions_fts
    (rowid, title, lead, body, questions, answers, breadcrumb, category, version_id)
SELECT v.article_id, t.title, t.lead, t.body, t.questions, t.answers, t.breadcrumb,
       t.category, v.id
FROM versions v JOIN versions_text t ON t.id = v.id
WHERE v.number = (SELECT MAX(v2.number) FROM versions v2 WHERE v2.article_id = v.article_id)
"""


def upgrade() -> None:
    with op.batch_alter_table("article_urls", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_urls_article_id"), ["article_id"], unique=False
        )
    op.execute("DROP VIEW IF EXISTS latest_versions")
    op.execute(LATEST_VERSIONS_VIEW)
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(VERSIONS_TEXT_VIEW)
    op.execute(LATEST_FTS)
    op.execute(VERSIONS_FTS)
    op.execute(FILL_LATEST)
    op.execute("INSERT INTO versions_fts (versions_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS versions_fts")
        op.execute("DROP TABLE IF EXISTS latest_versions_fts")
        op.execute("DROP VIEW IF EXISTS versions_text")
    op.execute("DROP VIEW IF EXISTS latest_versions")
    op.execute(OLD_LATEST_VERSIONS_VIEW)
    with op.batch_alter_table("article_urls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_urls_article_id"))
