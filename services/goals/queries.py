"""The goals service's list reads, lean (issue 17): one statement per page that carries the list's count,
columns selected by the names of the response model's fields with the codes joined in, run on a connection
outside any transaction, and the rows validated once by the response model (shared/pagination.py).

Which rows a caller sees is the model's one visibility filter (services/goals/access.py); the statements of
each combination of filters, order and shape of the caller's roles are built once, the values sent as parameters.
"""

from __future__ import annotations

import functools
import uuid
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Response
from sqlalchemy import ColumnElement, Integer, Select, String, and_, bindparam, cast, func, or_, select, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeDecorator

from services.goals.access import GOALS_SEEN, INDICATOR_UNIT_CODE, INDICATORS_SEEN
from services.goals.models import Goal, Indicator, IndicatorTarget, Lifecycle, OrgUnit, Perspective
from services.goals.schemas import GoalRead, IndicatorRead, UnitRead
from shared.auth.policy import Principal, UnitKind
from shared.errors import bad_query
from shared.listing import Listing, listing
from shared.pagination import PageParams, fetch_page, page_response, page_statement
from shared.types import Quantity

# --- the org tree ----------------------------------------------------------------------------------


def codes_within(param: str) -> Select[Any]:
    """The code of the unit named by the parameter and of every unit below it, as a subquery for IN.

    UNION, not UNION ALL: a cycle (which the API cannot write) ends the recursion instead of hanging it."""
    tree = (
        select(OrgUnit.id, OrgUnit.code).where(OrgUnit.code == bindparam(param)).cte(f"within_{param}", recursive=True)
    )
    tree = tree.union(select(OrgUnit.id, OrgUnit.code).join(tree, OrgUnit.parent_id == tree.c.id))
    return select(tree.c.code)


async def refuse_unknown_unit(conn: AsyncConnection, code: str, name: str) -> None:
    """A unit code that names no unit is a 422 on the query parameter (codes are no secret: any role lists them).

    Asked only when a filtered page came back empty, so a list that finds rows costs no second statement."""
    if (await conn.execute(select(OrgUnit.id).where(OrgUnit.code == code))).first() is None:
        raise bad_query(f"No org unit with code {code}", name)


async def _refuse_unknown_perspective(conn: AsyncConnection, code: str) -> None:
    if (await conn.execute(select(Perspective.id).where(Perspective.code == code))).first() is None:
        known = ", ".join(sorted((await conn.execute(select(Perspective.code))).scalars()))
        raise bad_query(f"No perspective {code!r}; the region's perspectives are: {known}", "perspective")


def _present(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in params.items() if value is not None}


# --- org units -------------------------------------------------------------------------------------

_Parent = aliased(OrgUnit, name="parent")


@functools.cache
def _units(by_kind: bool, by_parent: bool) -> Select[Any]:
    columns = (
        _Parent.code.label(name) if name == "parent_code" else OrgUnit.__table__.c[name]
        for name in UnitRead.model_fields
    )
    stmt = select(*columns).outerjoin(_Parent, OrgUnit.parent_id == _Parent.id)
    if by_kind:
        stmt = stmt.where(OrgUnit.kind == bindparam("kind"))
    if by_parent:
        stmt = stmt.where(_Parent.code == bindparam("parent"))
    return page_statement(stmt.order_by(OrgUnit.code))


async def list_units(conn: AsyncConnection, page: PageParams, *, kind: UnitKind | None, parent: str | None) -> Response:
    """A page of Page[UnitRead], in one statement."""
    params = _present({"kind": kind, "parent": parent})
    rows, total = await fetch_page(conn, _units(kind is not None, parent is not None), page, params)
    return page_response(rows, total, page, UnitRead)


# --- goals -----------------------------------------------------------------------------------------

