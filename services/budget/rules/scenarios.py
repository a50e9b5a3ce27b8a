"""Scenarios on the resource calculation: what a budget year and its two plan years leave for frames.

A scenario grows the tax base of the year before the budget year by each year's growth and taxes it at its
rate; the frames in force that year are uplifted by each year's index and change in population. The
council adopts one scenario a year, which fixes the year's tax rate. Functions flush; the request commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    FrameStatus,
    OperatingFrame,
    ResourceCalculation,
    ResourceScenario,
    ScenarioStatus,
    ScenarioYear,
)
from services.budget.rules.money import HUNDRED, percent_of
from services.budget.rules.resources import room_for_frames
from services.budget.schemas import (
    PLAN_YEARS,
    DecidedYear,
    ScenarioCompared,
    ScenarioComparison,
    ScenarioCreate,
    ScenarioRead,
    ScenarioUpdate,
    ScenarioYearCompared,
    ScenarioYearIn,
    ScenarioYearRead,
    UnitFrames,
    the_plan_period,
)
from shared.decisions import DecisionIn, decision_of, record_decision
from shared.errors import Conflict, Locked, NotFound, Unprocessable
from shared.types import CENT

YEAR_FIELDS = tuple(f for f in ScenarioYearIn.model_fields if f != "year")


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearFigures:
    """What one year of a scenario gives, and each unit's frame that year."""

    year: ScenarioYear
    tax_base: Decimal
    tax_revenue: Decimal
    result_target: Decimal
    room: Decimal
    unit_frames: dict[str, Decimal]

    @property
    def frames(self) -> Decimal:
        return sum(self.unit_frames.values(), Decimal(0))


def plan_period(
    scenario: ResourceScenario, years: Sequence[ScenarioYear], base_frames: dict[str, Decimal]
) -> list[YearFigures]:
    """The scenario's three years in order, each from the one before (amounts rounded to the öre each year)."""
    tax_base = scenario.starting_tax_base
    population = Decimal(scenario.starting_population)
    frames = dict(base_frames)
    figures: list[YearFigures] = []
    for year in sorted(years, key=lambda y: y.year):
        tax_base = _cents(tax_base * (HUNDRED + year.tax_base_growth_percent) / HUNDRED)
        tax_revenue = _cents(tax_base * scenario.tax_rate / HUNDRED)
        target = percent_of(tax_revenue + year.general_grants, scenario.result_target_percent)
        room = tax_revenue + year.general_grants + year.other_revenue - year.pension_cost - target
        uplift = (HUNDRED + year.lpik_percent) / HUNDRED * Decimal(year.population) / population
        frames = {unit: _cents(amount * uplift) for unit, amount in frames.items()}
        population = Decimal(year.population)
        figures.append(YearFigures(year, tax_base, tax_revenue, target, room, frames))
    return figures


def scenario_read(
    scenario: ResourceScenario, years: Sequence[ScenarioYear], base_frames: dict[str, Decimal]
) -> ScenarioRead:
    return ScenarioRead(
        id=scenario.id,
        year=scenario.year,
        name=scenario.name,
        status=scenario.status.value,
        tax_rate=scenario.tax_rate,
        starting_tax_base=scenario.starting_tax_base,
        starting_population=scenario.starting_population,
        result_target_percent=scenario.result_target_percent,
        years=[
            ScenarioYearRead(
                year=f.year.year,
                **{name: getattr(f.year, name) for name in YEAR_FIELDS},
                tax_base=f.tax_base,
                tax_revenue=f.tax_revenue,
                result_target=f.result_target,
                room_for_frames=f.room,
                frames=f.frames,
                margin=f.room - f.frames,
            )
            for f in plan_period(scenario, years, base_frames)
        ],
        comment=scenario.comment,
        decision=decision_of(scenario),
        version=scenario.version,
        updated_at=scenario.updated_at,
    )


async def frames_in_force(session: AsyncSession, year: int) -> dict[str, Decimal]:
    """Each unit's decided frame of `year` (the version in force): what the plan period starts from."""
    rows = await session.execute(
        select(OperatingFrame.unit_code, OperatingFrame.amount).where(
            OperatingFrame.year == year, OperatingFrame.status == FrameStatus.decided
        )
    )
    return {unit: amount for unit, amount in rows}


async def years_of(session: AsyncSession, scenario_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[ScenarioYear]]:
    found: dict[uuid.UUID, list[ScenarioYear]] = {}
    ids = list(scenario_ids)
    if ids:
        for year in await session.scalars(select(ScenarioYear).where(ScenarioYear.scenario_id.in_(ids))):
            found.setdefault(year.scenario_id, []).append(year)
    return found


