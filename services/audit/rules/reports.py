"""Rules of audit reports and recommendations: the auditors' text. Functions flush; the request commits."""

from __future__ import annotations

import functools
import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Response
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.audit.models import (
    Action,
    ActionRecommendation,
    AuditRecipient,
    AuditReport,
    Recommendation,
    RecommendationResponse,
    RecommendationStatus,
)
from services.audit.rules.common import changes
from services.audit.schemas import (
    QuestionAssessment,
    RecipientIn,
    RecipientRead,
    RecommendationIn,
    RecommendationRead,
    RecommendationUpdate,
    ReportCreate,
    ReportRead,
    ReportSummary,
    ReportUpdate,
)
from shared.decisions import check_diary_number
from shared.errors import Conflict, NotFound, Unprocessable
from shared.listing import Listing, listing
from shared.pagination import Page, PageParams, page_statement, paginate, read_page


async def list_reports(
    session: AsyncSession, page: PageParams, *, year: int | None, body_code: str | None
) -> Page[ReportSummary]:
    stmt = select(AuditReport).order_by(AuditReport.audit_year.desc(), AuditReport.title, AuditReport.id)
    if year is not None:
        stmt = stmt.where(AuditReport.audit_year == year)
    if body_code is not None:
        addressed = select(AuditRecipient.report_id).where(AuditRecipient.body_code == body_code)
        stmt = stmt.where(AuditReport.id.in_(addressed))
    return await paginate(session, stmt, page, lambda row: ReportSummary.model_validate(row[0]))


async def get_report(session: AsyncSession, report_id: uuid.UUID) -> AuditReport:
    report = await session.get(AuditReport, report_id)
    if report is None:
        raise NotFound(f"No audit report {report_id}")
    return report


async def report_read(session: AsyncSession, report: AuditReport) -> ReportRead:
    recipients = await session.scalars(
        select(AuditRecipient).where(AuditRecipient.report_id == report.id).order_by(AuditRecipient.body_code)
    )
    recommendations = await session.scalars(
        select(Recommendation).where(Recommendation.report_id == report.id).order_by(Recommendation.number)
    )
    return ReportRead(
        id=report.id,
        title=report.title,
        audit_year=report.audit_year,
        received_on=report.received_on,
        version=report.version,
        summary=report.summary,
        document_url=report.document_url,
        assessments=[QuestionAssessment.model_validate(a) for a in report.assessments],
        recipients=[RecipientRead.model_validate(r) for r in recipients],
        recommendations=[RecommendationRead.model_validate(r) for r in recommendations],
        created_at=report.created_at,
        updated_at=report.updated_at,
    )


def _check_recipients(recipients: list[RecipientIn], pattern: str) -> None:
    for index, recipient in enumerate(recipients):
        check_diary_number(recipient.diary_number, pattern, f"recipients[{index}].diary_number")
    bodies = [r.body_code for r in recipients]
    if len(bodies) != len(set(bodies)):
        raise Unprocessable("Each body is addressed once, with its own diary number", field="recipients")


def _check_addressed(body_code: str, bodies: set[str], field: str) -> None:
    if body_code not in bodies:
        raise Unprocessable(
            f"The recommendation is addressed to {body_code}, which the report is not sent to "
            f"({', '.join(sorted(bodies))})",
            field=field,
        )


async def create_report(session: AsyncSession, data: ReportCreate, diary_pattern: str) -> AuditReport:
    _check_recipients(data.recipients, diary_pattern)
    bodies = {r.body_code for r in data.recipients}
    for index, rec in enumerate(data.recommendations):
        _check_addressed(rec.body_code, bodies, f"recommendations[{index}].body_code")
    report = AuditReport(
        title=data.title,
        audit_year=data.audit_year,
        received_on=data.received_on,
        summary=data.summary,
        document_url=data.document_url,
        assessments=[a.model_dump(mode="json") for a in data.assessments],
    )
    session.add(report)
    await session.flush()
    session.add_all(
        AuditRecipient(report_id=report.id, body_code=r.body_code, diary_number=r.diary_number) for r in data.recipients
    )
    session.add_all(
        Recommendation(
            report_id=report.id, number=n, body_code=r.body_code, text=r.text, response_due_on=r.response_due_on
        )
        for n, r in enumerate(data.recommendations, start=1)
    )
    await session.flush()
    return report


async def _recipient_bodies(session: AsyncSession, report_id: uuid.UUID) -> set[str]:
    return set(await session.scalars(select(AuditRecipient.body_code).where(AuditRecipient.report_id == report_id)))


async def _replace_recipients(session: AsyncSession, report: AuditReport, recipients: list[RecipientIn]) -> None:
    addressed = set(
        await session.scalars(select(Recommendation.body_code).where(Recommendation.report_id == report.id))
    )
    missing = addressed - {r.body_code for r in recipients}
    if missing:
        raise Unprocessable(
            f"Recommendations are addressed to {', '.join(sorted(missing))}; keep them among the recipients",
            field="recipients",
        )
    current = {
        r.body_code: r
        for r in await session.scalars(select(AuditRecipient).where(AuditRecipient.report_id == report.id))
    }
    wanted = {r.body_code: r.diary_number for r in recipients}
    for code, row in current.items():
        if code not in wanted:
            await session.delete(row)
        elif row.diary_number != wanted[code]:
            row.diary_number = wanted[code]
    session.add_all(
        AuditRecipient(report_id=report.id, body_code=code, diary_number=number)
        for code, number in wanted.items()
        if code not in current
    )


