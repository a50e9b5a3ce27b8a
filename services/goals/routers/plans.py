"""HTTP routes for the council's plans, their strategies, and the region's perspectives."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from services.goals.access import PLAN_CHANGE, PLAN_CREATE, PLAN_DECIDE, PLAN_READ, PLANS_SEEN
from services.goals.dependencies import a_plan, a_plan_to_change, a_strategy_to_change, the_council
from services.goals.models import HistoryEntry, Plan, Strategy
from services.goals.rules import plans as rules
from services.goals.schemas import (
    PerspectiveCreate,
    PerspectiveRead,
    PlanCreate,
    PlanRead,
    PlanUpdate,
    StrategyIn,
    StrategyRead,
)
from shared.auth.access import ADMIN, ANY_ROLE, ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
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
    error_responses,
)
from shared.pagination import Page, Pagination
from shared.routes import add_history_route

plans = APIRouter(prefix="/plans", tags=["plans and strategies"], route_class=GuardedRoute)
strategies = APIRouter(prefix="/strategies", tags=["plans and strategies"], route_class=GuardedRoute)
perspectives = APIRouter(prefix="/perspectives", tags=["perspectives"], route_class=GuardedRoute)
ChangeablePlan = Annotated[Plan, guard(PLAN_CHANGE, a_plan_to_change)]


@perspectives.get(
    "",
    operation_id="list_perspectives",
    summary="The region's perspectives",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_perspectives(session: DbSession, page: Pagination) -> Page[PerspectiveRead]:
    return await rules.list_perspectives(session, page)


@perspectives.post(
    "",
    operation_id="create_perspective",
    summary="Add a perspective to the region's set",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    dependencies=[guard(ADMIN)],
)
async def create_perspective(data: PerspectiveCreate, session: DbSession) -> PerspectiveRead:
    return PerspectiveRead.model_validate(await rules.create_perspective(session, data))


@plans.get(
    "",
    operation_id="list_plans",
    summary="The council's plans",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_plans(session: DbSession, principal: CurrentPrincipal, page: Pagination) -> Page[PlanRead]:
    return await rules.list_plans(session, page, visible=PLANS_SEEN.where(principal))


@plans.post(
    "",
    operation_id="create_plan",
    summary="Create a plan (as a draft) with its strategies",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    dependencies=[guard(PLAN_CREATE, the_council)],
)
async def create_plan(data: PlanCreate, session: DbSession, response: Response) -> PlanRead:
    plan = await rules.create_plan(session, data)
    set_etag(response, plan)
    response.headers["Location"] = f"/plans/{plan.id}"
    return await rules.plan_read(session, plan)


@plans.get(
    "/{plan_id}",
    operation_id="get_plan",
    summary="One plan with its strategies",
    responses=error_responses(Forbidden, NotFound),
)
async def get_plan(plan: Annotated[Plan, guard(PLAN_READ, a_plan)], session: DbSession, response: Response) -> PlanRead:
    set_etag(response, plan)
    return await rules.plan_read(session, plan)


@plans.patch(
    "/{plan_id}",
    operation_id="update_plan",
    summary="Change a plan",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_plan(
    plan: ChangeablePlan, data: PlanUpdate, session: DbSession, response: Response, if_match: IfMatch = None
) -> PlanRead:
    check_if_match(if_match, plan)
    await rules.update_plan(session, plan, data)
    set_etag(response, plan)
    return await rules.plan_read(session, plan)


@plans.post(
    "/{plan_id}/decide",
    operation_id="decide_plan",
    summary="Record the council's decision on the plan",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def decide_plan(
    plan: Annotated[Plan, guard(PLAN_DECIDE, a_plan)],
    decision: DecisionIn,
    session: DbSession,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> PlanRead:
    check_if_match(if_match, plan)
    check_decision(decision, diary_pattern)
    await rules.decide_plan(session, plan, decision)
    set_etag(response, plan)
    return await rules.plan_read(session, plan)


@plans.post(
    "/{plan_id}/strategies",
    operation_id="add_strategy",
    summary="Add a strategy to a plan",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Locked),
)
async def add_strategy(plan: ChangeablePlan, data: StrategyIn, session: DbSession) -> StrategyRead:
    return StrategyRead.model_validate(await rules.add_strategy(session, plan, data))


@strategies.patch(
    "/{strategy_id}",
    operation_id="update_strategy",
    summary="Change a strategy",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_strategy(
    strategy: Annotated[Strategy, guard(PLAN_CHANGE, a_strategy_to_change)],
    data: StrategyIn,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> StrategyRead:
    check_if_match(if_match, strategy)
    await rules.update_strategy(session, strategy, data)
    set_etag(response, strategy)
    return StrategyRead.model_validate(strategy)


add_history_route(
    plans,
    "/{plan_id}/history",
    declared=PLAN_READ,
    load=a_plan,
    history_model=HistoryEntry,
    operation_id="get_plan_history",
    what="a plan",
)
