"""HTTP routes of the balance requirement adjustments: what finance enters, as decided, for the year's accounts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import REGION_READ, ensure_finance, ensure_region_follow_up_reader
from services.budget.models import HistoryEntry
from services.budget.rules import year_accounts as rules
from services.budget.schemas import BalanceAdjustmentCreate, BalanceAdjustmentRead, BalanceAdjustmentUpdate, Year
from shared.auth.access import FINANCE, access
from shared.auth.deps import CurrentPrincipal, DbSession
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
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination

router = APIRouter(prefix="/balance-adjustments", tags=["year's accounts"])


@router.post(
    "",
    operation_id="create_balance_adjustment",
    summary="Enter a decided line of the year's balance requirement reconciliation",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Unprocessable),
    **access(FINANCE),
)
async def create_balance_adjustment(
    data: BalanceAdjustmentCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    diary_pattern: DiaryPattern,
    response: Response,
) -> BalanceAdjustmentRead:
    ensure_finance(principal)
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
    **access(REGION_READ),
)
async def list_balance_adjustments(
    session: DbSession, principal: CurrentPrincipal, year: Annotated[Year | None, Query()] = None
) -> list[BalanceAdjustmentRead]:
    ensure_region_follow_up_reader(principal)
    return [rules.adjustment_read(a) for a in await rules.list_adjustments(session, year)]


@router.get(
    "/{adjustment_id}",
    operation_id="get_balance_adjustment",
    summary="One balance requirement adjustment",
    responses=error_responses(Forbidden, NotFound),
    **access(REGION_READ),
)
async def get_balance_adjustment(
    adjustment_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> BalanceAdjustmentRead:
    ensure_region_follow_up_reader(principal)
    adjustment = await rules.get_adjustment(session, adjustment_id)
    set_etag(response, adjustment)
    return rules.adjustment_read(adjustment)


@router.patch(
    "/{adjustment_id}",
    operation_id="update_balance_adjustment",
    summary="Correct a balance requirement adjustment (kept in its history)",
    responses=error_responses(Forbidden, NotFound, Unprocessable, PreconditionFailed, PreconditionRequired),
    **access(FINANCE),
)
async def update_balance_adjustment(
    adjustment_id: uuid.UUID,
    data: BalanceAdjustmentUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> BalanceAdjustmentRead:
    ensure_finance(principal)
    adjustment = await rules.get_adjustment(session, adjustment_id)
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
    **access(FINANCE),
)
async def delete_balance_adjustment(
    adjustment_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, if_match: IfMatch = None
) -> Response:
    ensure_finance(principal)
    adjustment = await rules.get_adjustment(session, adjustment_id)
    check_if_match(if_match, adjustment)
    await session.delete(adjustment)
    await session.flush()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{adjustment_id}/history",
    operation_id="get_balance_adjustment_history",
    summary="Every change to a balance requirement adjustment",
    responses=error_responses(Forbidden, NotFound),
    **access(REGION_READ),
)
async def get_balance_adjustment_history(
    adjustment_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    ensure_region_follow_up_reader(principal)
    return await read_history(session, HistoryEntry, await rules.get_adjustment(session, adjustment_id), page)
