"""The caller's own tasks in the goals service (the gateway merges them with the other services'), and every
named person's for the reminder job (shared/task_routes.py builds both routes).

Activities and indicators are listed as their reader may see them: the caller, or for the job the reader
it reminds as (shared/tasks.py: REMINDER_READER, decided records only).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.goals.access import ACTIVITIES_SEEN, INDICATORS_SEEN
from services.goals.rules import tasks as rules
from shared.auth.policy import Principal
from shared.task_routes import task_routers
from shared.tasks import REMINDER_READER, Horizon, PeopleTasks, ServiceTasks


async def _mine(conn: AsyncConnection, caller: Principal, horizon: Horizon) -> ServiceTasks:
    seen = {"activities_seen": ACTIVITIES_SEEN.where(caller), "indicators_seen": INDICATORS_SEEN.where(caller)}
    return await rules.my_tasks(conn, caller, horizon, **seen)


async def _everyone(conn: AsyncConnection, horizon: Horizon) -> PeopleTasks:
    reader = REMINDER_READER
    seen = {"activities_seen": ACTIVITIES_SEEN.where(reader), "indicators_seen": INDICATORS_SEEN.where(reader)}
    return await rules.peoples_tasks(conn, horizon, **seen)


router, people = task_routers(
    "goals",
    "The caller's assignments and activities to finish and measurements to report",
    _mine,
    _everyone,
)
