"""HTTP routes of the budget service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import or_

from services.budget import service
from services.budget.models import FrameStatus, HistoryEntry, OperatingFrame
from services.budget.schemas import FrameCreate, FrameRead, FrameTotal, FrameUpdate, Year
from shared.auth.access import access
from shared.auth.deps import CurrentPrincipal, DbSession, require_region_role, require_signed_in_reader
from shared.auth.policy import Principal, RegionRole
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination

router = APIRouter(prefix="/frames", tags=["operating frames"])
READ_RULE = "decided frames: any role; proposals: a role on the unit, the board, auditor or finance"


def _readable(principal: Principal, frame: OperatingFrame) -> OperatingFrame:
    # A proposal the caller may not read answers as if it did not exist, so drafts do not leak.
    if not principal.can_read(frame.unit_code, decided=frame.status is FrameStatus.decided):
        raise NotFound(f"No operating frame {frame.id}")
    return frame


@router.get(
    "",
    operation_id="list_frames",
    summary="List operating frames",
    responses=error_responses(Forbidden),
    **access(READ_RULE),
)
async def list_frames(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    year: Annotated[Year | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[FrameRead]:
    require_signed_in_reader(principal)
    visible = None
    if not principal.reads_all_drafts:
        visible = or_(
            OperatingFrame.status == FrameStatus.decided, OperatingFrame.unit_code.in_(list(principal.unit_roles))
        )
    return await service.list_frames(session, page, year=year, unit_code=unit, visible=visible)


@router.get(
    "/total",
    operation_id="get_frame_total",
    summary="All units' frames for a year, summed exactly",
    responses=error_responses(Forbidden),
    **access("the board, auditor or finance"),
)
async def get_frame_total(
    session: DbSession,
    principal: CurrentPrincipal,
    year: Annotated[Year, Query()],
    status: Annotated[FrameStatus, Query(description="Decided frames by default")] = FrameStatus.decided,
) -> FrameTotal:
    if not principal.reads_all_drafts:
        raise Forbidden("Requires a role on the board, auditor or finance", required="RS:reader|auditor|finance")
    return await service.frame_total(session, year, status)


@router.get(
    "/{frame_id}",
    operation_id="get_frame",
    summary="One operating frame",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_frame(
    frame_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> FrameRead:
    require_signed_in_reader(principal)
    frame = _readable(principal, await service.get_frame(session, frame_id))
    set_etag(response, frame)
    return FrameRead.model_validate(frame)


@router.post(
    "",
    operation_id="create_frame",
    summary="Create an operating frame",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    **access("finance"),
)
async def create_frame(
    data: FrameCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> FrameRead:
    require_region_role(principal, RegionRole.finance)
    frame = await service.create_frame(session, data)
    set_etag(response, frame)
    response.headers["Location"] = f"/frames/{frame.id}"
    return FrameRead.model_validate(frame)


@router.patch(
    "/{frame_id}",
    operation_id="update_frame",
    summary="Change an operating frame",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access("finance"),
)
async def update_frame(
    frame_id: uuid.UUID,
    data: FrameUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> FrameRead:
    require_region_role(principal, RegionRole.finance)
    frame = await service.get_frame(session, frame_id)
    check_if_match(if_match, frame)
    await service.update_frame(session, frame, data)
    set_etag(response, frame)
    return FrameRead.model_validate(frame)


@router.get(
    "/{frame_id}/history",
    operation_id="get_frame_history",
    summary="Every change to an operating frame",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_frame_history(
    frame_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    frame = _readable(principal, await service.get_frame(session, frame_id))
    public_only = not principal.can_read(frame.unit_code, decided=False)
    return await read_history(session, HistoryEntry, frame, page, public_only=public_only)
