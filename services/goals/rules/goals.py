"""Rules of goals: ownership, the upward link, the lifecycle draft → decided → closed."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Goal, Lifecycle, OrgUnit, Perspective, Strategy
from services.goals.rules.common import OrgIndex, unit_by_code
from services.goals.schemas import GoalCreate, GoalRead, GoalUpdate
from shared.auth.policy import UnitKind
from shared.decisions import DecisionIn, decision_of, record_decision
from shared.errors import Conflict, NotFound, Unprocessable


class _Linked(Protocol):
    unit_id: uuid.UUID
    parent_goal_id: uuid.UUID | None
    parent_strategy_id: uuid.UUID | None


def is_orphan(goal: _Linked, index: OrgIndex) -> bool:
    return not index.is_council(goal.unit_id) and goal.parent_goal_id is None and goal.parent_strategy_id is None


def orphan_in_sql(index: OrgIndex) -> ColumnElement[bool]:
    """is_orphan as a condition, for counting in the database: the same rule, the council's ids listed."""
    council = [unit.id for unit in index.by_id.values() if unit.kind is UnitKind.council]
    return and_(Goal.unit_id.not_in(council), Goal.parent_goal_id.is_(None), Goal.parent_strategy_id.is_(None))


def goal_read(goal: Goal, index: OrgIndex, perspectives: dict[uuid.UUID, str]) -> GoalRead:
    unit = index.by_id[goal.unit_id]
    return GoalRead(
        owner_subject=goal.owner_subject,
        owner_name=goal.owner_name,
        id=goal.id,
        unit_code=unit.code,
        level=unit.kind,
        title=goal.title,
        description=goal.description,
        perspective=perspectives.get(goal.perspective_id) if goal.perspective_id else None,
        financial=goal.financial,
        sdgs=list(goal.sdgs or []),
        start_year=goal.start_year,
        end_year=goal.end_year,
        status=goal.status,
        parent_goal_id=goal.parent_goal_id,
        parent_strategy_id=goal.parent_strategy_id,
        orphan=is_orphan(goal, index),
        decision=decision_of(goal),
        version=goal.version,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
    )


async def perspective_codes(session: AsyncSession) -> dict[uuid.UUID, str]:
    return {p.id: p.code for p in await session.scalars(select(Perspective))}


async def _perspective_id(session: AsyncSession, code: str | None) -> uuid.UUID | None:
    if code is None:
        return None
    found = await session.scalar(select(Perspective.id).where(Perspective.code == code))
    if found is None:
        known = ", ".join(sorted((await perspective_codes(session)).values()))
        raise Unprocessable(f"No perspective {code!r}; the region's perspectives are: {known}", field="perspective")
    return found


async def get_goal(session: AsyncSession, goal_id: uuid.UUID) -> Goal:
    goal = await session.get(Goal, goal_id)
    if goal is None:
        raise NotFound("No goal with that id")
    return goal


async def _check_parent_goal(
    session: AsyncSession, index: OrgIndex, unit_id: uuid.UUID, parent_id: uuid.UUID, goal_id: uuid.UUID | None
) -> None:
    parent = await session.get(Goal, parent_id)
    if parent is None:
        raise Unprocessable("No goal with that id to link to", field="parent_goal_id")
    if goal_id is not None and await _links_back_to(session, parent, goal_id):
        raise Unprocessable("That link would make a cycle in the chain", field="parent_goal_id")
    level_above = index.parent(unit_id)
    if level_above is None or parent.unit_id != level_above.id:
        expected = level_above.code if level_above else "none (this is the council)"
        raise Unprocessable(
            f"A goal links to a goal of the level directly above; that goal belongs to "
            f"{index.code(parent.unit_id)}, the level above is {expected}",
            field="parent_goal_id",
        )
    if parent.status is Lifecycle.closed:
        raise Unprocessable("A goal cannot link to a closed goal", field="parent_goal_id")


async def _links_back_to(session: AsyncSession, start: Goal, goal_id: uuid.UUID) -> bool:
    current: Goal | None = start
    seen: set[uuid.UUID] = set()
    while current is not None and current.id not in seen:
        if current.id == goal_id:
            return True
        seen.add(current.id)
        current = await session.get(Goal, current.parent_goal_id) if current.parent_goal_id else None
    return False


async def _check_parent_strategy(
    session: AsyncSession, index: OrgIndex, unit_id: uuid.UUID, strategy_id: uuid.UUID
) -> None:
    if await session.get(Strategy, strategy_id) is None:
        raise Unprocessable("No strategy with that id to link to", field="parent_strategy_id")
    level_above = index.parent(unit_id)
    if not index.is_council(unit_id) and not (level_above and index.is_council(level_above.id)):
        raise Unprocessable(
            "Strategies are the council's: only the council's goals and those of the bodies directly under it "
            "link to a strategy; link to a goal of the level above instead",
            field="parent_strategy_id",
        )


async def check_link(
    session: AsyncSession,
    index: OrgIndex,
    unit_id: uuid.UUID,
    parent_goal_id: uuid.UUID | None,
    parent_strategy_id: uuid.UUID | None,
    goal_id: uuid.UUID | None = None,
) -> None:
    if parent_goal_id and parent_strategy_id:
        raise Unprocessable("Link to a goal or to a strategy, not both", field="parent_goal_id")
    if parent_goal_id is not None:
        await _check_parent_goal(session, index, unit_id, parent_goal_id, goal_id)
    if parent_strategy_id is not None:
        await _check_parent_strategy(session, index, unit_id, parent_strategy_id)


