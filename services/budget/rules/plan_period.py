"""The plan period side by side: a budget year and its two plan years, per unit and for the region.

For each of the three years: the unit's frame (the newest version, a proposal in preparation or the
decision in force) against the previous decided version of that year's frame; the needs the units
submitted for the period and what was granted, against what the previous round granted for the same
year; the investments planned and the running costs they bring; and for the region the room the
resource calculation leaves, with the adopted scenario's room against the previous year's adopted
scenario for the same year.

A fixed number of statements whatever the number of units: frames, needs, investments, and for the
region the resource calculations, the adopted scenarios, their years and the frames they start from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    BudgetNeed,
    FrameStatus,
    InvestmentProject,
    InvestmentYear,
    NeedStatus,
    OperatingFrame,
    ProjectStatus,
    ResourceCalculation,
    ResourceScenario,
    ScenarioStatus,
)
from services.budget.rules.resources import room_for_frames
from services.budget.rules.scenarios import frames_in_force, plan_period, years_of
from services.budget.schemas import (
    PLAN_YEARS,
    PlanFrame,
    PlanInvestments,
    PlanNeeds,
    PlanPeriodYear,
    PlanResources,
    RegionPlanPeriod,
    RegionPlanYear,
    UnitPlanPeriod,
)

ZERO = Decimal("0.00")
DECIDED = (FrameStatus.decided, FrameStatus.revised)
REQUESTED = ("amount_1", "amount_2", "amount_3")
GRANTED = ("granted_1", "granted_2", "granted_3")


def _difference(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return now - before if now is not None and before is not None else None


@dataclass
class _FrameVersions:
    """A unit's versions of one year's frame, in revision order."""

    versions: list[Any] = field(default_factory=list)

    def plan_frame(self) -> PlanFrame | None:
        if not self.versions:
            return None
        current = self.versions[-1]
        earlier = [v for v in self.versions[:-1] if v.status in DECIDED]
        previous = earlier[-1] if earlier else None
        return PlanFrame(
            amount=current.amount,
            status=current.status,
            revision=current.revision,
            investment_costs=current.investment_costs,
            previous_decided=previous.amount if previous is not None else None,
            previous_revision=previous.revision if previous is not None else None,
            difference=_difference(current.amount, previous.amount if previous is not None else None),
        )


@dataclass
class _NeedSums:
    count: int = 0
    unanswered: int = 0
    requested: Decimal = ZERO
    granted: Decimal | None = None
    previous_granted: Decimal | None = None

    def add_granted(self, amount: Decimal | None) -> None:
        if amount is not None:
            self.granted = (self.granted or ZERO) + amount

    def add_previous(self, amount: Decimal | None) -> None:
        if amount is not None:
            self.previous_granted = (self.previous_granted or ZERO) + amount

    def read(self) -> PlanNeeds:
        return PlanNeeds(
            count=self.count,
            unanswered=self.unanswered,
            requested=self.requested,
            granted=self.granted,
            previous_granted=self.previous_granted,
            difference=_difference(self.granted, self.previous_granted),
        )


@dataclass
class _Unit:
    frames: dict[int, _FrameVersions] = field(default_factory=dict)
    needs: dict[int, _NeedSums] = field(default_factory=dict)
    investments: dict[int, PlanInvestments] = field(default_factory=dict)


def _unit_filter(column: Any, unit_code: str | None) -> list[ColumnElement[bool]]:
    return [column == unit_code] if unit_code is not None else []


async def _collect(session: AsyncSession, year: int, unit_code: str | None) -> dict[str, _Unit]:
    period = list(range(year, year + PLAN_YEARS))
    units: dict[str, _Unit] = {}

    def unit(code: str) -> _Unit:
        return units.setdefault(code, _Unit())

    frames = await session.execute(
        select(
            OperatingFrame.unit_code,
            OperatingFrame.year,
            OperatingFrame.revision,
            OperatingFrame.status,
            OperatingFrame.amount,
            OperatingFrame.investment_costs,
        )
        .where(OperatingFrame.year.in_(period), *_unit_filter(OperatingFrame.unit_code, unit_code))
        .order_by(OperatingFrame.unit_code, OperatingFrame.year, OperatingFrame.revision)
    )
    for row in frames:
        unit(row.unit_code).frames.setdefault(row.year, _FrameVersions()).versions.append(row)
    await _collect_needs(session, year, unit_code, unit)
    await _collect_investments(session, period, unit_code, unit)
    return units


async def _collect_needs(session: AsyncSession, year: int, unit_code: str | None, unit: Any) -> None:
    """This round's needs (submitted for `year`), and the last round's grants for the years they share."""
    needs = await session.execute(
        select(BudgetNeed.unit_code, BudgetNeed.year, BudgetNeed.status, *(getattr(BudgetNeed, c) for c in REQUESTED))
        .add_columns(*(getattr(BudgetNeed, c) for c in GRANTED))
        .where(BudgetNeed.year.in_([year - 1, year]), *_unit_filter(BudgetNeed.unit_code, unit_code))
    )
    for code, round_year, status, *amounts in needs:
        requested, granted = amounts[:PLAN_YEARS], amounts[PLAN_YEARS:]
        sums = unit(code).needs
        for offset in range(PLAN_YEARS):
            each = round_year + offset
            if not year <= each < year + PLAN_YEARS:
                continue
            year_sums = sums.setdefault(each, _NeedSums())
            if round_year == year:
                year_sums.count += 1
                year_sums.unanswered += status is NeedStatus.submitted
                year_sums.requested += requested[offset]
                year_sums.add_granted(granted[offset])
            else:
                year_sums.add_previous(granted[offset])


async def _collect_investments(session: AsyncSession, period: list[int], unit_code: str | None, unit: Any) -> None:
    rows = await session.execute(
        select(
            InvestmentProject.owner_unit,
            InvestmentYear.year,
            func.sum(InvestmentYear.planned),
            func.sum(InvestmentYear.depreciation),
            func.sum(InvestmentYear.interest),
            func.sum(InvestmentYear.running_costs),
        )
        .join(InvestmentProject, InvestmentProject.id == InvestmentYear.project_id)
        .where(
            InvestmentYear.year.in_(period),
            InvestmentProject.status != ProjectStatus.cancelled,
            *_unit_filter(InvestmentProject.owner_unit, unit_code),
        )
        .group_by(InvestmentProject.owner_unit, InvestmentYear.year)
    )
    for code, each, planned, depreciation, interest, running in rows:
        unit(code).investments[each] = PlanInvestments(
            planned=Decimal(planned),
            depreciation=Decimal(depreciation),
            interest=Decimal(interest),
            running_costs=Decimal(running),
        )


def _plan_year(unit: _Unit, each: int) -> PlanPeriodYear:
    frames = unit.frames.get(each)
    needs = unit.needs.get(each)
    return PlanPeriodYear(
        year=each,
        frame=frames.plan_frame() if frames is not None else None,
        needs=needs.read() if needs is not None else _NeedSums().read(),
        investments=unit.investments.get(each, PlanInvestments()),
    )


def _unit_period(code: str, year: int, unit: _Unit) -> UnitPlanPeriod:
    return UnitPlanPeriod(
        unit_code=code, year=year, years=[_plan_year(unit, each) for each in range(year, year + PLAN_YEARS)]
    )


async def unit_plan_period(session: AsyncSession, unit_code: str, year: int) -> UnitPlanPeriod:
    units = await _collect(session, year, unit_code)
    return _unit_period(unit_code, year, units.get(unit_code, _Unit()))


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


async def _adopted_rooms(session: AsyncSession, years: Sequence[int]) -> dict[int, dict[int, Decimal]]:
    """The room each year's adopted scenario gives its three years: {scenario year: {year: room}}."""
    adopted = list(
        await session.scalars(
            select(ResourceScenario).where(
                ResourceScenario.year.in_(list(years)), ResourceScenario.status == ScenarioStatus.adopted
            )
        )
    )
    scenario_years = await years_of(session, (s.id for s in adopted))
    rooms: dict[int, dict[int, Decimal]] = {}
    for scenario in adopted:
        base = await frames_in_force(session, scenario.year - 1)
        figures = plan_period(scenario, scenario_years.get(scenario.id, []), base)
        rooms[scenario.year] = {f.year.year: f.room for f in figures}
    return rooms


