"""Demo data of the budget service; loading it twice adds nothing (each record has a natural key)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import FrameStatus, OperatingFrame, ResourceCalculation
from services.budget.rules.frames import frame_amount
from services.budget.schemas import DecisionIn, FrameParts, ResourceCreate

DEMO = Path(__file__).parent / "demo"


def _demo(name: str) -> Any:
    return json.loads((DEMO / f"{name}.json").read_text(encoding="utf-8"))


async def _seed_resources(session: AsyncSession) -> int:
    existing = set(await session.scalars(select(ResourceCalculation.year)))
    created = 0
    for raw in _demo("resources")["resources"]:
        data = ResourceCreate.model_validate(raw)
        if data.year not in existing:
            session.add(ResourceCalculation(**data.model_dump()))
            created += 1
    return created


def _frame(raw: dict[str, Any]) -> OperatingFrame:
    parts = FrameParts.model_validate({k: v for k, v in raw.items() if k in FrameParts.model_fields})
    frame = OperatingFrame(
        unit_code=raw["unit_code"],
        year=raw["year"],
        revision=raw["revision"],
        status=FrameStatus(raw["status"]),
        comment=raw.get("comment"),
        **parts.model_dump(),
    )
    frame.amount = frame_amount(frame)
    if "decision" in raw:
        decision = DecisionIn.model_validate(raw["decision"])
        frame.decided_by = decision.decided_by
        frame.decided_on = decision.decided_on
        frame.decision_paragraph = decision.paragraph
        frame.diary_number = decision.diary_number
    return frame


async def _seed_frames(session: AsyncSession) -> int:
    rows = await session.execute(select(OperatingFrame.unit_code, OperatingFrame.year, OperatingFrame.revision))
    existing = {tuple(row) for row in rows}
    created = 0
    for raw in _demo("operating_frames")["frames"]:
        if (raw["unit_code"], raw["year"], raw["revision"]) not in existing:
            session.add(_frame(raw))
            created += 1
    return created


async def seed(session: AsyncSession) -> dict[str, int]:
    counts = {
        "resource_calculation": await _seed_resources(session),
        "operating_frame": await _seed_frames(session),
    }
    await session.flush()
    return counts
