"""Demo data of the goals service, drawn from the seed documents; loading it twice adds nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import OrgUnit, Perspective, Plan
from services.goals.rules import followup, goals, indicators, plans, work
from services.goals.rules import units as unit_rules
from services.goals.rules.common import OrgIndex
from services.goals.schemas import (
    ActivityCreate,
    AssignmentCreate,
    AssignmentUpdate,
    FollowUpIn,
    GoalCreate,
    IndicatorCreate,
    MeasurementIn,
    PerspectiveCreate,
    PlanCreate,
    UnitCreate,
)
from shared.decisions import DecisionIn
from shared.demo import demo_goal_id, demo_indicator_id

DEMO = Path(__file__).parent / "demo"
# The demo is loaded by the server, which sees every goal it links to.
EVERY_GOAL = true()


def _load(name: str) -> dict[str, Any]:
    return dict(json.loads((DEMO / name).read_text(encoding="utf-8")))


async def seed(session: AsyncSession) -> dict[str, int]:
    """Create what is missing: org units one by one; the steering chain as a whole, once."""
    counts = {"org_unit": await _seed_units(session), "perspective": await _seed_perspectives(session)}
    steering = _load("steering.json")
    if await session.scalar(select(Plan.id).where(Plan.title == steering["plan"]["title"])) is None:
        counts.update(await _seed_steering(session, steering))
    return counts


async def _seed_units(session: AsyncSession) -> int:
    existing = set(await session.scalars(select(OrgUnit.code)))
    created = 0
    for raw in _load("org_units.json")["units"]:
        if raw["code"] not in existing:
            await unit_rules.create_unit(session, UnitCreate.model_validate(raw))
            created += 1
    return created


async def _seed_perspectives(session: AsyncSession) -> int:
    existing = set(await session.scalars(select(Perspective.code)))
    created = 0
    for raw in _load("steering.json")["perspectives"]:
        if raw["code"] not in existing:
            await plans.create_perspective(session, PerspectiveCreate.model_validate(raw))
            created += 1
    return created


async def _seed_steering(session: AsyncSession, data: dict[str, Any]) -> dict[str, int]:
    index = await OrgIndex.load(session)
    plan_in = data["plan"]
    plan = await plans.create_plan(
        session,
        PlanCreate.model_validate(
            {k: v for k, v in plan_in.items() if k != "decision"}
            | {"strategies": [{"title": s["title"]} for s in plan_in["strategies"]]}
        ),
    )
    await plans.decide_plan(session, plan, DecisionIn.model_validate(plan_in["decision"]))
    plan_read = await plans.plan_read(session, plan)
    strategy_keys = {s["key"] for s in plan_in["strategies"]}
    ids: dict[str, uuid.UUID] = {
        s["key"]: r.id for s, r in zip(plan_in["strategies"], plan_read.strategies, strict=True)
    }
    for raw in data["goals"]:
        goal = await goals.create_goal(
            session,
            GoalCreate.model_validate(
                {k: v for k, v in raw.items() if k not in {"key", "strategy", "parent", "decided"}}
                | {
                    "parent_strategy_id": ids.get(raw.get("strategy", "")),
                    "parent_goal_id": ids.get(raw.get("parent", "")),
                }
            ),
            index,
            EVERY_GOAL,
            record_id=demo_goal_id(raw["key"]),
        )
        ids[raw["key"]] = goal.id
        if "decided" in raw:
            await goals.decide_goal(session, goal, DecisionIn.model_validate(raw["decided"]), index)
    measurement_count = 0
    for raw in data["indicators"]:
        owner_id = ids[raw["owner"]]
        owner_field = "strategy_id" if raw["owner"] in strategy_keys else "goal_id"
        owner = (
            await indicators.owner_of_strategy(session, owner_id, index, field=owner_field)
            if owner_field == "strategy_id"
            else await indicators.owner_of_goal(session, owner_id, index, field=owner_field)
        )
        indicator = await indicators.create_indicator(
            session,
            IndicatorCreate.model_validate(
                {k: v for k, v in raw.items() if k not in {"key", "owner", "measurements"}} | {owner_field: owner_id}
            ),
            owner,
            record_id=demo_indicator_id(raw["key"]),
        )
        for m in raw["measurements"]:
            await indicators.create_measurement(
                session, indicator, MeasurementIn.model_validate(m | {"source": "demo"})
            )
            measurement_count += 1
    for raw in data["follow_ups"]:
        goal = await goals.get_goal(session, ids[raw["goal"]])
        await followup.put_follow_up(
            session,
            goal,
            raw["year"],
            raw["period"],
            FollowUpIn.model_validate({k: raw[k] for k in ("assessment", "forecast", "analysis")}),
            None,
        )
    for raw in data["assignments"]:
        assignment = await work.create_assignment(
            session,
            AssignmentCreate.model_validate({k: v for k, v in raw.items() if k not in {"status", "follow_ups"}}),
        )
        await work.update_assignment(session, assignment, AssignmentUpdate(status=raw["status"]))
        for f in raw["follow_ups"]:
            await work.put_assignment_follow_up(session, assignment, f["year"], f["period"], f["text"])
    for raw in data["activities"]:
        await work.create_activity(
            session,
            ActivityCreate.model_validate(
                {k: v for k, v in raw.items() if k != "goal"} | {"goal_id": ids[raw["goal"]]}
            ),
            index,
            EVERY_GOAL,
        )
    return {
        "plan": 1,
        "goal": len(data["goals"]),
        "indicator": len(data["indicators"]),
        "measurement": measurement_count,
        "assignment": len(data["assignments"]),
        "activity": len(data["activities"]),
    }
