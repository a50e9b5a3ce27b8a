"""reminder claims pruned: the day each reminder's point was reached, and how far the claims were pruned

Revision ID: 9c1f4e7b2d58
Revises: 485a2253e11f
Create Date: 2026-12-07 19:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.types


revision: str = "9c1f4e7b2d58"
down_revision: str | None = "485a2253e11f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reminder_claim", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reached_on", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_reminder_claim_reached_on"), ["reached_on"], unique=False)

    op.create_table(
        "reminder_pruning",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kept_since", sa.Date(), nullable=False),
        sa.Column("pruned_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_pruning")),
    )


def downgrade() -> None:
    op.drop_table("reminder_pruning")
    with op.batch_alter_table("reminder_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_claim_reached_on"))
        batch_op.drop_column("reached_on")
