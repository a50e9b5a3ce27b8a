"""HTTP routes of the economy read models: a unit's follow-up and the region's, with its result."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.budget.access import ECONOMY_READ, REGION_READ
from services.budget.dependencies import Settings, a_unit_in_path
from services.budget.models import FollowUp
from services.budget.rules import drilldown
from services.budget.rules import economy as rules
from services.budget.rules.year_accounts import year_accounts
from services.budget.schemas import (
    Figure,
    LedgerRowRead,
    Month,
    RegionEconomyRead,
    Share,
    UnitEconomyRead,
    Year,
    YearAccounts,
)
from shared.asof import AsOfQuery
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.db import ReadConnection
from shared.errors import Forbidden, error_responses
from shared.pagination import Page, Pagination

router = APIRouter(prefix="/economy", tags=["economy follow-up"], route_class=GuardedRoute)
AS_AT = (
    "As at the follow-up's (or month's) end, or the year's end without either, unless `as_of` is given: the frame "
    "decided on or before that date, the outcomes of the months ended by then within the follow-up, the forecasts "
    "of the follow-ups up to then. The answer says its `as_of`."
)
FollowUpQuery = Annotated[
    FollowUp | None,
    Query(
        description="T1 (through April), T2 (August) or T3 (December), as at its end unless `as_of` is given; "
        "the whole year (as at 31 December) by default"
    ),
]
MonthQuery = Annotated[
    Month | None, Query(description="Through this month instead of a follow-up, as at its last day unless `as_of`")
]
ThresholdQuery = Annotated[
    Share | None,
    Query(description="Flag overruns above this percent; the service's setting by default"),
]


@router.get(
    "/units/{unit_code}",
    operation_id="get_unit_economy",
    summary="A unit's frame, year-to-date budget and outcome, forecast and deviations, in one answer",
    description=AS_AT,
    responses=error_responses(Forbidden),
)
async def get_unit_economy(
    unit_code: Annotated[str, guard(ECONOMY_READ, a_unit_in_path)],
    session: DbSession,
    settings: Settings,
    year: Annotated[Year, Query()],
    follow_up: FollowUpQuery = None,
    month: MonthQuery = None,
    as_of: AsOfQuery = None,
    threshold_percent: ThresholdQuery = None,
) -> UnitEconomyRead:
    threshold = _threshold(threshold_percent, settings.deviation_threshold_percent)
    return await rules.unit_economy(session, unit_code, year, rules.period_of(year, follow_up, month, as_of), threshold)


@router.get(
    "/region",
    operation_id="get_region_economy",
    summary="Every unit's economy, the region's totals and its result against the target and the balance requirement",
    description=AS_AT,
    responses=error_responses(Forbidden),
    dependencies=[guard(REGION_READ)],
)
async def get_region_economy(
    session: DbSession,
    settings: Settings,
    year: Annotated[Year, Query()],
    follow_up: FollowUpQuery = None,
    month: MonthQuery = None,
    as_of: AsOfQuery = None,
    threshold_percent: ThresholdQuery = None,
) -> RegionEconomyRead:
    threshold = _threshold(threshold_percent, settings.deviation_threshold_percent)
    return await rules.region_economy(session, year, rules.period_of(year, follow_up, month, as_of), threshold)


def _threshold(asked: Decimal | None, configured: Decimal) -> Decimal:
    return asked if asked is not None else configured


@router.get(
    "/region/accounts",
    operation_id="get_region_accounts",
    summary="The year's accounts: income statement from the ledger, result against target, balance requirement",
    description="As at the year's end. Each line names the ledger categories and account-plan rules it sums; "
    "each balance requirement adjustment carries its decision. A year without ledger rows answers "
    "`has_data: false`, and a year finance has not closed says so (`closed: false`).",
    responses=error_responses(Forbidden),
    dependencies=[guard(REGION_READ)],
)
async def get_region_accounts(session: DbSession, year: Annotated[Year, Query()]) -> YearAccounts:
    return await year_accounts(session, year)


DRILL_DOWN = (
    "The rows that make up one figure of the economy read model, paged, in the order unit, month, category, row: "
    "each ledger row with its account, the amount as booked and as the outcome counts it, and the import batch it "
    "came from (id, when, who); an outcome keyed in or corrected by hand stands as one row of its own "
    "(`source: keyed`). `counted` is what a row adds to the figure, so the rows' `counted` add up to it exactly. "
    "The period is read as the read model reads it (follow-up, month, `as_of`); `only_month` narrows it to one "
    "month. Whoever may read the figure may drill into it."
)
FigureQuery = Annotated[
    Figure,
    Query(description="The figure: an account category, `costs` (the unit's cost categories) or `net_cost`"),
]
OnlyMonthQuery = Annotated[Month | None, Query(description="Only this month's rows (within the period)")]


@router.get(
    "/units/{unit_code}/ledger-rows",
    operation_id="list_unit_figure_rows",
    summary="Drill down from a figure of a unit's economy to the ledger rows that make it up",
    description=DRILL_DOWN,
    response_model=Page[LedgerRowRead],
    responses=error_responses(Forbidden),
)
async def list_unit_figure_rows(
    unit_code: Annotated[str, guard(ECONOMY_READ, a_unit_in_path)],
    conn: ReadConnection,
    page: Pagination,
    year: Annotated[Year, Query()],
    figure: FigureQuery = Figure.net_cost,
    follow_up: FollowUpQuery = None,
    month: MonthQuery = None,
    as_of: AsOfQuery = None,
    only_month: OnlyMonthQuery = None,
) -> Response:
    period = rules.period_of(year, follow_up, month, as_of)
    return await drilldown.figure_rows(
        conn, page, year=year, period=period, figure=figure, unit_code=unit_code, only_month=only_month
    )


@router.get(
    "/region/ledger-rows",
    operation_id="list_region_figure_rows",
    summary="Drill down from a figure of the region's economy or year's accounts to its ledger rows",
    description=DRILL_DOWN + " Without `unit`, the region's totals: every unit's rows.",
    response_model=Page[LedgerRowRead],
    responses=error_responses(Forbidden),
    dependencies=[guard(REGION_READ)],
)
async def list_region_figure_rows(
    conn: ReadConnection,
    page: Pagination,
    year: Annotated[Year, Query()],
    figure: FigureQuery = Figure.net_cost,
    unit: Annotated[str | None, Query(max_length=16, description="Only this unit's rows")] = None,
    follow_up: FollowUpQuery = None,
    month: MonthQuery = None,
    as_of: AsOfQuery = None,
    only_month: OnlyMonthQuery = None,
) -> Response:
    period = rules.period_of(year, follow_up, month, as_of)
    return await drilldown.figure_rows(
        conn, page, year=year, period=period, figure=figure, unit_code=unit, only_month=only_month
    )
