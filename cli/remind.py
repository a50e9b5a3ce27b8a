"""`styr remind`: one pass of the reminder job (shared/reminders.py says what is reminded and how it is sent once).

A pass reads every named person's tasks from the three services, works out which reminders are due (the
region's lead times, weekly while overdue, the Monday digest), claims them at the goals service, sends each
claimed one by e-mail and webhook, and reports each outcome as soon as it is known, so a pass killed midway
leaves only its unsent claims, which the next pass takes over once their lease has run out.

What a body owes rather than a person (a response to a recommendation, due by its date) is in the task
list of everyone whose roles make them its editor or registrar (shared/tasks.py: bodies_answering). The
services know no one's roles but their caller's: the identity provider does. So the job reads who holds
which roles from REMINDERS_PEOPLE_FILE (the identity provider's role assignments, as the tokens carry
them), expands them down the org tree as the gateway does, and reminds each of those people of what their
bodies owe, exactly as their own `/api/me/tasks` lists it. Without the file, no one is reminded of those.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time as clock
from dataclasses import dataclass, field
from datetime import date, datetime, time
from email.message import EmailMessage
from pathlib import Path
from typing import Annotated, Any

import aiosmtplib
import httpx
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_settings import SettingsConfigDict

from shared.asof import today_in_sweden
from shared.auth.policy import OrgNode, Principal, UnitKind, parse_role_claims, with_roles_expanded
from shared.auth.tokens import mint_internal_token
from shared.reminders import (
    JOB_PRINCIPAL,
    LONGEST_INTERVAL_DAYS,
    Channel,
    ClaimsRead,
    ClaimState,
    Pruned,
    ReminderOut,
    digest_week,
    item_key,
    reached_on,
    stage,
)
from shared.settings import AppSettings, Profile
from shared.tasks import BodyTasks, PeopleTasks, PersonTasks, Task, bodies_answering
from shared.types import utcnow

log = logging.getLogger("styr.remind")
SERVICES = ("goals", "budget", "audit")
SIGNATURE_HEADER = "X-Styr-Signature"
TIMESTAMP_HEADER = "X-Styr-Timestamp"
CLAIMS_PER_REQUEST = 5000


class RemindSettings(AppSettings):
    """The reminder job's settings, from REMINDERS_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="REMINDERS_", extra="ignore")

    goals_url: str = "http://127.0.0.1:8001"
    budget_url: str = "http://127.0.0.1:8002"
    audit_url: str = "http://127.0.0.1:8003"
    service_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    lead_days: list[Annotated[int, Field(ge=0, le=LONGEST_INTERVAL_DAYS)]] = Field(
        default=[28, 7, 0], description="Days before a task's due date to remind its person; 0 is the day itself"
    )
    overdue_every_days: int = Field(
        default=7, ge=0, le=LONGEST_INTERVAL_DAYS, description="Then every so many days while overdue"
    )
    digest_weekday: int = Field(default=0, ge=0, le=6, description="The weekly digest's day, Monday 0")
    digest_time: time = Field(default=time(8, 0), description="… and time, Swedish time")
    digest_within_days: int = Field(default=31, ge=0, le=366, description="The digest lists tasks due this far ahead")
    lease_seconds: int = Field(default=600, ge=1, le=24 * 3600, description="A claim unsent this long is retried")
    max_attempts: int = Field(default=5, ge=1, le=100, description="A failing reminder is tried this often in all")
    smtp_host: str | None = Field(default=None, description="The mail server; unset, no e-mail is sent")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_tls: bool = Field(default=True, description="STARTTLS (port 587) or TLS from the start (port 465)")
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    mail_from: str = "Styr <styr@localhost>"
    email_address_template: str | None = Field(
        default=None,
        description="A person's address from their sign-in subject, `{subject}@region.se`, for those who have "
        "given none at /api/me/reminders; unset, only they get e-mail",
    )
    people_file: Path | None = Field(
        default=None,
        description="Who holds which roles, as the identity provider grants them: a JSON list of "
        '`{"subject": "anna", "name": "Anna Berg", "roles": ["HSN:editor"]}` (the role claims of their tokens). '
        "What a body owes (a response to a recommendation) is reminded to its editors and registrars found "
        "here; unset, to no one (it stays in their /api/me/tasks)",
    )
    webhook_url: str | None = Field(default=None, description="Where every reminder is posted as signed JSON")
    webhook_secret: str = Field(default="", description="The HMAC-SHA256 key of the webhook's signature")
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    webhook_attempts: int = Field(default=4, ge=1, le=10, description="Tries on a 5xx, a timeout or no answer")
    webhook_backoff_seconds: float = Field(default=1.0, ge=0, le=60, description="Doubled after each failed try")

    @model_validator(mode="after")
    def _webhook_needs_a_secret(self) -> RemindSettings:
        if self.webhook_url and self.profile is Profile.production and len(self.webhook_secret) < 32:
            raise ValueError("webhook_secret must be a random secret of at least 32 characters in production")
        return self

    @property
    def channels(self) -> list[Channel]:
        chosen = [c for c, on in ((Channel.email, self.smtp_host), (Channel.webhook, self.webhook_url)) if on]
        return chosen or [Channel.log]

    def service_urls(self) -> dict[str, str]:
        return {"goals": self.goals_url, "budget": self.budget_url, "audit": self.audit_url}


