"""committees' needs and budget dialogues

A committee's needs for a plan period (an amount for each of its three years, a priority, the goals
it serves, and the budget's answer with the frame proposal that carries it) and the budget dialogues
between the board and a committee.

Revision ID: 997ac094397e
Revises: 015eb928efcd
Create Date: 2026-12-07 06:00:40.613648
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import shared.types


revision: str = "997ac094397e"
down_revision: str | None = "015eb928efcd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budget_dialogue",
        sa.Column("unit_code", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("participants", sa.Text(), nullable=False),
        sa.Column("agreed", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_dialogue")),
    )
    with op.batch_alter_table("budget_dialogue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_dialogue_unit_code"), ["unit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_dialogue_year"), ["year"], unique=False)

    op.create_table(
        "budget_need",
        sa.Column("unit_code", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("amount_1", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("amount_2", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column("amount_3", shared.types.Money(precision=18, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "submitted", "granted", "partly_granted", "not_granted", name="needstatus", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("granted_1", shared.types.Money(precision=18, scale=2), nullable=True),
        sa.Column("granted_2", shared.types.Money(precision=18, scale=2), nullable=True),
        sa.Column("granted_3", shared.types.Money(precision=18, scale=2), nullable=True),
        sa.Column("frame_id", sa.Uuid(), nullable=True),
        sa.Column("outcome_comment", sa.Text(), nullable=True),
        sa.Column("goals_revision", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["frame_id"], ["operating_frame.id"], name=op.f("fk_budget_need_frame_id_operating_frame")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_need")),
    )
    with op.batch_alter_table("budget_need", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_need_frame_id"), ["frame_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_need_unit_code"), ["unit_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_need_year"), ["year"], unique=False)

    op.create_table(
        "need_goal",
        sa.Column("need_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", shared.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"], ["budget_need.id"], name=op.f("fk_need_goal_need_id_budget_need"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_goal")),
        sa.UniqueConstraint("need_id", "goal_id", name=op.f("uq_need_goal_need_id_goal_id")),
    )
    with op.batch_alter_table("need_goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_need_goal_need_id"), ["need_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("need_goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_goal_need_id"))

    op.drop_table("need_goal")
    with op.batch_alter_table("budget_need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_need_year"))
        batch_op.drop_index(batch_op.f("ix_budget_need_unit_code"))
        batch_op.drop_index(batch_op.f("ix_budget_need_frame_id"))

    op.drop_table("budget_need")
    with op.batch_alter_table("budget_dialogue", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_dialogue_year"))
        batch_op.drop_index(batch_op.f("ix_budget_dialogue_unit_code"))

    op.drop_table("budget_dialogue")
