"""A person's tasks: what each service asks the caller to do, in one shape the gateway merges.

Each service answers `GET /me/tasks` for the caller of the token it gets, matching the people on its
records by the caller's subject (shared/people.py) and, for what a body owes rather than a person, by
the caller's roles. A task is due on a date and overdue once that date has passed; those due more than
`within_days` after `as_of` are left for later, those with no date are always listed.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from shared.auth.access import ANY_ROLE

DEFAULT_WITHIN_DAYS = 31
# Any signed-in caller asks; each service answers only with what names them or what their roles owe.
OWN_TASKS = ANY_ROLE.noting("only the caller's own tasks")
WithinDaysQuery = Annotated[
    int,
    Query(ge=0, le=366, description="Tasks due up to this many days after `as_of`; overdue ones are always listed"),
]


class TaskKind(StrEnum):
    action = "action"
    assignment = "assignment"
    activity = "activity"
    response = "response"
    measurement = "measurement"
    control_result = "control_result"
    grant_use = "grant_use"


class Task(BaseModel):
    kind: TaskKind
    title: str = Field(description="What to do, in words")
    link: str = Field(description="The API path of the record to act on, as the gateway serves it")
    due_on: date | None = Field(description="When it is due; null for work with no date set")
    overdue: bool = Field(description="Due before `as_of` and not done")
    service: str = Field(description="The service that keeps the record: goals, budget or audit")


class ServiceTasks(BaseModel):
    """One service's part of the caller's tasks, soonest due first."""

    as_of: date
    items: list[Task]


class Horizon:
    """Which due dates a task list holds: everything due by `as_of` + `within_days`, and undated work."""

    def __init__(self, as_of: date, within_days: int) -> None:
        self.as_of = as_of
        self.until = as_of + timedelta(days=within_days)

    def holds(self, due_on: date | None) -> bool:
        return due_on is None or due_on <= self.until

    def task(self, kind: TaskKind, title: str, link: str, due_on: date | None, service: str) -> Task:
        overdue = due_on is not None and due_on < self.as_of
        return Task(kind=kind, title=title, link=link, due_on=due_on, overdue=overdue, service=service)


def soonest_first(tasks: list[Task]) -> list[Task]:
    """By due date, undated last, then by title and link so that the order is stable."""
    return sorted(tasks, key=lambda t: (t.due_on is None, t.due_on or date.max, t.title, t.link))


def brief(text: str, length: int = 80) -> str:
    """A long text (a recommendation, a control) shortened to a title."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
