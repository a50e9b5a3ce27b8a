"""Rules of indicators, their targets per year, and their measurements per period."""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.access import INDICATOR_UNIT_CODE
from services.goals.models import (
    Goal,
    Indicator,
    IndicatorSource,
    IndicatorTarget,
    Lifecycle,
    Measurement,
    Plan,
    Strategy,
)
from services.goals.rules.common import OrgIndex
from services.goals.rules.fulfilment import KIND_RANK, BadPeriod, indicator_colour, parse_period
from services.goals.rules.measurement_import import IMPORTED_SOURCES
from services.goals.rules.plans import council_code
from services.goals.schemas import (
    IndicatorCreate,
    IndicatorRead,
    IndicatorSeries,
    IndicatorUpdate,
    MeasurementIn,
    MeasurementRead,
    MeasurementUpdate,
    SeriesPoint,
)
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate
from shared.types import utcnow


@dataclass(frozen=True)
class Owner:
    """What an indicator measures: a goal or a strategy; its unit and status decide who may do what."""

    unit_code: str
    status: Lifecycle
    start_year: int
    end_year: int | None


async def owner_of_goal(session: AsyncSession, goal_id: uuid.UUID, index: OrgIndex, *, field: str) -> Owner:
    goal = await session.get(Goal, goal_id)
    if goal is None:
        raise Unprocessable("No goal with that id", field=field)
    return Owner(index.code(goal.unit_id), goal.status, goal.start_year, goal.end_year)


async def owner_of_strategy(session: AsyncSession, strategy_id: uuid.UUID, index: OrgIndex, *, field: str) -> Owner:
    strategy = await session.get(Strategy, strategy_id)
    if strategy is None:
        raise Unprocessable("No strategy with that id", field=field)
    plan = await session.get(Plan, strategy.plan_id)
    assert plan is not None
    return Owner(council_code(index), plan.status, plan.start_year, plan.end_year)


async def owner_for(
    session: AsyncSession,
    index: OrgIndex,
    goal_id: uuid.UUID | None,
    strategy_id: uuid.UUID | None,
    *,
    fields: tuple[str, str] = ("goal_id", "strategy_id"),
) -> Owner:
    """The owner named by exactly one of a goal id and a strategy id."""
    if (goal_id is None) == (strategy_id is None):
        raise Unprocessable("Name either a goal or a strategy", field=fields[0])
    if goal_id is not None:
        return await owner_of_goal(session, goal_id, index, field=fields[0])
    assert strategy_id is not None
    return await owner_of_strategy(session, strategy_id, index, field=fields[1])


async def owner_of(session: AsyncSession, indicator: Indicator, index: OrgIndex) -> Owner:
    if indicator.goal_id is not None:
        return await owner_of_goal(session, indicator.goal_id, index, field="goal_id")
    assert indicator.strategy_id is not None
    return await owner_of_strategy(session, indicator.strategy_id, index, field="strategy_id")


async def get_indicator(session: AsyncSession, indicator_id: uuid.UUID) -> Indicator:
    indicator = await session.get(Indicator, indicator_id)
    if indicator is None:
        raise NotFound("No indicator with that id")
    return indicator


async def targets_of(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[int, Decimal]]:
    targets: dict[uuid.UUID, dict[int, Decimal]] = defaultdict(dict)
    if ids:
        rows = await session.execute(
            select(IndicatorTarget.indicator_id, IndicatorTarget.year, IndicatorTarget.value)
            .where(IndicatorTarget.indicator_id.in_(ids))
            .order_by(IndicatorTarget.year)
        )
        for indicator_id, year, value in rows:
            targets[indicator_id][year] = value
    return targets


def indicator_read(indicator: Indicator, targets: dict[int, Decimal]) -> IndicatorRead:
    return IndicatorRead(
        id=indicator.id,
        goal_id=indicator.goal_id,
        strategy_id=indicator.strategy_id,
        name=indicator.name,
        unit_of_measure=indicator.unit_of_measure,
        direction=indicator.direction,
        baseline_value=indicator.baseline_value,
        baseline_year=indicator.baseline_year,
        tolerance=indicator.tolerance,
        source=indicator.source,
        kolada_kpi=indicator.kolada_kpi,
        kolada_area=indicator.kolada_area,
        external_code=indicator.external_code,
        targets=targets,
        reporter_subject=indicator.reporter_subject,
        reporter_name=indicator.reporter_name,
        version=indicator.version,
    )