async def region_plan_period(session: AsyncSession, year: int) -> RegionPlanPeriod:
    period = list(range(year, year + PLAN_YEARS))
    units = await _collect(session, year, None)
    unit_periods = [_unit_period(code, year, units[code]) for code in sorted(units)]
    calculations = {
        r.year: r
        for r in await session.scalars(select(ResourceCalculation).where(ResourceCalculation.year.in_(period)))
    }
    rooms = await _adopted_rooms(session, [year - 1, year])
    years = []
    for index, each in enumerate(period):
        rows = [u.years[index] for u in unit_periods]
        frames = _sum(r.frame.amount if r.frame else None for r in rows)
        calculation = calculations.get(each)
        adopted = rooms.get(year, {}).get(each)
        previous = rooms.get(year - 1, {}).get(each)
        years.append(
            RegionPlanYear(
                year=each,
                frames=frames,
                previous_decided_frames=_sum(r.frame.previous_decided if r.frame else None for r in rows),
                frames_difference=_sum(r.frame.difference if r.frame else None for r in rows),
                investment_costs_in_frames=_sum(r.frame.investment_costs if r.frame else None for r in rows),
                needs_requested=sum((r.needs.requested for r in rows), ZERO),
                needs_granted=_sum(r.needs.granted for r in rows),
                needs_previous_granted=_sum(r.needs.previous_granted for r in rows),
                investments=PlanInvestments(
                    planned=sum((r.investments.planned for r in rows), ZERO),
                    depreciation=sum((r.investments.depreciation for r in rows), ZERO),
                    interest=sum((r.investments.interest for r in rows), ZERO),
                    running_costs=sum((r.investments.running_costs for r in rows), ZERO),
                ),
                resources=PlanResources(
                    tax_rate=calculation.tax_rate if calculation is not None else None,
                    room_for_frames=room_for_frames(calculation) if calculation is not None else None,
                    margin=_difference(room_for_frames(calculation), frames) if calculation is not None else None,
                    adopted_scenario_room=adopted,
                    previous_adopted_room=previous,
                    room_difference=_difference(adopted, previous),
                ),
            )
        )
    return RegionPlanPeriod(year=year, years=years, units=unit_periods)
