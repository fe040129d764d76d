"""observations.via: how the crawler came to fetch each article URL

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 15:00:00

Lets ``cfbu diff`` report articles that left the listing but are still online
(``via = 'unlisted'``, docs/schema.md). Older observations keep NULL: how they were found
was not recorded.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_column("via")
