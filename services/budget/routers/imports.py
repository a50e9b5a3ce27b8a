"""HTTP routes of the ledger import into the budget service, and of the outcomes export out of it."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from services.budget.access import FOLLOWED_UP_UNITS, IMPORT_OUTCOMES, OUTCOMES_SEEN, WRITE_OUTCOMES_SCOPE
from services.budget.dependencies import a_ledger_import
from services.budget.rules import ledger
from services.budget.rules.accounts import AccountPlan
from services.budget.schemas import LedgerImportReport, Year
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.errors import Forbidden, ServiceUnavailable, Unprocessable, error_responses
from shared.exports import MEDIA_TYPES, TableFormat, table_response
from shared.imports import ImportRefused, noted
from shared.peers import GoalsService
from shared.textfiles import NotText, encoding_of, lines_of, note_on

router = APIRouter(prefix="/imports", tags=["imports"], route_class=GuardedRoute)
exports = APIRouter(prefix="/exports", tags=["exports"], route_class=GuardedRoute)

CSV = "text/csv"
OCTET = "application/octet-stream"
CSV_EXAMPLE = "unit;account;month;amount\nHSN;3010;2024-03;-1 234 567,89\nHSN;5010;202403;2 345 678,00\n"


@router.post(
    "/ledger",
    operation_id="import_ledger",
    summary="Import the ledger's outcomes from a CSV of unit, account, month and amount",
    description="One booked amount a row: the unit's code, the account, the month (`2024-03` or `202403`) and the "
    "amount as booked (debit positive, credit negative; `-1 234 567,89` and `1234567.89` both read). Semicolon, "
    "tab or comma separated (`delimiter`, found from the first line by default); a header naming the columns "
    "(`unit account month amount`, or `enhet konto period belopp`) may come first, in any order. Accounts go "
    "to their category through the account plan (`/account-mappings`); the rows of one unit, month and category "
    "are summed into its outcome, revenue turned positive, and the rows kept under the run's batch (`batch_id`), "
    "so that every figure drills down to them (`/economy/units/{code}/ledger-rows`). All or nothing; the same "
    "file twice changes nothing the second time; an outcome keyed in by hand is left alone; a closed year's "
    "rows are refused. An integration "
    f"client needs the `{WRITE_OUTCOMES_SCOPE}` and `read:decided` scopes (unit codes are checked with the goals "
    "service as the caller). UTF-8 text, or Windows-1252 as Excel saves it in Swedish (the report notes it).",
    responses=error_responses(Forbidden, ImportRefused, NotText, ServiceUnavailable),
    dependencies=[guard(IMPORT_OUTCOMES, a_ledger_import)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                CSV: {"schema": {"type": "string"}, "example": CSV_EXAMPLE},
                OCTET: {"schema": {"type": "string", "format": "binary"}},  # what generated clients send
            },
        },
    },
)
async def import_ledger(
    request: Request,
    session: DbSession,
    goals: GoalsService,
    dry_run: Annotated[
        bool, Query(description="Report what would change, and every problem, without changing anything")
    ] = False,
    delimiter: Annotated[ledger.Delimiter, Query(description="The column separator")] = ledger.Delimiter.auto,
) -> LedgerImportReport:
    body = await request.body()
    encoding = encoding_of([body])
    # Decoded line by line as the import reads it, so the body is not held a second time as text.
    lines = lines_of(io.BytesIO(body), encoding)

    async def unit_exists(code: str) -> bool:
        return await goals.exists(f"/units/{code}")

    run = ledger.import_ledger(session, lines, delimiter=delimiter, unit_exists=unit_exists, dry_run=dry_run)
    return await noted(note_on(encoding), run)


@exports.get(
    "/outcomes",
    operation_id="export_outcomes",
    summary="Outcomes as ledger rows, in the columns the ledger import reads",
    description="One row an outcome: unit, an account of its category's first rule in the account plan, month "
    "(`2024-03`) and amount as booked (revenue as a credit, negative). Importing the csv or tsv file with "
    "`POST /imports/ledger` changes nothing. 422 when an outcome's category has no rule in the account plan.",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}, **error_responses(Forbidden, Unprocessable)},
    dependencies=[guard(FOLLOWED_UP_UNITS)],
)
async def export_outcomes(
    session: DbSession,
    principal: CurrentPrincipal,
    year: Annotated[Year | None, Query()] = None,
    unit: Annotated[str | None, Query(max_length=16, description="One unit's outcomes")] = None,
    table_format: Annotated[
        TableFormat, Query(alias="format", description="csv and tsv for systems, xlsx for people")
    ] = TableFormat.csv,
) -> Response:
    plan = await AccountPlan.load(session)
    visible = OUTCOMES_SEEN.where(principal)
    rows = await ledger.export_rows(session, plan, year=year, unit=unit, visible=visible)
    name = "outcomes" + (f"-{year}" if year else "") + (f"-{unit}" if unit else "")
    return table_response(name, ledger.EXPORT_COLUMNS, rows, table_format)
