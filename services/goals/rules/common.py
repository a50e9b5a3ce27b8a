"""Look-ups every part of the goals service needs: units by code, the tree."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import OrgUnit
from shared.auth.policy import UnitKind
from shared.errors import Unprocessable


async def unit_by_code(session: AsyncSession, code: str, *, field: str = "unit_code") -> OrgUnit:
    unit = await session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise Unprocessable(f"No org unit with code {code}", field=field)
    return unit


@dataclass(frozen=True, slots=True)
class UnitRef:
    """What the index knows of a unit: read as plain rows, since nearly every request loads the whole tree and
    ORM objects cost five times as much to build (issue 17)."""

    id: uuid.UUID
    code: str
    name: str
    kind: UnitKind
    parent_id: uuid.UUID | None


_UNITS = select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.kind, OrgUnit.parent_id)


class OrgIndex:
    """The whole org tree in memory (a region has tens of units), for levels and ancestry."""

    def __init__(self, units: list[UnitRef]) -> None:
        self.by_id = {u.id: u for u in units}
        self.by_code = {u.code: u for u in units}

    @classmethod
    async def load(cls, session: AsyncSession) -> OrgIndex:
        return cls([UnitRef(*row) for row in await session.execute(_UNITS)])

    def code(self, unit_id: uuid.UUID) -> str:
        return self.by_id[unit_id].code

    def parent(self, unit_id: uuid.UUID) -> UnitRef | None:
        parent_id = self.by_id[unit_id].parent_id
        return self.by_id.get(parent_id) if parent_id else None

    def is_council(self, unit_id: uuid.UUID) -> bool:
        return self.by_id[unit_id].kind is UnitKind.council

    def subtree_ids(self, root_id: uuid.UUID) -> set[uuid.UUID]:
        children: dict[uuid.UUID | None, list[uuid.UUID]] = {}
        for unit in self.by_id.values():
            children.setdefault(unit.parent_id, []).append(unit.id)
        found, stack = set(), [root_id]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(children.get(current, []))
        return found

    def ancestors_or_self(self, unit_id: uuid.UUID) -> list[uuid.UUID]:
        chain: list[uuid.UUID] = []
        current: uuid.UUID | None = unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = self.by_id[current].parent_id
        return chain
