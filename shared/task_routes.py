"""The two task routes every service has, built once: `GET /me/tasks` and `GET /people/tasks`.

They differ between the services only in the service's name (in the operation ids), the summary of what
its tasks are, and the two functions of its rules that list them; the access rules, parameters and
answers are the same (shared/tasks.py), so they are declared here once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.asof import AsOfQuery, as_of_or_today
from shared.auth.deps import CurrentPrincipal
from shared.auth.guard import GuardedRoute, guard
from shared.auth.policy import Principal
from shared.db import ReadConnection
from shared.errors import Forbidden, error_responses
from shared.tasks import (
    DEFAULT_WITHIN_DAYS,
    OWN_TASKS,
    PEOPLES_TASKS,
    Horizon,
    PeopleTasks,
    ServiceTasks,
    WithinDaysQuery,
)

MyTasksOf = Callable[[AsyncConnection, Principal, Horizon], Awaitable[ServiceTasks]]
PeoplesTasksOf = Callable[[AsyncConnection, Horizon], Awaitable[PeopleTasks]]


def task_routers(service: str, summary: str, mine: MyTasksOf, everyone: PeoplesTasksOf) -> tuple[APIRouter, APIRouter]:
    """`/me/tasks` (the caller's own, `mine`) and `/people/tasks` (every named person's, `everyone`, only for
    the reminder job's service token), with the operation ids `list_my_<service>_tasks` and
    `list_peoples_<service>_tasks`."""
    router = APIRouter(prefix="/me", tags=["tasks"], route_class=GuardedRoute)
    people = APIRouter(prefix="/people", tags=["tasks"], route_class=GuardedRoute)

    @router.get(
        "/tasks",
        operation_id=f"list_my_{service}_tasks",
        summary=summary,
        responses=error_responses(Forbidden),
        dependencies=[guard(OWN_TASKS)],
    )
    async def list_my_tasks(
        conn: ReadConnection,
        principal: CurrentPrincipal,
        as_of: AsOfQuery = None,
        within_days: WithinDaysQuery = DEFAULT_WITHIN_DAYS,
    ) -> ServiceTasks:
        return await mine(conn, principal, Horizon(as_of_or_today(as_of), within_days))

    @people.get(
        "/tasks",
        operation_id=f"list_peoples_{service}_tasks",
        summary="Every named person's tasks in this service, for the reminder job",
        responses=error_responses(Forbidden),
        dependencies=[guard(PEOPLES_TASKS)],
    )
    async def list_peoples_tasks(
        conn: ReadConnection,
        as_of: AsOfQuery = None,
        within_days: WithinDaysQuery = DEFAULT_WITHIN_DAYS,
    ) -> PeopleTasks:
        return await everyone(conn, Horizon(as_of_or_today(as_of), within_days))

    return router, people
