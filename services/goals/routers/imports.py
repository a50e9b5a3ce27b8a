"""HTTP routes for imports into the goals service: Kolada's published values."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.goals.access import WRITE_MEASUREMENTS_SCOPE, may_measure
from services.goals.rules import kolada
from services.goals.rules.measures_tsv import COLUMNS, Granularity, import_measures
from shared.auth.access import access
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.errors import Forbidden, Unprocessable, error_responses
from shared.imports import ImportRefused, ImportReport

router = APIRouter(prefix="/imports", tags=["imports"])
MEASURE_RULE = f"editor on each measured indicator's unit, or the {WRITE_MEASUREMENTS_SCOPE} scope"
TSV = "text/tab-separated-values"
TSV_EXAMPLE = "\t".join(COLUMNS) + "\nHSF\t2024-04-30\tVT90\t71,4\n"
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
    **access(MEASURE_RULE),
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


@router.post(
    "/measures",
    operation_id="import_measures",
    summary="Import measures by external codes from a tab-separated file (unit, date, measure, value)",
    description="One measure a line: the unit's external code, the date (YYYY-MM-DD), the indicator's external "
    "code, and the value (a decimal point or comma; empty for missing). A header line `unit date measure value` "
    "may come first. `period` says which period a date falls in. All or nothing, as every import; the same "
    "file twice changes nothing the second time.",
    responses=error_responses(Forbidden, ImportRefused),
    openapi_extra={
        **access(MEASURE_RULE)["openapi_extra"],
        "requestBody": {
            "required": True,
            "content": {TSV: {"schema": {"type": "string"}, "example": TSV_EXAMPLE}},
        },
    },
)
async def import_measures_file(
    request: Request,
    session: DbSession,
    principal: CurrentPrincipal,
    dry_run: DryRun = False,
    period: Annotated[Granularity, Query(description="The period a date falls in")] = Granularity.month,
) -> ImportReport:
    try:
        text = (await request.body()).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unprocessable("The file must be UTF-8 text") from exc
    return await import_measures(
        session,
        text.splitlines(),
        granularity=period,
        dry_run=dry_run,
        may_read=lambda unit, decided: principal.can_read(unit, decided=decided),
        may_measure=lambda unit: may_measure(principal, unit),
    )
