"""HTTP routes of the year's follow-up: outcomes, periodised budgets, forecasts and closed years."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import (
    FOLLOW_UP_READ,
    FOLLOWED_UP_UNITS,
    FORECAST_CHANGES,
    FORECAST_READ,
    FORECAST_WRITES,
    FORECASTS_SEEN,
    OUTCOME_READ,
    OUTCOMES_SEEN,
)
from services.budget.dependencies import (
    UnitPath,
    a_forecast,
    a_new_forecast,
    a_periodisation,
    a_unit_in_path,
    an_outcome,
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
from shared.auth.access import ANY_ROLE, FINANCE
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
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
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists
from shared.routes import add_history_route

outcomes = APIRouter(prefix="/outcomes", tags=["outcomes"], route_class=GuardedRoute)
periodisations = APIRouter(prefix="/periodisations", tags=["periodised budgets"], route_class=GuardedRoute)
forecasts = APIRouter(prefix="/forecasts", tags=["forecasts"], route_class=GuardedRoute)
closed_years = APIRouter(prefix="/closed-years", tags=["closed years"], route_class=GuardedRoute)
UnitQuery = Annotated[str | None, Query(max_length=16)]


# --- outcomes ---------------------------------------------------------------------------------


@outcomes.post(
    "",
    operation_id="add_outcomes",
    summary="Add ledger rows (unit, month 1–12, account category, amount); all or none are saved",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Locked, ServiceUnavailable),
    dependencies=[guard(FINANCE)],
)
async def add_outcomes(data: OutcomeBatch, session: DbSession, goals: GoalsService) -> OutcomeBatchRead:
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
    dependencies=[guard(FOLLOWED_UP_UNITS)],
)
async def list_outcomes(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    unit: UnitQuery = None,
    year: Annotated[Year | None, Query()] = None,
    month: Annotated[Month | None, Query()] = None,
) -> Page[OutcomeRead]:
    visible = OUTCOMES_SEEN.where(principal)
    return await rules.list_outcomes(session, page, visible=visible, unit_code=unit, year=year, month=month)


@outcomes.get(
    "/{outcome_id}",
    operation_id="get_outcome",
    summary="One ledger outcome",
    responses=error_responses(Forbidden, NotFound),
)
async def get_outcome(outcome: Annotated[Outcome, guard(OUTCOME_READ, an_outcome)], response: Response) -> OutcomeRead:
    set_etag(response, outcome)
    return OutcomeRead.model_validate(outcome)


@outcomes.patch(
    "/{outcome_id}",
    operation_id="correct_outcome",
    summary="Correct a ledger outcome's amount",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def correct_outcome(
    outcome: Annotated[Outcome, guard(FINANCE, an_outcome)],
    data: OutcomeUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> OutcomeRead:
    check_if_match(if_match, outcome)
    await rules.correct_outcome(session, outcome, data.amount)
    set_etag(response, outcome)
    return OutcomeRead.model_validate(outcome)


add_history_route(
    outcomes,
    "/{outcome_id}/history",
    declared=OUTCOME_READ,
    load=an_outcome,
    history_model=HistoryEntry,
    operation_id="get_outcome_history",
    what="a ledger outcome",
)


# --- periodised budgets -----------------------------------------------------------------------


@periodisations.get(
    "/{unit_code}/{year}",
    operation_id="get_periodisation",
    summary="A unit's budget for a year, month by month",
    responses=error_responses(Forbidden, NotFound),
)
async def get_periodisation(
    unit_code: Annotated[str, guard(FOLLOW_UP_READ, a_unit_in_path)],
    year: YearPath,
    session: DbSession,
    response: Response,
) -> PeriodisationRead:
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
    dependencies=[guard(FINANCE)],
)
async def save_periodisation(
    unit_code: UnitPath,
    year: YearPath,
    data: PeriodisationIn,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> PeriodisationRead:
    existing = await rules.find_periodisation(session, unit_code, year)
    if existing is not None:
        check_if_match(if_match, existing)
    budget = await rules.save_periodisation(session, unit_code, year, data, existing)
    set_etag(response, budget)
    return rules.periodisation_read(budget)


add_history_route(
    periodisations,
    "/{unit_code}/{year}/history",
    declared=FOLLOW_UP_READ,
    load=a_periodisation,
    history_model=HistoryEntry,
    operation_id="get_periodisation_history",
    what="a unit's periodised budget",
)


# --- forecasts --------------------------------------------------------------------------------


@forecasts.post(
    "",
    operation_id="create_forecast",
    summary="A unit's full-year forecast at a follow-up, with comment",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Locked, ServiceUnavailable),
)
async def create_forecast(
    data: Annotated[ForecastCreate, guard(FORECAST_WRITES, a_new_forecast)],
    session: DbSession,
    goals: GoalsService,
    response: Response,
) -> ForecastRead:
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
    dependencies=[guard(FOLLOWED_UP_UNITS)],
)
async def list_forecasts(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    unit: UnitQuery = None,
    year: Annotated[Year | None, Query()] = None,
) -> Page[ForecastRead]:
    visible = FORECASTS_SEEN.where(principal)
    return await rules.list_forecasts(session, page, visible=visible, unit_code=unit, year=year)


@forecasts.get(
    "/{forecast_id}",
    operation_id="get_forecast",
    summary="One forecast",
    responses=error_responses(Forbidden, NotFound),
)
async def get_forecast(
    forecast: Annotated[Forecast, guard(FORECAST_READ, a_forecast)], response: Response
) -> ForecastRead:
    set_etag(response, forecast)
    return ForecastRead.model_validate(forecast)


@forecasts.patch(
    "/{forecast_id}",
    operation_id="update_forecast",
    summary="Change a forecast",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_forecast(
    forecast: Annotated[Forecast, guard(FORECAST_CHANGES, a_forecast)],
    data: ForecastUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> ForecastRead:
    check_if_match(if_match, forecast)
    await rules.update_forecast(session, forecast, data)
    set_etag(response, forecast)
    return ForecastRead.model_validate(forecast)


add_history_route(
    forecasts,
    "/{forecast_id}/history",
    declared=FORECAST_READ,
    load=a_forecast,
    history_model=HistoryEntry,
    operation_id="get_forecast_history",
    what="a forecast",
)


# --- closed years -----------------------------------------------------------------------------


@closed_years.post(
    "",
    operation_id="close_year",
    summary="Close a year's books: its forecasts, outcomes and periodised budgets are then locked",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    dependencies=[guard(FINANCE)],
)
async def close_year(data: ClosedYearCreate, session: DbSession) -> ClosedYearRead:
    return ClosedYearRead.model_validate(await rules.close_year(session, data))


@closed_years.get(
    "",
    operation_id="list_closed_years",
    summary="The closed years",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_closed_years(session: DbSession) -> list[ClosedYearRead]:
    return [ClosedYearRead.model_validate(c) for c in await rules.list_closed_years(session)]
