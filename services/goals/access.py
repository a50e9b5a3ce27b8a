"""Who may read and change what in the goals service; object-level, decided by the record's unit."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Goal, Lifecycle
from services.goals.rules.common import OrgIndex
from shared.auth.policy import Principal
from shared.errors import Forbidden, Locked, NotFound, Unprocessable

WRITE_MEASUREMENTS_SCOPE = "write:measurements"


def ensure_readable(principal: Principal, unit_code: str, status: Lifecycle, what: str) -> None:
    """A draft the caller may not read answers 404, so that drafts do not leak their existence."""
    if not principal.can_read(unit_code, decided=status is not Lifecycle.draft):
        raise NotFound(f"No {what} with that id")


def ensure_changeable(principal: Principal, unit_code: str, status: Lifecycle, what: str) -> None:
    """Drafts: an editor of the unit. Decided: only a registrar, and the decided version stays in history."""
    if status is Lifecycle.closed:
        raise Locked(f"The {what} is closed and can no longer change")
    if status is Lifecycle.decided:
        if not principal.can_register(unit_code):
            raise Forbidden(
                f"The {what} is decided; changing it needs registrar on {unit_code}", required=f"{unit_code}:registrar"
            )
        return
    if not principal.can_edit(unit_code):
        raise Forbidden(f"Requires editor on {unit_code}", required=f"{unit_code}:editor")


def ensure_registrar(principal: Principal, unit_code: str) -> None:
    if not principal.can_register(unit_code):
        raise Forbidden(f"Recording a decision needs registrar on {unit_code}", required=f"{unit_code}:registrar")


def ensure_editor(principal: Principal, unit_code: str) -> None:
    if not principal.can_edit(unit_code):
        raise Forbidden(f"Requires editor on {unit_code}", required=f"{unit_code}:editor")


def may_measure(principal: Principal, unit_code: str) -> bool:
    """Measurements are follow-up: the unit's editors, or an integration allowed to write them."""
    return WRITE_MEASUREMENTS_SCOPE in principal.scopes or principal.can_edit(unit_code)


def ensure_can_measure(principal: Principal, unit_code: str) -> None:
    if not may_measure(principal, unit_code):
        raise Forbidden(f"Requires editor on {unit_code}", required=f"{unit_code}:editor")


async def ensure_named_goal_readable(
    session: AsyncSession, principal: Principal, index: OrgIndex, goal_id: uuid.UUID, field: str, absent: str
) -> None:
    """A goal named in a body is treated like one in a path: a draft the caller may not read is absent.

    Otherwise linking to it (a parent goal, the goal an activity serves) would tell apart a draft
    that exists from an id that does not, and say whose it is.
    """
    goal = await session.get(Goal, goal_id)
    if goal is not None and not principal.can_read(
        index.code(goal.unit_id), decided=goal.status is not Lifecycle.draft
    ):
        raise Unprocessable(absent, field=field)