class RoleHolder(BaseModel):
    """A person and the role claims the identity provider puts in their tokens."""

    model_config = ConfigDict(extra="forbid")

    subject: str = Field(min_length=1, max_length=200)
    name: str | None = Field(default=None, max_length=200)
    roles: list[str] = Field(max_length=1000)


ROLE_HOLDERS = TypeAdapter(list[RoleHolder])


def read_role_holders(path: Path) -> list[RoleHolder]:
    """REMINDERS_PEOPLE_FILE, each person's roles checked as a token's are (an unknown role is an error)."""
    holders = ROLE_HOLDERS.validate_json(path.read_bytes())
    for holder in holders:
        try:
            parse_role_claims(holder.roles)
        except ValueError as exc:
            raise ValueError(f"{path}: {holder.subject}: {exc}") from exc
    return holders


def give_bodies_tasks(
    people: list[PersonTasks], owed: list[BodyTasks], holders: list[RoleHolder], tree: dict[str, OrgNode]
) -> list[PersonTasks]:
    """Each body's tasks added to those of every person whose roles, reaching down the tree as the gateway
    expands them, make them its editor or registrar: the people whose own task list holds them."""
    by_body = {body.body_code: body.items for body in owed}
    everyone = {person.subject: person for person in people}
    for holder in holders:
        direct, region = parse_role_claims(holder.roles)
        person_as_signed_in = Principal(holder.subject, holder.name or "", unit_roles=direct, region_roles=region)
        caller = with_roles_expanded(person_as_signed_in, tree)
        theirs = [task for code in bodies_answering(caller) for task in by_body.get(code, [])]
        if not theirs:
            continue
        person = everyone.setdefault(holder.subject, PersonTasks(subject=holder.subject, name=holder.name, items=[]))
        known = {(t.link, t.due_on) for t in person.items}
        person.items += [t for t in theirs if (t.link, t.due_on) not in known]
        person.name = person.name or holder.name
    return list(everyone.values())


@dataclass
class Reminder:
    """One reminder as the job sends it: to one person, on one channel, of one task or their week."""

    out: ReminderOut
    name: str | None
    tasks: list[Task]


@dataclass
class PassReport:
    offered: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    pruned: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.missing


