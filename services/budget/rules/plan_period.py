"""The plan period side by side: a budget year and its two plan years, per unit and for the region.

For each of the three years: the unit's frame (the newest version, a proposal in preparation or the
decision in force) against the previous decided version of that year's frame; the needs the units
submitted for the period and what was granted, against what the previous round granted for the same
year; the investments planned and the running costs they bring; and for the region the room the
resource calculation leaves, with the adopted scenario's room against the previous year's adopted
scenario for the same year.

Read as it stands (the units' planning material, frame proposals and needs with it) or as at a date
(`Reading`): then only what was decided by that day, as a report as at its period's end shows it.

One statement whatever the number of units, plus one for the needs when they are read: the frames, the
investments and, for the region, the resource calculations and the adopted scenarios with their years
are read together, each kind of row filling its own columns (a report asks for the plan period beside
the economy, and keeps to one statement more for it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    Uuid,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
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
    ScenarioYear,
)
from services.budget.rules.resources import room_for_frames
from services.budget.rules.scenarios import plan_period
from services.budget.schemas import (
    PLAN_YEARS,
    AdoptedScenario,
    PlanFrame,
    PlanInvestments,
    PlanNeeds,
    PlanPeriodYear,
    PlanResources,
    RegionPlanPeriod,
    RegionPlanYear,
    UnitPlanPeriod,
)
from shared.decisions import decision_of
from shared.types import Money, Quantity

ZERO = Decimal("0.00")
DECIDED = (FrameStatus.decided, FrameStatus.revised)
REQUESTED = ("amount_1", "amount_2", "amount_3")
GRANTED = ("granted_1", "granted_2", "granted_3")


def _difference(now: Decimal | None, before: Decimal | None) -> Decimal | None:
    return now - before if now is not None and before is not None else None


@dataclass(frozen=True)
class _FrameVersion:
    revision: int
    status: FrameStatus
    amount: Decimal
    investment_costs: Decimal


@dataclass
class _FrameVersions:
    """A unit's versions of one year's frame, in revision order."""

    versions: list[_FrameVersion] = field(default_factory=list)

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


@dataclass(frozen=True)
class Reading:
    """How the plan period is read: as it stands, the units' planning material (frame proposals and needs) with
    it; or as at a date (`as_of`), only what was decided by then: the frame versions decided by that day, the
    scenarios adopted by then and the tax rates they fixed. Needs carry no date of their own (neither when they
    were submitted nor when they were answered), so as at a date they are left out, as proposals are."""

    as_of: date | None = None

    @property
    def planning(self) -> bool:
        return self.as_of is None


# The one statement's columns: each kind of row (a frame version, a unit's investments of a year, a year's
# resource calculation, a year of an adopted scenario) fills those it needs, typed alike in every branch.
_COLUMNS: dict[str, Any] = {
    "kind": String(),
    "unit_code": String(),
    "year": Integer(),
    "number": Integer(),
    "status": String(),
    "name": String(),
    "ident": Uuid(),
    "decided_by": String(),
    "decided_on": Date(),
    "paragraph": String(),
    "diary_number": String(),
    "count_1": Integer(),
    "count_2": Integer(),
    **{f"money_{n}": Money() for n in range(1, 5)},
    **{f"value_{n}": Quantity() for n in range(1, 5)},
}
FRAME, INVESTMENT, RESOURCES, SCENARIO = "frame", "investment", "resources", "scenario"


def _branch(kind: str, **values: Any) -> list[Any]:
    """The columns of one kind of row, in the statement's order, NULL (typed) where the kind has nothing."""
    filled = {"kind": literal(kind, String()), **values}
    return [(filled[name] if name in filled else cast(null(), type_)).label(name) for name, type_ in _COLUMNS.items()]


def _unit_filter(column: Any, unit_code: str | None) -> list[ColumnElement[bool]]:
    return [column == unit_code] if unit_code is not None else []


def _decided_by(as_of: date) -> ColumnElement[bool]:
    # As the economy read models read a frame: a decided version without a date counts as decided long before.
    return or_(OperatingFrame.decided_on.is_(None), OperatingFrame.decided_on <= as_of)


