"""What the reminder job has sent, claimed once per key however many jobs run, and each person's own settings.

The goals service keeps them (shared/reminders.py says why and how): the job holds no database of its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import Response
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import ReminderClaim, ReminderPruning, ReminderSetting
from shared.asof import today_in_sweden
from shared.auth.policy import Principal
from shared.concurrency import check_if_match, set_etag
from shared.errors import PreconditionFailed, PreconditionRequired
from shared.metrics import current_metrics
from shared.reminders import (
    Claimed,
    ClaimsIn,
    ClaimsRead,
    ClaimState,
    MyReminders,
    OutcomesIn,
    Pruned,
    ReminderOut,
    ReminderSettingsIn,
    SentReminder,
    kept_since,
)
from shared.types import utcnow

# asyncpg takes at most 32,767 parameters a statement: twelve columns a row.
ROWS_PER_INSERT = 1000
SHOWN = 100
NO_SETTINGS_ETAG = '"0"'
PRUNING_ROW = 1


def _chunks(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


async def _settings_of(session: AsyncSession, subjects: set[str]) -> dict[str, ReminderSetting]:
    found: dict[str, ReminderSetting] = {}
    for chunk in _chunks(sorted(subjects), ROWS_PER_INSERT):
        rows = await session.scalars(select(ReminderSetting).where(ReminderSetting.subject.in_(chunk)))
        found |= {row.subject: row for row in rows}
    return found


def _claim_row(reminder: ReminderOut, now: datetime, lease_until: datetime) -> dict[str, Any]:
    return {
        **reminder.model_dump(),
        "channel": reminder.channel.value,
        "state": ClaimState.claimed.value,
        "lease_until": lease_until,
        "attempts": 1,
        "error": None,
        "updated_at": now,
    }


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING on both databases."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def _insert_new(session: AsyncSession, rows: list[dict[str, Any]]) -> set[str]:
    """INSERT … ON CONFLICT DO NOTHING: the keys no one had claimed, now this job's."""
    insert = _insert(session)
    inserted: set[str] = set()
    for chunk in _chunks(rows, ROWS_PER_INSERT):
        stmt = insert(ReminderClaim).values(list(chunk)).on_conflict_do_nothing(index_elements=["key"])
        inserted |= set(await session.scalars(stmt.returning(ReminderClaim.key)))
    return inserted


async def _retake_expired(
    session: AsyncSession, keys: list[str], now: datetime, lease_until: datetime, max_attempts: int
) -> set[str]:
    """Claims whose lease ran out unsent (a job killed midway) or that failed: this job's now, once.

    The UPDATE's WHERE is evaluated again on the locked row (PostgreSQL), and SQLite writes one
    transaction at a time, so two jobs never both retake a key."""
    retaken: set[str] = set()
    for chunk in _chunks(keys, ROWS_PER_INSERT):
        stmt = (
            update(ReminderClaim)
            .where(
                ReminderClaim.key.in_(chunk),
                ReminderClaim.state.in_([ClaimState.claimed.value, ClaimState.failed.value]),
                ReminderClaim.lease_until < now,
                ReminderClaim.attempts < max_attempts,
            )
            .values(
                state=ClaimState.claimed.value,
                lease_until=lease_until,
                attempts=ReminderClaim.attempts + 1,
                updated_at=now,
            )
            .returning(ReminderClaim.key)
        )
        retaken |= set(await session.scalars(stmt))
    return retaken


async def _kept_since(session: AsyncSession) -> date | None:
    """How far the claims have been pruned: a reminder reached before this day may have lost its claim."""
    return await session.scalar(select(ReminderPruning.kept_since).where(ReminderPruning.id == PRUNING_ROW))


async def claim(session: AsyncSession, data: ClaimsIn) -> ClaimsRead:
    """Each offered key this job now holds: new ones, and expired or failed ones it took over. None reached
    before the pruned window: its claim may be gone, and it was sent (or given up) when it was there."""
    now = utcnow()
    lease_until = now + timedelta(seconds=data.lease_seconds)
    settings = await _settings_of(session, {r.subject for r in data.reminders})
    pruned_before = await _kept_since(session) or date.min
    wanted = {
        r.key: r
        for r in data.reminders
        if r.reached_on >= pruned_before and (r.subject not in settings or settings[r.subject].enabled)
    }
    new = await _insert_new(session, [_claim_row(r, now, lease_until) for r in wanted.values()])
    retaken = await _retake_expired(session, sorted(set(wanted) - new), now, lease_until, data.max_attempts)
    return ClaimsRead(
        claimed=[
            Claimed(key=key, email=settings[r.subject].email if r.subject in settings else None)
            for key, r in wanted.items()
            if key in new or key in retaken
        ]
    )


