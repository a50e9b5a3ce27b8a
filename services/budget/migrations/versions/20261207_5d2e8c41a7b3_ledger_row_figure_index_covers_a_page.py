"""the ledger rows' figure index covers a drill-down page (PostgreSQL)

The index a drill-down reads its rows in order by also holds the columns a page shows (INCLUDE), so a
page and its count are index-only scans. SQLite has no INCLUDE: there the index stays as it was.

Revision ID: 5d2e8c41a7b3
Revises: 3479eb865a01
Create Date: 2026-12-07 16:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2e8c41a7b3"
down_revision: str | None = "3479eb865a01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ["year", "unit_code", "month", "category", "id"]
COVERED = ["current", "account", "amount", "booked", "line", "batch_id", "outcome_id"]


def upgrade() -> None:
    with op.batch_alter_table("ledger_row", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_row_figure")
        batch_op.create_index("ix_ledger_row_figure", KEY, unique=False, postgresql_include=COVERED)


def downgrade() -> None:
    with op.batch_alter_table("ledger_row", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_row_figure")
        batch_op.create_index("ix_ledger_row_figure", KEY, unique=False)
