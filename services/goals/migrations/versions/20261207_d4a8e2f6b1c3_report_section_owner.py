"""a report section's owner: the person who writes it

A section names the person who writes its text (owner_subject, owner_name), asked in their tasks until
it is marked ready; sections already there name no one.

Revision ID: d4a8e2f6b1c3
Revises: 9c1f4e7b2d58
Create Date: 2026-12-07 20:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d4a8e2f6b1c3"
down_revision: str | None = "9c1f4e7b2d58"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_section", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_subject", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("owner_name", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_report_section_owner_subject"), ["owner_subject"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_section", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_section_owner_subject"))
        batch_op.drop_column("owner_name")
        batch_op.drop_column("owner_subject")
