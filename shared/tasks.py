"""A person's tasks: what each service asks the caller to do, in one shape the gateway merges.

Each service answers `GET /me/tasks` for the caller of the token it gets, matching the people on its
records by the caller's subject (shared/people.py) and, for what a body owes rather than a person, by
the caller's roles. A task is due on a date and overdue once that date has passed; those due more than
`within_days` after `as_of` are left for later, those with no date are always listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated, NamedTuple

from fastapi import Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement
from sqlalchemy.orm import QueryableAttribute

from shared.auth.access import ANY_ROLE, gateway_for, rule
from shared.auth.policy import READ_DECIDED_SCOPE, Principal, PrincipalKind, UnitRole

DEFAULT_WITHIN_DAYS = 31
# Any signed-in caller asks; each service answers only with what names them or what their roles owe.
OWN_TASKS = ANY_ROLE.noting("only the caller's own tasks")
# The reminder job (`styr remind`) asks for every named person's tasks, as a service token of its own.
PEOPLES_TASKS = rule(gateway_for("the reminder job, which reminds each person of their own tasks"))
# What the job may tell a person about: the decided records anyone signed in reads. The services know no
# one's roles but the caller's, so a draft a person could read with their own roles is left out.
REMINDER_READER = Principal(
    subject="system:reminders",
    name="Reminders",
    kind=PrincipalKind.client,
    scopes=frozenset({READ_DECIDED_SCOPE}),
)
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
    report_section = "report_section"


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


class PersonTasks(BaseModel):
    """The tasks one person named on a service's records is to do."""

    subject: str = Field(description="The person's sign-in subject")
    name: str | None = Field(description="Their display name, as the newest of their records gives it")
    items: list[Task]


class BodyTasks(BaseModel):
    """What a body owes rather than a person (a response to a recommendation): its editors' to do."""

    body_code: str = Field(description="The body; a person with editor or registrar on it (reaching down) does it")
    items: list[Task]


class PeopleTasks(BaseModel):
    """Every named person's tasks in one service, for the reminder job; by subject. What a body owes is by
    body: the services know no one's roles, so the job gives it to the people who hold them (cli/remind.py)."""

    as_of: date
    people: list[PersonTasks]
    bodies: list[BodyTasks] = Field(default_factory=list)


def bodies_answering(caller: Principal) -> list[str]:
    """The bodies whose responses the caller writes (editor) or records the decision of (registrar): what a
    body owes is these people's, in their task list and in their reminders alike."""
    return sorted(code for code, role in caller.unit_roles.items() if role >= UnitRole.editor)


class Owned(NamedTuple):
    """A task and the person it names."""

    subject: str | None  # never None in a row read by `whose`: typed as the column is
    name: str | None
    task: Task


def by_person(owned: Iterable[Owned], horizon: Horizon) -> list[PersonTasks]:
    """The tasks within the horizon grouped by person, soonest first; people by subject."""
    tasks: dict[str, list[Task]] = defaultdict(list)
    names: dict[str, str | None] = {}
    for subject, name, task in owned:
        if subject is not None and horizon.holds(task.due_on):
            tasks[subject].append(task)
            names[subject] = names.get(subject) or name
    return [
        PersonTasks(subject=subject, name=names[subject], items=soonest_first(tasks[subject]))
        for subject in sorted(tasks)
    ]


def whose(column: QueryableAttribute[str | None], subject: str | None) -> ColumnElement[bool]:
    """One person's records, or (None) every record that names a person."""
    return column == subject if subject is not None else column.is_not(None)


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
