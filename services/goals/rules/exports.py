"""Exports of the goals service: measures by external codes (read back by the measures import), and
goals with their indicators and latest values, flattened from the chain."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Goal, Indicator, Measurement, OrgUnit, PeriodKind
from services.goals.rules.common import OrgIndex
from services.goals.rules.measures_tsv import COLUMNS, Granularity
from services.goals.rules.readmodels import scope_unit_ids
from services.goals.schemas import Chain, ChainGoal, IndicatorSnapshot

MEASURE_COLUMNS = COLUMNS
GOAL_COLUMNS = (
    "unit",
    "goal",
    "level",
    "perspective",
    "status",
    "financial",
    "orphan",
    "goal_colour",
    "indicator",
    "unit_of_measure",
    "direction",
    "baseline",
    "baseline_year",
    "target",
    "latest_period",
    "latest_value",
    "latest_women",
    "latest_men",
    "trend",
    "indicator_colour",
)
_KIND = {
    Granularity.month: PeriodKind.month,
    Granularity.tertial: PeriodKind.tertial,
    Granularity.year: PeriodKind.year,
}


def period_end(year: int, end_month: int) -> date:
    """The last day of a period: what the measures import reads back as that period."""
    return date(year, end_month, calendar.monthrange(year, end_month)[1])


def measures_query(
    index: OrgIndex,
    granularity: Granularity,
    unit_code: str | None,
    year: int | None,
    visible: ColumnElement[bool],
) -> Select[*tuple[Any, ...]]:
    stmt: Select[*tuple[Any, ...]] = (
        select(
            OrgUnit.external_code,
            Measurement.year,
            Measurement.period_end_month,
            Indicator.external_code,
            Measurement.value,
        )
        .join(Goal, Goal.unit_id == OrgUnit.id)
        .join(Indicator, Indicator.goal_id == Goal.id)
        .join(Measurement, Measurement.indicator_id == Indicator.id)
        .where(
            OrgUnit.external_code.is_not(None),
            Indicator.external_code.is_not(None),
            Measurement.period_kind == _KIND[granularity],
        )
        .order_by(OrgUnit.external_code, Indicator.external_code, Measurement.year, Measurement.period_end_month)
    )
    units = scope_unit_ids(index, unit_code, with_ancestors=False)
    if units is not None:
        stmt = stmt.where(Goal.unit_id.in_(units))
    if year is not None:
        stmt = stmt.where(Measurement.year == year)
    return stmt.where(visible)


async def measure_rows(session: AsyncSession, stmt: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    rows = await session.execute(stmt)
    return [(unit, period_end(year, month), measure, value) for unit, year, month, measure, value in rows]


def _goal_row(goal: ChainGoal, indicator: IndicatorSnapshot | None) -> tuple[Any, ...]:
    head: tuple[Any, ...] = (goal.unit_code, goal.title, goal.level, goal.perspective, goal.status, goal.financial)
    head += (goal.orphan, goal.colour)
    if indicator is None:
        return (*head, *(None,) * (len(GOAL_COLUMNS) - len(head)))
    latest = indicator.latest
    return (
        *head,
        indicator.name,
        indicator.unit_of_measure,
        indicator.direction,
        indicator.baseline_value,
        indicator.baseline_year,
        indicator.target,
        latest.period if latest else None,
        latest.value if latest else None,
        latest.value_women if latest else None,
        latest.value_men if latest else None,
        indicator.trend,
        indicator.colour,
    )


def _walk(goals: list[ChainGoal]) -> Iterator[ChainGoal]:
    for goal in goals:
        yield goal
        yield from _walk(goal.children)


def goal_rows(chain: Chain) -> Iterator[tuple[Any, ...]]:
    """One row per goal and indicator, down the chain; a goal without indicators has one row of its own."""
    tops = [goal for strategy in chain.strategies for goal in strategy.goals] + chain.unlinked_goals
    for goal in _walk(tops):
        if not goal.indicators:
            yield _goal_row(goal, None)
        for indicator in goal.indicators:
            yield _goal_row(goal, indicator)
