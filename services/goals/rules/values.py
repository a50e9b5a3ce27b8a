"""The values that stand for indicators: at a reporting period, and the latest two, as at a date.

Each is one SQL statement whatever the number of indicators (a window function per indicator). Only
measurements of periods ended by the date count (services/goals/rules/asat.py).

The indicators come as a statement of their ids, built once (a read model's statements are built once per
shape of the caller's roles, its values sent as parameters): the statements here are derived from it once
too (shared/statements.py), since building them, aliases and all, cost more than running them (issue 17).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, ScalarSelect, Select, and_, bindparam, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.goals.models import (
    Colour,
    Direction,
    Indicator,
    IndicatorTarget,
    Measurement,
    ReportingPeriod,
)
from services.goals.rules.asat import as_of_params, measured_by, through_month
from services.goals.rules.fulfilment import KIND_RANK, goal_colour, indicator_colour
from shared.statements import AnySelect, derived, read_rows

YEAR = bindparam("year", type_=Integer)
THROUGH_MONTH = bindparam("through_month", type_=Integer)
Params = Mapping[str, Any]


def period_params(year: int, period: ReportingPeriod, as_of: date) -> dict[str, Any]:
    """The values of YEAR, THROUGH_MONTH and the as-at parameters, for the values standing at `period` of `year`."""
    return {"year": year, "through_month": through_month(year, period, as_of), **as_of_params(as_of)}


def _kind_rank_of(measurement: type[Measurement]) -> ColumnElement[int]:
    return case(*((measurement.period_kind == kind, rank) for kind, rank in KIND_RANK.items()), else_=9)


_kind_rank = _kind_rank_of(Measurement)


@dataclass(frozen=True)
class Standing:
    period: str
    value: Decimal
    value_women: Decimal | None
    value_men: Decimal | None


def _ranked(where: ColumnElement[bool], order: list[Any]) -> Select[Any]:
    rank = func.row_number().over(partition_by=Measurement.indicator_id, order_by=order).label("rank")
    inner = (
        select(
            Measurement.indicator_id,
            Measurement.period,
            Measurement.value,
            Measurement.value_women,
            Measurement.value_men,
            rank,
        )
        .where(where, Measurement.value.is_not(None))
        .subquery()
    )
    return select(
        inner.c.indicator_id, inner.c.period, inner.c.value, inner.c.value_women, inner.c.value_men, inner.c.rank
    )


def _standing_of(owner: Any, column: str) -> ScalarSelect[Any]:
    """`column` of the measurement standing for the indicator `owner` in YEAR through THROUGH_MONTH
    (see asat.through_month): the latest end month, the coarser kind first.

    An ordered LIMIT 1 per indicator on the (indicator, year, end month) index, rather than ranking
    every measurement of the year and keeping the first: SQLite sorted 80,000 rows for the window
    function on a large region."""
    candidate = aliased(Measurement)
    return (
        select(getattr(candidate, column))
        .where(
            candidate.indicator_id == owner.id,
            candidate.year == YEAR,
            candidate.period_end_month <= THROUGH_MONTH,
            candidate.value.is_not(None),
        )
        .order_by(candidate.period_end_month.desc(), _kind_rank_of(candidate))
        .limit(1)
        .correlate(owner)
        .scalar_subquery()
    )


@derived
def _standing(indicators: Select[Any]) -> Select[uuid.UUID, str, Decimal | None, Decimal | None, Decimal | None]:
    """Per indicator in `indicators` (a select of ids), the measurement standing in YEAR through THROUGH_MONTH."""
    owner = aliased(Indicator)
    # The ids first, then the rows by id: joined on the subquery, SQLite would search per row pair.
    standing = (
        select(_standing_of(owner, "id").label("id")).select_from(owner).where(owner.id.in_(indicators)).subquery()
    )
    return select(
        Measurement.indicator_id, Measurement.period, Measurement.value, Measurement.value_women, Measurement.value_men
    ).join_from(standing, Measurement, Measurement.id == standing.c.id)


async def standing_at(
    session: AsyncSession,
    indicators: Select[Any],
    year: int,
    period: ReportingPeriod,
    as_of: date,
    params: Params | None = None,
) -> dict[uuid.UUID, Standing]:
    """Per indicator in `indicators` (a select of ids, its own parameters in `params`), the value standing at
    `period` of `year` as at `as_of`."""
    rows = await read_rows(session, _standing(indicators), {**(params or {}), **period_params(year, period, as_of)})
    return {r.indicator_id: Standing(r.period, r.value, r.value_women, r.value_men) for r in rows}


@derived
def _latest_two(indicators: Select[Any]) -> Select[Any]:
    ranked = _ranked(
        and_(Measurement.indicator_id.in_(indicators), measured_by(Measurement)),
        [Measurement.year.desc(), Measurement.period_end_month.desc(), _kind_rank],
    )
    sub = ranked.subquery()
    return select(sub).where(sub.c.rank <= 2).order_by(sub.c.indicator_id, sub.c.rank)


async def latest_two(
    session: AsyncSession, indicators: Select[Any], as_of: date, params: Params | None = None
) -> dict[uuid.UUID, list[Standing]]:
    """Per indicator, its latest value as at `as_of` and the one before (for the trend), newest first:
    a value of a period that ends after `as_of` is not yet known on that date, whenever it was typed."""
    rows = await read_rows(session, _latest_two(indicators), {**(params or {}), **as_of_params(as_of)})
    found: dict[uuid.UUID, list[Standing]] = {}
    for r in rows:
        found.setdefault(r.indicator_id, []).append(Standing(r.period, r.value, r.value_women, r.value_men))
    return found


@derived
def _targets(indicators: Select[Any]) -> AnySelect:
    return select(IndicatorTarget.indicator_id, IndicatorTarget.value).where(
        IndicatorTarget.indicator_id.in_(indicators), IndicatorTarget.year == YEAR
    )


async def targets_for_year(
    session: AsyncSession, indicators: Select[Any], year: int, params: Params | None = None
) -> dict[uuid.UUID, Decimal]:
    rows = await read_rows(session, _targets(indicators), {**(params or {}), "year": year})
    return {indicator_id: value for indicator_id, value in rows}


def trend(direction: Direction, values: list[Standing]) -> str | None:
    """improving, worsening or unchanged, from the previous value to the latest; None with fewer than two."""
    if len(values) < 2:
        return None
    change = values[0].value - values[1].value
    if change == 0:
        return "unchanged"
    better = change > 0 if direction is Direction.higher_is_better else change < 0
    return "improving" if better else "worsening"


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    """What the read models need of an indicator, read as plain rows: the ORM costs 3× on 20,000 of them."""

    id: uuid.UUID
    goal_id: uuid.UUID | None
    strategy_id: uuid.UUID | None
    name: str
    unit_of_measure: str
    direction: Direction
    baseline_value: Decimal | None
    baseline_year: int | None
    tolerance: Decimal


_FACT_COLUMNS = (
    Indicator.id,
    Indicator.goal_id,
    Indicator.strategy_id,
    Indicator.name,
    Indicator.unit_of_measure,
    Indicator.direction,
    Indicator.baseline_value,
    Indicator.baseline_year,
    Indicator.tolerance,
)


@derived
def _facts(indicators: Select[Any]) -> AnySelect:
    return select(*_FACT_COLUMNS).where(Indicator.id.in_(indicators)).order_by(Indicator.name, Indicator.id)


async def indicator_facts(
    session: AsyncSession, indicators: Select[Any], params: Params | None = None
) -> list[IndicatorFacts]:
    """The indicators of `indicators` (a select of ids), by name, without building ORM objects."""
    rows = await read_rows(session, _facts(indicators), params or {})
    return [IndicatorFacts(*row) for row in rows]


@dataclass(frozen=True)
class IndicatorColour:
    indicator: IndicatorFacts
    target: Decimal | None
    standing: Standing | None
    colour: Colour


async def colours_at(
    session: AsyncSession,
    indicators: Iterable[IndicatorFacts],
    ids: Select[Any],
    year: int,
    period: ReportingPeriod,
    as_of: date,
    params: Params | None = None,
) -> dict[uuid.UUID, IndicatorColour]:
    """Each indicator's colour at `period` of `year` as at `as_of`: against the target of that year."""
    targets = await targets_for_year(session, ids, year, params)
    standing = await standing_at(session, ids, year, period, as_of, params)
    result = {}
    for indicator in indicators:
        target, value = targets.get(indicator.id), standing.get(indicator.id)
        colour = indicator_colour(indicator.direction, indicator.tolerance, target, value.value if value else None)
        result[indicator.id] = IndicatorColour(indicator, target, value, colour)
    return result