def due_reminders(people: list[PersonTasks], settings: RemindSettings, today: date, now: datetime) -> list[Reminder]:
    """Every reminder due by `today`, each on every channel; a person's digest once their week's is due."""
    week = digest_week(now, settings.digest_weekday, settings.digest_time)
    found = []
    for person in people:
        for task in person.items:
            if task.due_on is None:
                continue
            lead = stage(task.due_on, today, settings.lead_days, settings.overdue_every_days)
            if lead is not None:
                key = f"{item_key(person.subject, task)}|{lead}"
                found += _on_channels(person, settings, key, lead, reached_on(task.due_on, lead), [task])
        listed = [t for t in person.items if t.due_on is None or (t.due_on - today).days <= settings.digest_within_days]
        if week is not None and listed:
            monday = date.fromisocalendar(int(week[:4]), int(week[-2:]), 1)
            found += _on_channels(person, settings, f"{person.subject}|digest|{week}", "digest", monday, listed)
    return found


def _on_channels(
    person: PersonTasks, settings: RemindSettings, key: str, lead: str, reached: date, tasks: list[Task]
) -> list[Reminder]:
    single = tasks[0] if lead != "digest" else None
    title = single.title if single else f"Your tasks, week {key.rsplit('-W', 1)[-1]}"
    return [
        Reminder(
            ReminderOut(
                key=f"{key}|{channel.value}",
                subject=person.subject,
                channel=channel,
                lead=lead,
                title=title[:500],
                link=single.link if single else None,
                due_on=single.due_on if single else None,
                reached_on=reached,
            ),
            person.name,
            tasks,
        )
        for channel in settings.channels
    ]


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of `<timestamp>.<body>`: the receiver recomputes it and refuses an old timestamp."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def _payload(reminder: Reminder) -> dict[str, Any]:
    return {
        "key": reminder.out.key.rsplit("|", 1)[0],
        "subject": reminder.out.subject,
        "name": reminder.name,
        "lead": reminder.out.lead,
        "title": reminder.out.title,
        "tasks": [task.model_dump(mode="json") for task in reminder.tasks],
    }


def _text(reminder: Reminder) -> str:
    lead = reminder.out.lead
    if lead == "digest":
        opening = "Your tasks in Styr this week:"
    elif lead.startswith("overdue-"):
        opening = f"Overdue by {lead.removeprefix('overdue-')} days:"
    elif lead == "0":
        opening = "Due today:"
    else:
        opening = f"Due in {lead} days:"
    lines = [f"Hello {reminder.name or reminder.out.subject},", "", opening, ""]
    for task in reminder.tasks:
        due = f"due {task.due_on}" if task.due_on else "no date"
        lines.append(f"- {task.title} ({due}{', overdue' if task.overdue else ''}): {task.link}")
    lines += ["", "Turn these reminders off at /api/me/reminders."]
    return "\n".join(lines)