async def read_scenarios(session: AsyncSession, scenarios: Sequence[ResourceScenario]) -> list[ScenarioRead]:
    """Scenarios as read, in three statements whatever their number (they share the base year's frames)."""
    if not scenarios:
        return []
    years = await years_of(session, (s.id for s in scenarios))
    bases = {year: await frames_in_force(session, year - 1) for year in {s.year for s in scenarios}}
    return [scenario_read(s, years.get(s.id, []), bases[s.year]) for s in scenarios]


async def get_scenario(session: AsyncSession, scenario_id: uuid.UUID) -> ResourceScenario:
    scenario = await session.get(ResourceScenario, scenario_id)
    if scenario is None:
        raise NotFound(f"No scenario {scenario_id}")
    return scenario


async def get_scenario_year(session: AsyncSession, scenario_id: uuid.UUID, year: int) -> ScenarioYear:
    found = await session.scalar(
        select(ScenarioYear).where(ScenarioYear.scenario_id == scenario_id, ScenarioYear.year == year)
    )
    if found is None:
        raise NotFound(f"Scenario {scenario_id} has no year {year}")
    return found


async def list_scenarios(session: AsyncSession, year: int) -> list[ResourceScenario]:
    stmt = select(ResourceScenario).where(ResourceScenario.year == year).order_by(ResourceScenario.name)
    return list(await session.scalars(stmt))


async def _ensure_name_free(session: AsyncSession, year: int, name: str, but: uuid.UUID | None = None) -> None:
    stmt = select(ResourceScenario.id).where(ResourceScenario.year == year, ResourceScenario.name == name)
    if but is not None:
        stmt = stmt.where(ResourceScenario.id != but)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"{year} has a scenario named {name!r} already", field="name")


def _checked_years(year: int, years: list[ScenarioYearIn]) -> list[ScenarioYearIn]:
    try:
        return the_plan_period(year, years)
    except ValueError as exc:
        raise Unprocessable(str(exc), field="years") from None


async def create_scenario(
    session: AsyncSession, resources: ResourceCalculation, data: ScenarioCreate
) -> tuple[ResourceScenario, list[ScenarioYear]]:
    years = _checked_years(resources.year, data.years)
    await _ensure_name_free(session, resources.year, data.name)
    target = data.result_target_percent
    scenario = ResourceScenario(
        year=resources.year,
        status=ScenarioStatus.draft,
        result_target_percent=resources.result_target_percent if target is None else target,
        years_revision=0,
        **data.model_dump(exclude={"years", "result_target_percent"}),
    )
    session.add(scenario)
    await session.flush()
    rows = [ScenarioYear(scenario_id=scenario.id, **y.model_dump()) for y in years]
    session.add_all(rows)
    await session.flush()
    return scenario, rows


def _ensure_draft(scenario: ResourceScenario) -> None:
    if scenario.status is not ScenarioStatus.draft:
        raise Locked("An adopted scenario is the council's decision and is locked")


async def update_scenario(
    session: AsyncSession, scenario: ResourceScenario, data: ScenarioUpdate
) -> list[ScenarioYear]:
    _ensure_draft(scenario)
    new_years = _checked_years(scenario.year, data.years) if data.years is not None else None
    changes = data.model_dump(exclude_unset=True, exclude={"years"})
    for field, value in changes.items():
        if value is None and field != "comment":
            raise Unprocessable(f"{field} cannot be emptied", field=field)
    if "name" in changes:
        await _ensure_name_free(session, scenario.year, changes["name"], but=scenario.id)
    for field, value in changes.items():
        setattr(scenario, field, value)
    years = (await years_of(session, [scenario.id])).get(scenario.id, [])
    if new_years is not None and _replace_figures(years, new_years):
        scenario.years_revision += 1
    await session.flush()
    return years


def _replace_figures(years: list[ScenarioYear], new_years: list[ScenarioYearIn]) -> bool:
    """Each year takes its new figures in place (its own history shows them); whether any changed."""
    by_year = {y.year: y for y in years}
    changed = False
    for new in new_years:
        row = by_year[new.year]
        for name in YEAR_FIELDS:
            value = getattr(new, name)
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
    return changed


