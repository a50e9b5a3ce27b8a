"""Read models: one body's audit standing, and the overview of all bodies, in a fixed number of statements.

Both answer as at a date: only what belonged to it (rules/as_at.py), so a report of an earlier
period shows the record as it stood at that period's end.

They show decided material only (responses and control plans a meeting has decided), so that every
reader sees the same public record; drafts are read through their own routes.

Their statements are built once (issue 17), the date, the body and the risk matrix sent as parameters
(`_params`).
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Integer, and_, bindparam, case, func, select
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
from shared.statements import read_rows

BODY: BindParameter[str] = bindparam("body_code")
RED_FROM = bindparam("red_from", type_=Integer)
YELLOW_FROM = bindparam("yellow_from", type_=Integer)


def _params(as_of: date, body_code: str | None = None, matrix: Matrix | None = None) -> dict[str, Any]:
    params = {**as_at.as_of_params(as_of), "body_code": body_code}
    if matrix is not None:
        params.update(red_from=matrix.red_from, yellow_from=matrix.yellow_from)
    return params


def _count(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0)).cast(Integer)


@functools.cache
def _latest_statements(by_body: bool) -> Any:
    ranked = select(
        AccountabilityStatement,
        func.row_number()
        .over(partition_by=AccountabilityStatement.body_code, order_by=AccountabilityStatement.year.desc())
        .label("rank"),
    ).where(as_at.statement_issued())
    if by_body:
        ranked = ranked.where(AccountabilityStatement.body_code == BODY)
    sub = ranked.subquery()
    return select(sub).where(sub.c.rank == 1)


async def latest_statements(session: AsyncSession, body_code: str | None, as_of: date) -> dict[str, StatementBrief]:
    """Each body's newest accountability statement issued by `as_of`, in one statement."""
    rows = await read_rows(session, _latest_statements(body_code is not None), _params(as_of, body_code))
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


def _plans_in_force(by_body: bool) -> Any:
    plans = select(ControlPlan.id, ControlPlan.body_code, ControlPlan.year, ControlPlan.decided_on).where(
        as_at.plan_in_force()
    )
    if by_body:
        plans = plans.where(ControlPlan.body_code == BODY)
    return plans.subquery()


def _latest_results() -> Any:
    """Each control's result of the newest follow-up ended by AS_OF (the periods `ended_periods`): the year's
    replaces T2's."""
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
        .where(ControlResult.period.in_(as_at.ENDED_PERIODS))
        .subquery()
    )
    return select(ranked.c.control_id, ranked.c.outcome, ranked.c.action).where(ranked.c.rank == 1).subquery()


@functools.cache
def _internal_control(by_body: bool) -> tuple[Any, Any]:
    """The statements of internal_control_briefs: risks by colour per plan, and controls and results per body."""
    plans = _plans_in_force(by_body)
    score = Risk.likelihood * Risk.consequence
    risks = (
        select(
            plans.c.body_code,
            plans.c.year,
            plans.c.decided_on,
            _count(score >= RED_FROM).label("red"),
            _count(and_(score >= YELLOW_FROM, score < RED_FROM)).label("yellow"),
            _count(and_(Risk.id.is_not(None), score < YELLOW_FROM)).label("green"),
            func.count(Risk.id).label("risks"),
        )
        .select_from(plans)
        .outerjoin(Risk, Risk.plan_id == plans.c.id)
        .group_by(plans.c.body_code, plans.c.year, plans.c.decided_on)
    )
    latest = _latest_results()
    deviation = latest.c.outcome == ControlOutcome.deviation
    has_action = and_(latest.c.action.is_not(None), latest.c.action != "")
    results = (
        select(
            plans.c.body_code,
            func.count(func.distinct(Control.id)).label("controls"),
            func.count(latest.c.control_id).label("results"),
            _count(latest.c.outcome == ControlOutcome.no_deviation).label("green"),
            _count(and_(deviation, has_action)).label("yellow"),
            _count(and_(deviation, ~has_action)).label("red"),
        )
        .select_from(plans)
        .join(Risk, Risk.plan_id == plans.c.id)
        .join(Control, Control.risk_id == Risk.id)
        .outerjoin(latest, latest.c.control_id == Control.id)
        .group_by(plans.c.body_code)
    )
    return risks, results


