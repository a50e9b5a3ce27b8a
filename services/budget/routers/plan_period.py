"""HTTP routes of the plan period side by side: a budget year and its two plan years, per unit and for the region."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.budget.access import PLAN_PERIOD_READ, REGION_PLAN_PERIOD_READ
from services.budget.dependencies import a_unit_in_path
from services.budget.rules import plan_period as rules
from services.budget.schemas import RegionPlanPeriod, UnitPlanPeriod, Year
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.errors import Forbidden, error_responses

# Beside the economy follow-up's read models, which name a unit and take the year the same way.
router = APIRouter(prefix="/economy", tags=["plan period"], route_class=GuardedRoute)
BudgetYear = Annotated[Year, Query(description="The budget year; the two after it are its plan years")]
SIDE_BY_SIDE = (
    "The budget year and its two plan years side by side. Each year's frame is the newest version (a proposal in "
    "preparation, or the decision in force), with its investments' running costs, against the previous decided "
    "version of that year's frame (`difference`); the needs submitted for the period (requested, granted) against "
    "what the previous round granted for the same year; the investments planned and the running costs they bring."
)


@router.get(
    "/units/{unit_code}/plan-period",
    operation_id="get_unit_plan_period",
    summary="A unit's frames, needs and investments for the budget year and two plan years, side by side",
    description=SIDE_BY_SIDE,
    responses=error_responses(Forbidden),
)
async def get_unit_plan_period(
    unit_code: Annotated[str, guard(PLAN_PERIOD_READ, a_unit_in_path)], session: DbSession, year: BudgetYear
) -> UnitPlanPeriod:
    return await rules.unit_plan_period(session, unit_code, year)


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
async def get_region_plan_period(session: DbSession, year: BudgetYear) -> RegionPlanPeriod:
    return await rules.region_plan_period(session, year)
