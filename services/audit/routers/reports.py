"""HTTP routes for audit reports, recommendations and the auditors' follow-up verdicts."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import AUDITOR_WRITES, DISCUSSION
from services.audit.dependencies import Settings, a_recommendation, a_report, a_verdict
from services.audit.models import (
    AuditReport,
    Comment,
    HistoryEntry,
    Recommendation,
    RecommendationStatus,
    ReviewVerdict,
)
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
from shared.auth.access import ANY_ROLE
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.comments import CommentModel, add_comment_routes
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.db import ReadConnection
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
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, Peer, ensure_unit_exists
from shared.routes import add_history_route

reports = APIRouter(prefix="/reports", tags=["audit reports"], route_class=GuardedRoute)
recommendations = APIRouter(prefix="/recommendations", tags=["recommendations"], route_class=GuardedRoute)
verdicts = APIRouter(prefix="/verdicts", tags=["follow-up review"], route_class=GuardedRoute)
BodyQuery = Annotated[str | None, Query(description="Only this body's, e.g. RS", max_length=16)]
ReadableReport = Annotated[AuditReport, guard(ANY_ROLE, a_report)]
AuditorsReport = Annotated[AuditReport, guard(AUDITOR_WRITES, a_report)]
ReadableRecommendation = Annotated[
    Recommendation,
    guard(ANY_ROLE.noting("a draft response shows only to those who may read the body's drafts"), a_recommendation),
]
AuditorsRecommendation = Annotated[Recommendation, guard(AUDITOR_WRITES, a_recommendation)]
ReadableVerdict = Annotated[ReviewVerdict, guard(ANY_ROLE, a_verdict)]
AuditorsVerdict = Annotated[ReviewVerdict, guard(AUDITOR_WRITES, a_verdict)]


async def _ensure_recipients_exist(goals: Peer, recipients: list[RecipientIn]) -> None:
    """The bodies a report is sent to are org units of the goals service."""
    for index, recipient in enumerate(recipients):
        await ensure_unit_exists(goals, recipient.body_code, field=f"recipients[{index}].body_code")


@reports.get(
    "",
    operation_id="list_audit_reports",
    summary="List audit reports",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_audit_reports(
    session: DbSession,
    page: Pagination,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
    body: BodyQuery = None,
) -> Page[ReportSummary]:
    return await rules.list_reports(session, page, year=year, body_code=body)


@reports.get(
    "/{report_id}",
    operation_id="get_audit_report",
    summary="One audit report with its recipients and recommendations",
    responses=error_responses(Forbidden, NotFound),
)
async def get_audit_report(report: ReadableReport, session: DbSession, response: Response) -> ReportRead:
    set_etag(response, report)
    return await rules.report_read(session, report)


@reports.post(
    "",
    operation_id="create_audit_report",
    summary="Record an audit report and its recommendations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Unprocessable, ServiceUnavailable),
    dependencies=[guard(AUDITOR_WRITES)],
)
async def create_audit_report(
    data: ReportCreate,
    session: DbSession,
    settings: Settings,
    goals: GoalsService,
    response: Response,
) -> ReportRead:
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
)
async def update_audit_report(
    report: AuditorsReport,
    data: ReportUpdate,
    session: DbSession,
    settings: Settings,
    goals: GoalsService,
    response: Response,
    if_match: IfMatch = None,
) -> ReportRead:
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
)
async def add_recommendation(
    report: AuditorsReport, data: RecommendationIn, session: DbSession, response: Response
) -> RecommendationRead:
    rec = await rules.add_recommendation(session, report, data)
    set_etag(response, rec)
    response.headers["Location"] = f"/recommendations/{rec.id}"
    return RecommendationRead.model_validate(rec)


add_history_route(
    reports,
    "/{report_id}/history",
    declared=ANY_ROLE,
    load=a_report,
    history_model=HistoryEntry,
    operation_id="get_audit_report_history",
    what="an audit report",
)


@recommendations.get(
    "",
    operation_id="list_recommendations",
    summary="List recommendations",
    response_model=Page[RecommendationRead],
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_recommendations(
    conn: ReadConnection,
    page: Pagination,
    order: rules.RecommendationListing,
    body: BodyQuery = None,
    report: Annotated[uuid.UUID | None, Query(description="Only this report's")] = None,
    status: Annotated[RecommendationStatus | None, Query()] = None,
) -> Response:
    return await rules.list_recommendations(conn, page, body_code=body, report_id=report, status=status, order=order)


@recommendations.get(
    "/{recommendation_id}",
    operation_id="get_recommendation",
    summary="One recommendation with the body's response, its actions and the auditors' verdicts",
    responses=error_responses(Forbidden, NotFound),
)
async def get_recommendation(
    rec: ReadableRecommendation, session: DbSession, principal: CurrentPrincipal, response: Response
) -> RecommendationDetail:
    set_etag(response, rec)
    return await followup.recommendation_detail(session, rec, principal)


@recommendations.patch(
    "/{recommendation_id}",
    operation_id="update_recommendation",
    summary="Change a recommendation's text, body or due date; or reopen it",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def update_recommendation(
    rec: AuditorsRecommendation,
    data: RecommendationUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> RecommendationRead:
    check_if_match(if_match, rec)
    await rules.update_recommendation(session, rec, data)
    set_etag(response, rec)
    return RecommendationRead.model_validate(rec)


add_history_route(
    recommendations,
    "/{recommendation_id}/history",
    declared=ANY_ROLE,
    load=a_recommendation,
    history_model=HistoryEntry,
    operation_id="get_recommendation_history",
    what="a recommendation",
)


@recommendations.post(
    "/{recommendation_id}/verdicts",
    operation_id="add_verdict",
    summary="Record the auditors' follow-up verdict; with close: true the recommendation is closed",
    description="Closing changes the recommendation, so `close: true` needs If-Match with the recommendation's ETag.",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def add_verdict(
    rec: AuditorsRecommendation,
    data: VerdictCreate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> VerdictRead:
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
)
async def get_verdict(verdict: ReadableVerdict, response: Response) -> VerdictRead:
    set_etag(response, verdict)
    return VerdictRead.model_validate(verdict)


@verdicts.patch(
    "/{verdict_id}",
    operation_id="update_verdict",
    summary="Change a follow-up verdict; refused (409) while its recommendation is closed",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def update_verdict(
    verdict: AuditorsVerdict,
    data: VerdictUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> VerdictRead:
    check_if_match(if_match, verdict)
    await followup.update_verdict(session, verdict, data)
    set_etag(response, verdict)
    return VerdictRead.model_validate(verdict)


add_history_route(
    verdicts,
    "/{verdict_id}/history",
    declared=ANY_ROLE,
    load=a_verdict,
    history_model=HistoryEntry,
    operation_id="get_verdict_history",
    what="a verdict",
)


add_comment_routes(
    recommendations,
    "/{recommendation_id}",
    kind="recommendation",
    what="a recommendation",
    read=ANY_ROLE,
    write=DISCUSSION,
    load=a_recommendation,
    comments=CommentModel(Comment),
)
