"""The caller's tasks in the audit service: actions and controls they own, responses their bodies owe.

Four statements whatever the number of records: the caller's actions, the recommendations their bodies
have yet to answer, their controls in decided plans, and those controls' results.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from services.audit.models import (
    Action,
    Control,
    ControlPlan,
    ControlResult,
    Lifecycle,
    Recommendation,
    RecommendationResponse,
    RecommendationStatus,
    ReportingPeriod,
    Risk,
)
from services.audit.rules.actions import FINISHED
from shared.auth.policy import Principal
from shared.tasks import (
    BodyTasks,
    Horizon,
    Owned,
    PeopleTasks,
    ServiceTasks,
    Task,
    TaskKind,
    bodies_answering,
    brief,
    by_person,
    soonest_first,
    whose,
)

SERVICE = "audit"
# The periods a control reports on, and the day in its plan's year each is due (with T2, with the annual report).
RESULT_DUE = {ReportingPeriod.T2: (8, 31), ReportingPeriod.year: (12, 31)}


async def my_tasks(conn: AsyncConnection, caller: Principal, horizon: Horizon) -> ServiceTasks:
    tasks = [
        *(o.task for o in await _actions(conn, caller.subject, horizon)),
        *(task for _, task in await _responses(conn, bodies_answering(caller), horizon)),
        *(o.task for o in await _control_results(conn, caller.subject, horizon)),
    ]
    return ServiceTasks(as_of=horizon.as_of, items=soonest_first([t for t in tasks if horizon.holds(t.due_on)]))


async def peoples_tasks(conn: AsyncConnection, horizon: Horizon) -> PeopleTasks:
    """Every owner's actions and control results, and by body the responses each owes: those are its
    editors', whom only the identity provider knows, so the reminder job gives them to the people it knows
    to hold those roles (cli/remind.py)."""
    owned = [*await _actions(conn, None, horizon), *await _control_results(conn, None, horizon)]
    owed: dict[str, list[Task]] = defaultdict(list)
    for body, task in await _responses(conn, None, horizon):
        if horizon.holds(task.due_on):
            owed[body].append(task)
    bodies = [BodyTasks(body_code=body, items=soonest_first(owed[body])) for body in sorted(owed)]
    return PeopleTasks(as_of=horizon.as_of, people=by_person(owned, horizon), bodies=bodies)


async def _actions(conn: AsyncConnection, subject: str | None, horizon: Horizon) -> list[Owned]:
    rows = await conn.execute(
        select(Action.owner_subject, Action.owner_name, Action.id, Action.title, Action.deadline_on).where(
            whose(Action.owner_subject, subject), Action.status.not_in(FINISHED)
        )
    )
    return [
        Owned(who, name, horizon.task(TaskKind.action, title, f"/api/audit/actions/{id_}", due_on, SERVICE))
        for who, name, id_, title, due_on in rows
    ]


async def _responses(conn: AsyncConnection, bodies: list[str] | None, horizon: Horizon) -> list[tuple[str, Task]]:
    """Open recommendations to the caller's bodies (None: to every body) with no decided response: to write,
    or to decide; each with its body."""
    if bodies is not None and not bodies:
        return []
    rows = await conn.execute(
        select(Recommendation.id, Recommendation.body_code, Recommendation.text, Recommendation.response_due_on)
        .outerjoin(RecommendationResponse, RecommendationResponse.recommendation_id == Recommendation.id)
        .where(
            Recommendation.body_code.in_(bodies) if bodies is not None else true(),
            Recommendation.status == RecommendationStatus.open,
            Recommendation.response_due_on.is_not(None),
            (RecommendationResponse.id.is_(None)) | (RecommendationResponse.status == Lifecycle.draft),
        )
    )
    return [
        (
            body,
            horizon.task(
                TaskKind.response,
                f"{body}'s response to: {brief(text)}",
                f"/api/audit/recommendations/{id_}",
                due_on,
                SERVICE,
            ),
        )
        for id_, body, text, due_on in rows
    ]


async def _control_results(conn: AsyncConnection, subject: str | None, horizon: Horizon) -> list[Owned]:
    """Each period a control the person owns has no result for yet, in plans decided (results need one)."""
    controls = (
        await conn.execute(
            select(
                Control.owner_subject,
                Control.owner_name,
                Control.id,
                Control.control,
                ControlPlan.body_code,
                ControlPlan.year,
            )
            .join(Risk, Risk.id == Control.risk_id)
            .join(ControlPlan, ControlPlan.id == Risk.plan_id)
            .where(whose(Control.owner_subject, subject), ControlPlan.status == Lifecycle.decided)
        )
    ).all()
    reported = await _reported_periods(conn, [row.id for row in controls])
    tasks = []
    for who, name, control_id, text, body, year in controls:
        for period, (month, day) in RESULT_DUE.items():
            if period not in reported[control_id]:
                title = f"Result {year} {period.value} for {body}'s control: {brief(text)}"
                link = f"/api/audit/internal-control/controls/{control_id}"
                task = horizon.task(TaskKind.control_result, title, link, date(year, month, day), SERVICE)
                tasks.append(Owned(who, name, task))
    return tasks


async def _reported_periods(
    conn: AsyncConnection, control_ids: list[uuid.UUID]
) -> dict[uuid.UUID, set[ReportingPeriod]]:
    reported: dict[uuid.UUID, set[ReportingPeriod]] = defaultdict(set)
    if control_ids:
        rows = await conn.execute(
            select(ControlResult.control_id, ControlResult.period).where(ControlResult.control_id.in_(control_ids))
        )
        for control_id, period in rows:
            reported[control_id].add(period)
    return reported
