"""HTTP routes of the audit service."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from services.audit import service
from services.audit.models import ActionStatus, HistoryEntry
from services.audit.schemas import (
    ActionCreate,
    ActionRead,
    ActionUpdate,
    RecommendationRead,
    ReportCreate,
    ReportRead,
    ReportSummary,
)
from shared.auth.access import ANY_ROLE, access
from shared.auth.deps import (
    CurrentPrincipal,
    DbSession,
    require_edit,
    require_region_role,
    require_signed_in_reader,
)
from shared.auth.policy import RegionRole
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination

reports = APIRouter(prefix="/reports", tags=["audit reports"])
recommendations = APIRouter(prefix="/recommendations", tags=["recommendations"])
actions = APIRouter(prefix="/actions", tags=["actions"])
BodyQuery = Annotated[str | None, Query(description="Only this body's, e.g. RS", max_length=16)]


@reports.get(
    "",
    operation_id="list_audit_reports",
    summary="List audit reports",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_audit_reports(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[ReportSummary]:
    require_signed_in_reader(principal)
    return await service.list_reports(session, page, year=year)


@reports.get(
    "/{report_id}",
    operation_id="get_audit_report",
    summary="One audit report with its recipients and recommendations",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_audit_report(
    report_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ReportRead:
    require_signed_in_reader(principal)
    report = await service.get_report(session, report_id)
    set_etag(response, report)
    return await service.report_read(session, report)


@reports.post(
    "",
    operation_id="create_audit_report",
    summary="Record an audit report and its recommendations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    **access("auditor"),
)
async def create_audit_report(
    data: ReportCreate, request: Request, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ReportRead:
    require_region_role(principal, RegionRole.auditor)
    report = await service.create_report(session, data, request.app.state.settings.diary_number_pattern)
    set_etag(response, report)
    response.headers["Location"] = f"/reports/{report.id}"
    return await service.report_read(session, report)


@reports.get(
    "/{report_id}/history",
    operation_id="get_audit_report_history",
    summary="Every change to an audit report",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_audit_report_history(
    report_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    report = await service.get_report(session, report_id)
    return await read_history(session, HistoryEntry, report, page)


@recommendations.get(
    "",
    operation_id="list_recommendations",
    summary="List recommendations",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_recommendations(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: BodyQuery = None,
    report: Annotated[uuid.UUID | None, Query(description="Only this report's")] = None,
) -> Page[RecommendationRead]:
    require_signed_in_reader(principal)
    return await service.list_recommendations(session, page, body_code=body, report_id=report)


@actions.get(
    "",
    operation_id="list_actions",
    summary="List actions on recommendations",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_actions(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: BodyQuery = None,
    status: Annotated[ActionStatus | None, Query()] = None,
) -> Page[ActionRead]:
    require_signed_in_reader(principal)
    return await service.list_actions(session, page, body_code=body, status=status)


@actions.get(
    "/{action_id}",
    operation_id="get_action",
    summary="One action",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_action(
    action_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ActionRead:
    require_signed_in_reader(principal)
    action = await service.get_action(session, action_id)
    set_etag(response, action)
    return await service.action_with_links(session, action)


@actions.post(
    "",
    operation_id="create_action",
    summary="Record an action on recommendations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    **access("editor on the action's body"),
)
async def create_action(
    data: ActionCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ActionRead:
    require_edit(principal, data.body_code)
    action = await service.create_action(session, data)
    set_etag(response, action)
    response.headers["Location"] = f"/actions/{action.id}"
    return await service.action_with_links(session, action)


@actions.patch(
    "/{action_id}",
    operation_id="update_action",
    summary="Change an action: status, progress, deadline",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access("editor on the action's body"),
)
async def update_action(
    action_id: uuid.UUID,
    data: ActionUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ActionRead:
    action = await service.get_action(session, action_id)
    require_edit(principal, action.body_code)
    check_if_match(if_match, action)
    await service.update_action(session, action, data)
    set_etag(response, action)
    return await service.action_with_links(session, action)


@actions.get(
    "/{action_id}/history",
    operation_id="get_action_history",
    summary="Every change to an action",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_action_history(
    action_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    action = await service.get_action(session, action_id)
    return await read_history(session, HistoryEntry, action, page)
