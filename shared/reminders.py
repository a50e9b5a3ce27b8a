"""Reminders of people's tasks: when each is due, the keys that make it sent once, and the shapes exchanged.

`styr remind` (cli/remind.py) reads every named person's tasks from the services (`/people/tasks`), works
out which reminders are due by the region's lead times and the weekly digest, and sends each by e-mail
and webhook. What has been sent is kept by the goals service (`/reminders/claims`), which the job asks to
claim each reminder before sending it: a claim is a row keyed by person, item, lead time and channel,
inserted once (INSERT … ON CONFLICT DO NOTHING on both databases) with a lease. However many jobs run,
one holds a given key; a job killed after claiming leaves its lease to expire, and the next run claims
the key again and sends it. A person's choice to have no reminders is kept there too (`/me/reminders`).

Only the newest point a task has reached is reminded: a job that did not run for a fortnight sends the
7-day reminder, not the 28-day one too.

Claims are kept KEEP_DAYS (400) and then pruned by each pass (`/reminders/prune`), so the table holds about
a year of reminders, not every one ever sent. A pruned claim must never let its reminder be sent again, so
what prunes it also refuses it: every reminder carries the day its point was reached (`reached_on`: its
lead time before the due date, the day it became N days overdue, its digest week's Monday), which follows
from its key alone; a pass prunes the claims reached before a window's start and moves that start
(`kept_since`, kept in the goals database, only ever forward, by the earlier of the job's day and the
service's), and no reminder reached before it is claimed again, whether or not its row is still there. A
point still due today was reached at most 372 days ago (lead times and the overdue interval are at most
366 days, and overdue reminders take over a week after the day), so nothing still due is refused, but for
the on-the-day reminder of a task over 400 days overdue in a region that sends no overdue reminders.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from shared.auth.access import gateway_for, own, rule
from shared.auth.policy import Principal, PrincipalKind
from shared.fields import WHITE_SPACE
from shared.tasks import Task

SWEDEN = ZoneInfo("Europe/Stockholm")
KEY_MAX = 400
# How long a claim is kept: over a year, so that a person's and an auditor's question "who was told of
# last year's deadline, and when?" is answered for the whole yearly cycle (budget, T2, annual report), and
# more than the longest lead time or overdue interval (366 days) plus the week after the day.
KEEP_DAYS = 400
LONGEST_INTERVAL_DAYS = 366
# Whoever has tasks is reminded of them, a person who only reads too (a board member, a reporter): each reads
# and changes their own settings, which touch no one else's material. An integration has no tasks.
OWN_REMINDERS = rule(own("their own reminder settings and the reminders sent to them"))
# Who the job is to the services: a service token of its own, which writes only its claims.
JOB_PRINCIPAL = Principal(
    subject="system:reminders", name="Reminders", kind=PrincipalKind.service, scopes=frozenset({"write:reminders"})
)
REMINDER_JOB = rule(gateway_for("the reminder job (styr remind), which claims each reminder before sending it"))


class Channel(StrEnum):
    email = "email"
    webhook = "webhook"
    log = "log"  # no SMTP and no webhook configured: written to the job's log, as in the demo


class ClaimState(StrEnum):
    claimed = "claimed"  # a job holds it until `lease_until`
    sent = "sent"
    failed = "failed"  # claimed again by a later run, up to the job's attempts
    skipped = "skipped"  # nowhere to send it (an e-mail reminder to a person with no address); not tried again


def stage(due_on: date, today: date, lead_days: list[int], overdue_every_days: int) -> str | None:
    """The newest reminder point `today` has reached for a task due on `due_on`, as a key's lead part.

    `28` for 28 days before, `0` on the day, `overdue-14` two weeks after (every `overdue_every_days`
    while overdue; 0 sends none after the day). None before the first point.
    """
    if today > due_on and overdue_every_days > 0:
        weeks = (today - due_on).days // overdue_every_days
        if weeks > 0:
            return f"overdue-{weeks * overdue_every_days}"
    reached = [lead for lead in lead_days if due_on - timedelta(days=lead) <= today]
    return str(min(reached)) if reached else None


def reached_on(due_on: date, lead: str) -> date:
    """The day a task's reminder point `lead` (as `stage` gives it) was reached."""
    if lead.startswith("overdue-"):
        return due_on + timedelta(days=int(lead.removeprefix("overdue-")))
    return due_on - timedelta(days=int(lead))


