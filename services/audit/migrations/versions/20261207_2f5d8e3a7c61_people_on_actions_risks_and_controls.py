"""people: the owners of actions, risks and controls

The person is a sign-in subject with the display name it goes by (shared/people.py); the free-text
title some of these records already had stays beside it as the role's description. Records already
there name no one.

Revision ID: 2f5d8e3a7c61
Revises: ca4292c25e4f
Create Date: 2026-12-07 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2f5d8e3a7c61"
down_revision: str | None = "ca4292c25e4f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PEOPLE = [("action", "owner"), ("risk", "owner"), ("control", "owner")]


def upgrade() -> None:
    for table, role in PEOPLE:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(f"{role}_subject", sa.String(length=200), nullable=True))
            batch_op.add_column(sa.Column(f"{role}_name", sa.String(length=200), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_{role}_subject"), [f"{role}_subject"], unique=False)


def downgrade() -> None:
    for table, role in reversed(PEOPLE):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{role}_subject"))
            batch_op.drop_column(f"{role}_name")
            batch_op.drop_column(f"{role}_subject")
