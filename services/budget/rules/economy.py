"""The economy read models: per unit and for the whole region, aggregated in SQL.

Each answer takes the same few statements however many units and ledger rows there are: one for
the frames in force, one for the year-to-date budgets, one for the outcomes grouped by unit and
category, one for the forecasts, and one for the resource calculation. Python only combines those
aggregates (a handful of rows a unit).

An answer speaks as at a date (`as_of`, shared/asof.py): the frame in force that day (the decided
version with the highest revision decided on or before it), the outcomes of the months ended by then
within the follow-up asked, and the forecasts of the follow-ups up to that month, whenever they were
typed in. A decided version without a decision date (only old or restored data; the API always
records one) counts as decided before the year began.

The statements are built once for each number of months and whether a unit is asked about, the year, the
date and the unit sent as parameters: building them cost more than running them (issue 17).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Date, Integer, bindparam, func, literal, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    FOLLOW_UP_MONTH,
    UNIT_CATEGORIES,
    UNIT_COST_CATEGORIES,
    AccountCategory,
    FollowUp,
    Forecast,
    FrameStatus,
    OperatingFrame,
    Outcome,
    Periodisation,
    ResourceCalculation,
)
from services.budget.rules.money import share_percent
from services.budget.rules.resources import result_target
from services.budget.schemas import (
    Deviation,
    ForecastSummary,
    OutcomeSummary,
    RegionEconomyRead,
    RegionResult,
    UnitEconomy,
    UnitEconomyRead,
)
from shared.asof import month_end, months_ended_in_year, period_end
from shared.statements import read_rows
from shared.types import CENT, Money

ZERO = Decimal("0.00")
IN_FORCE_STATUSES = (FrameStatus.decided, FrameStatus.revised)


@dataclass
class _UnitFigures:
    frame: Decimal | None = None
    frame_revision: int | None = None
    frame_decided_on: date | None = None
    budget_ytd: Decimal | None = None
    outcomes: dict[AccountCategory, Decimal] = field(default_factory=dict)
    forecast: ForecastSummary | None = None


def _money(expression: ColumnElement[Any]) -> ColumnElement[Decimal]:
    # Arithmetic on Money columns must come back through Money (integer öre on SQLite).
    return type_coerce(expression, Money())


def _ytd_budget_expression(through_month: int) -> ColumnElement[Decimal]:
    if through_month == 0:
        return _money(literal(0))
    columns = [getattr(Periodisation, f"m{m}") for m in range(1, through_month + 1)]
    total: ColumnElement[Any] = columns[0]
    for column in columns[1:]:
        total = total + column
    return _money(total)


YEAR = bindparam("year", type_=Integer)
AS_OF = bindparam("as_of", type_=Date)
UNIT: BindParameter[str] = bindparam("unit_code")


def _unit_filter(column: Any, unit_code: str | None) -> list[ColumnElement[bool]]:
    return [column == unit_code] if unit_code is not None else []


def _the_unit(column: Any, by_unit: bool) -> list[ColumnElement[bool]]:
    """The unit of the parameter UNIT, when one is asked about."""
    return [column == UNIT] if by_unit else []


def _decided_by(as_of: date | None = None) -> ColumnElement[bool]:
    """Decided on or before `as_of` (without a date, the parameter AS_OF)."""
    return or_(OperatingFrame.decided_on.is_(None), OperatingFrame.decided_on <= (as_of or AS_OF))


@functools.cache
def _collect_queries(by_unit: bool, through_month: int) -> tuple[Any, Any, Any, Any]:
    """The frames in force, the year-to-date budgets, the outcomes and the forecasts through `through_month`."""
    frames = (
        select(OperatingFrame.unit_code, OperatingFrame.revision, OperatingFrame.decided_on, OperatingFrame.amount)
        .where(
            OperatingFrame.year == YEAR,
            OperatingFrame.status.in_(IN_FORCE_STATUSES),
            _decided_by(),
            *_the_unit(OperatingFrame.unit_code, by_unit),
        )
        .order_by(OperatingFrame.unit_code, OperatingFrame.revision)
    )
    budgets = select(Periodisation.unit_code, _ytd_budget_expression(through_month)).where(
        Periodisation.year == YEAR, *_the_unit(Periodisation.unit_code, by_unit)
    )
    outcomes = (
        select(Outcome.unit_code, Outcome.category, _money(func.sum(Outcome.amount)))
        .where(
            Outcome.year == YEAR,
            Outcome.month <= through_month,
            Outcome.category.in_(UNIT_CATEGORIES),
            *_the_unit(Outcome.unit_code, by_unit),
        )
        .group_by(Outcome.unit_code, Outcome.category)
    )
    made = [f for f, month in FOLLOW_UP_MONTH.items() if month <= through_month]
    forecasts = (
        select(Forecast.unit_code, Forecast.follow_up, Forecast.amount, Forecast.comment)
        .where(Forecast.year == YEAR, Forecast.follow_up.in_(made), *_the_unit(Forecast.unit_code, by_unit))
        .order_by(Forecast.unit_code, Forecast.follow_up)
    )
    return frames, budgets, outcomes, forecasts


async def _collect(
    session: AsyncSession, year: int, through_month: int, as_of: date, unit_code: str | None
) -> dict[str, _UnitFigures]:
    figures: dict[str, _UnitFigures] = {}

    def unit(code: str) -> _UnitFigures:
        return figures.setdefault(code, _UnitFigures())

    frames_q, budgets_q, outcomes_q, forecasts_q = _collect_queries(unit_code is not None, through_month)
    params = {"year": year, "as_of": as_of, "unit_code": unit_code}
    frames = await read_rows(session, frames_q, params)
    for code, revision, decided_on, amount in frames:
        # Ordered by revision, so the latest version decided by `as_of` is the one in force.
        unit(code).frame, unit(code).frame_revision, unit(code).frame_decided_on = amount, revision, decided_on
    for code, amount in await read_rows(session, budgets_q, params):
        unit(code).budget_ytd = amount
    for code, category, amount in await read_rows(session, outcomes_q, params):
        unit(code).outcomes[category] = amount
    for code, follow_up, amount, comment in await read_rows(session, forecasts_q, params):
        # Ordered by follow-up, so the latest made at or before this one wins.
        unit(code).forecast = ForecastSummary(follow_up=follow_up, amount=amount, comment=comment)
    return figures


def _outcome_summary(amounts: dict[AccountCategory, Decimal]) -> OutcomeSummary:
    by_category = {c.value: amounts.get(c, ZERO) for c in UNIT_CATEGORIES}
    costs = sum((amounts.get(c, ZERO) for c in UNIT_COST_CATEGORIES), ZERO)
    return OutcomeSummary(**by_category, costs=costs, net_cost=costs - by_category["revenue"])


def _deviation(budget: Decimal, actual: Decimal, threshold: Decimal) -> Deviation:
    amount = budget - actual
    percent = share_percent(amount, budget)
    overrun_percent = -percent if percent is not None else None
    flagged = amount < 0 and (overrun_percent is None or overrun_percent > threshold)
    return Deviation(amount=amount, percent=percent, flagged=flagged)


def _even_budget(frame: Decimal, through_month: int) -> Decimal:
    return (frame * through_month / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def _unit_economy(code: str, f: _UnitFigures, through_month: int, threshold: Decimal) -> UnitEconomy:
    outcome = _outcome_summary(f.outcomes)
    budget_ytd, source = f.budget_ytd, "periodised" if f.budget_ytd is not None else None
    if budget_ytd is None and f.frame is not None:
        budget_ytd, source = _even_budget(f.frame, through_month), "even"
    forecast_deviation = (
        _deviation(f.frame, f.forecast.amount, threshold) if f.frame is not None and f.forecast is not None else None
    )
    ytd_deviation = _deviation(budget_ytd, outcome.net_cost, threshold) if budget_ytd is not None else None
    return UnitEconomy(
        unit_code=code,
        frame=f.frame,
        frame_revision=f.frame_revision,
        frame_decided_on=f.frame_decided_on,
        budget_ytd=budget_ytd,
        budget_ytd_source=source,
        outcome_ytd=outcome,
        forecast=f.forecast,
        forecast_deviation=forecast_deviation,
        ytd_deviation=ytd_deviation,
        flagged=any(d is not None and d.flagged for d in (forecast_deviation, ytd_deviation)),
    )


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def _totals(units: dict[str, _UnitFigures], through_month: int, threshold: Decimal) -> UnitEconomy:
    """The region as one unit: units without a forecast count with their frame, as the finance office does."""
    outcomes: dict[AccountCategory, Decimal] = {}
    for figures in units.values():
        for category, amount in figures.outcomes.items():
            outcomes[category] = outcomes.get(category, ZERO) + amount
    frame = _sum(f.frame for f in units.values())
    budget_ytd = _sum(
        f.budget_ytd
        if f.budget_ytd is not None
        else (_even_budget(f.frame, through_month) if f.frame is not None else None)
        for f in units.values()
    )
    forecasts = [f.forecast.amount if f.forecast else f.frame for f in units.values()]
    forecast = None
    if any(f.forecast for f in units.values()):
        latest = max(f.forecast.follow_up for f in units.values() if f.forecast)
        forecast = ForecastSummary(follow_up=latest, amount=_sum(forecasts) or ZERO, comment=None)
    total = _UnitFigures(frame=frame, budget_ytd=budget_ytd, outcomes=outcomes, forecast=forecast)
    return _unit_economy("REGION", total, through_month, threshold)


@dataclass(frozen=True)
class Period:
    """What an economy answer covers: the months through `through_month`, as known on `as_of`."""

    through_month: int
    as_of: date


def period_of(year: int, follow_up: FollowUp | None, month: int | None, as_of: date | None) -> Period:
    """A follow-up (or month) speaks as at its end unless `as_of` says otherwise; the whole year by default.
    Only months ended by `as_of` count, so an earlier `as_of` shortens the period and a later one does not
    lengthen it."""
    if month is not None:
        asked, end = month, month_end(year, month)
    elif follow_up is not None:
        asked, end = FOLLOW_UP_MONTH[follow_up], period_end(year, follow_up.value)
    else:
        asked, end = 12, period_end(year, "year")
    known = as_of if as_of is not None else end
    return Period(through_month=min(asked, months_ended_in_year(year, known)), as_of=known)


async def unit_economy(
    session: AsyncSession, unit_code: str, year: int, period: Period, threshold: Decimal
) -> UnitEconomyRead:
    through_month = period.through_month
    figures = (await _collect(session, year, through_month, period.as_of, unit_code)).get(unit_code, _UnitFigures())
    economy = _unit_economy(unit_code, figures, through_month, threshold)
    return UnitEconomyRead(
        **economy.model_dump(),
        year=year,
        through_month=through_month,
        as_of=period.as_of,
        threshold_percent=threshold,
    )


def _prorated(amount: Decimal, through_month: int) -> Decimal:
    return (amount * through_month / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def _result(resources: ResourceCalculation, totals: UnitEconomy, through_month: int) -> RegionResult:
    general = resources.tax_revenue + resources.general_grants + resources.other_revenue
    target = result_target(resources)
    frames = totals.frame or ZERO
    revenue_ytd = totals.outcome_ytd.revenue + _prorated(general, through_month)
    cost_ytd = totals.outcome_ytd.costs + _prorated(resources.pension_cost, through_month)
    net_cost_forecast = totals.forecast.amount if totals.forecast else frames
    result_forecast = general - resources.pension_cost - net_cost_forecast
    taxes_and_grants = resources.tax_revenue + resources.general_grants
    return RegionResult(
        tax_and_grants_and_other_revenue=general,
        pension_cost=resources.pension_cost,
        result_target=target,
        budgeted_result=general - resources.pension_cost - frames,
        revenue_ytd=revenue_ytd,
        cost_ytd=cost_ytd,
        result_ytd=revenue_ytd - cost_ytd,
        result_target_ytd=_prorated(target, through_month),
        balance_requirement_met_ytd=revenue_ytd > cost_ytd,
        net_cost_forecast=net_cost_forecast,
        result_forecast=result_forecast,
        result_forecast_percent=share_percent(result_forecast, taxes_and_grants),
        result_target_percent=resources.result_target_percent,
        balance_requirement_met_forecast=result_forecast > 0,
        result_target_met_forecast=result_forecast >= target,
    )


_RESOURCES = select(ResourceCalculation).where(ResourceCalculation.year == YEAR)


async def region_economy(session: AsyncSession, year: int, period: Period, threshold: Decimal) -> RegionEconomyRead:
    through_month = period.through_month
    figures = await _collect(session, year, through_month, period.as_of, None)
    units = [_unit_economy(code, figures[code], through_month, threshold) for code in sorted(figures)]
    totals = _totals(figures, through_month, threshold)
    resources = await session.scalar(_RESOURCES, {"year": year})
    return RegionEconomyRead(
        year=year,
        through_month=through_month,
        as_of=period.as_of,
        threshold_percent=threshold,
        units=units,
        totals=totals,
        flagged_units=[u.unit_code for u in units if u.flagged],
        result=_result(resources, totals, through_month) if resources is not None else None,
    )