def colour_of_goal(indicator_colours: Iterable[IndicatorColour]) -> Colour:
    return goal_colour(c.colour for c in indicator_colours)


@derived
def _goal_colour_facts(goals: Select[Any]) -> Select[Any]:
    target = aliased(IndicatorTarget)
    return (
        select(
            Indicator.goal_id, Indicator.direction, Indicator.tolerance, target.value, _standing_of(Indicator, "value")
        )
        .outerjoin(target, and_(target.indicator_id == Indicator.id, target.year == YEAR))
        .where(Indicator.goal_id.in_(goals))
    )


async def goal_colours(
    session: AsyncSession,
    goals: Select[Any],
    year: int,
    period: ReportingPeriod,
    as_of: date,
    params: Params | None = None,
) -> dict[uuid.UUID | None, Colour]:
    """The colour of each goal of `goals` (a select of ids) that has indicators, at `period` of `year` as at `as_of`.

    One read of plain rows, the few columns the colour needs per indicator with its target and its
    standing value beside it: the fulfilment summary needs no names, and on 20,000 indicators the
    ORM's result handling, and parsing each indicator's id once per separate read, cost more than
    the SQL."""
    connection = await session.connection()
    rows = await connection.execute(_goal_colour_facts(goals), {**(params or {}), **period_params(year, period, as_of)})
    per_goal: dict[uuid.UUID | None, list[Colour]] = defaultdict(list)
    for goal_id, direction, tolerance, target_value, value in rows:
        per_goal[goal_id].append(indicator_colour(direction, tolerance, target_value, value))
    return {goal_id: goal_colour(colours) for goal_id, colours in per_goal.items()}
