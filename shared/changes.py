"""The change feed every service serves: `GET /changes?after=CURSOR`, built on the history table.

A sync client keeps the `next` cursor of each answer and asks again with it; it gets every change
once, in order, even while others write (see `shared.history.read_changes`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from shared.auth.access import ANY_ROLE, READS_CHANGES
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.errors import Forbidden, error_responses
from shared.history import ChangeCursor, ChangeHead, ChangePage, read_change_head, read_changes
from shared.pagination import MAX_PAGE_SIZE


def changes_router(service: str, history_model: type[Any]) -> APIRouter:
    router = APIRouter(tags=["changes"], route_class=GuardedRoute)

    @router.get(
        "/changes",
        operation_id=f"list_{service}_changes",
        summary=f"Every change in the {service} service after a cursor, oldest first",
        description="Start without `after`; then pass the `next` of each answer. A change made while you read "
        "is never skipped: the feed holds back changes until every transaction before them has ended.",
        responses=error_responses(Forbidden),
        # History rows do not carry the unit whose rights guard them (a forecast, a risk of a draft
        # plan), so the feed is for those who may read everything the service holds.
        dependencies=[guard(READS_CHANGES)],
    )
    async def list_changes(
        session: DbSession,
        after: Annotated[str | None, Query(max_length=40, description="`next` from the previous answer")] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 100,
    ) -> ChangePage:
        return await read_changes(session, history_model, ChangeCursor.decode(after), limit)

    @router.get(
        "/changes/head",
        operation_id=f"get_{service}_change_head",
        summary=f"Where the {service} service's change feed stands now: the data version a report was built from",
        description="Only the position, no changes: every change up to it is settled. A completed report keeps it.",
        responses=error_responses(Forbidden),
        dependencies=[guard(ANY_ROLE)],
    )
    async def get_change_head(session: DbSession) -> ChangeHead:
        return await read_change_head(session, history_model)

    return router
