"""resource scenarios and the council's fees

Named scenarios on a budget year's resource calculation with their three years, the fees the council
sets with their decision, and the tax rate a year's adopted scenario fixes on its resource calculation.

Revision ID: 015eb928efcd
Revises: 971d5c96818a
Create Date: 2026-12-07 05:42:51.166579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.types


revision: str = "015eb928efcd"
down_revision: str | None = "971d5c96818a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fee",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("amount", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("charge_unit", sa.String(length=60), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=16), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_paragraph", sa.String(length=16), nullable=True),
        sa.Column("diary_number", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee")),
        sa.UniqueConstraint("year", "name", name=op.f("uq_fee_year_name")),
    )
    with op.batch_alter_table("fee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fee_year"), ["year"], unique=False)

    op.create_table(
        "resource_scenario",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "status", sa.Enum("draft", "adopted", name="scenariostatus", native_enum=False, length=16), nullable=False
        ),
        sa.Column("tax_rate", shared.types.Quantity(precision=24, scale=6), nullable=False),
        sa.Column("starting_tax_base", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("starting_population", sa.Integer(), nullable=False),
        sa.Column("result_target_percent", shared.types.Quantity(precision=24, scale=6), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("years_revision", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=16), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_paragraph", sa.String(length=16), nullable=True),
        sa.Column("diary_number", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_scenario")),
        sa.UniqueConstraint("year", "name", name=op.f("uq_resource_scenario_year_name")),
    )
    with op.batch_alter_table("resource_scenario", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resource_scenario_year"), ["year"], unique=False)

    op.create_table(
        "scenario_year",
        sa.Column("scenario_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("tax_base_growth_percent", shared.types.Quantity(precision=24, scale=6), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("lpik_percent", shared.types.Quantity(precision=24, scale=6), nullable=False),
        sa.Column("pension_cost", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("general_grants", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("other_revenue", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["resource_scenario.id"],
            name=op.f("fk_scenario_year_scenario_id_resource_scenario"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scenario_year")),
        sa.UniqueConstraint("scenario_id", "year", name=op.f("uq_scenario_year_scenario_id_year")),
    )
    with op.batch_alter_table("scenario_year", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scenario_year_scenario_id"), ["scenario_id"], unique=False)

    with op.batch_alter_table("resource_calculation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tax_rate", shared.types.Quantity(precision=24, scale=6), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("resource_calculation", schema=None) as batch_op:
        batch_op.drop_column("tax_rate")

    with op.batch_alter_table("scenario_year", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scenario_year_scenario_id"))

    op.drop_table("scenario_year")
    with op.batch_alter_table("resource_scenario", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_scenario_year"))

    op.drop_table("resource_scenario")
    with op.batch_alter_table("fee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fee_year"))

    op.drop_table("fee")
