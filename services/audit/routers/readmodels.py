"""Read models: what is overdue, one body's audit standing, and the overview of all bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.audit.dependencies import RiskMatrixDep
from services.audit.rules import followup
from services.audit.rules import readmodels as rules
from services.audit.schemas import BodyStatus, OverdueList, Overview
from shared.auth.access import ANY_ROLE, access
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.errors import Forbidden, error_responses
from shared.types import utcnow

router = APIRouter(tags=["read models"])
AsOf = Annotated[
    date | None,
    Query(
        ge=date(1990, 1, 1),
        le=date(2100, 12, 31),
        description="The day to judge overdue items by; today (UTC) when left out",
    ),
]
DECIDED_ONLY = ANY_ROLE.noting("decided material only")


def _day(as_of: date | None) -> date:
    return as_of if as_of is not None else utcnow().date()


@router.get(
    "/overdue",
    operation_id="list_overdue",
    summary="Responses past due and not decided, and actions past deadline and not done, per body",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_overdue(
    session: DbSession,
    principal: CurrentPrincipal,
    as_of: AsOf = None,
    body: Annotated[str | None, Query(max_length=16)] = None,
) -> OverdueList:
    require_signed_in_reader(principal)
    return await followup.overdue(session, _day(as_of), body)


@router.get(
    "/bodies/{body_code}/status",
    operation_id="get_body_status",
    summary="One body: open recommendations with actions, overdue items, latest statement, internal control",
    responses=error_responses(Forbidden),
    **access(DECIDED_ONLY),
)
async def get_body_status(
    body_code: Annotated[str, Path(max_length=16)],
    session: DbSession,
    principal: CurrentPrincipal,
    matrix: RiskMatrixDep,
    as_of: AsOf = None,
) -> BodyStatus:
    require_signed_in_reader(principal)
    return await rules.body_status(session, body_code, _day(as_of), matrix)


@router.get(
    "/overview",
    operation_id="get_audit_overview",
    summary="Every body's recommendations, actions, overdue items, statement and internal control, counted",
    responses=error_responses(Forbidden),
    **access(DECIDED_ONLY),
)
async def get_overview(
    session: DbSession, principal: CurrentPrincipal, matrix: RiskMatrixDep, as_of: AsOf = None
) -> Overview:
    require_signed_in_reader(principal)
    return await rules.overview(session, _day(as_of), matrix)