async def update_report(session: AsyncSession, report: AuditReport, data: ReportUpdate, diary_pattern: str) -> None:
    sent = changes(data, {"title", "audit_year", "received_on", "assessments", "recipients"}, exclude={"recipients"})
    if data.recipients is not None:
        _check_recipients(data.recipients, diary_pattern)
        await _replace_recipients(session, report, data.recipients)
    if data.received_on is not None:
        await _check_no_action_before(session, report.id, data.received_on)
    for field, value in sent.items():
        setattr(report, field, value)
    if data.assessments is not None:
        report.assessments = [a.model_dump(mode="json") for a in data.assessments]
    await session.flush()


async def _check_no_action_before(session: AsyncSession, report_id: uuid.UUID, received_on: date) -> None:
    earliest = await session.scalar(
        select(func.min(Action.deadline_on))
        .join(ActionRecommendation, ActionRecommendation.action_id == Action.id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .where(Recommendation.report_id == report_id)
    )
    if earliest is not None and earliest < received_on:
        raise Unprocessable(
            f"An action on this report has its deadline {earliest}, before {received_on}", field="received_on"
        )


async def get_recommendation(session: AsyncSession, recommendation_id: uuid.UUID) -> Recommendation:
    rec = await session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound(f"No recommendation {recommendation_id}")
    return rec


async def add_recommendation(session: AsyncSession, report: AuditReport, data: RecommendationIn) -> Recommendation:
    _check_addressed(data.body_code, await _recipient_bodies(session, report.id), "body_code")
    last = await session.scalar(select(func.max(Recommendation.number)).where(Recommendation.report_id == report.id))
    rec = Recommendation(
        report_id=report.id,
        number=(last or 0) + 1,
        body_code=data.body_code,
        text=data.text,
        response_due_on=data.response_due_on,
    )
    session.add(rec)
    await session.flush()
    return rec


async def update_recommendation(session: AsyncSession, rec: Recommendation, data: RecommendationUpdate) -> None:
    sent = changes(data, {"body_code", "text", "status"})
    if data.body_code is not None and data.body_code != rec.body_code:
        _check_addressed(data.body_code, await _recipient_bodies(session, rec.report_id), "body_code")
        linked = await session.scalar(
            select(func.count())
            .select_from(ActionRecommendation)
            .where(ActionRecommendation.recommendation_id == rec.id)
        )
        if linked:
            raise Conflict("The body has recorded actions on this recommendation; it cannot be readdressed")
        answered = await session.scalar(
            select(RecommendationResponse.id).where(RecommendationResponse.recommendation_id == rec.id)
        )
        if answered is not None:
            raise Conflict("The body has responded to this recommendation; it cannot be readdressed")
    if data.status is RecommendationStatus.closed and rec.status is not RecommendationStatus.closed:
        raise Unprocessable("Close a recommendation with a follow-up verdict (close: true)", field="status")
    if data.status is RecommendationStatus.open:
        sent["closed_on"] = None
    for field, value in sent.items():
        setattr(rec, field, value)
    await session.flush()


RECOMMENDATION_SORTS = {
    "number": Recommendation.number,
    "body_code": Recommendation.body_code,
    "status": Recommendation.status,
    "response_due_on": Recommendation.response_due_on,
    "closed_on": Recommendation.closed_on,
}
RECOMMENDATION_SEARCHED = (Recommendation.text, Recommendation.body_code)
RecommendationListing = Annotated[
    Listing, Depends(listing("Recommendation", list(RECOMMENDATION_SORTS), "text or body code"))
]


@functools.cache
def _recommendations_page(by_body: bool, by_report: bool, by_status: bool, order: Listing) -> Select[Any]:
    """The list's statement for one combination of filters, built once (their values are parameters)."""
    stmt = select(*(Recommendation.__table__.c[name] for name in RecommendationRead.model_fields))
    if by_body:
        stmt = stmt.where(Recommendation.body_code == bindparam("body_code"))
    if by_report:
        stmt = stmt.where(Recommendation.report_id == bindparam("report_id"))
    if by_status:
        stmt = stmt.where(Recommendation.status == bindparam("status"))
    if order.q is not None:
        stmt = stmt.where(order.search(RECOMMENDATION_SEARCHED))
    default = (Recommendation.report_id, Recommendation.number)
    return page_statement(
        stmt.order_by(*order.order_by(RECOMMENDATION_SORTS, tiebreak=Recommendation.id, default=default))
    )


async def list_recommendations(
    conn: AsyncConnection,
    page: PageParams,
    *,
    body_code: str | None,
    report_id: uuid.UUID | None,
    status: RecommendationStatus | None,
    order: Listing = Listing(),
) -> Response:
    """A page of Page[RecommendationRead], in one statement."""
    stmt = _recommendations_page(body_code is not None, report_id is not None, status is not None, order.shape)
    given = {"body_code": body_code, "report_id": report_id, "status": status}
    params = {name: value for name, value in given.items() if value is not None}
    return await read_page(conn, stmt, page, RecommendationRead, {**params, **order.params()})
