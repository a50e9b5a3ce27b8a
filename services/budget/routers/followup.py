"""HTTP routes of the year's follow-up: outcomes, periodised budgets, forecasts and closed years."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from services.budget.access import (
    FOLLOW_UP_READ,
    FOLLOWED_UP_UNITS,
    ensure_finance,
    ensure_follow_up_reader,
    ensure_forecaster,
)
from services.budget.models import Forecast, HistoryEntry, Outcome
from services.budget.rules import followup as rules
from services.budget.schemas import (
    ClosedYearCreate,
    ClosedYearRead,
    ForecastCreate,
    ForecastRead,
    ForecastUpdate,
    Month,
    OutcomeBatch,
    OutcomeBatchRead,
    OutcomeRead,
    OutcomeUpdate,
    PeriodisationIn,
    PeriodisationRead,
    Year,
)
from shared.auth.access import ANY_ROLE, FINANCE, access, editor, follow_up_reader
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.auth.policy import Principal
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    error_responses,
)
from shared.fields import YearPath
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists

outcomes = APIRouter(prefix="/outcomes", tags=["outcomes"])
periodisations = APIRouter(prefix="/periodisations", tags=["periodised budgets"])
forecasts = APIRouter(prefix="/forecasts", tags=["forecasts"])
closed_years = APIRouter(prefix="/closed-years", tags=["closed years"])
UnitPath = Annotated[str, Path(max_length=16, description="The unit's code, e.g. HSN")]
UnitQuery = Annotated[str | None, Query(max_length=16)]
OUTCOME_UNIT = "the outcome's unit"
FORECAST_UNIT = "the forecast's unit"
# A unit's outcomes and forecasts are its internal follow-up: to others they are absent.
OUTCOME_READ = follow_up_reader(OUTCOME_UNIT).hiding_records_of(OUTCOME_UNIT)
FORECAST_READ = follow_up_reader(FORECAST_UNIT).hiding_records_of(FORECAST_UNIT)


def own_units(principal: Principal, column: InstrumentedAttribute[str]) -> ColumnElement[bool] | None:
    """Follow-up is internal: without a region-wide read, a caller lists only the units they hold a role on."""
    if principal.reads_all_drafts:
        return None
    return column.in_(list(principal.unit_roles))


# --- outcomes ---------------------------------------------------------------------------------


@outcomes.post(
    "",
    operation_id="add_outcomes",
    summary="Add ledger rows (unit, month 1–12, account category, amount); all or none are saved",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Locked, ServiceUnavailable),
    **access(FINANCE),
)
async def add_outcomes(
    data: OutcomeBatch, session: DbSession, principal: CurrentPrincipal, goals: GoalsService
) -> OutcomeBatchRead:
    ensure_finance(principal)
    units = sorted({row.unit_code for row in data.rows})
    for unit in units:
        await ensure_unit_exists(goals, unit, field="rows")
    saved = await rules.add_outcomes(session, data.rows)
    return OutcomeBatchRead(created=len(saved), units=units)


@outcomes.get(
    "",
    operation_id="list_outcomes",
    summary="List ledger outcomes",
    responses=error_responses(Forbidden),
    **access(FOLLOWED_UP_UNITS),
)
async def list_outcomes(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    unit: UnitQuery = None,
    year: Annotated[Year | None, Query()] = None,
    month: Annotated[Month | None, Query()] = None,
) -> Page[OutcomeRead]:
    require_signed_in_reader(principal)
    visible = own_units(principal, Outcome.unit_code)
    return await rules.list_outcomes(session, page, visible=visible, unit_code=unit, year=year, month=month)


UnitRecord = TypeVar("UnitRecord", Outcome, Forecast)


async def _readable(
    session: AsyncSession,
    principal: Principal,
    get: Callable[[AsyncSession, uuid.UUID], Awaitable[UnitRecord]],
    record_id: uuid.UUID,
) -> UnitRecord:
    """A unit's outcome or forecast, for a caller with a role on the unit: to others it answers 404."""
    require_signed_in_reader(principal)
    record = await get(session, record_id)
    if not principal.can_read(record.unit_code, decided=False):
        raise NotFound(f"No {type(record).__name__.lower()} {record_id}")
    return record


