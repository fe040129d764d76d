"""full-text search on PostgreSQL (tsvector, Danish), nothing on SQLite

On PostgreSQL:

- the ``versions_text`` view (each version's searchable text, as on SQLite since 0004:
  questions one a line, answers separated by a blank line, the breadcrumb's labels
  joined by " / ");
- the table ``versions_search``: per version, whether it is its article's latest, and a
  ``tsvector`` per field made with the built-in ``danish`` configuration from the text
  with punctuation read as space; filled from the archive's versions;
- two GIN indexes over all fields' vectors together: every version, and (partial) the
  latest versions.

SQLite keeps its FTS5 indexes of 0004; this migration does nothing there.

What the index holds and how to query it: docs/schema.md, "Full-text search". The
statements are kept here as they were at this revision (a migration is a snapshot); the
code that keeps the index in step is cfbu_crawler/archive/search/tsvector.py.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ("title", "lead", "body", "questions", "answers", "breadcrumb", "category")

VERSIONS_TEXT_VIEW = """
CREATE VIEW versions_text AS
SELECT v.id, v.title, v.lead, v.body,
       (SELECT string_agg(q.question, E'\\n' ORDER BY q.position)
          FROM qa_pairs q WHERE q.version_id = v.id) AS questions,
       (SELECT string_agg(q.answer, E'\\n\\n' ORDER BY q.position)
          FROM qa_pairs q WHERE q.version_id = v.id) AS answers,
       (SELECT string_agg(b.label, ' / ' ORDER BY b.position)
          FROM breadcrumb_items b WHERE b.version_id = v.id) AS breadcrumb,
       v.category
FROM versions v
"""

SEARCH_TABLE = (
    "CREATE TABLE versions_search (\n"
    "    version_id integer NOT NULL,\n"
    "    latest boolean NOT NULL DEFAULT false,\n"
    + "".join(f"    {field} tsvector NOT NULL,\n" for field in FIELDS)
    + "    CONSTRAINT pk_versions_search PRIMARY KEY (version_id),\n"
    "    CONSTRAINT fk_versions_search_version_id_versions FOREIGN KEY (version_id)\n"
    "        REFERENCES versions (id) ON DELETE CASCADE\n"
    ")"
)

DOCUMENT = "(" + " || ".join(FIELDS) + ")"


def _vector(column: str) -> str:
    return (
        f"to_tsvector('danish', regexp_replace(coalesce({column}, ''), '[[:punct:]]+', ' ', 'g'))"
    )


FILL = (
    f"INSERT INTO versions_search (version_id, latest, {', '.join(FIELDS)})\n"
    f"SELECT t.id, false, {', '.join(_vector('t.' + f) for f in FIELDS)}\n"
    "FROM versions_text t"
)

MARK_LATEST = """
UPDATE versions_search s SET latest = true
FROM versions v
WHERE v.id = s.version_id
  AND v.number = (SELECT MAX(v2.number) FROM versions v2 WHERE v2.article_id = v.article_id)
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(VERSIONS_TEXT_VIEW)
    op.execute(SEARCH_TABLE)
    op.execute(FILL)
    op.execute(MARK_LATEST)
    op.execute(
        f"CREATE INDEX ix_versions_search_document ON versions_search USING gin ({DOCUMENT})"
    )
    op.execute(
        "CREATE INDEX ix_versions_search_latest ON versions_search "
        f"USING gin ({DOCUMENT}) WHERE latest"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS versions_search")
    op.execute("DROP VIEW IF EXISTS versions_text")
