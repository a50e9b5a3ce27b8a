"""The caller's own tasks in the audit service (the gateway merges them with the other services'), and every
named person's for the reminder job (shared/task_routes.py builds both routes)."""

from __future__ import annotations

from services.audit.rules import tasks as rules
from shared.task_routes import task_routers

router, people = task_routers(
    "audit",
    "The caller's actions and control results due, and the responses their bodies owe",
    rules.my_tasks,
    rules.peoples_tasks,
)