async def internal_control_briefs(
    session: AsyncSession, matrix: Matrix, body_code: str | None, as_of: date
) -> dict[str, InternalControlBrief]:
    """Each body's plan of `as_of`'s year decided by then: risks by colour, controls, the results of the
    follow-ups ended by then; two statements."""
    risks, results = _internal_control(body_code is not None)
    params = _params(as_of, body_code, matrix)
    risk_rows = await read_rows(session, risks, params)
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
    for row in await read_rows(session, results, params):
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


def _received_and_open(by_body: bool) -> ColumnElement[bool]:
    """Recommendations of reports received by AS_OF and not closed by then: one body's, or every body's."""
    received_and_open = and_(as_at.report_received(), as_at.recommendation_open())
    return and_(Recommendation.body_code == BODY, received_and_open) if by_body else received_and_open


async def _open_recommendations(session: AsyncSession, body_code: str | None, as_of: date) -> list[Any]:
    return list(await read_rows(session, _open_recommendations_query(body_code is not None), _params(as_of, body_code)))


@functools.cache
def _open_recommendations_query(by_body: bool) -> Any:
    decided_on = (
        select(RecommendationResponse.decided_on)
        .where(RecommendationResponse.recommendation_id == Recommendation.id, as_at.response_decided())
        .scalar_subquery()
    )
    latest_verdict = (
        select(ReviewVerdict.verdict, ReviewVerdict.reviewed_on)
        .where(ReviewVerdict.recommendation_id == Recommendation.id, ReviewVerdict.reviewed_on <= as_at.AS_OF)
        .order_by(ReviewVerdict.reviewed_on.desc(), ReviewVerdict.created_at.desc())
        .limit(1)
    )
    return (
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
        .where(_received_and_open(by_body))
        .order_by(AuditReport.audit_year.desc(), AuditReport.title, Recommendation.number)
    )


@functools.cache
def _action_counts_of_open_query() -> Any:
    status = as_at.action_status()
    return (
        select(
            ActionRecommendation.recommendation_id,
            status,
            func.count(),
            func.sum(case((as_at.action_overdue(), 1), else_=0)),
        )
        .join(Action, Action.id == ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(_received_and_open(False))
        .group_by(ActionRecommendation.recommendation_id, status)
    )


async def _action_counts_of_open(
    session: AsyncSession, as_of: date
) -> dict[uuid.UUID, tuple[dict[ActionStatus, int], int]]:
    """Every open recommendation's actions by status as at `as_of`, and how many of them are overdue."""
    rows = await read_rows(session, _action_counts_of_open_query(), _params(as_of))
    counted: dict[uuid.UUID, tuple[dict[ActionStatus, int], int]] = {}
    for rec_id, action_status, count, late in rows:
        by_status, overdue_so_far = counted.get(rec_id, ({}, 0))
        by_status[ActionStatus(action_status)] = count
        counted[rec_id] = (by_status, overdue_so_far + int(late or 0))
    return counted


def _recommendation_fields(rec: Any) -> dict[str, Any]:
    """An open recommendation's row (_open_recommendations_query) as every read model names its fields."""
    return {
        "id": rec.id,
        "report_id": rec.report_id,
        "report_title": rec.title,
        "report_received_on": rec.received_on,
        "number": rec.number,
        "text": rec.text,
        "response_due_on": rec.response_due_on,
        "response_decided_on": rec.decided_on,
    }


def _brief(rec: Any, counts: tuple[dict[ActionStatus, int], int] | None) -> RecommendationBrief:
    by_status, late = counts or ({}, 0)
    return RecommendationBrief(
        **_recommendation_fields(rec),
        latest_verdict=rec.latest_verdict,
        latest_verdict_on=rec.latest_verdict_on,
        actions_by_status={s: by_status.get(s, 0) for s in ActionStatus},
        overdue_actions=late,
    )


def _latest_notes() -> Any:
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
        .where(ProgressNote.noted_on <= as_at.AS_OF)
        .subquery()
    )
    return select(ranked.c.action_id, ranked.c.noted_on, ranked.c.text).where(ranked.c.rank == 1).subquery()