async def delete_scenario(session: AsyncSession, scenario: ResourceScenario) -> None:
    _ensure_draft(scenario)
    for year in (await years_of(session, [scenario.id])).get(scenario.id, []):
        await session.delete(year)
    # The years first, each kept in history, before the database's cascade could take them unseen.
    await session.flush()
    await session.delete(scenario)
    await session.flush()


async def adopt_scenario(
    session: AsyncSession, scenario: ResourceScenario, decision: DecisionIn, council_code: str
) -> ResourceScenario:
    """The council's adoption: the scenario is locked and its tax rate becomes the year's."""
    _ensure_draft(scenario)
    if decision.decided_by != council_code:
        raise Unprocessable(
            f"A scenario is adopted by the council ({council_code}), not {decision.decided_by}", field="decided_by"
        )
    adopted = await session.scalar(
        select(ResourceScenario.name).where(
            ResourceScenario.year == scenario.year, ResourceScenario.status == ScenarioStatus.adopted
        )
    )
    if adopted is not None:
        raise Conflict(f"The council has adopted {adopted!r} for {scenario.year} already")
    resources = await session.scalar(select(ResourceCalculation).where(ResourceCalculation.year == scenario.year))
    if resources is None:
        raise Conflict(f"There is no resource calculation for {scenario.year} to fix the tax rate on")
    scenario.status = ScenarioStatus.adopted
    record_decision(scenario, decision)
    resources.tax_rate = scenario.tax_rate
    await session.flush()
    return scenario


def _decided_year(resources: ResourceCalculation, frames: dict[str, Decimal]) -> DecidedYear:
    total = sum(frames.values(), Decimal(0))
    room = room_for_frames(resources)
    return DecidedYear(
        year=resources.year, tax_rate=resources.tax_rate, room_for_frames=room, frames=total, margin=room - total
    )


def _decided_plan_period(
    year: int, calculations: dict[int, ResourceCalculation], base: dict[str, Decimal]
) -> list[DecidedYear]:
    """The resource calculation of each year that has one, its index applied to the frames year by year."""
    decided = []
    frames = dict(base)
    for each in range(year, year + PLAN_YEARS):
        resources = calculations.get(each)
        if resources is None:
            break
        frames = {unit: percent_of(amount, HUNDRED + resources.lpik_percent) for unit, amount in frames.items()}
        decided.append(_decided_year(resources, frames))
    return decided


def _compared(
    scenario: ResourceScenario, figures: list[YearFigures], decided_rooms: dict[int, Decimal]
) -> ScenarioCompared:
    units = sorted(figures[0].unit_frames) if figures else []
    return ScenarioCompared(
        id=scenario.id,
        name=scenario.name,
        status=scenario.status.value,
        tax_rate=scenario.tax_rate,
        years=[
            ScenarioYearCompared(
                year=f.year.year,
                tax_revenue=f.tax_revenue,
                room_for_frames=f.room,
                frames=f.frames,
                margin=f.room - f.frames,
                room_difference=f.room - decided_rooms[f.year.year] if f.year.year in decided_rooms else None,
            )
            for f in figures
        ],
        units=[UnitFrames(unit_code=u, frames=[f.unit_frames[u] for f in figures]) for u in units],
    )


async def compare(session: AsyncSession, year: int, only: Sequence[uuid.UUID] | None) -> ScenarioComparison:
    """The year's scenarios (or those named) side by side with the resource calculation in force.

    Four statements whatever the number of scenarios or units: the calculations, the scenarios, their years
    and the frames in force the year before.
    """
    period = range(year, year + PLAN_YEARS)
    calculations = {
        r.year: r
        for r in await session.scalars(select(ResourceCalculation).where(ResourceCalculation.year.in_(list(period))))
    }
    stmt = select(ResourceScenario).where(ResourceScenario.year == year).order_by(ResourceScenario.name)
    if only:
        stmt = stmt.where(ResourceScenario.id.in_(list(only)))
    scenarios = list(await session.scalars(stmt))
    if only and len(scenarios) != len(set(only)):
        raise Unprocessable(f"Not every scenario named is one of {year}'s", field="scenario")
    years = await years_of(session, (s.id for s in scenarios))
    base = await frames_in_force(session, year - 1)
    decided = _decided_plan_period(year, calculations, base)
    decided_rooms = {d.year: d.room_for_frames for d in decided}
    return ScenarioComparison(
        year=year,
        years=list(period),
        base_year_frames=sum(base.values(), Decimal(0)),
        decided=decided,
        scenarios=[_compared(s, plan_period(s, years.get(s.id, []), base), decided_rooms) for s in scenarios],
    )
