"""links to the goals service: an action's indicators, a risk's goals and activities

An action names the indicators it should move; a risk the goals and activities it threatens. They are
ids in the goals service, kept as lists as an action's goals are; rows already there link nothing.

Revision ID: 0d97c88c65d5
Revises: 861f1d1144e6
Create Date: 2026-12-07 06:04:08.248147
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0d97c88c65d5"
down_revision: str | None = "861f1d1144e6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NONE_YET = sa.text("'[]'")


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("indicator_ids", sa.JSON(), nullable=False, server_default=NONE_YET))
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal_ids", sa.JSON(), nullable=False, server_default=NONE_YET))
        batch_op.add_column(sa.Column("activity_ids", sa.JSON(), nullable=False, server_default=NONE_YET))


def downgrade() -> None:
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_column("activity_ids")
        batch_op.drop_column("goal_ids")
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("indicator_ids")
