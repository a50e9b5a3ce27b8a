"""one link per grant and goal

Revision ID: 09acb382f843
Revises: 1c415c29f62a
Create Date: 2026-11-23 21:43:35.984222
"""

from collections.abc import Sequence

from alembic import op

revision: str = "09acb382f843"
down_revision: str | None = "1c415c29f62a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Links made twice before the constraint (two requests at once) would stop it being created: the
# oldest link of each grant and goal stays, the later copies go.
_DROP_LATER_COPIES = """
DELETE FROM grant_goal_link
WHERE goal_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM grant_goal_link AS older
    WHERE older.grant_id = grant_goal_link.grant_id AND older.goal_id = grant_goal_link.goal_id
      AND (older.created_at < grant_goal_link.created_at
           OR (older.created_at = grant_goal_link.created_at AND older.id < grant_goal_link.id))
)
"""


def upgrade() -> None:
    op.execute(_DROP_LATER_COPIES)
    with op.batch_alter_table("grant_goal_link", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_grant_goal_link_grant_id_goal_id"), ["grant_id", "goal_id"])


def downgrade() -> None:
    with op.batch_alter_table("grant_goal_link", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_grant_goal_link_grant_id_goal_id"), type_="unique")
