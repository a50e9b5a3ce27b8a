"""`/api/me/reminders`: the caller's reminder settings and what was sent to them, kept by the goals service.

The reminders span the three services, so they are the caller's own, under `/api/me` beside their tasks;
the goals service keeps them (shared/reminders.py), and these routes pass the call on with the caller's
token as the proxy does, ETag and If-Match included.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response

from gateway.proxy import Proxy, admit
from shared.auth.access import access
from shared.auth.guard import SAFE_METHODS
from shared.concurrency import IfMatch
from shared.errors import Forbidden, PreconditionFailed, PreconditionRequired, Unauthorized, error_responses
from shared.reminders import OWN_REMINDERS, MyReminders, ReminderSettingsIn

SETTINGS_PATH = "me/reminders"


async def the_person_themself(request: Request) -> None:
    """Refuse a caller the settings are not for before a body is read, as every other write is refused: one
    with no role, or an integration, learns that rather than what was wrong with the body. A person who
    only reads is let through: OWN_REMINDERS lets them change their own settings (shared/reminders.py)."""
    proxy: Proxy = request.app.state.proxy
    try:
        caller = await proxy.caller(request)
    except Exception:
        # Counted against the rate limit as any refused sign-in is, and refused the same way.
        await proxy.signed_in_caller(request)
        raise
    admit(OWN_REMINDERS, caller.principal, write=request.method not in SAFE_METHODS)


def reminders_router() -> APIRouter:
    router = APIRouter(prefix="/api/me", tags=["reminders"])

    @router.get(
        "/reminders",
        operation_id="read_my_reminders",
        summary="The caller's reminder settings and the reminders sent to them (e-mail, webhook), newest first",
        description="Reminders come at the region's lead times before a task is due (by default 28 and 7 days "
        "before and on the day), weekly while it is overdue, and as a digest each Monday at 08:00 Swedish time. "
        "The answer's `ETag` is what a change sends in `If-Match`.",
        response_model=MyReminders,
        responses=error_responses(Unauthorized, Forbidden),
        dependencies=[Depends(the_person_themself)],
        **access(OWN_REMINDERS),
    )
    async def read_my_reminders(request: Request) -> Response:
        proxy: Proxy = request.app.state.proxy
        return await proxy.forward(request, "goals", SETTINGS_PATH, own_route=True, rule=OWN_REMINDERS)

    @router.put(
        "/reminders",
        operation_id="set_my_reminders",
        summary="Turn the caller's reminders on or off, and say where their e-mail goes",
        description="`enabled: false` stops every reminder and digest to you; `email` is where e-mail goes (else "
        "the region's default address for you, if it has one). Send If-Match with the ETag of your last read "
        '(`"0"` before you have set anything). A person who only reads may change these too: they are their own.',
        response_model=MyReminders,
        responses=error_responses(Unauthorized, Forbidden, PreconditionFailed, PreconditionRequired),
        dependencies=[Depends(the_person_themself)],
        **access(OWN_REMINDERS),
    )
    async def set_my_reminders(request: Request, data: ReminderSettingsIn, if_match: IfMatch = None) -> Response:
        proxy: Proxy = request.app.state.proxy
        return await proxy.forward(request, "goals", SETTINGS_PATH, own_route=True, rule=OWN_REMINDERS)

    return router
