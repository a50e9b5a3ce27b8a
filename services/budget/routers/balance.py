"""HTTP routes of the balance requirement adjustments: what finance enters, as decided, for the year's accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import REGION_READ
from services.budget.dependencies import a_balance_adjustment
from services.budget.models import BalanceAdjustment, HistoryEntry
from services.budget.rules import year_accounts as rules
from services.budget.schemas import BalanceAdjustmentCreate, BalanceAdjustmentRead, BalanceAdjustmentUpdate, Year
from shared.auth.access import FINANCE
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DiaryPattern, check_decision
from shared.errors import (
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    error_responses,
)
from shared.routes import add_history_route

router = APIRouter(prefix="/balance-adjustments", tags=["year's accounts"], route_class=GuardedRoute)
FinanceAdjustment = Annotated[BalanceAdjustment, guard(FINANCE, a_balance_adjustment)]


@router.post(
    "",
    operation_id="create_balance_adjustment",
    summary="Enter a decided line of the year's balance requirement reconciliation",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Unprocessable),
    dependencies=[guard(FINANCE)],
)
async def create_balance_adjustment(
    data: BalanceAdjustmentCreate,
    session: DbSession,
    diary_pattern: DiaryPattern,
    response: Response,
) -> BalanceAdjustmentRead:
    check_decision(data.decision, diary_pattern, field="decision.diary_number")
    adjustment = await rules.create_adjustment(session, data)
    set_etag(response, adjustment)
    response.headers["Location"] = f"/balance-adjustments/{adjustment.id}"
    return rules.adjustment_read(adjustment)


@router.get(
    "",
    operation_id="list_balance_adjustments",
    summary="The balance requirement adjustments, of one year or all",
    responses=error_responses(Forbidden),
    dependencies=[guard(REGION_READ)],
)
async def list_balance_adjustments(
    session: DbSession, year: Annotated[Year | None, Query()] = None
) -> list[BalanceAdjustmentRead]:
    return [rules.adjustment_read(a) for a in await rules.list_adjustments(session, year)]


@router.get(
    "/{adjustment_id}",
    operation_id="get_balance_adjustment",
    summary="One balance requirement adjustment",
    responses=error_responses(Forbidden, NotFound),
)
async def get_balance_adjustment(
    adjustment: Annotated[BalanceAdjustment, guard(REGION_READ, a_balance_adjustment)], response: Response
) -> BalanceAdjustmentRead:
    set_etag(response, adjustment)
    return rules.adjustment_read(adjustment)


@router.patch(
    "/{adjustment_id}",
    operation_id="update_balance_adjustment",
    summary="Correct a balance requirement adjustment (kept in its history)",
    responses=error_responses(Forbidden, NotFound, Unprocessable, PreconditionFailed, PreconditionRequired),
)
async def update_balance_adjustment(
    adjustment: FinanceAdjustment,
    data: BalanceAdjustmentUpdate,
    session: DbSession,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> BalanceAdjustmentRead:
    check_if_match(if_match, adjustment)
    check_decision(data.decision, diary_pattern, field="decision.diary_number")
    await rules.update_adjustment(session, adjustment, data)
    set_etag(response, adjustment)
    return rules.adjustment_read(adjustment)


@router.delete(
    "/{adjustment_id}",
    operation_id="delete_balance_adjustment",
    summary="Remove a balance requirement adjustment entered by mistake (its history stays)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def delete_balance_adjustment(
    adjustment: FinanceAdjustment, session: DbSession, if_match: IfMatch = None
) -> Response:
    check_if_match(if_match, adjustment)
    await rules.delete_adjustment(session, adjustment)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


add_history_route(
    router,
    "/{adjustment_id}/history",
    declared=REGION_READ,
    load=a_balance_adjustment,
    history_model=HistoryEntry,
    operation_id="get_balance_adjustment_history",
    what="a balance requirement adjustment",
)
