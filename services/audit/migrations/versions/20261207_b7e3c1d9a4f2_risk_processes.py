"""a risk's processes: the region's processes it threatens, by name

No service keeps a register of processes, so a risk names them as its control plan does; risks already
there name none.

Revision ID: b7e3c1d9a4f2
Revises: 2f5d8e3a7c61
Create Date: 2026-12-07 20:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e3c1d9a4f2"
down_revision: str | None = "2f5d8e3a7c61"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.add_column(sa.Column("processes", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("risk", schema=None) as batch_op:
        batch_op.drop_column("processes")
