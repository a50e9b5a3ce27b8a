"""The goals service's list reads, lean (issue 17): one statement per page that carries the list's count,
columns selected by the names of the response model's fields with the codes joined in, run on a connection
outside any transaction, and the rows validated once by the response model (shared/pagination.py).

Which rows a caller sees is the model's one visibility filter (services/goals/access.py); the statements of
each combination of filters are built once, their values sent as parameters.
"""

from __future__ import annotations

import functools
import uuid
from decimal import Decimal
from typing import Any

from fastapi import Response
from sqlalchemy import ColumnElement, Select, String, bindparam, cast, func, select, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.types import TypeDecorator

from services.goals.access import INDICATOR_UNIT_CODE
from services.goals.models import Indicator, IndicatorTarget, OrgUnit
from services.goals.schemas import IndicatorRead
from shared.errors import bad_query
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


# --- indicators ------------------------------------------------------------------------------------


class _TargetsByYear(TypeDecorator[dict[int, Decimal]]):
    """An indicator's targets aggregated in its row as `year=value,…`, read back as {year: value} by year.

    The values are read as the Quantity column reads them (SQLite keeps millionths), so they stay exact."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> dict[int, Decimal]:
        if not value:
            return {}
        read = Quantity().process_result_value
        pairs = (item.split("=", 1) for item in value.split(","))
        return {
            year: amount for year, amount in sorted((int(y), read(v, dialect)) for y, v in pairs) if amount is not None
        }


_TARGETS = type_coerce(
    select(func.aggregate_strings(cast(IndicatorTarget.year, String) + "=" + cast(IndicatorTarget.value, String), ","))
    .where(IndicatorTarget.indicator_id == Indicator.id)
    .scalar_subquery(),
    _TargetsByYear(),
)


def _indicator_column(name: str) -> ColumnElement[Any]:
    return _TARGETS.label(name) if name == "targets" else Indicator.__table__.c[name]


@functools.cache
def _indicators(
    by_goal: bool, by_strategy: bool, by_kpi: bool, by_code: bool, by_unit: bool, subtree: bool
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
    return stmt.order_by(Indicator.name, Indicator.id)


async def list_indicators(
    conn: AsyncConnection,
    page: PageParams,
    visible: ColumnElement[bool],
    *,
    goal: uuid.UUID | None = None,
    strategy: uuid.UUID | None = None,
    kolada_kpi: str | None = None,
    external_code: str | None = None,
    unit: str | None = None,
    subtree: bool = False,
) -> Response:
    """A page of Page[IndicatorRead] of the indicators the caller may read, each with its targets, in one statement."""
    given = {"goal": goal, "strategy": strategy, "kolada_kpi": kolada_kpi, "external_code": external_code, "unit": unit}
    params = {name: value for name, value in given.items() if value is not None}
    filters = (goal, strategy, kolada_kpi, external_code, unit)
    base = _indicators(*(value is not None for value in filters), subtree and unit is not None)
    rows, total = await fetch_page(conn, page_statement(base.where(visible)), page, params)
    if not rows and unit is not None:
        await refuse_unknown_unit(conn, unit, "unit")
    return page_response(rows, total, page, IndicatorRead)