@functools.cache
def _actions_of_open_query() -> Any:
    notes = _latest_notes()
    return (
        select(
            ActionRecommendation.recommendation_id,
            Action.id,
            Action.title,
            as_at.action_status(),
            Action.deadline_on,
            case((as_at.action_finished(), Action.finished_on)).label("finished_on"),
            as_at.action_overdue().label("overdue"),
            notes.c.noted_on,
            notes.c.text,
            Action.goal_ids,
        )
        .join(Action, Action.id == ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .outerjoin(notes, notes.c.action_id == Action.id)
        .where(_received_and_open(True))
        .order_by(Action.deadline_on, Action.title, Action.id)
    )


async def _actions_of_open(session: AsyncSession, body_code: str, as_of: date) -> dict[uuid.UUID, list[ActionBrief]]:
    rows = await read_rows(session, _actions_of_open_query(), _params(as_of, body_code))
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
                **_recommendation_fields(r),
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


@functools.cache
def _overview_queries() -> tuple[Any, Any, Any, Any, Any]:
    """The bodies, their recommendations open and closed, their actions by status, and what is late."""
    closed = as_at.recommendation_closed()
    recs = (
        select(Recommendation.body_code, _count(~closed), _count(closed))
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(as_at.report_received())
        .group_by(Recommendation.body_code)
    )
    status = as_at.action_status()
    acts = (
        select(Action.body_code, status, func.count()).where(as_at.action_received()).group_by(Action.body_code, status)
    )
    late = (_counted_by_body(overdue_responses_query()), _counted_by_body(overdue_actions_query()))
    return as_at.bodies_query(), recs, acts, *late


def _counted_by_body(listing: Any) -> Any:
    sub = listing.order_by(None).subquery()
    return select(sub.c.body_code, func.count()).group_by(sub.c.body_code)


async def overview(session: AsyncSession, as_of: date, matrix: Matrix) -> Overview:
    """Every body's counts and open recommendations as at `as_of` in ten statements: each part is one query
    over all bodies."""
    bodies_q, recs_q, acts_q, late_responses_q, late_actions_q = _overview_queries()
    params = _params(as_of)
    bodies = sorted(set((await read_rows(session, bodies_q, params)).scalars()))
    rec_counts = {code: (n_open, n_closed) for code, n_open, n_closed in await read_rows(session, recs_q, params)}
    acts = await read_rows(session, acts_q, params)
    action_counts: dict[str, dict[ActionStatus, int]] = defaultdict(dict)
    for code, action_status, count in acts:
        action_counts[code][ActionStatus(action_status)] = count
    late_responses = {code: n for code, n in await read_rows(session, late_responses_q, params)}
    late_actions = {code: n for code, n in await read_rows(session, late_actions_q, params)}
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


@functools.cache
def _linked_actions_query(by_body: bool) -> Any:
    return (
        select(
            ActionRecommendation.recommendation_id,
            Action.id,
            Action.title,
            Action.body_code,
            as_at.action_status(),
            Action.goal_ids,
            Action.indicator_ids,
        )
        .join(Action, Action.id == ActionRecommendation.action_id)
        .join(Recommendation, Recommendation.id == ActionRecommendation.recommendation_id)
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(_received_and_open(by_body))
        .order_by(Action.deadline_on, Action.title, Action.id)
    )


async def _linked_actions(
    session: AsyncSession, body_code: str | None, as_of: date
) -> dict[uuid.UUID, list[LinkedAction]]:
    """The actions of the recommendations open as at `as_of`, with their links, by recommendation."""
    rows = await read_rows(session, _linked_actions_query(body_code is not None), _params(as_of, body_code))
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
                **_recommendation_fields(r),
                body_code=r.body_code,
                actions=actions.get(r.id, []),
            )
            for r in recs
        ],
    )