def _frames(period: list[int], unit_code: str | None, reading: Reading) -> Select[Any]:
    conditions = [OperatingFrame.year.in_(period), *_unit_filter(OperatingFrame.unit_code, unit_code)]
    if reading.as_of is not None:
        conditions += [OperatingFrame.status.in_(DECIDED), _decided_by(reading.as_of)]
    return select(
        *_branch(
            FRAME,
            unit_code=OperatingFrame.unit_code,
            year=OperatingFrame.year,
            number=OperatingFrame.revision,
            status=OperatingFrame.status,
            money_1=OperatingFrame.amount,
            money_2=OperatingFrame.investment_costs,
        )
    ).where(*conditions)


def _summed(column: Any) -> Any:
    return type_coerce(func.sum(column), Money())


def _investments(period: list[int], unit_code: str | None) -> Select[Any]:
    return (
        select(
            *_branch(
                INVESTMENT,
                unit_code=InvestmentProject.owner_unit,
                year=InvestmentYear.year,
                money_1=_summed(InvestmentYear.planned),
                money_2=_summed(InvestmentYear.depreciation),
                money_3=_summed(InvestmentYear.interest),
                money_4=_summed(InvestmentYear.running_costs),
            )
        )
        .join(InvestmentProject, InvestmentProject.id == InvestmentYear.project_id)
        .where(
            InvestmentYear.year.in_(period),
            InvestmentProject.status != ProjectStatus.cancelled,
            *_unit_filter(InvestmentProject.owner_unit, unit_code),
        )
        .group_by(InvestmentProject.owner_unit, InvestmentYear.year)
    )


def _resources(period: list[int]) -> Select[Any]:
    return select(
        *_branch(
            RESOURCES,
            year=ResourceCalculation.year,
            money_1=ResourceCalculation.tax_revenue,
            money_2=ResourceCalculation.general_grants,
            money_3=ResourceCalculation.other_revenue,
            money_4=ResourceCalculation.pension_cost,
            value_1=ResourceCalculation.result_target_percent,
            value_2=ResourceCalculation.tax_rate,
        )
    ).where(ResourceCalculation.year.in_(period))


def _adopted_scenario_years(year: int, reading: Reading) -> Select[Any]:
    """The years of the scenarios adopted for the budget year, the year before (whose rooms it is set against) and
    the plan years (whose adoption fixes their tax rate); as at a date, those adopted by then."""
    conditions = [
        ResourceScenario.year.in_(range(year - 1, year + PLAN_YEARS)),
        ResourceScenario.status == ScenarioStatus.adopted,
    ]
    if reading.as_of is not None:
        conditions.append(ResourceScenario.decided_on <= reading.as_of)
    return (
        select(
            *_branch(
                SCENARIO,
                ident=ResourceScenario.id,
                name=ResourceScenario.name,
                number=ResourceScenario.year,
                decided_by=ResourceScenario.decided_by,
                decided_on=ResourceScenario.decided_on,
                paragraph=ResourceScenario.decision_paragraph,
                diary_number=ResourceScenario.diary_number,
                count_1=ResourceScenario.starting_population,
                money_1=ResourceScenario.starting_tax_base,
                value_1=ResourceScenario.tax_rate,
                value_2=ResourceScenario.result_target_percent,
                year=ScenarioYear.year,
                count_2=ScenarioYear.population,
                money_2=ScenarioYear.general_grants,
                money_3=ScenarioYear.other_revenue,
                money_4=ScenarioYear.pension_cost,
                value_3=ScenarioYear.tax_base_growth_percent,
                value_4=ScenarioYear.lpik_percent,
            )
        )
        .join(ScenarioYear, ScenarioYear.scenario_id == ResourceScenario.id)
        .where(*conditions)
    )


@dataclass
class _Region:
    """What the region's plan period adds to its units': each year's resource calculation and the adopted
    scenarios, by the year they were adopted for."""

    calculations: dict[int, ResourceCalculation] = field(default_factory=dict)
    scenarios: dict[int, ResourceScenario] = field(default_factory=dict)
    scenario_years: dict[int, list[ScenarioYear]] = field(default_factory=dict)