def _check_target_years(owner: Owner, years: Sequence[int]) -> None:
    for year in years:
        if year < owner.start_year or (owner.end_year is not None and year > owner.end_year):
            span = f"{owner.start_year}–{owner.end_year or ''}"
            raise Unprocessable(
                f"A target for {year} lies outside the period the goal runs for ({span})", field=f"targets.{year}"
            )


async def create_indicator(
    session: AsyncSession, data: IndicatorCreate, owner: Owner, *, record_id: uuid.UUID | None = None
) -> Indicator:
    """A new indicator; `record_id` is for the demo data, as for goals."""
    _check_target_years(owner, list(data.targets))
    indicator = Indicator(**({"id": record_id} if record_id else {}), **data.model_dump(exclude={"targets"}))
    session.add(indicator)
    await session.flush()
    session.add_all(IndicatorTarget(indicator_id=indicator.id, year=y, value=v) for y, v in data.targets.items())
    await session.flush()
    return indicator


async def update_indicator(session: AsyncSession, indicator: Indicator, data: IndicatorUpdate) -> Indicator:
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for field in ("name", "unit_of_measure", "direction", "tolerance", "source"):
        if field in changes and changes[field] is None:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
    for field, value in changes.items():
        setattr(indicator, field, value)
    if (indicator.baseline_value is None) != (indicator.baseline_year is None):
        raise Unprocessable("A baseline has both a value and a year", field="baseline_year")
    if indicator.source is IndicatorSource.kolada and not indicator.kolada_kpi:
        raise Unprocessable("A Kolada indicator names its KPI id, e.g. N00002", field="kolada_kpi")
    if indicator.source is IndicatorSource.external and not indicator.external_code:
        raise Unprocessable("An imported indicator names its external code", field="external_code")
    await session.flush()
    return indicator


async def set_targets(
    session: AsyncSession, indicator: Indicator, targets: dict[int, Decimal | None], owner: Owner
) -> None:
    _check_target_years(owner, [y for y, v in targets.items() if v is not None])
    existing = {
        t.year: t
        for t in await session.scalars(select(IndicatorTarget).where(IndicatorTarget.indicator_id == indicator.id))
    }
    for year, value in targets.items():
        current = existing.get(year)
        if value is None:
            if current is not None:
                await session.delete(current)
        elif current is None:
            session.add(IndicatorTarget(indicator_id=indicator.id, year=year, value=value))
        elif current.value != value:
            current.value = value
    # Targets are part of the indicator: changing them moves its version, so its ETag goes stale.
    indicator.updated_at = utcnow()
    await session.flush()


def checked_period(period: str) -> tuple[Any, int, int]:
    try:
        return parse_period(period)
    except BadPeriod as exc:
        raise Unprocessable(str(exc), field="period") from exc


async def get_measurement(session: AsyncSession, measurement_id: uuid.UUID) -> Measurement:
    measurement = await session.get(Measurement, measurement_id)
    if measurement is None:
        raise NotFound("No measurement with that id")
    return measurement


def _apply_measurement(measurement: Measurement, data: MeasurementIn | MeasurementUpdate) -> None:
    for field, value in data.model_dump(exclude_unset=True, exclude={"period"}).items():
        setattr(measurement, field, value)


async def create_measurement(session: AsyncSession, indicator: Indicator, data: MeasurementIn) -> Measurement:
    kind, year, end_month = checked_period(data.period)
    period = data.period.strip()
    taken = await session.scalar(
        select(Measurement.id).where(Measurement.indicator_id == indicator.id, Measurement.period == period)
    )
    if taken is not None:
        raise Conflict(
            f"The indicator has a value for {period} already; change that one",
            field="period",
            measurement_id=str(taken),
        )
    measurement = Measurement(
        indicator_id=indicator.id, period=period, period_kind=kind, year=year, period_end_month=end_month
    )
    _apply_measurement(measurement, data)
    session.add(measurement)
    await session.flush()
    return measurement


