"""observations point to their WARC record (file, offset, length)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 15:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Where each fetch's response (or revisit) record lies in the crawl's WARC files."""
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("warc_file", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("warc_offset", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("warc_length", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("warc_length")
        batch_op.drop_column("warc_offset")
        batch_op.drop_column("warc_file")
