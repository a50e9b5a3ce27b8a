"""investments running costs as a part of the frame

The running costs (depreciation, interest, operation) of investments starting in a frame's year are a
part of the frame of their own; frames made before carry none.

Revision ID: f339071caec2
Revises: 03dd36d3f721
Create Date: 2026-12-07 13:43:51.342390
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.types


revision: str = "f339071caec2"
down_revision: str | None = "03dd36d3f721"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("operating_frame", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("investment_costs", shared.types.Money(precision=18, scale=2), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("operating_frame", schema=None) as batch_op:
        batch_op.drop_column("investment_costs")
