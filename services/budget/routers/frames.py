"""HTTP routes of operating frames: versions, decisions, revisions and proposals from uplift parameters."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import or_

from services.budget.access import ensure_draft_readable, ensure_finance, ensure_region_reader
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
from shared.auth.access import (
    ANY_ROLE_READABLE_DRAFTS,
    FINANCE,
    REGION_READER,
    access,
    read_record,
)
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.auth.policy import Principal
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
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists

router = APIRouter(prefix="/frames", tags=["operating frames"])
# A proposal is a draft.
READ_RULE = read_record("the frame's unit")


async def _readable(session: DbSession, principal: Principal, frame_id: uuid.UUID) -> OperatingFrame:
    frame = await rules.get_frame(session, frame_id)
    ensure_draft_readable(
        principal, frame.unit_code, decided=frame.status is not FrameStatus.proposal, what="operating frame"
    )
    return frame


@router.get(
    "",
    operation_id="list_frames",
    summary="List operating frames",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_frames(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    year: Annotated[Year | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[FrameStatus | None, Query()] = None,
) -> Page[FrameRead]:
    require_signed_in_reader(principal)
    visible = None
    if not principal.reads_all_drafts:
        visible = or_(
            OperatingFrame.status != FrameStatus.proposal, OperatingFrame.unit_code.in_(list(principal.unit_roles))
        )
    return await rules.list_frames(session, page, year=year, unit_code=unit, status=status, visible=visible)


@router.get(
    "/total",
    operation_id="get_frame_total",
    summary="All units' frames for a year, summed exactly",
    responses=error_responses(Forbidden),
    **access(REGION_READER),
)
async def get_frame_total(
    session: DbSession,
    principal: CurrentPrincipal,
    year: Annotated[Year, Query()],
    status: Annotated[
        FrameStatus, Query(description="Decided frames (those in force) by default")
    ] = FrameStatus.decided,
) -> FrameTotal:
    ensure_region_reader(principal)
    return await rules.frame_total(session, year, status)


@router.post(
    "/proposals",
    operation_id="propose_frames",
    summary="Propose next year's frames from this year's, and say how the sum fits the room",
    responses=error_responses(Forbidden, Conflict),
    **access(FINANCE),
)
async def propose_frames(data: ProposalRequest, session: DbSession, principal: CurrentPrincipal) -> ProposalRead:
    ensure_finance(principal)
    return await rules.propose_frames(session, data)


@router.get(
    "/{frame_id}",
    operation_id="get_frame",
    summary="One version of an operating frame",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_frame(
    frame_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> FrameRead:
    require_signed_in_reader(principal)
    frame = await _readable(session, principal, frame_id)
    set_etag(response, frame)
    return rules.frame_read(frame)


@router.post(
    "",
    operation_id="create_frame",
    summary="Propose a unit's frame for a year, from its parts",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, ServiceUnavailable),
    **access(FINANCE),
)
async def create_frame(
    data: FrameCreate, session: DbSession, principal: CurrentPrincipal, goals: GoalsService, response: Response
) -> FrameRead:
    ensure_finance(principal)
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
    **access(FINANCE),
)
async def update_frame(
    frame_id: uuid.UUID,
    data: FrameUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> FrameRead:
    ensure_finance(principal)
    frame = await rules.get_frame(session, frame_id)
    check_if_match(if_match, frame)
    await rules.update_frame(session, frame, data)
    set_etag(response, frame)
    return rules.frame_read(frame)


@router.post(
    "/{frame_id}/decision",
    operation_id="decide_frame",
    summary="Record the decision on a proposed frame (body, date, §, diary number); it is then locked",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(FINANCE),
)
async def decide_frame(
    frame_id: uuid.UUID,
    data: DecisionIn,
    session: DbSession,
    principal: CurrentPrincipal,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> FrameRead:
    ensure_finance(principal)
    frame = await rules.get_frame(session, frame_id)
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
    **access(FINANCE),
)
async def revise_frame(
    frame_id: uuid.UUID, data: FrameRevision, session: DbSession, principal: CurrentPrincipal, response: Response
) -> FrameRead:
    ensure_finance(principal)
    revision = await rules.revise_frame(session, await rules.get_frame(session, frame_id), data)
    set_etag(response, revision)
    response.headers["Location"] = f"/frames/{revision.id}"
    return rules.frame_read(revision)


@router.get(
    "/{frame_id}/history",
    operation_id="get_frame_history",
    summary="Every change to an operating frame version",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_frame_history(
    frame_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    frame = await _readable(session, principal, frame_id)
    public_only = not principal.can_read(frame.unit_code, decided=False)
    return await read_history(session, HistoryEntry, frame, page, public_only=public_only)
