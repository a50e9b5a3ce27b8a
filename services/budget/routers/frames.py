"""HTTP routes of operating frames: versions, decisions, revisions and proposals from uplift parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import FRAME_READ, FRAMES_SEEN
from services.budget.dependencies import a_frame
from services.budget.models import FrameStatus, HistoryEntry, OperatingFrame
from services.budget.rules import frames as rules
from services.budget.schemas import (
    FrameCreate,
    FrameRead,
    FrameRevision,
    FrameTotal,
    FrameUpdate,
    ProposalRead,
    ProposalRequest,
    Year,
)
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS, FINANCE, REGION_READER
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DecisionIn, DiaryPattern, check_decision
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    error_responses,
)
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists
from shared.routes import add_history_route

router = APIRouter(prefix="/frames", tags=["operating frames"], route_class=GuardedRoute)
FinanceFrame = Annotated[OperatingFrame, guard(FINANCE, a_frame)]


@router.get(
    "",
    operation_id="list_frames",
    summary="List operating frames",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_frames(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    year: Annotated[Year | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[FrameStatus | None, Query()] = None,
) -> Page[FrameRead]:
    visible = FRAMES_SEEN.where(principal)
    return await rules.list_frames(session, page, year=year, unit_code=unit, status=status, visible=visible)


@router.get(
    "/total",
    operation_id="get_frame_total",
    summary="All units' frames for a year, summed exactly",
    responses=error_responses(Forbidden),
    dependencies=[guard(REGION_READER)],
)
async def get_frame_total(
    session: DbSession,
    year: Annotated[Year, Query()],
    status: Annotated[
        FrameStatus, Query(description="Decided frames (those in force) by default")
    ] = FrameStatus.decided,
) -> FrameTotal:
    return await rules.frame_total(session, year, status)


@router.post(
    "/proposals",
    operation_id="propose_frames",
    summary="Propose next year's frames from this year's, and say how the sum fits the room",
    description="Each unit's decided frame uplifted by the index, population, activity and savings percentages, "
    "with its political priorities, and the running costs (depreciation, interest, operation) of its investments "
    "that start the year as their own part (`investment_costs`: the year's costs beyond last year's, which the "
    "base carries already; cancelled projects bring none).",
    responses=error_responses(Forbidden, Conflict),
    dependencies=[guard(FINANCE)],
)
async def propose_frames(data: ProposalRequest, session: DbSession) -> ProposalRead:
    return await rules.propose_frames(session, data)


@router.get(
    "/{frame_id}",
    operation_id="get_frame",
    summary="One version of an operating frame",
    responses=error_responses(Forbidden, NotFound),
)
async def get_frame(frame: Annotated[OperatingFrame, guard(FRAME_READ, a_frame)], response: Response) -> FrameRead:
    set_etag(response, frame)
    return rules.frame_read(frame)


@router.post(
    "",
    operation_id="create_frame",
    summary="Propose a unit's frame for a year, from its parts",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, ServiceUnavailable),
    dependencies=[guard(FINANCE)],
)
async def create_frame(data: FrameCreate, session: DbSession, goals: GoalsService, response: Response) -> FrameRead:
    await ensure_unit_exists(goals, data.unit_code)
    frame = await rules.create_frame(session, data)
    set_etag(response, frame)
    response.headers["Location"] = f"/frames/{frame.id}"
    return rules.frame_read(frame)


@router.patch(
    "/{frame_id}",
    operation_id="update_frame",
    summary="Change a proposed frame's parts",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_frame(
    frame: FinanceFrame,
    data: FrameUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> FrameRead:
    check_if_match(if_match, frame)
    await rules.update_frame(session, frame, data)
    set_etag(response, frame)
    return rules.frame_read(frame)


@router.post(
    "/{frame_id}/decision",
    operation_id="decide_frame",
    summary="Record the decision on a proposed frame (body, date, §, diary number); it is then locked",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def decide_frame(
    frame: FinanceFrame,
    data: DecisionIn,
    session: DbSession,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> FrameRead:
    check_if_match(if_match, frame)
    check_decision(data, diary_pattern)
    await rules.decide_frame(session, frame, data)
    set_etag(response, frame)
    return rules.frame_read(frame)


@router.post(
    "/{frame_id}/revisions",
    operation_id="revise_frame",
    summary="Start a revised version of the decided frame in force",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def revise_frame(frame: FinanceFrame, data: FrameRevision, session: DbSession, response: Response) -> FrameRead:
    revision = await rules.revise_frame(session, frame, data)
    set_etag(response, revision)
    response.headers["Location"] = f"/frames/{revision.id}"
    return rules.frame_read(revision)


add_history_route(
    router,
    "/{frame_id}/history",
    declared=FRAME_READ,
    load=a_frame,
    history_model=HistoryEntry,
    operation_id="get_frame_history",
    what="an operating frame version",
)
