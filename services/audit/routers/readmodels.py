"""Read models: what is overdue, one body's audit standing, and the overview of all bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.audit.dependencies import RiskMatrixDep
from services.audit.rules import followup
from services.audit.rules import readmodels as rules
from services.audit.schemas import BodyStatus, FollowThrough, OverdueList, Overview
from shared.asof import AsOfQuery, as_of_or_today
from shared.auth.access import ANY_ROLE
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.errors import Forbidden, Unprocessable, error_responses

router = APIRouter(tags=["read models"], route_class=GuardedRoute)
DECIDED_ONLY = ANY_ROLE.noting("decided material only")
# Dates far outside any audit's life are typing errors; SQLite and PostgreSQL also disagree about year 0.
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def _as_at(as_of: date | None) -> date:
    day = as_of_or_today(as_of)
    if not EARLIEST <= day <= LATEST:
        raise Unprocessable(f"as_of {day} is outside {EARLIEST}–{LATEST}", field="as_of")
    return day


@router.get(
    "/overdue",
    operation_id="list_overdue",
    summary="Responses past due and not decided, and actions past deadline and not done, per body, as at a date",
    responses=error_responses(Forbidden, Unprocessable),
    dependencies=[guard(ANY_ROLE)],
)
async def list_overdue(
    session: DbSession,
    as_of: AsOfQuery = None,
    body: Annotated[str | None, Query(max_length=16)] = None,
) -> OverdueList:
    return await followup.overdue(session, _as_at(as_of), body)


@router.get(
    "/bodies/{body_code}/status",
    operation_id="get_body_status",
    summary="One body as at a date: open recommendations with actions, overdue items, statement, internal control",
    responses=error_responses(Forbidden, Unprocessable),
    dependencies=[guard(DECIDED_ONLY)],
)
async def get_body_status(
    body_code: Annotated[str, Path(max_length=16)],
    session: DbSession,
    matrix: RiskMatrixDep,
    as_of: AsOfQuery = None,
) -> BodyStatus:
    return await rules.body_status(session, body_code, _as_at(as_of), matrix)


@router.get(
    "/overview",
    operation_id="get_audit_overview",
    summary="Every body's recommendations, actions, overdue items, statement and internal control as at a date",
    responses=error_responses(Forbidden, Unprocessable),
    dependencies=[guard(DECIDED_ONLY)],
)
async def get_overview(session: DbSession, matrix: RiskMatrixDep, as_of: AsOfQuery = None) -> Overview:
    return await rules.overview(session, _as_at(as_of), matrix)


@router.get(
    "/follow-through",
    operation_id="get_follow_through",
    summary="The recommendations open as at a date, with their actions and the indicators each should move",
    description="What the reports' follow-through section reads: which recommendations have no action and which "
    "actions name no indicator. Decided material only, as the overview.",
    responses=error_responses(Forbidden, Unprocessable),
    dependencies=[guard(DECIDED_ONLY)],
)
async def get_follow_through(
    session: DbSession,
    as_of: AsOfQuery = None,
    body: Annotated[str | None, Query(max_length=16, description="One body's; every body's if left out")] = None,
) -> FollowThrough:
    return await rules.follow_through(session, body, _as_at(as_of))
