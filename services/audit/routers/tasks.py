"""The caller's own tasks in the audit service (the gateway merges them with the other services')."""

from __future__ import annotations

from fastapi import APIRouter

from services.audit.rules import tasks as rules
from shared.asof import AsOfQuery, as_of_or_today
from shared.auth.deps import CurrentPrincipal
from shared.auth.guard import GuardedRoute, guard
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

router = APIRouter(prefix="/me", tags=["tasks"], route_class=GuardedRoute)
# Only for the reminder job (a service token): every named person's tasks, never a caller's own.
people = APIRouter(prefix="/people", tags=["tasks"], route_class=GuardedRoute)


@router.get(
    "/tasks",
    operation_id="list_my_audit_tasks",
    summary="The caller's actions and control results due, and the responses their bodies owe",
    responses=error_responses(Forbidden),
    dependencies=[guard(OWN_TASKS)],
)
async def list_my_tasks(
    conn: ReadConnection,
    principal: CurrentPrincipal,
    as_of: AsOfQuery = None,
    within_days: WithinDaysQuery = DEFAULT_WITHIN_DAYS,
) -> ServiceTasks:
    return await rules.my_tasks(conn, principal, Horizon(as_of_or_today(as_of), within_days))


@people.get(
    "/tasks",
    operation_id="list_peoples_audit_tasks",
    summary="Every named person's tasks in this service, for the reminder job",
    responses=error_responses(Forbidden),
    dependencies=[guard(PEOPLES_TASKS)],
)
async def list_peoples_tasks(
    conn: ReadConnection,
    as_of: AsOfQuery = None,
    within_days: WithinDaysQuery = DEFAULT_WITHIN_DAYS,
) -> PeopleTasks:
    return await rules.peoples_tasks(conn, Horizon(as_of_or_today(as_of), within_days))