def digest_day(now: datetime, weekday: int, at: time) -> date:
    """The day (Swedish time) of the newest digest due by `now`: its weekday once its time has passed."""
    local = now.astimezone(SWEDEN)
    start = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
    if datetime.combine(start, at, SWEDEN) > local:
        start -= timedelta(days=7)
    return start


def digest_week(now: datetime, weekday: int, at: time) -> str | None:
    """The week whose digest is due by `now` (Swedish time): `2026-W50` once its digest time has passed."""
    year, week, _ = digest_day(now, weekday, at).isocalendar()
    return f"{year}-W{week:02d}"


def kept_since(today: date) -> date:
    """The first day whose reminders are still kept, and claimed: KEEP_DAYS before `today`."""
    return today - timedelta(days=KEEP_DAYS)


def item_key(subject: str, task: Task) -> str:
    """A task as reminded: its person, record and due date (a moved deadline is reminded anew)."""
    return f"{subject}|{task.link}|{task.due_on}"


class ReminderOut(BaseModel):
    """One reminder the job would send on one channel, offered to be claimed."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=KEY_MAX, description="Person, item, lead time and channel, as one")
    subject: str = Field(min_length=1, max_length=200)
    channel: Channel
    lead: str = Field(max_length=40, description="Days before the due date, `overdue-N`, or `digest` for a week's")
    title: str = Field(max_length=500)
    link: str | None = Field(default=None, max_length=500)
    due_on: date | None = None
    reached_on: date = Field(
        description="The day its point was reached (lead time, days overdue, the digest's day): one reached "
        f"more than {KEEP_DAYS} days ago is never claimed, as its claim may have been pruned"
    )


class ClaimsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lease_seconds: int = Field(ge=1, le=24 * 3600, description="How long the claim holds before another run may")
    max_attempts: int = Field(default=5, ge=1, le=100, description="A failed reminder is tried this often in all")
    reminders: list[ReminderOut] = Field(max_length=10_000)


class Claimed(BaseModel):
    key: str
    email: str | None = Field(description="The address the person gave, if any")


class ClaimsRead(BaseModel):
    """The keys this job now holds; those of people who turned reminders off are never claimed."""

    claimed: list[Claimed]


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=KEY_MAX)
    state: Literal[ClaimState.sent, ClaimState.failed, ClaimState.skipped]
    error: str | None = Field(default=None, max_length=1000)


class PruneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    today: date = Field(description="The job's day; the service prunes by the earlier of it and its own")


class Pruned(BaseModel):
    """Claims removed as long past: their reminders were reached before `kept_since` and are never claimed."""

    pruned: int
    kept_since: date


class OutcomesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcomes: list[Outcome] = Field(max_length=10_000)


class ReminderSettingsIn(BaseModel):
    """A person's own choice; `email` is where their e-mail reminders go (else the region's default)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(description="False: no reminders and no digest are sent to you")
    email: str | None = Field(
        default=None,
        max_length=254,
        pattern=rf"^[^@{WHITE_SPACE}]+@[^@{WHITE_SPACE}]+\.[^@{WHITE_SPACE}]+$",
        description="Your e-mail address",
    )


class SentReminder(BaseModel):
    channel: Channel
    lead: str = Field(description="Days before the due date, `overdue-N` days after, or `digest`")
    title: str
    link: str | None
    due_on: date | None
    state: ClaimState
    attempts: int
    updated_at: datetime


class MyReminders(BaseModel):
    """The caller's reminder settings and the reminders sent to them, newest first (at most 100)."""

    enabled: bool
    email: str | None
    reminders: list[SentReminder]
