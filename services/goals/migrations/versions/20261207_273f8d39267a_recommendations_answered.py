"""recommendations answered: the audit recommendations an assignment or an activity answers

Ids in the audit service, checked there when written; assignments and activities already there
answer none.

Revision ID: 273f8d39267a
Revises: 5d2c8e7a41b3
Create Date: 2026-12-07 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "273f8d39267a"
down_revision: str | None = "5d2c8e7a41b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NONE_YET = sa.text("'[]'")


def upgrade() -> None:
    for table in ("activity", "assignment"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("recommendation_ids", sa.JSON(), nullable=False, server_default=NONE_YET))


def downgrade() -> None:
    for table in ("assignment", "activity"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("recommendation_ids")