async def create_goal(
    session: AsyncSession,
    data: GoalCreate,
    index: OrgIndex,
    visible: ColumnElement[bool],
    *,
    record_id: uuid.UUID | None = None,
) -> Goal:
    """A new draft; `visible` says which goals the caller sees, and so may name as its parent. `record_id` is
    for the demo data, whose records keep ids the other services' demo data can name (shared/demo.py)."""
    if data.parent_goal_id is not None:
        await refuse_hidden_parent(session, data.parent_goal_id, visible)
    unit = await unit_by_code(session, data.unit_code)
    await check_link(session, index, unit.id, data.parent_goal_id, data.parent_strategy_id)
    goal = Goal(
        **({"id": record_id} if record_id else {}),
        unit_id=unit.id,
        title=data.title,
        description=data.description,
        perspective_id=await _perspective_id(session, data.perspective),
        financial=data.financial,
        sdgs=sorted(data.sdgs),
        start_year=data.start_year,
        end_year=data.end_year,
        status=Lifecycle.draft,
        parent_goal_id=data.parent_goal_id,
        parent_strategy_id=data.parent_strategy_id,
        owner_subject=data.owner_subject,
        owner_name=data.owner_name,
    )
    session.add(goal)
    await session.flush()
    return goal


async def update_goal(session: AsyncSession, goal: Goal, data: GoalUpdate, index: OrgIndex) -> Goal:
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    for required in ("title", "start_year", "financial", "sdgs"):
        if required in changes and changes[required] is None:
            raise Unprocessable(f"{required} cannot be emptied", field=required)
    relinked = bool(changes.keys() & {"unit_code", "parent_goal_id", "parent_strategy_id"})
    if "unit_code" in changes:
        goal.unit_id = (await unit_by_code(session, changes.pop("unit_code"))).id
        await _refuse_stranding_children(session, index, goal)
    if "perspective" in changes:
        goal.perspective_id = await _perspective_id(session, changes.pop("perspective"))
    if "sdgs" in changes:
        if len(set(changes["sdgs"])) != len(changes["sdgs"]):
            raise Unprocessable("Each Agenda 2030 goal once", field="sdgs")
        changes["sdgs"] = sorted(changes["sdgs"])
    for field, value in changes.items():
        setattr(goal, field, value)
    if goal.end_year is not None and goal.end_year < goal.start_year:
        raise Unprocessable("end_year must not be before start_year", field="end_year")
    if relinked:  # an edit that moves nothing is not judged on links made before
        await check_link(session, index, goal.unit_id, goal.parent_goal_id, goal.parent_strategy_id, goal.id)
    if goal.status is not Lifecycle.draft and is_orphan(goal, index):
        raise Unprocessable("A decided goal must keep its link upward", field="parent_goal_id")
    await session.flush()
    return goal


async def _refuse_stranding_children(session: AsyncSession, index: OrgIndex, goal: Goal) -> None:
    """A goal moved to another unit takes its place in the chain: the goals linked under it must then sit in
    units directly below the new one, as creating such a link requires; else the move is refused, naming them."""
    children = (await session.execute(select(Goal.id, Goal.unit_id).where(Goal.parent_goal_id == goal.id))).all()
    stranded = [
        (child_id, unit_id) for child_id, unit_id in children if _level_above_id(index, unit_id) != goal.unit_id
    ]
    if stranded:
        units = sorted({index.code(unit_id) for _, unit_id in stranded})
        raise Conflict(
            f"{len(stranded)} goal(s) of {', '.join(units)} link to this goal and would no longer sit directly "
            f"below {index.code(goal.unit_id)}; link them elsewhere first",
            goals=[str(child_id) for child_id, _ in stranded],
        )


def _level_above_id(index: OrgIndex, unit_id: uuid.UUID) -> uuid.UUID | None:
    above = index.parent(unit_id)
    return above.id if above is not None else None


async def decide_goal(session: AsyncSession, goal: Goal, decision: DecisionIn, index: OrgIndex) -> Goal:
    if goal.status is not Lifecycle.draft:
        raise Conflict(f"The goal is {goal.status.value}; only a draft can be decided")
    if is_orphan(goal, index):
        raise Unprocessable(
            "A goal below the council cannot be decided without a link to a goal or strategy of the level above",
            field="parent_goal_id",
        )
    record_decision(goal, decision)
    goal.status = Lifecycle.decided
    await session.flush()
    return goal


async def close_goal(session: AsyncSession, goal: Goal) -> Goal:
    if goal.status is not Lifecycle.decided:
        raise Conflict(f"The goal is {goal.status.value}; only a decided goal can be closed")
    goal.status = Lifecycle.closed
    await session.flush()
    return goal


async def refuse_hidden_parent(
    session: AsyncSession, goal_id: uuid.UUID, visible: ColumnElement[bool], *, field: str = "parent_goal_id"
) -> None:
    """A goal named in a body is treated like one in a path: a draft the caller may not read is absent.

    Otherwise linking to it (a parent goal, the goal an activity serves) would tell apart a draft that
    exists from an id that does not, and say whose it is. An id that does not exist is left to the checks
    of the link, which say so in their own words.
    """
    seen = await session.scalar(
        select(visible).select_from(Goal).join(OrgUnit, Goal.unit_id == OrgUnit.id).where(Goal.id == goal_id)
    )
    if seen is not None and not seen:
        absent = "No goal with that id to link to" if field == "parent_goal_id" else "No goal with that id"
        raise Unprocessable(absent, field=field)
