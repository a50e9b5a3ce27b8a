"""HTTP routes for imports into the goals service (Kolada, measures by external codes) and exports out of it."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.goals.access import GOALS_SEEN, IMPORT_MEASURES
from services.goals.dependencies import Index, MeasuringCaller
from services.goals.models import ReportingPeriod
from services.goals.rules import exports as exports_rules
from services.goals.rules import kolada, readmodels
from services.goals.rules.asat import resolve_as_of
from services.goals.rules.measures_tsv import COLUMNS, Granularity, import_measures
from shared.asof import AsOfQuery
from shared.auth.access import ANY_ROLE, ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.errors import Forbidden, error_responses
from shared.exports import MEDIA_TYPES, TableFormat, table_response
from shared.imports import ImportRefused, ImportReport, noted
from shared.textfiles import NotText, decode, note_on

router = APIRouter(prefix="/imports", tags=["imports"], route_class=GuardedRoute)
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
    dependencies=[guard(IMPORT_MEASURES)],
)
async def import_kolada(
    page: kolada.KoladaPage, request: Request, session: DbSession, caller: MeasuringCaller, dry_run: DryRun = False
) -> ImportReport:
    # The declared body documents and checks the shape; the values are read again from the text,
    # because the JSON parser made binary floats of them (8999999999.999999 would lose its last digit).
    exact_page = kolada.KoladaPage.model_validate(json.loads(await request.body(), parse_float=Decimal))
    return await kolada.import_pages(session, [exact_page], dry_run=dry_run, caller=caller)


@router.post(
    "/measures",
    operation_id="import_measures",
    summary="Import measures by external codes from a tab-separated file (unit, date, measure, value)",
    description="One measure a line: the unit's external code, the date (YYYY-MM-DD), the indicator's external "
    "code, and the value (a decimal point or comma; empty for missing). A header line `unit date measure value` "
    "may come first. `period` says which period a date falls in. All or nothing, as every import; the same "
    "file twice changes nothing the second time. UTF-8 text, or Windows-1252 as Excel saves it in Swedish (the "
    "report notes it).",
    responses=error_responses(Forbidden, ImportRefused, NotText),
    dependencies=[guard(IMPORT_MEASURES)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                TSV: {"schema": {"type": "string"}, "example": TSV_EXAMPLE},
                # The same file as bytes: what generated clients (openapi-python-client) can send.
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
)
async def import_measures_file(
    request: Request,
    session: DbSession,
    caller: MeasuringCaller,
    dry_run: DryRun = False,
    period: Annotated[Granularity, Query(description="The period a date falls in")] = Granularity.month,
) -> ImportReport:
    text, encoding = decode(await request.body())
    lines = text.split("\n")  # not splitlines(): form feeds and the like are data, not line ends
    run = import_measures(session, lines, granularity=period, dry_run=dry_run, caller=caller)
    return await noted(note_on(encoding), run)


exports = APIRouter(prefix="/exports", tags=["exports"], route_class=GuardedRoute)
FormatQuery = Annotated[TableFormat, Query(alias="format", description="tsv and csv for systems, xlsx for people")]


@exports.get(
    "/measures",
    operation_id="export_measures",
    summary="Measures by external codes, in the columns the measures import reads",
    description="Every value of indicators with an external code in units with one, for one kind of period. "
    "The tab-separated file imports back with `POST /imports/measures` (same `period`) changing nothing.",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}, **error_responses(Forbidden)},
    dependencies=[guard(ANY_ROLE.noting("values of drafts only where the caller may read them"))],
)
async def export_measures(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    table_format: FormatQuery = TableFormat.tsv,
    period: Annotated[Granularity, Query(description="Which kind of period to export")] = Granularity.month,
    unit: Annotated[str | None, Query(max_length=16, description="A unit and the units below it")] = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
) -> Response:
    stmt = exports_rules.measures_query(index, period, unit, year, GOALS_SEEN.where(principal))
    rows = await exports_rules.measure_rows(session, stmt)
    return table_response("measures", exports_rules.MEASURE_COLUMNS, rows, table_format)


@exports.get(
    "/goals",
    operation_id="export_goals",
    summary="Goals with their indicators, targets, latest values and colours, one row per indicator",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}, **error_responses(Forbidden)},
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def export_goals(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    year: Annotated[int, Query(ge=1990, le=2100)],
    table_format: FormatQuery = TableFormat.csv,
    period: Annotated[
        ReportingPeriod | None,
        Query(description="Colours at this period's end (the year if left out); with no `as_of`, as at its end"),
    ] = None,
    unit: Annotated[str | None, Query(max_length=16, description="A unit and the units below it")] = None,
    as_of: AsOfQuery = None,
) -> Response:
    day = resolve_as_of(as_of, year, period)
    chain = await readmodels.chain(
        session, index, principal, unit_code=unit, year=year, period=period or ReportingPeriod.year, as_of=day
    )
    # A file carries no field to say its date, so its name does: goals-2022-as-of-2022-08-31.csv
    name = f"goals-{year}-as-of-{day.isoformat()}"
    return table_response(name, exports_rules.GOAL_COLUMNS, exports_rules.goal_rows(chain), table_format)
