"""forecast proposals per account category

A unit's proposed full-year forecast per account category at a follow-up, with its basis (the outcome
so far, last year's by the same month and in total) and the editor's choice beside it.

Revision ID: 4894005b3e0c
Revises: 997ac094397e
Create Date: 2026-12-07 06:12:37.282841
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.types


revision: str = "4894005b3e0c"
down_revision: str | None = "997ac094397e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forecast_proposal",
        sa.Column("unit_code", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("follow_up", sa.Enum("T1", "T2", "T3", name="followup", native_enum=False, length=8), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "revenue",
                "personnel",
                "purchased_care",
                "pharmaceuticals",
                "other_costs",
                "depreciation",
                "tax_revenue",
                "general_grants",
                "pension_costs",
                "financial_income",
                "financial_costs",
                name="accountcategory",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("outcome_so_far", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("last_year_so_far", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("last_year_total", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("proposed", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum("proposed", "accepted", "adjusted", name="proposalstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("chosen", shared.types.Money(precision=18, scale=2), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_proposal")),
        sa.UniqueConstraint(
            "unit_code",
            "year",
            "follow_up",
            "category",
            name=op.f("uq_forecast_proposal_unit_code_year_follow_up_category"),
        ),
    )
    with op.batch_alter_table("forecast_proposal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forecast_proposal_unit_code"), ["unit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_forecast_proposal_year"), ["year"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("forecast_proposal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forecast_proposal_year"))
        batch_op.drop_index(batch_op.f("ix_forecast_proposal_unit_code"))

    op.drop_table("forecast_proposal")
