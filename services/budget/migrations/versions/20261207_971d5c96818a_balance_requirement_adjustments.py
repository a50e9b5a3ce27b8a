"""balance requirement adjustments

The lines of a year's balance requirement reconciliation (realisation gains, unrealised changes in
securities and their reversal, the result equalisation reserve), each with its decision. The new
account categories of the region's own lines need no change: the category columns are plain
strings of 24 characters without a check.

Revision ID: 971d5c96818a
Revises: 09acb382f843
Create Date: 2026-12-07 02:13:55.899965
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.types


revision: str = "971d5c96818a"
down_revision: str | None = "09acb382f843"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "balance_adjustment",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "realisation_gain",
                "unrealised_gain",
                "unrealised_loss",
                "unrealised_gain_reversal",
                "unrealised_loss_reversal",
                "reserve_provision",
                "reserve_use",
                name="balanceadjustmentkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("amount", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=16), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_paragraph", sa.String(length=16), nullable=True),
        sa.Column("diary_number", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_balance_adjustment")),
    )
    with op.batch_alter_table("balance_adjustment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_balance_adjustment_year"), ["year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("balance_adjustment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_balance_adjustment_year"))

    op.drop_table("balance_adjustment")
