"""HTTP routes for the council's plans, their strategies, and the region's perspectives."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from services.goals.access import ensure_changeable, ensure_readable, ensure_registrar
from services.goals.models import HistoryEntry, Lifecycle, Perspective
from services.goals.rules import plans as rules
from services.goals.rules.common import OrgIndex
from services.goals.schemas import (
    PerspectiveCreate,
    PerspectiveRead,
    PlanCreate,
    PlanRead,
    PlanUpdate,
    StrategyIn,
    StrategyRead,
)
from shared.auth.access import (
    ADMIN,
    ANY_ROLE,
    ANY_ROLE_READABLE_DRAFTS,
    COUNCIL,
    access,
    change_record,
    editor,
    read_record,
    registrar,
)
from shared.auth.deps import CurrentPrincipal, DbSession, require_region_role, require_signed_in_reader
from shared.auth.policy import RegionRole
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
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination, paginate

plans = APIRouter(prefix="/plans", tags=["plans and strategies"])
strategies = APIRouter(prefix="/strategies", tags=["plans and strategies"])
perspectives = APIRouter(prefix="/perspectives", tags=["perspectives"])
READ = read_record(COUNCIL)
CHANGE = change_record(COUNCIL)


@perspectives.get(
    "",
    operation_id="list_perspectives",
    summary="The region's perspectives",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_perspectives(session: DbSession, principal: CurrentPrincipal, page: Pagination) -> Page[PerspectiveRead]:
    require_signed_in_reader(principal)
    stmt = select(Perspective).order_by(Perspective.sort_order, Perspective.code)
    return await paginate(session, stmt, page, lambda row: PerspectiveRead.model_validate(row[0]))


@perspectives.post(
    "",
    operation_id="create_perspective",
    summary="Add a perspective to the region's set",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    **access(ADMIN),
)
async def create_perspective(
    data: PerspectiveCreate, session: DbSession, principal: CurrentPrincipal
) -> PerspectiveRead:
    require_region_role(principal, RegionRole.admin)
    return PerspectiveRead.model_validate(await rules.create_perspective(session, data))


@plans.get(
    "",
    operation_id="list_plans",
    summary="The council's plans",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_plans(session: DbSession, principal: CurrentPrincipal, page: Pagination) -> Page[PlanRead]:
    require_signed_in_reader(principal)
    council = rules.council_code(await OrgIndex.load(session))
    return await rules.list_plans(session, page, drafts=principal.can_read(council, decided=False))


@plans.post(
    "",
    operation_id="create_plan",
    summary="Create a plan (as a draft) with its strategies",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    **access(editor(COUNCIL)),
)
async def create_plan(
    data: PlanCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> PlanRead:
    ensure_changeable(principal, rules.council_code(await OrgIndex.load(session)), Lifecycle.draft, "plan")
    plan = await rules.create_plan(session, data)
    set_etag(response, plan)
    response.headers["Location"] = f"/plans/{plan.id}"
    return await rules.plan_read(session, plan)


@plans.get(
    "/{plan_id}",
    operation_id="get_plan",
    summary="One plan with its strategies",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def get_plan(plan_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response) -> PlanRead:
    require_signed_in_reader(principal)
    plan = await rules.get_plan(session, plan_id)
    ensure_readable(principal, rules.council_code(await OrgIndex.load(session)), plan.status, "plan")
    set_etag(response, plan)
    return await rules.plan_read(session, plan)


@plans.patch(
    "/{plan_id}",
    operation_id="update_plan",
    summary="Change a plan",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(CHANGE),
)
async def update_plan(
    plan_id: uuid.UUID,
    data: PlanUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> PlanRead:
    plan = await rules.get_plan(session, plan_id)
    council = rules.council_code(await OrgIndex.load(session))
    ensure_readable(principal, council, plan.status, "plan")
    ensure_changeable(principal, council, plan.status, "plan")
    check_if_match(if_match, plan)
    await rules.update_plan(session, plan, data)
    set_etag(response, plan)
    return await rules.plan_read(session, plan)


@plans.post(
    "/{plan_id}/decide",
    operation_id="decide_plan",
    summary="Record the council's decision on the plan",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(registrar(COUNCIL).hiding_drafts_of(COUNCIL)),
)
async def decide_plan(
    plan_id: uuid.UUID,
    decision: DecisionIn,
    session: DbSession,
    principal: CurrentPrincipal,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> PlanRead:
    plan = await rules.get_plan(session, plan_id)
    council = rules.council_code(await OrgIndex.load(session))
    ensure_readable(principal, council, plan.status, "plan")
    ensure_registrar(principal, council)
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
    **access(CHANGE),
)
async def add_strategy(
    plan_id: uuid.UUID, data: StrategyIn, session: DbSession, principal: CurrentPrincipal
) -> StrategyRead:
    plan = await rules.get_plan(session, plan_id)
    council = rules.council_code(await OrgIndex.load(session))
    ensure_readable(principal, council, plan.status, "plan")
    ensure_changeable(principal, council, plan.status, "plan")
    return StrategyRead.model_validate(await rules.add_strategy(session, plan, data))


@strategies.patch(
    "/{strategy_id}",
    operation_id="update_strategy",
    summary="Change a strategy",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(CHANGE),
)
async def update_strategy(
    strategy_id: uuid.UUID,
    data: StrategyIn,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> StrategyRead:
    strategy, plan = await rules.get_strategy(session, strategy_id)
    council = rules.council_code(await OrgIndex.load(session))
    ensure_readable(principal, council, plan.status, "strategy")
    ensure_changeable(principal, council, plan.status, "strategy")
    check_if_match(if_match, strategy)
    strategy.title, strategy.description = data.title, data.description
    await session.flush()
    set_etag(response, strategy)
    return StrategyRead.model_validate(strategy)


@plans.get(
    "/{plan_id}/history",
    operation_id="get_plan_history",
    summary="Every change to a plan",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def get_plan_history(
    plan_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    plan = await rules.get_plan(session, plan_id)
    council = rules.council_code(await OrgIndex.load(session))
    ensure_readable(principal, council, plan.status, "plan")
    public_only = not principal.can_read(council, decided=False)
    return await read_history(session, HistoryEntry, plan, page, public_only=public_only)
