"""Read models: one body's audit standing, and the overview of all bodies, in a fixed number of statements.

Both answer as at a date: only what belonged to it (rules/as_at.py), so a report of an earlier
period shows the record as it stood at that period's end.

They show decided material only (responses and control plans a meeting has decided), so that every
reader sees the same public record; drafts are read through their own routes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import (
    AccountabilityStatement,
    Action,
    ActionRecommendation,
    ActionStatus,
    AuditReport,
    Control,
    ControlOutcome,
    ControlPlan,
    ControlResult,
    ProgressNote,
    Recommendation,
    RecommendationResponse,
    ReportingPeriod,
    ReviewVerdict,
    Risk,
)
from services.audit.rules import as_at
from services.audit.rules.followup import overdue, overdue_actions_query, overdue_responses_query
from services.audit.rules.internal_control import Matrix, combined_colour
from services.audit.schemas import (
    ActionBrief,
    BodyOverdue,
    BodyOverview,
    BodyStatus,
    Colour,
    FollowedRecommendation,
    FollowThrough,
    InternalControlBrief,
    LinkedAction,
    NoteBrief,
    OpenRecommendation,
    Overview,
    RecommendationBrief,
    StatementBrief,
)
from shared.asof import period_end


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)


async def latest_statements(session: AsyncSession, body_code: str | None, as_of: date) -> dict[str, StatementBrief]:
    """Each body's newest accountability statement issued by `as_of`, in one statement."""
    ranked = select(
        AccountabilityStatement,
        func.row_number()
        .over(partition_by=AccountabilityStatement.body_code, order_by=AccountabilityStatement.year.desc())
        .label("rank"),
    ).where(as_at.statement_issued(as_of))
    if body_code is not None:
        ranked = ranked.where(AccountabilityStatement.body_code == body_code)
    sub = ranked.subquery()
    rows = await session.execute(select(sub).where(sub.c.rank == 1))
    return {
        row.body_code: StatementBrief(
            year=row.year,
            issued_on=row.issued_on,
            discharge_recommended=row.discharge_recommended,
            remark=row.remark,
            remark_grounds=row.remark_grounds,
            internal_control_sufficient=row.internal_control_sufficient,
        )
        for row in rows
    }


def _plans_in_force(body_code: str | None, as_of: date) -> Any:
    plans = select(ControlPlan.id, ControlPlan.body_code, ControlPlan.year, ControlPlan.decided_on).where(
        as_at.plan_in_force(as_of)
    )
    if body_code is not None:
        plans = plans.where(ControlPlan.body_code == body_code)
    return plans.subquery()


def _ended_periods(as_of: date) -> list[ReportingPeriod]:
    """The follow-ups of `as_of`'s year that had ended by then. A result speaks for its period, so the T2
    results, reported in September with the T2 report, belong to 31 August (shared/asof.py)."""
    return [p for p in ReportingPeriod if period_end(as_of.year, p.value) <= as_of]


def _latest_results(as_of: date) -> Any:
    """Each control's result of the newest follow-up ended by `as_of`: the year's replaces T2's."""
    year_first = case((ControlResult.period == ReportingPeriod.year, 0), else_=1)
    ranked = (
        select(
            ControlResult.control_id,
            ControlResult.outcome,
            ControlResult.action,
            func.row_number()
            .over(partition_by=ControlResult.control_id, order_by=(year_first, ControlResult.id))
            .label("rank"),
        )
        .where(ControlResult.period.in_(_ended_periods(as_of)))
        .subquery()
    )
    return select(ranked.c.control_id, ranked.c.outcome, ranked.c.action).where(ranked.c.rank == 1).subquery()


