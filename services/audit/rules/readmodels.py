"""Read models: one body's audit standing, and the overview of all bodies, in a fixed number of statements.

They show decided material only (responses and control plans a meeting has decided), so that every
reader sees the same public record; drafts are read through their own routes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Integer, and_, case, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import (
    AccountabilityStatement,
    Action,
    ActionRecommendation,
    ActionStatus,
    AuditRecipient,
    AuditReport,
    Control,
    ControlOutcome,
    ControlPlan,
    ControlResult,
    Lifecycle,
    Recommendation,
    RecommendationResponse,
    RecommendationStatus,
    ReportingPeriod,
    ReviewVerdict,
    Risk,
)
from services.audit.rules.followup import UNFINISHED, overdue, overdue_actions_query, overdue_responses_query
from services.audit.rules.internal_control import Matrix, combined_colour
from services.audit.schemas import (
    ActionBrief,
    BodyOverdue,
    BodyOverview,
    BodyStatus,
    Colour,
    InternalControlBrief,
    OpenRecommendation,
    Overview,
    StatementBrief,
)


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)


async def latest_statements(session: AsyncSession, body_code: str | None) -> dict[str, StatementBrief]:
    """Each body's newest accountability statement, in one statement."""
    ranked = select(
        AccountabilityStatement,
        func.row_number()
        .over(partition_by=AccountabilityStatement.body_code, order_by=AccountabilityStatement.year.desc())
        .label("rank"),
    )
    if body_code is not None:
        ranked = ranked.where(AccountabilityStatement.body_code == body_code)
    sub = ranked.subquery()
    rows = await session.execute(select(sub).where(sub.c.rank == 1))
    return {
        row.body_code: StatementBrief(
            year=row.year,
            discharge_recommended=row.discharge_recommended,
            remark=row.remark,
            remark_grounds=row.remark_grounds,
            internal_control_sufficient=row.internal_control_sufficient,
        )
        for row in rows
    }


def _latest_decided_plans(body_code: str | None) -> Any:
    ranked = select(
        ControlPlan.id,
        ControlPlan.body_code,
        ControlPlan.year,
        func.row_number().over(partition_by=ControlPlan.body_code, order_by=ControlPlan.year.desc()).label("rank"),
    ).where(ControlPlan.status == Lifecycle.decided)
    if body_code is not None:
        ranked = ranked.where(ControlPlan.body_code == body_code)
    sub = ranked.subquery()
    return select(sub.c.id, sub.c.body_code, sub.c.year).where(sub.c.rank == 1).subquery()


async def internal_control_briefs(
    session: AsyncSession, matrix: Matrix, body_code: str | None
) -> dict[str, InternalControlBrief]:
    """Each body's latest decided plan: risks by colour, controls, T2 results; two statements."""
    plans = _latest_decided_plans(body_code)
    score = Risk.likelihood * Risk.consequence
    risk_rows = await session.execute(
        select(
            plans.c.body_code,
            plans.c.year,
            _count(score >= matrix.red_from).label("red"),
            _count(and_(score >= matrix.yellow_from, score < matrix.red_from)).label("yellow"),
            _count(and_(Risk.id.is_not(None), score < matrix.yellow_from)).label("green"),
            func.count(Risk.id).label("risks"),
        )
        .select_from(plans)
        .outerjoin(Risk, Risk.plan_id == plans.c.id)
        .group_by(plans.c.body_code, plans.c.year)
    )
    briefs: dict[str, InternalControlBrief] = {}
    for row in risk_rows:
        briefs[row.body_code] = InternalControlBrief(
            year=row.year,
            risks=row.risks,
            risks_by_colour={Colour.green: row.green or 0, Colour.yellow: row.yellow or 0, Colour.red: row.red or 0},
            controls=0,
            results=0,
            deviations=0,
            results_colour=Colour.grey,
        )
    deviation = ControlResult.outcome == ControlOutcome.deviation
    has_action = and_(ControlResult.action.is_not(None), ControlResult.action != "")
    result_rows = await session.execute(
        select(
            plans.c.body_code,
            func.count(func.distinct(Control.id)).label("controls"),
            func.count(ControlResult.id).label("results"),
            _count(ControlResult.outcome == ControlOutcome.no_deviation).label("green"),
            _count(and_(deviation, has_action)).label("yellow"),
            _count(and_(deviation, ~has_action)).label("red"),
        )
        .select_from(plans)
        .join(Risk, Risk.plan_id == plans.c.id)
        .join(Control, Control.risk_id == Risk.id)
        .outerjoin(
            ControlResult, and_(ControlResult.control_id == Control.id, ControlResult.period == ReportingPeriod.T2)
        )
        .group_by(plans.c.body_code)
    )
    for row in result_rows:
        green, yellow, red = row.green or 0, row.yellow or 0, row.red or 0
        briefs[row.body_code] = briefs[row.body_code].model_copy(
            update={
                "controls": row.controls,
                "results": row.results,
                "deviations": yellow + red,
                "results_colour": combined_colour(
                    [Colour.green] * green + [Colour.yellow] * yellow + [Colour.red] * red
                ),
            }
        )
    return briefs


