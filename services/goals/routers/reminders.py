"""The reminder job's claims and outcomes, and the caller's own reminder settings (rules/reminders.py)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.goals.rules import reminders as rules
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch
from shared.errors import Forbidden, PreconditionFailed, PreconditionRequired, error_responses
from shared.reminders import (
    OWN_REMINDERS,
    REMINDER_JOB,
    ClaimsIn,
    ClaimsRead,
    MyReminders,
    OutcomesIn,
    Pruned,
    PruneIn,
    ReminderSettingsIn,
)

router = APIRouter(tags=["reminders"], route_class=GuardedRoute)


@router.post(
    "/reminders/claims",
    operation_id="claim_reminders",
    summary="Claim reminders before sending them: each key is held by one job at a time and sent once",
    responses=error_responses(Forbidden),
    dependencies=[guard(REMINDER_JOB)],
)
async def claim_reminders(data: ClaimsIn, session: DbSession) -> ClaimsRead:
    return await rules.claim(session, data)


@router.post(
    "/reminders/outcomes",
    operation_id="record_reminder_outcomes",
    summary="Record which claimed reminders were sent and which failed (a failed one is claimed again later)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Forbidden),
    dependencies=[guard(REMINDER_JOB)],
)
async def record_outcomes(data: OutcomesIn, session: DbSession) -> Response:
    await rules.record(session, data)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/reminders/prune",
    operation_id="prune_reminder_claims",
    summary="Remove the claims of reminders long past (KEEP_DAYS); none of them is ever claimed again",
    responses=error_responses(Forbidden),
    dependencies=[guard(REMINDER_JOB)],
)
async def prune_claims(data: PruneIn, session: DbSession) -> Pruned:
    return await rules.prune(session, data.today)


@router.get(
    "/me/reminders",
    operation_id="read_my_goals_reminders",
    summary="The caller's reminder settings and the reminders sent to them, newest first",
    responses=error_responses(Forbidden),
    dependencies=[guard(OWN_REMINDERS)],
)
async def read_my_reminders(session: DbSession, principal: CurrentPrincipal, response: Response) -> MyReminders:
    return await rules.mine(session, principal, response)


@router.put(
    "/me/reminders",
    operation_id="set_my_goals_reminders",
    summary="Turn the caller's reminders on or off, and say where their e-mail goes",
    description='Send If-Match with the ETag of your last read (`"0"` before you have set anything).',
    responses=error_responses(Forbidden, PreconditionFailed, PreconditionRequired),
    dependencies=[guard(OWN_REMINDERS)],
)
async def set_my_reminders(
    data: ReminderSettingsIn,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> MyReminders:
    return await rules.set_mine(session, principal, data, if_match, response)
