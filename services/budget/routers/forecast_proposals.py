"""HTTP routes of forecast proposals: proposed per account category, accepted or adjusted by an editor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.budget.access import FORECAST_CHANGES, FORECAST_READ, FORECAST_WRITES, PROPOSALS_SEEN
from services.budget.dependencies import a_forecast_proposal, a_forecast_proposal_request
from services.budget.models import FollowUp, ForecastProposal, HistoryEntry
from services.budget.rules import forecast_proposals as rules
from services.budget.schemas import ForecastChoice, ForecastProposalRead, ForecastProposalRequest, Year
from shared.auth.access import ANY_ROLE
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
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
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists
from shared.routes import add_history_route

router = APIRouter(prefix="/forecast-proposals", tags=["forecasts"], route_class=GuardedRoute)


@router.get(
    "",
    operation_id="list_forecast_proposals",
    summary="Forecast proposals per unit, follow-up and account category, with the editors' choices",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE.noting("only the units the caller may follow up"))],
)
async def list_forecast_proposals(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    year: Annotated[Year | None, Query()] = None,
    follow_up: Annotated[FollowUp | None, Query()] = None,
) -> Page[ForecastProposalRead]:
    visible = PROPOSALS_SEEN.where(principal)
    return await rules.list_proposals(session, page, visible=visible, unit_code=unit, year=year, follow_up=follow_up)


@router.post(
    "",
    operation_id="propose_forecasts",
    summary="Propose a unit's full-year forecast per account category from the outcome so far and last "
    "year's monthly profile",
    responses=error_responses(Forbidden, Conflict, Locked, ServiceUnavailable),
)
async def propose_forecasts(
    data: Annotated[ForecastProposalRequest, guard(FORECAST_WRITES, a_forecast_proposal_request)],
    session: DbSession,
    goals: GoalsService,
) -> list[ForecastProposalRead]:
    await ensure_unit_exists(goals, data.unit_code)
    return [ForecastProposalRead.model_validate(p) for p in await rules.propose(session, data)]


@router.get(
    "/{proposal_id}",
    operation_id="get_forecast_proposal",
    summary="One forecast proposal and the editor's choice",
    responses=error_responses(Forbidden, NotFound),
)
async def get_forecast_proposal(
    proposal: Annotated[ForecastProposal, guard(FORECAST_READ, a_forecast_proposal)], response: Response
) -> ForecastProposalRead:
    set_etag(response, proposal)
    return ForecastProposalRead.model_validate(proposal)


@router.post(
    "/{proposal_id}/choice",
    operation_id="choose_forecast",
    summary="Accept the proposal, or adjust it to another full-year amount; the proposal stays beside the choice",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def choose_forecast(
    proposal: Annotated[ForecastProposal, guard(FORECAST_CHANGES, a_forecast_proposal)],
    data: ForecastChoice,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> ForecastProposalRead:
    check_if_match(if_match, proposal)
    await rules.choose(session, proposal, data)
    set_etag(response, proposal)
    return ForecastProposalRead.model_validate(proposal)


add_history_route(
    router,
    "/{proposal_id}/history",
    declared=FORECAST_READ,
    load=a_forecast_proposal,
    history_model=HistoryEntry,
    operation_id="get_forecast_proposal_history",
    what="a forecast proposal",
)