# A goal below the council linked to no goal or strategy of the level above (rules/goals.py: is_orphan).
_ORPHAN = and_(OrgUnit.kind != UnitKind.council, Goal.parent_goal_id.is_(None), Goal.parent_strategy_id.is_(None))
_DECISION = {"decided_by": "decided_by", "decided_on": "decided_on", "paragraph": "decision_paragraph"}
_GOAL_COLUMNS: dict[str, Any] = {
    "unit_code": OrgUnit.code,
    "level": OrgUnit.kind,
    "perspective": Perspective.code,
    "orphan": _ORPHAN,
}


def _goal_columns() -> list[ColumnElement[Any]]:
    named = [
        (_GOAL_COLUMNS[name] if name in _GOAL_COLUMNS else Goal.__table__.c[name]).label(name)
        for name in GoalRead.model_fields
        if name != "decision"
    ]
    decision = [Goal.__table__.c[column].label(f"decision_{field}") for field, column in _DECISION.items()]
    return [*named, *decision, Goal.__table__.c.diary_number.label("decision_diary_number")]


GOAL_SORTS = {
    "title": Goal.title,
    "unit_code": OrgUnit.code,
    "status": Goal.status,
    "start_year": Goal.start_year,
    "end_year": Goal.end_year,
    "updated_at": Goal.updated_at,
}
GOAL_SEARCHED = (Goal.title, Goal.description)
GoalListing = Annotated[Listing, Depends(listing("Goal", list(GOAL_SORTS), "title or description"))]


@functools.cache
def _goals(
    by_ids: bool,
    by_unit: bool,
    subtree: bool,
    by_status: bool,
    by_perspective: bool,
    orphans: bool,
    by_year: bool,
    order: Listing,
) -> Select[Any]:
    stmt = (
        select(*_goal_columns())
        .join(OrgUnit, Goal.unit_id == OrgUnit.id)
        .outerjoin(Perspective, Goal.perspective_id == Perspective.id)
    )
    if by_ids:
        stmt = stmt.where(Goal.id.in_(bindparam("ids", expanding=True)))
    if by_unit:
        stmt = stmt.where(OrgUnit.code.in_(codes_within("unit")) if subtree else OrgUnit.code == bindparam("unit"))
    if by_status:
        stmt = stmt.where(Goal.status == bindparam("status"))
    if by_perspective:
        stmt = stmt.where(Perspective.code == bindparam("perspective"))
    if orphans:
        stmt = stmt.where(_ORPHAN)
    if by_year:
        year = bindparam("year", type_=Integer)
        stmt = stmt.where(Goal.start_year <= year, or_(Goal.end_year.is_(None), Goal.end_year >= year))
    if order.q is not None:
        stmt = stmt.where(order.search(GOAL_SEARCHED))
    return page_statement(
        stmt.order_by(*order.order_by(GOAL_SORTS, tiebreak=Goal.id, default=(OrgUnit.code, Goal.title, Goal.id)))
    )


def _with_decision(row: dict[str, Any]) -> dict[str, Any]:
    """The decision kept on the goal's columns as GoalRead nests it, or None while it is undecided."""
    decision = {field: row.pop(f"decision_{field}") for field in (*_DECISION, "diary_number")}
    row["decision"] = decision if decision["decided_on"] is not None else None
    return row


async def list_goals(
    conn: AsyncConnection,
    page: PageParams,
    principal: Principal,
    *,
    ids: list[uuid.UUID] | None = None,
    unit: str | None = None,
    subtree: bool = False,
    status: Lifecycle | None = None,
    perspective: str | None = None,
    orphans: bool = False,
    year: int | None = None,
    order: Listing = Listing(),
) -> Response:
    """A page of Page[GoalRead] of the goals the caller may read, with their unit's code and level and their
    perspective's code joined in, in one statement."""
    params = _present({"ids": ids or None, "unit": unit, "status": status, "perspective": perspective, "year": year})
    flags = (bool(ids), unit is not None, subtree and unit is not None, status is not None)
    base = _goals(*flags, perspective is not None, orphans, year is not None, order.shape)
    rows, total = await fetch_page(conn, GOALS_SEEN.narrow(base, principal), page, {**params, **order.params()})
    if not rows and unit is not None:
        await refuse_unknown_unit(conn, unit, "unit")
    if not rows and perspective is not None:
        await _refuse_unknown_perspective(conn, perspective)
    return page_response([_with_decision(row) for row in rows], total, page, GoalRead)


