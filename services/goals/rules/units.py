"""Rules of the org structure. Functions flush; the request's session commits."""

from __future__ import annotations

import uuid

from sqlalchemy import Select, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from services.goals.models import OrgUnit
from services.goals.schemas import OrgTree, TreeNode, UnitCreate, UnitRead, UnitUpdate
from shared.auth.policy import UnitKind
from shared.errors import Conflict, NotFound, Unprocessable

_Parent = aliased(OrgUnit, name="parent")


def unit_read(unit: OrgUnit, parent_code: str | None) -> UnitRead:
    return UnitRead(
        id=unit.id,
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        parent_code=parent_code,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
        external_code=unit.external_code,
        version=unit.version,
        created_at=unit.created_at,
        updated_at=unit.updated_at,
    )


def _units_with_parent_code() -> Select[OrgUnit, str | None]:
    return select(OrgUnit, _Parent.code).outerjoin(_Parent, OrgUnit.parent_id == _Parent.id)


async def get_unit_with_parent(session: AsyncSession, code: str) -> tuple[OrgUnit, str | None]:
    row = (await session.execute(_units_with_parent_code().where(OrgUnit.code == code))).first()
    if row is None:
        raise NotFound(f"No org unit with code {code}")
    return row[0], row[1]


async def org_tree(session: AsyncSession) -> OrgTree:
    rows = (await session.execute(_units_with_parent_code().order_by(OrgUnit.code))).all()
    nodes = {
        unit.code: TreeNode(code=unit.code, name=unit.name, kind=unit.kind, parent_code=parent) for unit, parent in rows
    }
    ordered: list[TreeNode] = []
    placed: set[str] = set()

    def place(code: str, visiting: frozenset[str]) -> None:
        node = nodes[code]
        if code in placed:
            return
        # A cycle cannot be written through the API; if one came in another way, it must not hang us.
        if node.parent_code and node.parent_code in nodes and node.parent_code not in visiting:
            place(node.parent_code, visiting | {code})
        placed.add(code)
        ordered.append(node)

    for code in nodes:
        place(code, frozenset())
    return OrgTree(units=ordered)


async def _parent_id(session: AsyncSession, parent_code: str | None) -> uuid.UUID | None:
    if parent_code is None:
        return None
    parent_id = await session.scalar(select(OrgUnit.id).where(OrgUnit.code == parent_code))
    if parent_id is None:
        raise Unprocessable(f"No org unit with code {parent_code} to be the parent", field="parent_code")
    return parent_id


SINGLE_KINDS = (UnitKind.council, UnitKind.board)


async def _lock_tree(session: AsyncSession) -> None:
    """Serialise changes to the tree's shape, so that two moves at once cannot make a cycle."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('styr.org_unit.tree'))"))


async def _refuse_second(session: AsyncSession, kind: UnitKind, unit_id: uuid.UUID | None) -> None:
    # The board's oversight and the council's decided-material rules follow from the kind: one of each.
    if kind in SINGLE_KINDS:
        other = await session.scalar(select(OrgUnit.code).where(OrgUnit.kind == kind, OrgUnit.id != unit_id))
        if other is not None:
            raise Conflict(f"The region has a {kind.value} already ({other}); there is only one", field="kind")


def _check_kind_and_parent(kind: UnitKind, parent_id: uuid.UUID | None) -> None:
    if kind is UnitKind.council and parent_id is not None:
        raise Unprocessable("The council is the top of the chain and has no parent", field="parent_code")
    if kind is not UnitKind.council and parent_id is None:
        raise Unprocessable("Every unit but the council needs a parent", field="parent_code")


async def _refuse_cycle(session: AsyncSession, unit: OrgUnit, new_parent_id: uuid.UUID | None) -> None:
    parents = {unit_id: parent for unit_id, parent in await session.execute(select(OrgUnit.id, OrgUnit.parent_id))}
    current = new_parent_id
    while current is not None:
        if current == unit.id:
            raise Unprocessable("That parent would put the unit under itself (a cycle)", field="parent_code")
        current = parents.get(current)


async def create_unit(session: AsyncSession, data: UnitCreate) -> OrgUnit:
    await _lock_tree(session)
    if await session.scalar(select(OrgUnit.id).where(OrgUnit.code == data.code)) is not None:
        raise Conflict(f"An org unit with code {data.code} exists already", field="code")
    await _refuse_second(session, data.kind, None)
    parent_id = await _parent_id(session, data.parent_code)
    _check_kind_and_parent(data.kind, parent_id)
    unit = OrgUnit(
        code=data.code,
        name=data.name,
        kind=data.kind,
        parent_id=parent_id,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        external_code=data.external_code,
    )
    session.add(unit)
    await session.flush()
    return unit


async def update_unit(session: AsyncSession, unit: OrgUnit, data: UnitUpdate) -> OrgUnit:
    changes = data.model_dump(exclude_unset=True)
    await _lock_tree(session)
    if changes.get("kind") is not None:
        await _refuse_second(session, changes["kind"], unit.id)
    if "parent_code" in changes:
        parent_id = await _parent_id(session, changes.pop("parent_code"))
        await _refuse_cycle(session, unit, parent_id)
        unit.parent_id = parent_id
    for field, value in changes.items():
        if value is None and field in {"name", "kind"}:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(unit, field, value)
    _check_kind_and_parent(unit.kind, unit.parent_id)
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        raise Unprocessable("valid_to must not be before valid_from", field="valid_to")
    await session.flush()
    return unit
