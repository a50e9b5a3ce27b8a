"""HTTP routes of the fees the council sets, each kept with its decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import COUNCIL_DECIDES, FEE_READ
from services.budget.dependencies import a_fee, a_fee_before_the_council, the_council
from services.budget.models import Fee, HistoryEntry
from services.budget.rules import fees as rules
from services.budget.schemas import FeeCreate, FeeRead, FeeUpdate, Year
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DiaryPattern, check_decision
from shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    error_responses,
)
from shared.pagination import Page, Pagination
from shared.routes import add_history_route

router = APIRouter(prefix="/fees", tags=["fees"], route_class=GuardedRoute)


@router.get(
    "",
    operation_id="list_fees",
    summary="The fees the council set, by year and name",
    responses=error_responses(Forbidden),
    dependencies=[guard(FEE_READ)],
)
async def list_fees(
    session: DbSession, page: Pagination, year: Annotated[Year | None, Query()] = None
) -> Page[FeeRead]:
    return await rules.list_fees(session, page, year=year)


@router.get(
    "/{fee_id}",
    operation_id="get_fee",
    summary="One fee, with the decision that set it",
    responses=error_responses(Forbidden, NotFound),
)
async def get_fee(fee: Annotated[Fee, guard(FEE_READ, a_fee)], response: Response) -> FeeRead:
    set_etag(response, fee)
    return rules.fee_read(fee)


@router.post(
    "",
    operation_id="create_fee",
    summary="Record a fee the council set (name, amount, what it is charged per, year) with its decision",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, ServiceUnavailable),
)
async def create_fee(
    council: Annotated[str, guard(COUNCIL_DECIDES, the_council)],
    data: FeeCreate,
    session: DbSession,
    diary_pattern: DiaryPattern,
    response: Response,
) -> FeeRead:
    check_decision(data.decision, diary_pattern, field="decision.diary_number")
    fee = await rules.create_fee(session, data, council)
    set_etag(response, fee)
    response.headers["Location"] = f"/fees/{fee.id}"
    return rules.fee_read(fee)


@router.patch(
    "/{fee_id}",
    operation_id="update_fee",
    summary="Change a fee by a later decision of the council, kept with it",
    responses=error_responses(
        Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired, ServiceUnavailable
    ),
)
async def update_fee(
    found: Annotated[tuple[Fee, str], guard(COUNCIL_DECIDES, a_fee_before_the_council)],
    data: FeeUpdate,
    session: DbSession,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> FeeRead:
    fee, council = found
    check_if_match(if_match, fee)
    check_decision(data.decision, diary_pattern, field="decision.diary_number")
    await rules.update_fee(session, fee, data, council)
    set_etag(response, fee)
    return rules.fee_read(fee)


add_history_route(
    router,
    "/{fee_id}/history",
    declared=FEE_READ,
    load=a_fee,
    history_model=HistoryEntry,
    operation_id="get_fee_history",
    what="a fee the council set",
)
