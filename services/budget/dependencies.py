"""What the budget routes depend on besides the caller and the goals service (shared.peers): the settings,
and the records their paths (or bodies) name, each with what the access rules ask of it: its unit, its state."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path, Request

from services.budget.access import (
    DIALOGUE_UNIT,
    FORECAST_UNIT,
    FRAME_UNIT,
    GRANT_UNIT,
    NEED_UNIT,
    OUTCOME_UNIT,
    PATH_UNIT,
    PROJECT_UNIT,
    WRITE_OUTCOMES_SCOPE,
)
from services.budget.models import (
    AccountMapping,
    BalanceAdjustment,
    BudgetDialogue,
    BudgetNeed,
    Fee,
    Forecast,
    ForecastProposal,
    GrantUse,
    InvestmentFrame,
    InvestmentProject,
    OperatingFrame,
    Outcome,
    Periodisation,
    ResourceCalculation,
    ResourceScenario,
    ScenarioYear,
    StateGrant,
)
from services.budget.rules import (
    accounts,
    fees,
    followup,
    forecast_proposals,
    frames,
    grants,
    investments,
    needs,
    resources,
    scenarios,
    year_accounts,
)
from services.budget.schemas import (
    DialogueCreate,
    ForecastCreate,
    ForecastProposalRequest,
    GrantCreate,
    InvestmentCreate,
    NeedCreate,
)
from services.budget.settings import BudgetSettings
from shared.auth.access import COUNCIL
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import Found, state_of
from shared.auth.policy import READ_DECIDED_SCOPE
from shared.errors import Forbidden, NotFound, ServiceUnavailable, Unprocessable
from shared.fields import YearPath
from shared.peers import GoalsService


async def budget_settings(request: Request) -> BudgetSettings:
    settings: BudgetSettings = request.app.state.settings
    return settings


Settings = Annotated[BudgetSettings, Depends(budget_settings)]
UnitPath = Annotated[str, Path(max_length=16, description="The unit's code, e.g. HSN")]


async def a_unit_in_path(unit_code: UnitPath) -> Found[str]:
    return Found(unit_code, "unit", {PATH_UNIT: unit_code})


async def a_periodisation(unit_code: UnitPath, year: YearPath, session: DbSession) -> Found[Periodisation]:
    budget = await followup.find_periodisation(session, unit_code, year)
    if budget is None:
        raise NotFound(f"{unit_code} has no periodised budget for {year}")
    return Found(budget, "periodised budget", {PATH_UNIT: unit_code})


async def a_frame(frame_id: uuid.UUID, session: DbSession) -> Found[OperatingFrame]:
    frame = await frames.get_frame(session, frame_id)
    return Found(frame, "operating frame", {FRAME_UNIT: frame.unit_code}, state_of(frame))


async def an_outcome(outcome_id: uuid.UUID, session: DbSession) -> Found[Outcome]:
    outcome = await followup.get_outcome(session, outcome_id)
    return Found(outcome, "outcome", {OUTCOME_UNIT: outcome.unit_code})


async def a_forecast(forecast_id: uuid.UUID, session: DbSession) -> Found[Forecast]:
    forecast = await followup.get_forecast(session, forecast_id)
    return Found(forecast, "forecast", {FORECAST_UNIT: forecast.unit_code})


async def a_new_forecast(data: ForecastCreate) -> Found[ForecastCreate]:
    return Found(data, "forecast", {FORECAST_UNIT: data.unit_code})


async def a_grant(grant_id: uuid.UUID, session: DbSession) -> Found[StateGrant]:
    grant = await grants.get_grant(session, grant_id)
    return Found(grant, "grant", {GRANT_UNIT: grant.coordinator_unit})


async def a_grant_use(grant_id: uuid.UUID, year: YearPath, session: DbSession) -> Found[GrantUse]:
    """A grant's reported use in a year; a year not reported yet has no use to attach anything to."""
    grant = await grants.get_grant(session, grant_id)
    use = await grants.find_use(session, grant.id, year)
    if use is None:
        raise NotFound(f"No use of the grant is reported for {year}")
    return Found(use, "grant use", {GRANT_UNIT: grant.coordinator_unit})


async def a_new_grant(data: GrantCreate) -> Found[GrantCreate]:
    return Found(data, "grant", {GRANT_UNIT: data.coordinator_unit})


async def a_project(project_id: uuid.UUID, session: DbSession) -> Found[InvestmentProject]:
    project = await investments.get_project(session, project_id)
    return Found(project, "investment", {PROJECT_UNIT: project.owner_unit})


