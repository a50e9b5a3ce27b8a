"""HTTP routes for audit reports, recommendations and the auditors' follow-up verdicts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import AUDITOR_WRITES, ensure_auditor
from services.audit.dependencies import Settings
from services.audit.models import HistoryEntry, RecommendationStatus
from services.audit.rules import followup
from services.audit.rules import reports as rules
from services.audit.schemas import (
    RecipientIn,
    RecommendationDetail,
    RecommendationIn,
    RecommendationRead,
    RecommendationUpdate,
    ReportCreate,
    ReportRead,
    ReportSummary,
    ReportUpdate,
    VerdictCreate,
    VerdictRead,
    VerdictUpdate,
)
from shared.auth.access import ANY_ROLE, access
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    Unprocessable,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, Peer, ensure_unit_exists

reports = APIRouter(prefix="/reports", tags=["audit reports"])
recommendations = APIRouter(prefix="/recommendations", tags=["recommendations"])
verdicts = APIRouter(prefix="/verdicts", tags=["follow-up review"])
BodyQuery = Annotated[str | None, Query(description="Only this body's, e.g. RS", max_length=16)]
CHANGES = error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired)


async def _ensure_recipients_exist(goals: Peer, recipients: list[RecipientIn]) -> None:
    """The bodies a report is sent to are org units of the goals service."""
    for index, recipient in enumerate(recipients):
        await ensure_unit_exists(goals, recipient.body_code, field=f"recipients[{index}].body_code")


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
    body: BodyQuery = None,
) -> Page[ReportSummary]:
    require_signed_in_reader(principal)
    return await rules.list_reports(session, page, year=year, body_code=body)


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
    report = await rules.get_report(session, report_id)
    set_etag(response, report)
    return await rules.report_read(session, report)


@reports.post(
    "",
    operation_id="create_audit_report",
    summary="Record an audit report and its recommendations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Unprocessable, ServiceUnavailable),
    **access(AUDITOR_WRITES),
)
async def create_audit_report(
    data: ReportCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: Settings,
    goals: GoalsService,
    response: Response,
) -> ReportRead:
    ensure_auditor(principal)
    await _ensure_recipients_exist(goals, data.recipients)
    report = await rules.create_report(session, data, settings.diary_number_pattern)
    set_etag(response, report)
    response.headers["Location"] = f"/reports/{report.id}"
    return await rules.report_read(session, report)


@reports.patch(
    "/{report_id}",
    operation_id="update_audit_report",
    summary="Change an audit report: title, dates, assessments, recipients",
    responses=error_responses(
        Forbidden, NotFound, PreconditionFailed, PreconditionRequired, Unprocessable, ServiceUnavailable
    ),
    **access(AUDITOR_WRITES),
)
async def update_audit_report(
    report_id: uuid.UUID,
    data: ReportUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: Settings,
    goals: GoalsService,
    response: Response,
    if_match: IfMatch = None,
) -> ReportRead:
    ensure_auditor(principal)
    report = await rules.get_report(session, report_id)
    check_if_match(if_match, report)
    if data.recipients is not None:
        await _ensure_recipients_exist(goals, data.recipients)
    await rules.update_report(session, report, data, settings.diary_number_pattern)
    set_etag(response, report)
    return await rules.report_read(session, report)


@reports.post(
    "/{report_id}/recommendations",
    operation_id="add_recommendation",
    summary="Add a recommendation to a report, addressed to one of its recipients",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound),
    **access(AUDITOR_WRITES),
)
async def add_recommendation(
    report_id: uuid.UUID, data: RecommendationIn, session: DbSession, principal: CurrentPrincipal, response: Response
) -> RecommendationRead:
    ensure_auditor(principal)
    report = await rules.get_report(session, report_id)
    rec = await rules.add_recommendation(session, report, data)
    set_etag(response, rec)
    response.headers["Location"] = f"/recommendations/{rec.id}"
    return RecommendationRead.model_validate(rec)


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
    report = await rules.get_report(session, report_id)
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
    status: Annotated[RecommendationStatus | None, Query()] = None,
) -> Page[RecommendationRead]:
    require_signed_in_reader(principal)
    return await rules.list_recommendations(session, page, body_code=body, report_id=report, status=status)


@recommendations.get(
    "/{recommendation_id}",
    operation_id="get_recommendation",
    summary="One recommendation with the body's response, its actions and the auditors' verdicts",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE.noting("a draft response shows only to those who may read the body's drafts")),
)
async def get_recommendation(
    recommendation_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> RecommendationDetail:
    require_signed_in_reader(principal)
    rec = await rules.get_recommendation(session, recommendation_id)
    set_etag(response, rec)
    return await followup.recommendation_detail(session, rec, principal)


@recommendations.patch(
    "/{recommendation_id}",
    operation_id="update_recommendation",
    summary="Change a recommendation's text, body or due date; or reopen it",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(AUDITOR_WRITES),
)
async def update_recommendation(
    recommendation_id: uuid.UUID,
    data: RecommendationUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> RecommendationRead:
    ensure_auditor(principal)
    rec = await rules.get_recommendation(session, recommendation_id)
    check_if_match(if_match, rec)
    await rules.update_recommendation(session, rec, data)
    set_etag(response, rec)
    return RecommendationRead.model_validate(rec)


@recommendations.get(
    "/{recommendation_id}/history",
    operation_id="get_recommendation_history",
    summary="Every change to a recommendation",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_recommendation_history(
    recommendation_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    rec = await rules.get_recommendation(session, recommendation_id)
    return await read_history(session, HistoryEntry, rec, page)


@recommendations.post(
    "/{recommendation_id}/verdicts",
    operation_id="add_verdict",
    summary="Record the auditors' follow-up verdict; with close: true the recommendation is closed",
    description="Closing changes the recommendation, so `close: true` needs If-Match with the recommendation's ETag.",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(AUDITOR_WRITES),
)
async def add_verdict(
    recommendation_id: uuid.UUID,
    data: VerdictCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> VerdictRead:
    ensure_auditor(principal)
    rec = await rules.get_recommendation(session, recommendation_id)
    if data.close:
        check_if_match(if_match, rec)
    verdict = await followup.add_verdict(session, rec, data)
    set_etag(response, verdict)
    response.headers["Location"] = f"/verdicts/{verdict.id}"
    return VerdictRead.model_validate(verdict)


@verdicts.get(
    "/{verdict_id}",
    operation_id="get_verdict",
    summary="One follow-up verdict",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_verdict(
    verdict_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> VerdictRead:
    require_signed_in_reader(principal)
    verdict = await followup.get_verdict(session, verdict_id)
    set_etag(response, verdict)
    return VerdictRead.model_validate(verdict)


@verdicts.patch(
    "/{verdict_id}",
    operation_id="update_verdict",
    summary="Change a follow-up verdict; refused (409) while its recommendation is closed",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(AUDITOR_WRITES),
)
async def update_verdict(
    verdict_id: uuid.UUID,
    data: VerdictUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> VerdictRead:
    ensure_auditor(principal)
    verdict = await followup.get_verdict(session, verdict_id)
    check_if_match(if_match, verdict)
    await followup.update_verdict(session, verdict, data)
    set_etag(response, verdict)
    return VerdictRead.model_validate(verdict)


@verdicts.get(
    "/{verdict_id}/history",
    operation_id="get_verdict_history",
    summary="Every change to a verdict",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_verdict_history(
    verdict_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    verdict = await followup.get_verdict(session, verdict_id)
    return await read_history(session, HistoryEntry, verdict, page)