async def update_measurement(session: AsyncSession, measurement: Measurement, data: MeasurementUpdate) -> Measurement:
    """Change a value. A hand correction of an imported value makes it a manual one, which the
    import then leaves alone instead of overwriting."""
    before = (measurement.value, measurement.value_women, measurement.value_men)
    _apply_measurement(measurement, data)
    corrected = (measurement.value, measurement.value_women, measurement.value_men) != before
    if corrected and "source" not in data.model_fields_set and measurement.source in IMPORTED_SOURCES:
        measurement.source = None
    await session.flush()
    return measurement


async def list_measurements(session: AsyncSession, page: PageParams, indicator: Indicator) -> Page[MeasurementRead]:
    stmt = measurements_query(indicator.id)
    return await paginate(session, stmt, page, lambda row: MeasurementRead.model_validate(row[0]))


def measurements_query(indicator_id: uuid.UUID) -> Select[Measurement]:
    return (
        select(Measurement)
        .where(Measurement.indicator_id == indicator_id)
        .order_by(Measurement.year, Measurement.period_end_month, Measurement.period)
    )


async def delete_measurement(session: AsyncSession, measurement: Measurement) -> None:
    await session.delete(measurement)
    await session.flush()


def _point(measurement: Measurement) -> SeriesPoint:
    last_day = calendar.monthrange(measurement.year, measurement.period_end_month)[1]
    return SeriesPoint(
        period=measurement.period,
        period_kind=measurement.period_kind,
        period_end=date(measurement.year, measurement.period_end_month, last_day),
        value=measurement.value,
        value_women=measurement.value_women,
        value_men=measurement.value_men,
    )


def _standing(points: list[tuple[SeriesPoint, int]], today: date) -> SeriesPoint | None:
    """The value of the last period ended by today; of periods ending together, the year's before a tertial's."""
    ended = [(p.period_end, -rank, p) for p, rank in points if p.period_end <= today and p.value is not None]
    return max(ended, key=lambda e: (e[0], e[1]))[2] if ended else None


def _series(
    indicator: Indicator, unit_code: str, targets: dict[int, Decimal], found: list[Measurement], today: date
) -> IndicatorSeries:
    points = [(_point(m), KIND_RANK[m.period_kind]) for m in found]
    latest = _standing(points, today)
    target = targets.get(latest.period_end.year) if latest is not None else None
    return IndicatorSeries(
        **indicator_read(indicator, targets).model_dump(),
        unit_code=unit_code,
        latest=latest,
        latest_target=target,
        colour=indicator_colour(indicator.direction, indicator.tolerance, target, latest.value if latest else None),
        measurements=[p for p, _ in points],
    )


async def indicator_series(
    session: AsyncSession,
    page: PageParams,
    ids: Sequence[uuid.UUID],
    goal_ids: Sequence[uuid.UUID],
    visible: ColumnElement[bool],
    today: date,
) -> Page[IndicatorSeries]:
    """The indicators named, or measuring the goals named, that the caller may read, each with its targets, all
    its values and its colour today: four statements whatever the number of indicators or values."""
    stmt = (
        select(Indicator, INDICATOR_UNIT_CODE.label("unit_code"))
        .where(or_(Indicator.id.in_(ids), Indicator.goal_id.in_(goal_ids)), visible)
        .order_by(Indicator.name, Indicator.id)
    )
    found = await paginate(session, stmt, page, lambda row: (row[0], row[1]))
    indicator_ids = [indicator.id for indicator, _ in found.items]
    targets = await targets_of(session, indicator_ids)
    values: dict[uuid.UUID, list[Measurement]] = defaultdict(list)
    if indicator_ids:
        for measurement in await session.scalars(
            select(Measurement)
            .where(Measurement.indicator_id.in_(indicator_ids))
            .order_by(Measurement.year, Measurement.period_end_month, Measurement.period)
        ):
            values[measurement.indicator_id].append(measurement)
    return Page[IndicatorSeries](
        items=[_series(i, code, targets[i.id], values[i.id], today) for i, code in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
    )
