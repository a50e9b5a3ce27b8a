"""The caller's tasks in the budget service: the yearly use of the grants they coordinate, to report.

Two statements whatever the number of grants: the caller's grants, and the years already reported.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.budget.models import GrantUse, StateGrant
from shared.auth.policy import Principal
from shared.tasks import Horizon, Owned, PeopleTasks, ServiceTasks, Task, TaskKind, by_person, soonest_first, whose

SERVICE = "budget"


class Grant(NamedTuple):
    """What a task needs of a grant, read as a plain row: the route reads outside a transaction."""

    id: uuid.UUID
    name: str
    first_year: int
    last_year: int
    reporting_deadline: date | None


GRANT_COLUMNS = (
    StateGrant.id,
    StateGrant.name,
    StateGrant.first_year,
    StateGrant.last_year,
    StateGrant.reporting_deadline,
)


async def my_tasks(conn: AsyncConnection, caller: Principal, horizon: Horizon) -> ServiceTasks:
    owned = await _owned(conn, caller.subject, horizon)
    return ServiceTasks(
        as_of=horizon.as_of, items=soonest_first([o.task for o in owned if horizon.holds(o.task.due_on)])
    )


async def peoples_tasks(conn: AsyncConnection, horizon: Horizon) -> PeopleTasks:
    """Every coordinator's grant uses to report, in the same two statements as one person's."""
    return PeopleTasks(as_of=horizon.as_of, people=by_person(await _owned(conn, None, horizon), horizon))


async def _owned(conn: AsyncConnection, subject: str | None, horizon: Horizon) -> list[Owned]:
    rows = (
        await conn.execute(
            select(StateGrant.coordinator_subject, StateGrant.coordinator_name, *GRANT_COLUMNS).where(
                whose(StateGrant.coordinator_subject, subject), StateGrant.first_year <= horizon.until.year
            )
        )
    ).all()
    grants = [(row[0], row[1], Grant(*row[2:])) for row in rows]
    reported = await _reported_years(conn, [grant.id for _, _, grant in grants])
    return [
        Owned(who, name, task)
        for who, name, grant in grants
        for task in _uses_to_report(grant, reported[grant.id], horizon)
    ]


async def _reported_years(conn: AsyncConnection, grant_ids: list[uuid.UUID]) -> dict[uuid.UUID, set[int]]:
    reported: dict[uuid.UUID, set[int]] = defaultdict(set)
    if grant_ids:
        for grant_id, year in await conn.execute(
            select(GrantUse.grant_id, GrantUse.year).where(GrantUse.grant_id.in_(grant_ids))
        ):
            reported[grant_id].add(year)
    return reported


def use_due_on(grant: Grant, year: int) -> date:
    """A year's use is due at the year's end; the last year's by the grantor's reporting deadline, if set."""
    if year == grant.last_year and grant.reporting_deadline is not None:
        return grant.reporting_deadline
    return date(year, 12, 31)


def _uses_to_report(grant: Grant, reported: set[int], horizon: Horizon) -> list[Task]:
    last = min(grant.last_year, horizon.until.year)
    return [
        horizon.task(
            TaskKind.grant_use,
            f"Report the use of {grant.name} in {year}",
            f"/api/budget/grants/{grant.id}",
            use_due_on(grant, year),
            SERVICE,
        )
        for year in range(grant.first_year, last + 1)
        if year not in reported
    ]