async def a_new_project(data: InvestmentCreate) -> Found[InvestmentCreate]:
    return Found(data, "investment", {PROJECT_UNIT: data.owner_unit})


async def an_investment_frame(year: YearPath, session: DbSession) -> Found[InvestmentFrame]:
    return Found(await investments.get_frame(session, year), "investment frame")


async def a_resource_calculation(year: YearPath, session: DbSession) -> Found[ResourceCalculation]:
    return Found(await resources.get_resources(session, year), "resource calculation")


async def an_account_mapping(mapping_id: uuid.UUID, session: DbSession) -> Found[AccountMapping]:
    return Found(await accounts.get_mapping(session, mapping_id), "account mapping")


async def a_balance_adjustment(adjustment_id: uuid.UUID, session: DbSession) -> Found[BalanceAdjustment]:
    return Found(await year_accounts.get_adjustment(session, adjustment_id), "balance adjustment")


async def a_ledger_import(principal: CurrentPrincipal) -> Found[None]:
    """The import checks unit codes with the goals service as the caller, which shows units only to readers:
    an integration client allowed to write outcomes needs the read scope too."""
    if not principal.reads_decided:
        message = f"An integration client needs {READ_DECIDED_SCOPE} with {WRITE_OUTCOMES_SCOPE}"
        raise Forbidden(message, required=READ_DECIDED_SCOPE)
    return Found(None, "ledger import")


async def the_councils_code(goals: GoalsService) -> str:
    """The council's unit code, as the goals service (which keeps the org structure) names it."""
    response = await goals.get("/units?kind=council&limit=1")
    if response.status_code != 200:
        raise ServiceUnavailable(
            f"The goals service answered {response.status_code} when asked for the council", service="goals"
        )
    found = response.json()["items"]
    if not found:
        raise Unprocessable("The goals service knows no council to decide", field="decided_by")
    code: str = found[0]["code"]
    return code


CouncilCode = Annotated[str, Depends(the_councils_code)]


async def the_council(council: CouncilCode) -> Found[str]:
    """The council, whose decision a request records: its code, for the rule and the decision's body."""
    return Found(council, "council", {COUNCIL: council})


async def a_scenario(scenario_id: uuid.UUID, session: DbSession) -> Found[ResourceScenario]:
    return Found(await scenarios.get_scenario(session, scenario_id), "scenario")


async def a_scenario_before_the_council(
    scenario_id: uuid.UUID, session: DbSession, council: CouncilCode
) -> Found[tuple[ResourceScenario, str]]:
    scenario = await scenarios.get_scenario(session, scenario_id)
    return Found((scenario, council), "scenario", {COUNCIL: council})


async def a_scenario_year(scenario_id: uuid.UUID, year: YearPath, session: DbSession) -> Found[ScenarioYear]:
    return Found(await scenarios.get_scenario_year(session, scenario_id, year), "scenario year")


async def a_fee(fee_id: uuid.UUID, session: DbSession) -> Found[Fee]:
    return Found(await fees.get_fee(session, fee_id), "fee")


async def a_fee_before_the_council(
    fee_id: uuid.UUID, session: DbSession, council: CouncilCode
) -> Found[tuple[Fee, str]]:
    return Found((await fees.get_fee(session, fee_id), council), "fee", {COUNCIL: council})


async def a_need(need_id: uuid.UUID, session: DbSession) -> Found[BudgetNeed]:
    need = await needs.get_need(session, need_id)
    return Found(need, "need", {NEED_UNIT: need.unit_code})


async def a_new_need(data: NeedCreate) -> Found[NeedCreate]:
    return Found(data, "need", {NEED_UNIT: data.unit_code})


async def a_dialogue(dialogue_id: uuid.UUID, session: DbSession) -> Found[BudgetDialogue]:
    dialogue = await needs.get_dialogue(session, dialogue_id)
    return Found(dialogue, "dialogue", {DIALOGUE_UNIT: dialogue.unit_code})


async def a_new_dialogue(data: DialogueCreate) -> Found[DialogueCreate]:
    return Found(data, "dialogue", {DIALOGUE_UNIT: data.unit_code})


async def a_forecast_proposal(proposal_id: uuid.UUID, session: DbSession) -> Found[ForecastProposal]:
    proposal = await forecast_proposals.get_proposal(session, proposal_id)
    return Found(proposal, "forecast proposal", {FORECAST_UNIT: proposal.unit_code})


async def a_forecast_proposal_request(data: ForecastProposalRequest) -> Found[ForecastProposalRequest]:
    return Found(data, "forecast proposal", {FORECAST_UNIT: data.unit_code})
