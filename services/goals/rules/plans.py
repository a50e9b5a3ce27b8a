"""Rules of the council's plan and its strategies, and of the region's perspectives."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Lifecycle, Perspective, Plan, Strategy
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
from shared.auth.policy import UnitKind
from shared.decisions import DecisionIn, decision_of, record_decision
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


def council_code(index: OrgIndex) -> str:
    for unit in index.by_id.values():
        if unit.kind is UnitKind.council:
            return unit.code
    raise Unprocessable("The org structure has no council yet; an admin creates it first")


async def get_plan(session: AsyncSession, plan_id: uuid.UUID) -> Plan:
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise NotFound("No plan with that id")
    return plan


async def strategies_of(session: AsyncSession, plan_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Strategy]]:
    found: dict[uuid.UUID, list[Strategy]] = defaultdict(list)
    if plan_ids:
        rows = await session.scalars(
            select(Strategy).where(Strategy.plan_id.in_(plan_ids)).order_by(Strategy.plan_id, Strategy.number)
        )
        for strategy in rows:
            found[strategy.plan_id].append(strategy)
    return found


async def plan_read(session: AsyncSession, plan: Plan) -> PlanRead:
    return plan_read_with(plan, (await strategies_of(session, [plan.id]))[plan.id])


def plan_read_with(plan: Plan, strategies: list[Strategy]) -> PlanRead:
    return PlanRead(
        id=plan.id,
        title=plan.title,
        vision=plan.vision,
        start_year=plan.start_year,
        end_year=plan.end_year,
        status=plan.status,
        decision=decision_of(plan),
        strategies=[StrategyRead.model_validate(s) for s in strategies],
        version=plan.version,
    )


async def list_plans(session: AsyncSession, page: PageParams, *, visible: ColumnElement[bool]) -> Page[PlanRead]:
    stmt = select(Plan).where(visible).order_by(Plan.start_year.desc(), Plan.title, Plan.id)
    found = await paginate(session, stmt, page, lambda row: row[0])
    strategies = await strategies_of(session, [p.id for p in found.items])
    return Page[PlanRead](
        items=[plan_read_with(p, strategies[p.id]) for p in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
    )


async def create_plan(session: AsyncSession, data: PlanCreate) -> Plan:
    plan = Plan(
        title=data.title, vision=data.vision, start_year=data.start_year, end_year=data.end_year, status=Lifecycle.draft
    )
    session.add(plan)
    await session.flush()
    session.add_all(
        Strategy(plan_id=plan.id, number=n, title=s.title, description=s.description)
        for n, s in enumerate(data.strategies, start=1)
    )
    await session.flush()
    return plan


async def update_plan(session: AsyncSession, plan: Plan, data: PlanUpdate) -> Plan:
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field != "vision":
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(plan, field, value)
    if plan.end_year < plan.start_year:
        raise Unprocessable("end_year must not be before start_year", field="end_year")
    await session.flush()
    return plan


async def decide_plan(session: AsyncSession, plan: Plan, decision: DecisionIn) -> Plan:
    if plan.status is not Lifecycle.draft:
        raise Conflict(f"The plan is {plan.status.value}; only a draft can be decided")
    record_decision(plan, decision)
    plan.status = Lifecycle.decided
    await session.flush()
    return plan


async def add_strategy(session: AsyncSession, plan: Plan, data: StrategyIn) -> Strategy:
    number = (await session.scalar(select(func.max(Strategy.number)).where(Strategy.plan_id == plan.id)) or 0) + 1
    strategy = Strategy(plan_id=plan.id, number=number, title=data.title, description=data.description)
    session.add(strategy)
    await session.flush()
    return strategy


async def update_strategy(session: AsyncSession, strategy: Strategy, data: StrategyIn) -> Strategy:
    strategy.title, strategy.description = data.title, data.description
    await session.flush()
    return strategy


async def get_strategy(session: AsyncSession, strategy_id: uuid.UUID) -> tuple[Strategy, Plan]:
    strategy = await session.get(Strategy, strategy_id)
    if strategy is None:
        raise NotFound("No strategy with that id")
    return strategy, await get_plan(session, strategy.plan_id)


async def list_perspectives(session: AsyncSession, page: PageParams) -> Page[PerspectiveRead]:
    stmt = select(Perspective).order_by(Perspective.sort_order, Perspective.code)
    return await paginate(session, stmt, page, lambda row: PerspectiveRead.model_validate(row[0]))


async def create_perspective(session: AsyncSession, data: PerspectiveCreate) -> Perspective:
    if await session.scalar(select(Perspective.id).where(Perspective.code == data.code)):
        raise Conflict(f"The perspective {data.code} exists already", field="code")
    perspective = Perspective(code=data.code, name=data.name, sort_order=data.sort_order)
    session.add(perspective)
    await session.flush()
    return perspective
