"""Rules of audit reports, recommendations and actions. Functions flush; the request's session commits."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import (
    Action,
    ActionRecommendation,
    ActionStatus,
    AuditRecipient,
    AuditReport,
    Recommendation,
)
from services.audit.schemas import (
    ActionCreate,
    ActionRead,
    ActionUpdate,
    QuestionAssessment,
    RecipientRead,
    RecommendationRead,
    ReportCreate,
    ReportRead,
    ReportSummary,
)
from shared.errors import NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


async def list_reports(session: AsyncSession, page: PageParams, *, year: int | None) -> Page[ReportSummary]:
    stmt = select(AuditReport).order_by(AuditReport.audit_year.desc(), AuditReport.title, AuditReport.id)
    if year is not None:
        stmt = stmt.where(AuditReport.audit_year == year)
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


def _check_diary_numbers(data: ReportCreate, pattern: str) -> None:
    for index, recipient in enumerate(data.recipients):
        if not re.fullmatch(pattern, recipient.diary_number):
            raise Unprocessable(
                f"Diary number {recipient.diary_number!r} does not follow the region's pattern, e.g. RS/782/2020",
                field=f"recipients[{index}].diary_number",
            )


def _check_recommendations_addressed(data: ReportCreate) -> None:
    bodies = {r.body_code for r in data.recipients}
    for index, rec in enumerate(data.recommendations):
        if rec.body_code not in bodies:
            raise Unprocessable(
                f"Recommendation {index + 1} is addressed to {rec.body_code}, which the report is not sent to",
                field=f"recommendations[{index}].body_code",
            )


async def create_report(session: AsyncSession, data: ReportCreate, diary_pattern: str) -> AuditReport:
    _check_diary_numbers(data, diary_pattern)
    _check_recommendations_addressed(data)
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


async def list_recommendations(
    session: AsyncSession, page: PageParams, *, body_code: str | None, report_id: uuid.UUID | None
) -> Page[RecommendationRead]:
    stmt = select(Recommendation).order_by(Recommendation.report_id, Recommendation.number)
    if body_code is not None:
        stmt = stmt.where(Recommendation.body_code == body_code)
    if report_id is not None:
        stmt = stmt.where(Recommendation.report_id == report_id)
    return await paginate(session, stmt, page, lambda row: RecommendationRead.model_validate(row[0]))


async def _links_of(session: AsyncSession, action_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    links: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if action_ids:
        rows = await session.execute(
            select(ActionRecommendation.action_id, ActionRecommendation.recommendation_id)
            .where(ActionRecommendation.action_id.in_(action_ids))
            .order_by(ActionRecommendation.created_at, ActionRecommendation.id)
        )
        for action_id, rec_id in rows:
            links[action_id].append(rec_id)
    return links


def action_read(action: Action, recommendation_ids: list[uuid.UUID]) -> ActionRead:
    return ActionRead(
        id=action.id,
        body_code=action.body_code,
        title=action.title,
        description=action.description,
        owner=action.owner,
        deadline_on=action.deadline_on,
        status=action.status,
        progress=action.progress,
        recommendation_ids=recommendation_ids,
        version=action.version,
        created_at=action.created_at,
        updated_at=action.updated_at,
    )


async def list_actions(
    session: AsyncSession, page: PageParams, *, body_code: str | None, status: ActionStatus | None
) -> Page[ActionRead]:
    stmt = select(Action).order_by(Action.body_code, Action.deadline_on, Action.title, Action.id)
    if body_code is not None:
        stmt = stmt.where(Action.body_code == body_code)
    if status is not None:
        stmt = stmt.where(Action.status == status)
    actions = await paginate(session, stmt, page, lambda row: row[0])
    links = await _links_of(session, [a.id for a in actions.items])
    return Page[ActionRead](
        items=[action_read(a, links[a.id]) for a in actions.items],
        total=actions.total,
        limit=actions.limit,
        offset=actions.offset,
    )


async def get_action(session: AsyncSession, action_id: uuid.UUID) -> Action:
    action = await session.get(Action, action_id)
    if action is None:
        raise NotFound(f"No action {action_id}")
    return action


async def action_with_links(session: AsyncSession, action: Action) -> ActionRead:
    return action_read(action, (await _links_of(session, [action.id]))[action.id])


async def create_action(session: AsyncSession, data: ActionCreate) -> Action:
    recommendations = (
        await session.scalars(select(Recommendation).where(Recommendation.id.in_(data.recommendation_ids)))
    ).all()
    found = {r.id: r for r in recommendations}
    for index, rec_id in enumerate(data.recommendation_ids):
        rec = found.get(rec_id)
        if rec is None:
            raise Unprocessable(f"No recommendation {rec_id}", field=f"recommendation_ids[{index}]")
        if rec.body_code != data.body_code:
            raise Unprocessable(
                f"Recommendation {rec_id} is addressed to {rec.body_code}, not {data.body_code}",
                field=f"recommendation_ids[{index}]",
            )
    action = Action(**data.model_dump(exclude={"recommendation_ids"}))
    session.add(action)
    await session.flush()
    session.add_all(
        ActionRecommendation(action_id=action.id, recommendation_id=r) for r in dict.fromkeys(data.recommendation_ids)
    )
    await session.flush()
    return action


async def update_action(session: AsyncSession, action: Action, data: ActionUpdate) -> Action:
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field in {"title", "status"}:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(action, field, value)
    await session.flush()
    return action
