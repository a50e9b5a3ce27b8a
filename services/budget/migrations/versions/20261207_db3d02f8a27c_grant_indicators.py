"""grant indicators: the indicators that show a grant's effect, and each year's use

A grant's effect was free text only. A grant and each year's use now name indicators in the goals
service (by id, checked there when written); grants and uses already there name none.

Revision ID: db3d02f8a27c
Revises: 4894005b3e0c
Create Date: 2026-12-07 06:06:55.124084
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "db3d02f8a27c"
down_revision: str | None = "4894005b3e0c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NONE_YET = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table("grant_use", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indicator_ids", sa.JSON(), nullable=False, server_default=NONE_YET))
    with op.batch_alter_table("state_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indicator_ids", sa.JSON(), nullable=False, server_default=NONE_YET))


def downgrade() -> None:
    with op.batch_alter_table("state_grant", schema=None) as batch_op:
        batch_op.drop_column("indicator_ids")
    with op.batch_alter_table("grant_use", schema=None) as batch_op:
        batch_op.drop_column("indicator_ids")