async def _open_recommendations(session: AsyncSession, body_code: str) -> list[Any]:
    decided_on = (
        select(RecommendationResponse.decided_on)
        .where(
            RecommendationResponse.recommendation_id == Recommendation.id,
            RecommendationResponse.status == Lifecycle.decided,
        )
        .scalar_subquery()
    )
    latest_verdict = (
        select(ReviewVerdict.verdict)
        .where(ReviewVerdict.recommendation_id == Recommendation.id)
        .order_by(ReviewVerdict.reviewed_on.desc(), ReviewVerdict.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            Recommendation.id,
            Recommendation.report_id,
            AuditReport.title,
            Recommendation.number,
            Recommendation.text,
            Recommendation.response_due_on,
            decided_on.label("decided_on"),
            latest_verdict.label("latest_verdict"),
        )
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(Recommendation.body_code == body_code, Recommendation.status == RecommendationStatus.open)
        .order_by(AuditReport.audit_year.desc(), AuditReport.title, Recommendation.number)
    )
    return list(rows)


async def _actions_of_open(session: AsyncSession, body_code: str, as_of: date) -> dict[uuid.UUID, list[ActionBrief]]:
    rows = await session.execute(
        select(
            ActionRecommendation.recommendation_id,
            Action.id,
            Action.title,
            Action.status,
            Action.deadline_on,
            Action.goal_ids,
        )
        .join(Action, Action.id == ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .where(Recommendation.body_code == body_code, Recommendation.status == RecommendationStatus.open)
        .order_by(Action.deadline_on, Action.title, Action.id)
    )
    by_rec: dict[uuid.UUID, list[ActionBrief]] = defaultdict(list)
    for rec_id, action_id, title, status, deadline, goal_ids in rows:
        late = deadline is not None and deadline < as_of and status in UNFINISHED
        goals = [uuid.UUID(g) for g in goal_ids]
        brief = ActionBrief(
            id=action_id, title=title, status=status, deadline_on=deadline, overdue=late, goal_ids=goals
        )
        by_rec[rec_id].append(brief)
    return by_rec


async def body_status(session: AsyncSession, body_code: str, as_of: date, matrix: Matrix) -> BodyStatus:
    """One body's standing in seven statements, whatever the number of recommendations and actions."""
    recs = await _open_recommendations(session, body_code)
    actions = await _actions_of_open(session, body_code, as_of)
    late = await overdue(session, as_of, body_code)
    statements = await latest_statements(session, body_code)
    control = await internal_control_briefs(session, matrix, body_code)
    return BodyStatus(
        body_code=body_code,
        as_of=as_of,
        open_recommendations=[
            OpenRecommendation(
                id=r.id,
                report_id=r.report_id,
                report_title=r.title,
                number=r.number,
                text=r.text,
                response_due_on=r.response_due_on,
                response_decided_on=r.decided_on,
                latest_verdict=r.latest_verdict,
                actions=actions[r.id],
            )
            for r in recs
        ],
        overdue=late.bodies[0] if late.bodies else BodyOverdue(body_code=body_code, responses=[], actions=[]),
        latest_statement=statements.get(body_code),
        internal_control=control.get(body_code),
    )


async def overview(session: AsyncSession, as_of: date, matrix: Matrix) -> Overview:
    """Every body's counts in eight statements: each part is one GROUP BY over all bodies."""
    bodies_q = union(
        select(AuditRecipient.body_code),
        select(Action.body_code),
        select(AccountabilityStatement.body_code),
        select(ControlPlan.body_code.label("body_code")),
    )
    bodies = sorted(set(await session.scalars(bodies_q)))
    recs = await session.execute(
        select(Recommendation.body_code, Recommendation.status, func.count()).group_by(
            Recommendation.body_code, Recommendation.status
        )
    )
    rec_counts: dict[str, dict[RecommendationStatus, int]] = defaultdict(dict)
    for code, status, n in recs:
        rec_counts[code][status] = n
    acts = await session.execute(
        select(Action.body_code, Action.status, func.count()).group_by(Action.body_code, Action.status)
    )
    action_counts: dict[str, dict[ActionStatus, int]] = defaultdict(dict)
    for code, action_status, count in acts:
        action_counts[code][action_status] = count
    late_responses = await _counts_by_body(session, overdue_responses_query(as_of))
    late_actions = await _counts_by_body(session, overdue_actions_query(as_of))
    statements = await latest_statements(session, None)
    control = await internal_control_briefs(session, matrix, None)
    return Overview(
        as_of=as_of,
        bodies=[
            BodyOverview(
                body_code=code,
                open_recommendations=rec_counts[code].get(RecommendationStatus.open, 0),
                closed_recommendations=rec_counts[code].get(RecommendationStatus.closed, 0),
                actions_by_status={s: action_counts[code].get(s, 0) for s in ActionStatus},
                overdue_responses=late_responses.get(code, 0),
                overdue_actions=late_actions.get(code, 0),
                latest_statement=statements.get(code),
                internal_control=control.get(code),
            )
            for code in bodies
        ],
    )


async def _counts_by_body(session: AsyncSession, listing: Any) -> dict[str, int]:
    sub = listing.order_by(None).subquery()
    rows = await session.execute(select(sub.c.body_code, func.count()).group_by(sub.c.body_code))
    return {code: n for code, n in rows}