class Sender:
    """Sends reminders on their channel; each answers the outcome the goals service records."""

    def __init__(self, settings: RemindSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client

    async def send(self, reminder: Reminder, address: str | None) -> tuple[ClaimState, str | None]:
        try:
            if reminder.out.channel is Channel.email:
                if address is None:
                    return ClaimState.skipped, "no e-mail address: set one at /api/me/reminders"
                await self._mail(reminder, address)
            elif reminder.out.channel is Channel.webhook:
                await self._post(reminder)
            else:
                log.info("reminder", extra={"reminder": _payload(reminder)})
        except (aiosmtplib.SMTPException, OSError, WebhookFailed) as exc:
            log.warning("reminder not sent: %s", exc, extra={"key": reminder.out.key})
            return ClaimState.failed, str(exc)[:1000] or type(exc).__name__
        return ClaimState.sent, None

    async def _mail(self, reminder: Reminder, address: str) -> None:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = address
        message["Subject"] = f"Styr: {reminder.out.title}"[:200]
        message["X-Styr-Reminder"] = _payload(reminder)["key"]  # the same reminder on every channel, for receivers
        message.set_content(_text(reminder))
        s = self.settings
        await aiosmtplib.send(
            message,
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password,
            use_tls=s.smtp_tls and s.smtp_port == 465,
            start_tls=s.smtp_tls and s.smtp_port != 465,
            timeout=s.smtp_timeout_seconds,
        )

    async def _post(self, reminder: Reminder) -> None:
        """POST with back-off on a 5xx, a timeout or no answer; a 4xx is final (the receiver refused it)."""
        assert self.settings.webhook_url is not None
        body = json.dumps(_payload(reminder), ensure_ascii=False).encode()
        wait = self.settings.webhook_backoff_seconds
        problem = ""
        for attempt in range(1, self.settings.webhook_attempts + 1):
            timestamp = str(int(clock.time()))
            headers = {
                "content-type": "application/json",
                TIMESTAMP_HEADER: timestamp,
                SIGNATURE_HEADER: signature(self.settings.webhook_secret, timestamp, body),
                "Idempotency-Key": reminder.out.key,
            }
            try:
                answer = await self.client.post(
                    self.settings.webhook_url,
                    content=body,
                    headers=headers,
                    timeout=self.settings.webhook_timeout_seconds,
                )
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if answer.status_code < 300:
                    return
                problem = f"the webhook answered {answer.status_code}"
                if answer.status_code < 500:
                    raise WebhookFailed(problem)
            if attempt < self.settings.webhook_attempts:
                await asyncio.sleep(wait)
                wait *= 2
        raise WebhookFailed(problem)


class WebhookFailed(Exception):
    pass


class Services:
    """The job's calls to the services, as a service token of its own (JOB_PRINCIPAL)."""

    def __init__(self, settings: RemindSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client

    def _headers(self) -> dict[str, str]:
        token = mint_internal_token(
            JOB_PRINCIPAL, self.settings.internal_secret, self.settings.internal_token_ttl_seconds
        )
        return {"authorization": f"Bearer {token}"}

    async def org_tree(self) -> dict[str, OrgNode]:
        answer = await self.client.get(
            f"{self.settings.goals_url}/units/tree",
            headers=self._headers(),
            timeout=self.settings.service_timeout_seconds,
        )
        answer.raise_for_status()
        return {
            u["code"]: OrgNode(code=u["code"], parent=u["parent_code"], kind=UnitKind(u["kind"]))
            for u in answer.json()["units"]
        }

    async def peoples_tasks(self, service: str, today: date, within_days: int) -> PeopleTasks:
        answer = await self.client.get(
            f"{self.settings.service_urls()[service]}/people/tasks",
            params={"as_of": today.isoformat(), "within_days": within_days},
            headers=self._headers(),
            timeout=self.settings.service_timeout_seconds,
        )
        answer.raise_for_status()
        return PeopleTasks.model_validate(answer.json())

    async def claim(self, reminders: list[ReminderOut]) -> dict[str, str | None]:
        claimed: dict[str, str | None] = {}
        for start in range(0, len(reminders), CLAIMS_PER_REQUEST):
            body = {
                "lease_seconds": self.settings.lease_seconds,
                "max_attempts": self.settings.max_attempts,
                "reminders": [r.model_dump(mode="json") for r in reminders[start : start + CLAIMS_PER_REQUEST]],
            }
            answer = await self._post("/reminders/claims", body)
            claimed |= {c.key: c.email for c in ClaimsRead.model_validate(answer.json()).claimed}
        return claimed

    async def prune(self, today: date) -> Pruned:
        """The claims of reminders long past removed (shared/reminders.py: KEEP_DAYS); none is claimed again."""
        return Pruned.model_validate((await self._post("/reminders/prune", {"today": today.isoformat()})).json())

    async def record(self, key: str, state: ClaimState, error: str | None) -> None:
        await self._post("/reminders/outcomes", {"outcomes": [{"key": key, "state": state.value, "error": error}]})

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        answer = await self.client.post(
            f"{self.settings.goals_url}{path}",
            json=body,
            headers=self._headers(),
            timeout=self.settings.service_timeout_seconds,
        )
        answer.raise_for_status()
        return answer


async def _everyone(services: Services, today: date, within_days: int, report: PassReport) -> list[PersonTasks]:
    """Each person's tasks from every service that answers; a service that does not is named in the report."""
    answers = await asyncio.gather(
        *(services.peoples_tasks(s, today, within_days) for s in SERVICES), return_exceptions=True
    )
    people: dict[str, PersonTasks] = {}
    owed: list[BodyTasks] = []
    for service, answer in zip(SERVICES, answers, strict=True):
        if isinstance(answer, BaseException):
            log.error("the %s service did not give its people's tasks: %s", service, answer)
            report.missing.append(service)
            continue
        for person in answer.people:
            mine = people.setdefault(person.subject, PersonTasks(subject=person.subject, name=person.name, items=[]))
            mine.items += person.items
            mine.name = mine.name or person.name
        owed += answer.bodies
    if services.settings.people_file is None:
        if owed:
            count = sum(len(body.items) for body in owed)
            log.warning("%d tasks of bodies (responses due) reach no one: set REMINDERS_PEOPLE_FILE", count)
        return list(people.values())
    try:  # read on every pass, so that a file that went wrong is said at once
        holders = read_role_holders(services.settings.people_file)
    except (OSError, ValueError) as exc:  # the pass goes on with the named people's tasks, and fails
        log.error("REMINDERS_PEOPLE_FILE could not be read: %s", exc)
        report.missing.append("REMINDERS_PEOPLE_FILE")
        return list(people.values())
    if not owed:
        return list(people.values())
    return give_bodies_tasks(list(people.values()), owed, holders, await services.org_tree())


def _address(settings: RemindSettings, subject: str, given: str | None) -> str | None:
    if given:
        return given
    return settings.email_address_template.format(subject=subject) if settings.email_address_template else None


async def remind_once(
    settings: RemindSettings,
    *,
    today: date | None = None,
    now: datetime | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> PassReport:
    """One pass: the reminders due by `today` (Swedish time) and the digest due by `now`."""
    today = today or today_in_sweden()
    now = now or utcnow()
    report = PassReport()
    within = min(366, max([*settings.lead_days, settings.digest_within_days]))
    async with httpx.AsyncClient(transport=transport) as client:
        services = Services(settings, client)
        report.pruned = (await services.prune(today)).pruned
        people = await _everyone(services, today, within, report)
        due = due_reminders(people, settings, today, now)
        report.offered = len(due)
        claimed = await services.claim([r.out for r in due])
        report.claimed = len(claimed)
        sender = Sender(settings, client)
        for reminder in due:
            if reminder.out.key not in claimed:
                continue
            address = _address(settings, reminder.out.subject, claimed[reminder.out.key])
            state, error = await sender.send(reminder, address)
            await services.record(reminder.out.key, state, error)
            setattr(report, state.value, getattr(report, state.value) + 1)
    return report


def run(settings: RemindSettings, today: date | None, every_seconds: float | None) -> int:
    """One pass (exit 0, or 1 when a reminder failed or a service did not answer), or one every so often."""
    while True:
        try:
            report = asyncio.run(remind_once(settings, today=today))
        except KeyboardInterrupt:  # Ctrl-C on `make run` reaches the loop too
            return 0
        except httpx.HTTPError as exc:
            log.error("the reminder pass stopped: %s", exc)
            report = PassReport(missing=["goals"])
        log.info(
            "reminder pass: %d due, %d claimed, %d sent, %d failed, %d skipped, %d old claims pruned%s",
            report.offered,
            report.claimed,
            report.sent,
            report.failed,
            report.skipped,
            report.pruned,
            f"; not answering: {', '.join(report.missing)}" if report.missing else "",
        )
        if every_seconds is None:
            return 0 if report.ok else 1
        try:
            clock.sleep(every_seconds)
        except KeyboardInterrupt:
            return 0
