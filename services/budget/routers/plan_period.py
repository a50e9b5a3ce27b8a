"""HTTP routes of the plan period side by side: a budget year and its two plan years, per unit and for the region."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.budget.access import (
    PATH_UNIT,
    PLAN_PERIOD_READ,
    PLANNING_MATERIAL,
    REGION_PLAN_PERIOD_READ,
    REGION_PLANNING_MATERIAL,
)
from services.budget.dependencies import UnitPath, a_unit_in_path
from services.budget.rules import plan_period as rules
from services.budget.schemas import RegionPlanPeriod, UnitPlanPeriod, Year
from shared.asof import today_in_sweden
from shared.auth.access import Outcome, Rule
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.auth.policy import Principal
from shared.errors import Forbidden, error_responses
from shared.fields import Day

# Beside the economy follow-up's read models, which name a unit and take the year the same way.
router = APIRouter(prefix="/economy", tags=["plan period"], route_class=GuardedRoute)
BudgetYear = Annotated[Year, Query(description="The budget year; the two after it are its plan years")]
SIDE_BY_SIDE = (
    "The budget year and its two plan years side by side. Each year's frame is the newest version (a proposal in "
    "preparation, or the decision in force), with its investments' running costs, against the previous decided "
    "version of that year's frame (`difference`); the needs submitted for the period (requested, granted) against "
    "what the previous round granted for the same year; the investments planned and the running costs they bring. "
    "With `as_of`, as at that date: only what was decided by then (the frame versions decided by that day, the "
    "scenario adopted by then and the tax rate it fixed), without frame proposals and needs, which carry no date "
    "of their own; the council always reads it so, as at today unless `as_of` says otherwise."
)
PlanAsOf = Annotated[
    Day | None,
    Query(
        description="Answer as at this date: only what was decided by then. Without it, the plan period as it stands"
    ),
]


def _reading(principal: Principal, planning: Rule, unit_code: str | None, as_of: date | None) -> rules.Reading:
    """As it stands for those who read the units' planning material and ask for no date; else as decided by a date."""
    units = {PATH_UNIT: unit_code or ""}
    reads_planning = planning.outcome(principal, units.__getitem__, None, write=False) is Outcome.allowed
    if as_of is None and reads_planning:
        return rules.Reading()
    return rules.Reading(as_of if as_of is not None else today_in_sweden())


async def a_units_reading(unit_code: UnitPath, principal: CurrentPrincipal, as_of: PlanAsOf = None) -> rules.Reading:
    """Which view of a unit's plan period the caller is given: the view, not the access (the route's guard)."""
    return _reading(principal, PLANNING_MATERIAL, unit_code, as_of)


async def the_regions_reading(principal: CurrentPrincipal, as_of: PlanAsOf = None) -> rules.Reading:
    """Which view of the region's plan period the caller is given: the view, not the access (the route's guard)."""
    return _reading(principal, REGION_PLANNING_MATERIAL, None, as_of)


UnitReading = Annotated[rules.Reading, Depends(a_units_reading)]
RegionReading = Annotated[rules.Reading, Depends(the_regions_reading)]


@router.get(
    "/units/{unit_code}/plan-period",
    operation_id="get_unit_plan_period",
    summary="A unit's frames, needs and investments for the budget year and two plan years, side by side",
    description=SIDE_BY_SIDE,
    responses=error_responses(Forbidden),
)
async def get_unit_plan_period(
    unit_code: Annotated[str, guard(PLAN_PERIOD_READ, a_unit_in_path)],
    session: DbSession,
    year: BudgetYear,
    reading: UnitReading,
) -> UnitPlanPeriod:
    return await rules.unit_plan_period(session, unit_code, year, reading)


@router.get(
    "/region/plan-period",
    operation_id="get_region_plan_period",
    summary="The region's resources, frames, needs and investments for the budget year and two plan years",
    description=SIDE_BY_SIDE
    + " For the region each year also has the room its resource calculation leaves and the margin to the frames, "
    "and the room the budget year's adopted scenario gives against what the previous year's adopted scenario gave "
    "the same year (`room_difference`); every unit's own years follow.",
    responses=error_responses(Forbidden),
    dependencies=[guard(REGION_PLAN_PERIOD_READ)],
)
async def get_region_plan_period(session: DbSession, year: BudgetYear, reading: RegionReading) -> RegionPlanPeriod:
    return await rules.region_plan_period(session, year, reading)