@outcomes.get(
    "/{outcome_id}",
    operation_id="get_outcome",
    summary="One ledger outcome",
    responses=error_responses(Forbidden, NotFound),
    **access(OUTCOME_READ),
)
async def get_outcome(
    outcome_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> OutcomeRead:
    outcome = await _readable(session, principal, rules.get_outcome, outcome_id)
    set_etag(response, outcome)
    return OutcomeRead.model_validate(outcome)


@outcomes.patch(
    "/{outcome_id}",
    operation_id="correct_outcome",
    summary="Correct a ledger outcome's amount",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(FINANCE),
)
async def correct_outcome(
    outcome_id: uuid.UUID,
    data: OutcomeUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> OutcomeRead:
    ensure_finance(principal)
    outcome = await rules.get_outcome(session, outcome_id)
    check_if_match(if_match, outcome)
    await rules.correct_outcome(session, outcome, data.amount)
    set_etag(response, outcome)
    return OutcomeRead.model_validate(outcome)


@outcomes.get(
    "/{outcome_id}/history",
    operation_id="get_outcome_history",
    summary="Every change to a ledger outcome",
    responses=error_responses(Forbidden, NotFound),
    **access(OUTCOME_READ),
)
async def get_outcome_history(
    outcome_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    return await read_history(
        session, HistoryEntry, await _readable(session, principal, rules.get_outcome, outcome_id), page
    )


# --- periodised budgets -----------------------------------------------------------------------


@periodisations.get(
    "/{unit_code}/{year}",
    operation_id="get_periodisation",
    summary="A unit's budget for a year, month by month",
    responses=error_responses(Forbidden, NotFound),
    **access(FOLLOW_UP_READ),
)
async def get_periodisation(
    unit_code: UnitPath, year: YearPath, session: DbSession, principal: CurrentPrincipal, response: Response
) -> PeriodisationRead:
    ensure_follow_up_reader(principal, unit_code)
    budget = await rules.find_periodisation(session, unit_code, year)
    if budget is None:
        raise NotFound(f"{unit_code} has no periodised budget for {year}")
    set_etag(response, budget)
    return rules.periodisation_read(budget)


@periodisations.put(
    "/{unit_code}/{year}",
    operation_id="save_periodisation",
    summary="Spread a unit's frame over the months (If-Match when replacing one)",
    responses=error_responses(Forbidden, Locked, PreconditionFailed, PreconditionRequired),
    **access(FINANCE),
)
async def save_periodisation(
    unit_code: UnitPath,
    year: YearPath,
    data: PeriodisationIn,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> PeriodisationRead:
    ensure_finance(principal)
    existing = await rules.find_periodisation(session, unit_code, year)
    if existing is not None:
        check_if_match(if_match, existing)
    budget = await rules.save_periodisation(session, unit_code, year, data, existing)
    set_etag(response, budget)
    return rules.periodisation_read(budget)


@periodisations.get(
    "/{unit_code}/{year}/history",
    operation_id="get_periodisation_history",
    summary="Every change to a unit's periodised budget",
    responses=error_responses(Forbidden, NotFound),
    **access(FOLLOW_UP_READ),
)
async def get_periodisation_history(
    unit_code: UnitPath, year: YearPath, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    ensure_follow_up_reader(principal, unit_code)
    budget = await rules.find_periodisation(session, unit_code, year)
    if budget is None:
        raise NotFound(f"{unit_code} has no periodised budget for {year}")
    return await read_history(session, HistoryEntry, budget, page)


# --- forecasts --------------------------------------------------------------------------------


@forecasts.post(
    "",
    operation_id="create_forecast",
    summary="A unit's full-year forecast at a follow-up, with comment",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Locked, ServiceUnavailable),
    **access(editor(FORECAST_UNIT)),
)
async def create_forecast(
    data: ForecastCreate, session: DbSession, principal: CurrentPrincipal, goals: GoalsService, response: Response
) -> ForecastRead:
    ensure_forecaster(principal, data.unit_code)
    await ensure_unit_exists(goals, data.unit_code)
    forecast = await rules.create_forecast(session, data)
    set_etag(response, forecast)
    response.headers["Location"] = f"/forecasts/{forecast.id}"
    return ForecastRead.model_validate(forecast)


@forecasts.get(
    "",
    operation_id="list_forecasts",
    summary="List forecasts",
    responses=error_responses(Forbidden),
    **access(FOLLOWED_UP_UNITS),
)
async def list_forecasts(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    unit: UnitQuery = None,
    year: Annotated[Year | None, Query()] = None,
) -> Page[ForecastRead]:
    require_signed_in_reader(principal)
    visible = own_units(principal, Forecast.unit_code)
    return await rules.list_forecasts(session, page, visible=visible, unit_code=unit, year=year)


@forecasts.get(
    "/{forecast_id}",
    operation_id="get_forecast",
    summary="One forecast",
    responses=error_responses(Forbidden, NotFound),
    **access(FORECAST_READ),
)
async def get_forecast(
    forecast_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ForecastRead:
    forecast = await _readable(session, principal, rules.get_forecast, forecast_id)
    set_etag(response, forecast)
    return ForecastRead.model_validate(forecast)


@forecasts.patch(
    "/{forecast_id}",
    operation_id="update_forecast",
    summary="Change a forecast",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(editor(FORECAST_UNIT).hiding_records_of(FORECAST_UNIT)),
)
async def update_forecast(
    forecast_id: uuid.UUID,
    data: ForecastUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ForecastRead:
    forecast = await _readable(session, principal, rules.get_forecast, forecast_id)
    ensure_forecaster(principal, forecast.unit_code)
    check_if_match(if_match, forecast)
    await rules.update_forecast(session, forecast, data)
    set_etag(response, forecast)
    return ForecastRead.model_validate(forecast)


@forecasts.get(
    "/{forecast_id}/history",
    operation_id="get_forecast_history",
    summary="Every change to a forecast",
    responses=error_responses(Forbidden, NotFound),
    **access(FORECAST_READ),
)
async def get_forecast_history(
    forecast_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    return await read_history(
        session, HistoryEntry, await _readable(session, principal, rules.get_forecast, forecast_id), page
    )


# --- closed years -----------------------------------------------------------------------------


@closed_years.post(
    "",
    operation_id="close_year",
    summary="Close a year's books: its forecasts, outcomes and periodised budgets are then locked",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    **access(FINANCE),
)
async def close_year(data: ClosedYearCreate, session: DbSession, principal: CurrentPrincipal) -> ClosedYearRead:
    ensure_finance(principal)
    return ClosedYearRead.model_validate(await rules.close_year(session, data))


@closed_years.get(
    "",
    operation_id="list_closed_years",
    summary="The closed years",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_closed_years(session: DbSession, principal: CurrentPrincipal) -> list[ClosedYearRead]:
    require_signed_in_reader(principal)
    return [ClosedYearRead.model_validate(c) for c in await rules.list_closed_years(session)]
