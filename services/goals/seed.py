"""Demo data of the goals service, drawn from the seed documents; loading it twice adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals import service
from services.goals.models import OrgUnit
from services.goals.schemas import UnitCreate

DEMO = Path(__file__).parent / "demo"


async def seed(session: AsyncSession) -> dict[str, int]:
    """Create the demo org units that are missing; existing ones are left as they are."""
    data = json.loads((DEMO / "org_units.json").read_text(encoding="utf-8"))
    existing = set(await session.scalars(select(OrgUnit.code)))
    created = 0
    for raw in data["units"]:
        if raw["code"] in existing:
            continue
        await service.create_unit(session, UnitCreate.model_validate(raw))
        created += 1
    return {"org_unit": created}