def _calculation(row: Any) -> ResourceCalculation:
    return ResourceCalculation(
        year=row.year,
        tax_revenue=row.money_1,
        general_grants=row.money_2,
        other_revenue=row.money_3,
        pension_cost=row.money_4,
        result_target_percent=row.value_1,
        tax_rate=row.value_2,
    )


def _scenario(row: Any) -> ResourceScenario:
    return ResourceScenario(
        id=row.ident,
        year=row.number,
        name=row.name,
        status=ScenarioStatus.adopted,
        tax_rate=row.value_1,
        starting_tax_base=row.money_1,
        starting_population=row.count_1,
        result_target_percent=row.value_2,
        decided_by=row.decided_by,
        decided_on=row.decided_on,
        decision_paragraph=row.paragraph,
        diary_number=row.diary_number,
    )


def _scenario_year(row: Any) -> ScenarioYear:
    return ScenarioYear(
        scenario_id=row.ident,
        year=row.year,
        tax_base_growth_percent=row.value_3,
        population=row.count_2,
        lpik_percent=row.value_4,
        pension_cost=row.money_4,
        general_grants=row.money_2,
        other_revenue=row.money_3,
    )


def _status_as_read(status: str, reading: Reading) -> FrameStatus:
    """As at a date, a version a later decision revised was still the decision in force on that day."""
    if reading.as_of is not None and status == FrameStatus.revised:
        return FrameStatus.decided
    return FrameStatus(status)


async def _collect(
    session: AsyncSession, year: int, unit_code: str | None, reading: Reading
) -> tuple[dict[str, _Unit], _Region]:
    """The frames, investments and, for the region, resources and adopted scenarios in one statement; the
    needs in one more, when the planning material is read."""
    period = list(range(year, year + PLAN_YEARS))
    branches = [_frames(period, unit_code, reading), _investments(period, unit_code)]
    if unit_code is None:
        branches += [_resources(period), _adopted_scenario_years(year, reading)]
    everything = union_all(*branches).subquery("plan_period")
    rows = await session.execute(
        select(everything).order_by(everything.c.kind, everything.c.unit_code, everything.c.year, everything.c.number)
    )
    units: dict[str, _Unit] = {}
    region = _Region()

    def unit(code: str) -> _Unit:
        return units.setdefault(code, _Unit())

    for row in rows:
        if row.kind == FRAME:
            version = _FrameVersion(row.number, _status_as_read(row.status, reading), row.money_1, row.money_2)
            unit(row.unit_code).frames.setdefault(row.year, _FrameVersions()).versions.append(version)
        elif row.kind == INVESTMENT:
            unit(row.unit_code).investments[row.year] = PlanInvestments(
                planned=row.money_1, depreciation=row.money_2, interest=row.money_3, running_costs=row.money_4
            )
        elif row.kind == RESOURCES:
            region.calculations[row.year] = _calculation(row)
        else:
            region.scenarios.setdefault(row.number, _scenario(row))
            region.scenario_years.setdefault(row.number, []).append(_scenario_year(row))
    if reading.planning:
        await _collect_needs(session, year, unit_code, unit)
    return units, region


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


def _plan_year(unit: _Unit, each: int, reading: Reading) -> PlanPeriodYear:
    frames = unit.frames.get(each)
    needs = unit.needs.get(each, _NeedSums())
    return PlanPeriodYear(
        year=each,
        frame=frames.plan_frame() if frames is not None else None,
        needs=needs.read() if reading.planning else None,
        investments=unit.investments.get(each, PlanInvestments()),
    )


def _unit_period(code: str, year: int, unit: _Unit, reading: Reading) -> UnitPlanPeriod:
    years = [_plan_year(unit, each, reading) for each in range(year, year + PLAN_YEARS)]
    return UnitPlanPeriod(unit_code=code, year=year, as_of=reading.as_of, years=years)


