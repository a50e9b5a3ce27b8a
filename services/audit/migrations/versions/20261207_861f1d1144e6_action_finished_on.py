"""action finished_on: the day an action was done or cancelled, backfilled for those already finished

A read model looking back ("as at" a date) needs to know whether an action was done by then. Existing
done or cancelled actions get the day, in Swedish time, of the change that finished them, as their
history records it (the last change of the record when the history has none): it was certainly
finished by then, so an action is never shown done earlier than the record shows. Each backfilled
action's version moves and its history keeps the change, made by the system.

Revision ID: 861f1d1144e6
Revises: ba27a716ca62
Create Date: 2026-12-07 02:08:50.206509
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

import shared.types
from shared.asof import SWEDISH_TIME
from shared.history import SYSTEM_ACTOR

revision: str = "861f1d1144e6"
down_revision: str | None = "ba27a716ca62"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FINISHED = ("done", "cancelled")

action = sa.table(
    "action",
    sa.column("id", sa.Uuid()),
    sa.column("version", sa.Integer()),
    sa.column("status", sa.String()),
    sa.column("finished_on", sa.Date()),
    sa.column("updated_at", shared.types.UTCDateTime()),
)
history = sa.table(
    "history_entry",
    sa.column("id", sa.Integer()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("action", sa.String()),
    sa.column("version", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("actor_name", sa.String()),
    sa.column("request_id", sa.String()),
    sa.column("at", shared.types.UTCDateTime()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
    sa.column("public", sa.Boolean()),
    sa.column("tx", sa.BigInteger()),
)


def upgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finished_on", sa.Date(), nullable=True))
    _backfill_finished_on()


def downgrade() -> None:
    with op.batch_alter_table("action", schema=None) as batch_op:
        batch_op.drop_column("finished_on")


def _finishing_moments(bind: sa.Connection, ids: list[str]) -> dict[str, datetime]:
    """When each action's status last became done or cancelled, by its history."""
    moments: dict[str, datetime] = {}
    rows = bind.execute(
        sa.select(history.c.entity_id, history.c.at, history.c.before, history.c.after)
        .where(history.c.entity == "action", history.c.entity_id.in_(ids))
        .order_by(history.c.id)
    )
    for entity_id, at, before, after in rows:
        became = (after or {}).get("status")
        if became in FINISHED and (before or {}).get("status") != became:
            moments[entity_id] = at
    return moments


def _backfill_finished_on() -> None:
    bind = op.get_bind()
    finished = bind.execute(
        sa.select(action.c.id, action.c.version, action.c.updated_at).where(action.c.status.in_(FINISHED))
    ).all()
    if not finished:
        return
    moments = _finishing_moments(bind, [str(row.id) for row in finished])
    tx: Any = (
        sa.cast(sa.cast(sa.func.pg_current_xact_id(), sa.String), sa.BigInteger)
        if bind.dialect.name == "postgresql"
        else 0
    )
    now = datetime.now(SWEDISH_TIME)
    for row in finished:
        day: date = moments.get(str(row.id), row.updated_at).astimezone(SWEDISH_TIME).date()
        bind.execute(action.update().where(action.c.id == row.id).values(finished_on=day, version=row.version + 1))
        bind.execute(
            history.insert().values(
                entity="action",
                entity_id=str(row.id),
                action="update",
                version=row.version + 1,
                actor=SYSTEM_ACTOR[0],
                actor_name=SYSTEM_ACTOR[1],
                request_id=None,
                at=now,
                before={"id": str(row.id), "version": row.version, "finished_on": None},
                after={"id": str(row.id), "version": row.version + 1, "finished_on": day.isoformat()},
                public=True,
                tx=tx,
            )
        )
