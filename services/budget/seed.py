"""Demo data of the budget service; loading it twice adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import OperatingFrame
from services.budget.schemas import FrameCreate

DEMO = Path(__file__).parent / "demo"


async def seed(session: AsyncSession) -> dict[str, int]:
    data = json.loads((DEMO / "operating_frames.json").read_text(encoding="utf-8"))
    rows = await session.execute(select(OperatingFrame.unit_code, OperatingFrame.year))
    existing = {(unit, year) for unit, year in rows}
    created = 0
    for raw in data["frames"]:
        frame = FrameCreate.model_validate(raw)
        if (frame.unit_code, frame.year) in existing:
            continue
        session.add(OperatingFrame(**frame.model_dump()))
        created += 1
    await session.flush()
    return {"operating_frame": created}
