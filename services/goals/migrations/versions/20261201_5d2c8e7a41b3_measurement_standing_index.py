"""measurement index for the value standing at a period

Revision ID: 5d2c8e7a41b3
Revises: 1b9381a047a7
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2c8e7a41b3"
down_revision: str | None = "1b9381a047a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Each indicator's standing value is one ordered LIMIT 1 on these columns (rules/values.py).
    op.create_index(
        "ix_measurement_indicator_year_end", "measurement", ["indicator_id", "year", "period_end_month"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_measurement_indicator_year_end", table_name="measurement")
