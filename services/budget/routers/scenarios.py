"""HTTP routes of scenarios on the resource calculation: built by finance, compared, adopted by the council."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import COUNCIL_DECIDES, SCENARIO_READ, SCENARIO_WRITES
from services.budget.dependencies import (
    a_resource_calculation,
    a_scenario,
    a_scenario_before_the_council,
    a_scenario_year,
)
from services.budget.models import HistoryEntry, ResourceCalculation, ResourceScenario
from services.budget.rules import scenarios as rules
from services.budget.schemas import ScenarioComparison, ScenarioCreate, ScenarioRead, ScenarioUpdate
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DecisionIn, DiaryPattern, check_decision
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    error_responses,
)
from shared.routes import add_history_route

by_year = APIRouter(prefix="/resources", tags=["resource scenarios"], route_class=GuardedRoute)
router = APIRouter(prefix="/scenarios", tags=["resource scenarios"], route_class=GuardedRoute)
YearsResources = Annotated[ResourceCalculation, guard(SCENARIO_READ, a_resource_calculation)]
FinanceScenario = Annotated[ResourceScenario, guard(SCENARIO_WRITES, a_scenario)]


@by_year.get(
    "/{year}/scenarios",
    operation_id="list_scenarios",
    summary="The scenarios of a budget year, each with what its three years give",
    responses=error_responses(Forbidden, NotFound),
)
async def list_scenarios(resources: YearsResources, session: DbSession) -> list[ScenarioRead]:
    return await rules.read_scenarios(session, await rules.list_scenarios(session, resources.year))


@by_year.get(
    "/{year}/scenarios/comparison",
    operation_id="compare_scenarios",
    summary="The year's scenarios side by side with the resource calculation in force, per year and unit",
    responses=error_responses(Forbidden, NotFound),
)
async def compare_scenarios(
    resources: YearsResources,
    session: DbSession,
    scenario: Annotated[list[uuid.UUID] | None, Query(description="Only these scenarios (all by default)")] = None,
) -> ScenarioComparison:
    return await rules.compare(session, resources.year, scenario)


@by_year.post(
    "/{year}/scenarios",
    operation_id="create_scenario",
    summary="Make a named scenario for the budget year and its two plan years",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def create_scenario(
    resources: Annotated[ResourceCalculation, guard(SCENARIO_WRITES, a_resource_calculation)],
    data: ScenarioCreate,
    session: DbSession,
    response: Response,
) -> ScenarioRead:
    scenario, years = await rules.create_scenario(session, resources, data)
    set_etag(response, scenario)
    response.headers["Location"] = f"/scenarios/{scenario.id}"
    return rules.scenario_read(scenario, years, await rules.frames_in_force(session, scenario.year - 1))


@router.get(
    "/{scenario_id}",
    operation_id="get_scenario",
    summary="One scenario, with what its three years give",
    responses=error_responses(Forbidden, NotFound),
)
async def get_scenario(
    scenario: Annotated[ResourceScenario, guard(SCENARIO_READ, a_scenario)], session: DbSession, response: Response
) -> ScenarioRead:
    set_etag(response, scenario)
    return (await rules.read_scenarios(session, [scenario]))[0]


@router.patch(
    "/{scenario_id}",
    operation_id="update_scenario",
    summary="Change a draft scenario's figures",
    responses=error_responses(Forbidden, NotFound, Conflict, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_scenario(
    scenario: FinanceScenario,
    data: ScenarioUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> ScenarioRead:
    check_if_match(if_match, scenario)
    years = await rules.update_scenario(session, scenario, data)
    set_etag(response, scenario)
    return rules.scenario_read(scenario, years, await rules.frames_in_force(session, scenario.year - 1))


@router.delete(
    "/{scenario_id}",
    operation_id="delete_scenario",
    summary="Drop a draft scenario (its history stays)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def delete_scenario(scenario: FinanceScenario, session: DbSession, if_match: IfMatch = None) -> None:
    check_if_match(if_match, scenario)
    await rules.delete_scenario(session, scenario)


@router.post(
    "/{scenario_id}/adoption",
    operation_id="adopt_scenario",
    summary="Record the council's adoption of the scenario (body, date, §); it fixes the year's tax rate",
    responses=error_responses(
        Forbidden, NotFound, Conflict, Locked, PreconditionFailed, PreconditionRequired, ServiceUnavailable
    ),
)
async def adopt_scenario(
    found: Annotated[tuple[ResourceScenario, str], guard(COUNCIL_DECIDES, a_scenario_before_the_council)],
    data: DecisionIn,
    session: DbSession,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> ScenarioRead:
    scenario, council = found
    check_if_match(if_match, scenario)
    check_decision(data, diary_pattern)
    await rules.adopt_scenario(session, scenario, data, council)
    set_etag(response, scenario)
    return (await rules.read_scenarios(session, [scenario]))[0]


add_history_route(
    router,
    "/{scenario_id}/history",
    declared=SCENARIO_READ,
    load=a_scenario,
    history_model=HistoryEntry,
    operation_id="get_scenario_history",
    what="a scenario on the resource calculation",
)

add_history_route(
    router,
    "/{scenario_id}/years/{year}/history",
    declared=SCENARIO_READ,
    load=a_scenario_year,
    history_model=HistoryEntry,
    operation_id="get_scenario_year_history",
    what="one year of a scenario",
)
