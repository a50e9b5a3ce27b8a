"""HTTP routes for imports into the goals service: Kolada's published values."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.goals.access import WRITE_MEASUREMENTS_SCOPE, may_measure
from services.goals.rules import kolada
from shared.auth.access import access
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.errors import Forbidden, error_responses
from shared.imports import ImportRefused, ImportReport

router = APIRouter(prefix="/imports", tags=["imports"])
DryRun = Annotated[bool, Query(description="Report what would change, and every problem, without changing anything")]


@router.post(
    "/kolada",
    operation_id="import_kolada",
    summary="Import a page of Kolada values into the indicators that follow its KPIs",
    description="Send a page exactly as Kolada's API answers it (v2 or v3). Each value goes to every indicator "
    "naming its KPI and area (`kolada_kpi`, `kolada_area`); values Kolada flags or leaves empty are recorded "
    "as missing, not as zero. All or nothing: with any problem nothing changes (422 with the report). The "
    "same page twice changes nothing the second time. Follow `next_page` yourself, or use `styr import kolada`.",
    responses=error_responses(Forbidden, ImportRefused),
    **access(f"editor on each measured indicator's unit, or the {WRITE_MEASUREMENTS_SCOPE} scope"),
)
async def import_kolada(
    page: kolada.KoladaPage, session: DbSession, principal: CurrentPrincipal, dry_run: DryRun = False
) -> ImportReport:
    return await kolada.import_pages(
        session,
        [page],
        dry_run=dry_run,
        may_read=lambda unit, decided: principal.can_read(unit, decided=decided),
        may_measure=lambda unit: may_measure(principal, unit),
    )