async def prune(session: AsyncSession, today: date) -> Pruned:
    """Remove the claims of reminders reached more than KEEP_DAYS before `today` (never before the job's own
    `today`: the earlier of the two), and remember how far, so that none of them is ever claimed again.

    The window only moves forward, whatever day a job says it is. Claims made before `reached_on` was kept
    go by when they were last written (after their point was reached), a day earlier for time zones."""
    now = utcnow()
    since = kept_since(min(today, today_in_sweden()))
    first = _insert(session)(ReminderPruning).values(id=PRUNING_ROW, kept_since=since, pruned_at=now)
    await session.execute(first.on_conflict_do_nothing(index_elements=["id"]))
    row = await session.scalar(
        select(ReminderPruning)
        .where(ReminderPruning.id == PRUNING_ROW)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    if row.kept_since < since:
        row.kept_since, row.pruned_at = since, now
        await session.flush()
    since = row.kept_since
    written_before = datetime.combine(since - timedelta(days=1), time(0), UTC)
    removed = await session.execute(
        delete(ReminderClaim).where(
            or_(
                ReminderClaim.reached_on < since,
                ReminderClaim.reached_on.is_(None) & (ReminderClaim.updated_at < written_before),
            )
        )
    )
    return Pruned(pruned=removed.rowcount or 0, kept_since=since)  # type: ignore[attr-defined]


async def record(session: AsyncSession, data: OutcomesIn) -> None:
    """Each outcome of a claim still held, counted in the service's metrics by channel."""
    now = utcnow()
    metrics = current_metrics()
    for outcome in data.outcomes:
        channel = await session.scalar(
            update(ReminderClaim)
            .where(ReminderClaim.key == outcome.key, ReminderClaim.state == ClaimState.claimed.value)
            .values(state=outcome.state.value, error=outcome.error, updated_at=now, lease_until=now)
            .returning(ReminderClaim.channel)
        )
        if channel is not None and metrics is not None and outcome.state is not ClaimState.skipped:
            sent = outcome.state is ClaimState.sent
            (metrics.reminders_sent if sent else metrics.reminders_failed).labels(channel=channel).inc()


async def mine(session: AsyncSession, caller: Principal, response: Response) -> MyReminders:
    return await _my_reminders(session, caller.subject, response)


async def set_mine(
    session: AsyncSession, caller: Principal, data: ReminderSettingsIn, if_match: str | None, response: Response
) -> MyReminders:
    setting = await session.scalar(select(ReminderSetting).where(ReminderSetting.subject == caller.subject))
    if setting is None:
        _check_first_setting(if_match)
        setting = ReminderSetting(subject=caller.subject)
        session.add(setting)
    else:
        check_if_match(if_match, setting)
    setting.enabled = data.enabled
    setting.email = data.email
    await session.flush()
    return await _my_reminders(session, caller.subject, response)


async def _my_reminders(session: AsyncSession, subject: str, response: Response) -> MyReminders:
    setting = await session.scalar(select(ReminderSetting).where(ReminderSetting.subject == subject))
    claims = await session.scalars(
        select(ReminderClaim)
        .where(ReminderClaim.subject == subject)
        .order_by(ReminderClaim.updated_at.desc(), ReminderClaim.key)
        .limit(SHOWN)
    )
    if setting is None:
        response.headers["ETag"] = NO_SETTINGS_ETAG
    else:
        set_etag(response, setting)
    return MyReminders(
        enabled=setting.enabled if setting is not None else True,
        email=setting.email if setting is not None else None,
        reminders=[
            SentReminder(
                channel=c.channel,
                lead=c.lead,
                title=c.title,
                link=c.link,
                due_on=c.due_on,
                state=ClaimState(c.state),
                attempts=c.attempts,
                updated_at=c.updated_at,
            )
            for c in claims
        ],
    )


def _check_first_setting(if_match: str | None) -> None:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(f"Send If-Match with the ETag you read, for example If-Match: {NO_SETTINGS_ETAG}")
    if NO_SETTINGS_ETAG not in [tag.strip() for tag in if_match.split(",")]:
        raise PreconditionFailed(
            "Your settings have not been set yet; read them again and send their ETag",
            current_etag=NO_SETTINGS_ETAG,
        )