async def internal_control_briefs(
    session: AsyncSession, matrix: Matrix, body_code: str | None, as_of: date
) -> dict[str, InternalControlBrief]:
    """Each body's plan of `as_of`'s year decided by then: risks by colour, controls, the results of the
    follow-ups ended by then; two statements."""
    plans = _plans_in_force(body_code, as_of)
    score = Risk.likelihood * Risk.consequence
    risk_rows = await session.execute(
        select(
            plans.c.body_code,
            plans.c.year,
            plans.c.decided_on,
            _count(score >= matrix.red_from).label("red"),
            _count(and_(score >= matrix.yellow_from, score < matrix.red_from)).label("yellow"),
            _count(and_(Risk.id.is_not(None), score < matrix.yellow_from)).label("green"),
            func.count(Risk.id).label("risks"),
        )
        .select_from(plans)
        .outerjoin(Risk, Risk.plan_id == plans.c.id)
        .group_by(plans.c.body_code, plans.c.year, plans.c.decided_on)
    )
    briefs: dict[str, InternalControlBrief] = {}
    for row in risk_rows:
        briefs[row.body_code] = InternalControlBrief(
            year=row.year,
            decided_on=row.decided_on,
            risks=row.risks,
            risks_by_colour={Colour.green: row.green or 0, Colour.yellow: row.yellow or 0, Colour.red: row.red or 0},
            controls=0,
            results=0,
            deviations=0,
            results_colour=Colour.grey,
        )
    results = _latest_results(as_of)
    deviation = results.c.outcome == ControlOutcome.deviation
    has_action = and_(results.c.action.is_not(None), results.c.action != "")
    result_rows = await session.execute(
        select(
            plans.c.body_code,
            func.count(func.distinct(Control.id)).label("controls"),
            func.count(results.c.control_id).label("results"),
            _count(results.c.outcome == ControlOutcome.no_deviation).label("green"),
            _count(and_(deviation, has_action)).label("yellow"),
            _count(and_(deviation, ~has_action)).label("red"),
        )
        .select_from(plans)
        .join(Risk, Risk.plan_id == plans.c.id)
        .join(Control, Control.risk_id == Risk.id)
        .outerjoin(results, results.c.control_id == Control.id)
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


def _received_and_open(body_code: str | None, as_of: date) -> ColumnElement[bool]:
    """Recommendations of reports received by `as_of` and not closed by then: one body's, or every body's."""
    received_and_open = and_(as_at.report_received(as_of), as_at.recommendation_open(as_of))
    return received_and_open if body_code is None else and_(Recommendation.body_code == body_code, received_and_open)


async def _open_recommendations(session: AsyncSession, body_code: str | None, as_of: date) -> list[Any]:
    decided_on = (
        select(RecommendationResponse.decided_on)
        .where(RecommendationResponse.recommendation_id == Recommendation.id, as_at.response_decided(as_of))
        .scalar_subquery()
    )
    latest_verdict = (
        select(ReviewVerdict.verdict, ReviewVerdict.reviewed_on)
        .where(ReviewVerdict.recommendation_id == Recommendation.id, ReviewVerdict.reviewed_on <= as_of)
        .order_by(ReviewVerdict.reviewed_on.desc(), ReviewVerdict.created_at.desc())
        .limit(1)
    )
    rows = await session.execute(
        select(
            Recommendation.id,
            Recommendation.body_code,
            Recommendation.report_id,
            AuditReport.title,
            AuditReport.received_on,
            Recommendation.number,
            Recommendation.text,
            Recommendation.response_due_on,
            decided_on.label("decided_on"),
            latest_verdict.with_only_columns(ReviewVerdict.verdict).scalar_subquery().label("latest_verdict"),
            latest_verdict.with_only_columns(ReviewVerdict.reviewed_on).scalar_subquery().label("latest_verdict_on"),
        )
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(_received_and_open(body_code, as_of))
        .order_by(AuditReport.audit_year.desc(), AuditReport.title, Recommendation.number)
    )
    return list(rows)


async def _action_counts_of_open(
    session: AsyncSession, as_of: date
) -> dict[uuid.UUID, tuple[dict[ActionStatus, int], int]]:
    """Every open recommendation's actions by status as at `as_of`, and how many of them are overdue."""
    status = as_at.action_status(as_of)
    rows = await session.execute(
        select(
            ActionRecommendation.recommendation_id,
            status,
            func.count(),
            func.sum(case((as_at.action_overdue(as_of), 1), else_=0)),
        )
        .join(Action, Action.id == ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(_received_and_open(None, as_of))
        .group_by(ActionRecommendation.recommendation_id, status)
    )
    counted: dict[uuid.UUID, tuple[dict[ActionStatus, int], int]] = {}
    for rec_id, action_status, count, late in rows:
        by_status, overdue_so_far = counted.get(rec_id, ({}, 0))
        by_status[ActionStatus(action_status)] = count
        counted[rec_id] = (by_status, overdue_so_far + int(late or 0))
    return counted


def _brief(rec: Any, counts: tuple[dict[ActionStatus, int], int] | None) -> RecommendationBrief:
    by_status, late = counts or ({}, 0)
    return RecommendationBrief(
        id=rec.id,
        report_id=rec.report_id,
        report_title=rec.title,
        report_received_on=rec.received_on,
        number=rec.number,
        text=rec.text,
        response_due_on=rec.response_due_on,
        response_decided_on=rec.decided_on,
        latest_verdict=rec.latest_verdict,
        latest_verdict_on=rec.latest_verdict_on,
        actions_by_status={s: by_status.get(s, 0) for s in ActionStatus},
        overdue_actions=late,
    )


def _latest_notes(as_of: date) -> Any:
    ranked = (
        select(
            ProgressNote.action_id,
            ProgressNote.noted_on,
            ProgressNote.text,
            func.row_number()
            .over(
                partition_by=ProgressNote.action_id,
                order_by=(ProgressNote.noted_on.desc(), ProgressNote.created_at.desc(), ProgressNote.id),
            )
            .label("rank"),
        )
        .where(ProgressNote.noted_on <= as_of)
        .subquery()
    )
    return select(ranked.c.action_id, ranked.c.noted_on, ranked.c.text).where(ranked.c.rank == 1).subquery()


async def _actions_of_open(session: AsyncSession, body_code: str, as_of: date) -> dict[uuid.UUID, list[ActionBrief]]:
    notes = _latest_notes(as_of)
    rows = await session.execute(
        select(
            ActionRecommendation.recommendation_id,
            Action.id,
            Action.title,
            as_at.action_status(as_of),
            Action.deadline_on,
            case((as_at.action_finished(as_of), Action.finished_on)).label("finished_on"),
            as_at.action_overdue(as_of).label("overdue"),
            notes.c.noted_on,
            notes.c.text,
            Action.goal_ids,
        )
        .join(Action, Action.id == ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .outerjoin(notes, notes.c.action_id == Action.id)
        .where(_received_and_open(body_code, as_of))
        .order_by(Action.deadline_on, Action.title, Action.id)
    )
    by_rec: dict[uuid.UUID, list[ActionBrief]] = defaultdict(list)
    for rec_id, action_id, title, status, deadline, finished_on, late, noted_on, note, goal_ids in rows:
        by_rec[rec_id].append(
            ActionBrief(
                id=action_id,
                title=title,
                status=ActionStatus(status),
                deadline_on=deadline,
                finished_on=finished_on,
                overdue=bool(late),
                latest_note=NoteBrief(noted_on=noted_on, text=note) if noted_on is not None else None,
                goal_ids=[uuid.UUID(g) for g in goal_ids],
            )
        )
    return by_rec


async def body_status(session: AsyncSession, body_code: str, as_of: date, matrix: Matrix) -> BodyStatus:
    """One body's standing as at `as_of` in seven statements, whatever the number of recommendations and
    actions."""
    recs = await _open_recommendations(session, body_code, as_of)
    actions = await _actions_of_open(session, body_code, as_of)
    late = await overdue(session, as_of, body_code)
    statements = await latest_statements(session, body_code, as_of)
    control = await internal_control_briefs(session, matrix, body_code, as_of)
    return BodyStatus(
        body_code=body_code,
        as_of=as_of,
        open_recommendations=[
            OpenRecommendation(
                id=r.id,
                report_id=r.report_id,
                report_title=r.title,
                report_received_on=r.received_on,
                number=r.number,
                text=r.text,
                response_due_on=r.response_due_on,
                response_decided_on=r.decided_on,
                latest_verdict=r.latest_verdict,
                latest_verdict_on=r.latest_verdict_on,
                actions=actions[r.id],
            )
            for r in recs
        ],
        overdue=late.bodies[0] if late.bodies else BodyOverdue(body_code=body_code, responses=[], actions=[]),
        latest_statement=statements.get(body_code),
        internal_control=control.get(body_code),
    )


async def overview(session: AsyncSession, as_of: date, matrix: Matrix) -> Overview:
    """Every body's counts and open recommendations as at `as_of` in ten statements: each part is one query
    over all bodies."""
    bodies = sorted(set(await session.scalars(as_at.bodies_query(as_of))))
    closed = as_at.recommendation_closed(as_of)
    recs = await session.execute(
        select(Recommendation.body_code, _count(~closed), _count(closed))
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(as_at.report_received(as_of))
        .group_by(Recommendation.body_code)
    )
    rec_counts = {code: (n_open, n_closed) for code, n_open, n_closed in recs}
    status = as_at.action_status(as_of)
    acts = await session.execute(
        select(Action.body_code, status, func.count())
        .where(as_at.action_received(as_of))
        .group_by(Action.body_code, status)
    )
    action_counts: dict[str, dict[ActionStatus, int]] = defaultdict(dict)
    for code, action_status, count in acts:
        action_counts[code][ActionStatus(action_status)] = count
    late_responses = await _counts_by_body(session, overdue_responses_query(as_of))
    late_actions = await _counts_by_body(session, overdue_actions_query(as_of))
    statements = await latest_statements(session, None, as_of)
    control = await internal_control_briefs(session, matrix, None, as_of)
    counts = await _action_counts_of_open(session, as_of)
    open_by_body: dict[str, list[RecommendationBrief]] = defaultdict(list)
    for rec in await _open_recommendations(session, None, as_of):
        open_by_body[rec.body_code].append(_brief(rec, counts.get(rec.id)))
    return Overview(
        as_of=as_of,
        bodies=[
            BodyOverview(
                body_code=code,
                open_recommendations=rec_counts.get(code, (0, 0))[0],
                closed_recommendations=rec_counts.get(code, (0, 0))[1],
                actions_by_status={s: action_counts[code].get(s, 0) for s in ActionStatus},
                overdue_responses=late_responses.get(code, 0),
                overdue_actions=late_actions.get(code, 0),
                latest_statement=statements.get(code),
                internal_control=control.get(code),
                recommendations=open_by_body.get(code, []),
            )
            for code in bodies
        ],
    )


async def _counts_by_body(session: AsyncSession, listing: Any) -> dict[str, int]:
    sub = listing.order_by(None).subquery()
    rows = await session.execute(select(sub.c.body_code, func.count()).group_by(sub.c.body_code))
    return {code: n for code, n in rows}


async def _linked_actions(
    session: AsyncSession, body_code: str | None, as_of: date
) -> dict[uuid.UUID, list[LinkedAction]]:
    """The actions of the recommendations open as at `as_of`, with their links, by recommendation."""
    rows = await session.execute(
        select(
            ActionRecommendation.recommendation_id,
            Action.id,
            Action.title,
            Action.body_code,
            as_at.action_status(as_of),
            Action.goal_ids,
            Action.indicator_ids,
        )
        .join(Action, Action.id == ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(_received_and_open(body_code, as_of))
        .order_by(Action.deadline_on, Action.title, Action.id)
    )
    by_rec: dict[uuid.UUID, list[LinkedAction]] = defaultdict(list)
    for rec_id, action_id, title, action_body, status, goal_ids, indicator_ids in rows:
        by_rec[rec_id].append(
            LinkedAction(
                id=action_id,
                title=title,
                body_code=action_body,
                status=ActionStatus(status),
                goal_ids=[uuid.UUID(g) for g in goal_ids or []],
                indicator_ids=[uuid.UUID(i) for i in indicator_ids or []],
            )
        )
    return by_rec


async def follow_through(session: AsyncSession, body_code: str | None, as_of: date) -> FollowThrough:
    """The recommendations open as at `as_of` (one body's or every body's) with their actions and links, in two
    statements whatever their number."""
    recs = await _open_recommendations(session, body_code, as_of)
    actions = await _linked_actions(session, body_code, as_of)
    return FollowThrough(
        as_of=as_of,
        body_code=body_code,
        recommendations=[
            FollowedRecommendation(
                id=r.id,
                body_code=r.body_code,
                report_id=r.report_id,
                report_title=r.title,
                report_received_on=r.received_on,
                number=r.number,
                text=r.text,
                response_due_on=r.response_due_on,
                response_decided_on=r.decided_on,
                actions=actions.get(r.id, []),
            )
            for r in recs
        ],
    )