# --- indicators ------------------------------------------------------------------------------------


class _TargetsByYear(TypeDecorator[dict[int, Decimal | None]]):
    """An indicator's targets aggregated in its row as `year=value,…`, read back as {year: value} by year.

    The values are read as the Quantity column reads them (SQLite keeps millionths), so they stay exact."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[int, Decimal | None]:
        if not value:
            return {}
        read = _QUANTITY.process_result_value
        pairs = sorted((int(year), amount) for year, _, amount in (item.partition("=") for item in value.split(",")))
        return {year: read(amount, dialect) for year, amount in pairs}


_QUANTITY = Quantity()
_TARGETS = type_coerce(
    select(func.aggregate_strings(cast(IndicatorTarget.year, String) + "=" + cast(IndicatorTarget.value, String), ","))
    .where(IndicatorTarget.indicator_id == Indicator.id)
    .scalar_subquery(),
    _TargetsByYear(),
)


def _indicator_column(name: str) -> ColumnElement[Any]:
    return _TARGETS.label(name) if name == "targets" else Indicator.__table__.c[name]


INDICATOR_SORTS = {
    "name": Indicator.name,
    "kolada_kpi": Indicator.kolada_kpi,
    "external_code": Indicator.external_code,
    "source": Indicator.source,
    "baseline_year": Indicator.baseline_year,
}
INDICATOR_SEARCHED = (Indicator.name, Indicator.kolada_kpi, Indicator.external_code)
IndicatorListing = Annotated[
    Listing, Depends(listing("Indicator", list(INDICATOR_SORTS), "name, Kolada KPI or external code"))
]


@functools.cache
def _indicators(
    by_goal: bool, by_strategy: bool, by_kpi: bool, by_code: bool, by_unit: bool, subtree: bool, order: Listing
) -> Select[Any]:
    stmt = select(*(_indicator_column(name) for name in IndicatorRead.model_fields))
    if by_goal:
        stmt = stmt.where(Indicator.goal_id == bindparam("goal"))
    if by_strategy:
        stmt = stmt.where(Indicator.strategy_id == bindparam("strategy"))
    if by_kpi:
        stmt = stmt.where(Indicator.kolada_kpi == bindparam("kolada_kpi"))
    if by_code:
        stmt = stmt.where(Indicator.external_code == bindparam("external_code"))
    if by_unit:
        unit = INDICATOR_UNIT_CODE
        stmt = stmt.where(unit.in_(codes_within("unit")) if subtree else unit == bindparam("unit"))
    if order.q is not None:
        stmt = stmt.where(order.search(INDICATOR_SEARCHED))
    default = (Indicator.name, Indicator.id)
    return page_statement(stmt.order_by(*order.order_by(INDICATOR_SORTS, tiebreak=Indicator.id, default=default)))


async def list_indicators(
    conn: AsyncConnection,
    page: PageParams,
    principal: Principal,
    *,
    goal: uuid.UUID | None = None,
    strategy: uuid.UUID | None = None,
    kolada_kpi: str | None = None,
    external_code: str | None = None,
    unit: str | None = None,
    subtree: bool = False,
    order: Listing = Listing(),
) -> Response:
    """A page of Page[IndicatorRead] of the indicators the caller may read, each with its targets, in one statement."""
    params = _present(
        {"goal": goal, "strategy": strategy, "kolada_kpi": kolada_kpi, "external_code": external_code, "unit": unit}
    )
    filters = (goal, strategy, kolada_kpi, external_code, unit)
    base = _indicators(*(value is not None for value in filters), subtree and unit is not None, order.shape)
    rows, total = await fetch_page(conn, INDICATORS_SEEN.narrow(base, principal), page, {**params, **order.params()})
    if not rows and unit is not None:
        await refuse_unknown_unit(conn, unit, "unit")
    return page_response(rows, total, page, IndicatorRead)
