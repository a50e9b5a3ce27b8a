"""The caller's own tasks in the budget service (the gateway merges them with the other services'), and every
named person's for the reminder job (shared/task_routes.py builds both routes)."""

from __future__ import annotations

from services.budget.rules import tasks as rules
from shared.task_routes import task_routers

router, people = task_routers(
    "budget", "The yearly use of the grants the caller coordinates, to report", rules.my_tasks, rules.peoples_tasks
)