async def unit_plan_period(session: AsyncSession, unit_code: str, year: int, reading: Reading) -> UnitPlanPeriod:
    units, _ = await _collect(session, year, unit_code, reading)
    return _unit_period(unit_code, year, units.get(unit_code, _Unit()), reading)


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def _rooms(region: _Region) -> dict[int, dict[int, Decimal]]:
    """The room each adopted scenario gives its three years: {scenario year: {year: room}}. The room does not
    depend on the frames the scenario uplifts, so none are read."""
    return {
        scenario_year: {f.year.year: f.room for f in plan_period(scenario, region.scenario_years[scenario_year], {})}
        for scenario_year, scenario in region.scenarios.items()
    }


def _tax_rate(region: _Region, calculation: ResourceCalculation, reading: Reading) -> Decimal | None:
    """The year's tax rate: as it stands, the calculation's; as at a date, the one a scenario adopted by then fixed."""
    if reading.planning:
        return calculation.tax_rate
    adopted = region.scenarios.get(calculation.year)
    return adopted.tax_rate if adopted is not None else None


def _plan_resources(
    region: _Region,
    rooms: dict[int, dict[int, Decimal]],
    year: int,
    each: int,
    frames: Decimal | None,
    *,
    reading: Reading,
) -> PlanResources:
    calculation = region.calculations.get(each)
    adopted = rooms.get(year, {}).get(each)
    previous = rooms.get(year - 1, {}).get(each)
    room = room_for_frames(calculation) if calculation is not None else None
    return PlanResources(
        tax_rate=_tax_rate(region, calculation, reading) if calculation is not None else None,
        room_for_frames=room,
        margin=_difference(room, frames),
        adopted_scenario_room=adopted,
        previous_adopted_room=previous,
        room_difference=_difference(adopted, previous),
    )


def _adopted(scenario: ResourceScenario) -> AdoptedScenario:
    decision = decision_of(scenario)
    if decision is None:  # an adopted scenario always has its decision (rules/scenarios.py)
        raise LookupError(f"the adopted scenario {scenario.id} has no decision")
    return AdoptedScenario(
        id=scenario.id, year=scenario.year, name=scenario.name, tax_rate=scenario.tax_rate, decision=decision
    )


def _needs_total(rows: list[PlanPeriodYear], read: Callable[[PlanNeeds], Decimal | None]) -> Decimal | None:
    return _sum(read(r.needs) for r in rows if r.needs is not None)


def _needs_requested(rows: list[PlanPeriodYear], reading: Reading) -> Decimal | None:
    """What the units' needs ask for the year: zero when none asks, unknown when needs are not read."""
    return sum((r.needs.requested for r in rows if r.needs is not None), ZERO) if reading.planning else None


async def region_plan_period(session: AsyncSession, year: int, reading: Reading) -> RegionPlanPeriod:
    period = list(range(year, year + PLAN_YEARS))
    units, region = await _collect(session, year, None, reading)
    unit_periods = [_unit_period(code, year, units[code], reading) for code in sorted(units)]
    rooms = _rooms(region)
    years = []
    for index, each in enumerate(period):
        rows = [u.years[index] for u in unit_periods]
        frames = _sum(r.frame.amount if r.frame else None for r in rows)
        years.append(
            RegionPlanYear(
                year=each,
                frames=frames,
                previous_decided_frames=_sum(r.frame.previous_decided if r.frame else None for r in rows),
                frames_difference=_sum(r.frame.difference if r.frame else None for r in rows),
                investment_costs_in_frames=_sum(r.frame.investment_costs if r.frame else None for r in rows),
                needs_requested=_needs_requested(rows, reading),
                needs_granted=_needs_total(rows, lambda n: n.granted),
                needs_previous_granted=_needs_total(rows, lambda n: n.previous_granted),
                investments=PlanInvestments(
                    planned=sum((r.investments.planned for r in rows), ZERO),
                    depreciation=sum((r.investments.depreciation for r in rows), ZERO),
                    interest=sum((r.investments.interest for r in rows), ZERO),
                    running_costs=sum((r.investments.running_costs for r in rows), ZERO),
                ),
                resources=_plan_resources(region, rooms, year, each, frames, reading=reading),
            )
        )
    return RegionPlanPeriod(
        year=year,
        as_of=reading.as_of,
        adopted_scenarios=[_adopted(region.scenarios[each]) for each in period if each in region.scenarios],
        years=years,
        units=unit_periods,
    )
