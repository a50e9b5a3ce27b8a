"""Drill-down: from a figure of the economy read models to the ledger rows that make it up.

A figure is an outcome sum: a unit's (or the region's) account category, costs or net cost, over the
months a follow-up (or month) covers, as the read models count them (rules/economy.py). An outcome
the ledger import set is made of the current rows of the batch that last set it (`Outcome.batch_id`); one
keyed in or corrected by hand has no current ledger rows and stands as one row of its own. So the rows of a
drill-down always add up to the figure, whatever mix of imports and corrections it has seen.

The statement is built once per shape (region or unit, one month or all) with its values as
parameters, and read as one page with the list's count on every row (shared/pagination.py).
"""

from __future__ import annotations

import functools
from typing import Any

from fastapi import Response
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    String,
    Uuid,
    bindparam,
    case,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.budget.models import (
    REVENUE_CATEGORIES,
    UNIT_CATEGORIES,
    UNIT_COST_CATEGORIES,
    AccountCategory,
    LedgerBatch,
    LedgerRow,
    Outcome,
)
from services.budget.rules.economy import Period
from services.budget.rules.ledger import LEDGER_SOURCE
from services.budget.schemas import Figure, LedgerRowRead
from shared.pagination import PageParams, page_statement, read_page
from shared.types import Money

KEYED = "keyed"


def categories_of(figure: Figure) -> tuple[AccountCategory, ...]:
    """The account categories a figure sums, as the read models sum them."""
    if figure is Figure.net_cost:
        return UNIT_CATEGORIES
    if figure is Figure.costs:
        return UNIT_COST_CATEGORIES
    return (AccountCategory(figure.value),)


def _counted(amount: Any, category: Any, revenue_negative: bool) -> ColumnElement[Any]:
    if not revenue_negative:
        return type_coerce(amount, Money()).label("counted")
    revenue = [c.value for c in REVENUE_CATEGORIES]
    return type_coerce(case((category.in_(revenue), -amount), else_=amount), Money()).label("counted")


def _filters(by_unit: bool, one_month: bool) -> list[ColumnElement[bool]]:
    conditions = [
        Outcome.year == bindparam("year"),
        Outcome.month <= bindparam("through_month"),
        Outcome.category.in_(bindparam("categories", expanding=True)),
    ]
    if by_unit:
        conditions.append(Outcome.unit_code == bindparam("unit_code"))
    if one_month:
        conditions.append(Outcome.month == bindparam("only_month"))
    return conditions


def _imported_filters(by_unit: bool, one_month: bool) -> list[ColumnElement[bool]]:
    conditions = [
        LedgerRow.current.is_(True),
        LedgerRow.year == bindparam("year"),
        LedgerRow.month <= bindparam("through_month"),
        LedgerRow.category.in_(bindparam("categories", expanding=True)),
    ]
    if by_unit:
        conditions.append(LedgerRow.unit_code == bindparam("unit_code"))
    if one_month:
        conditions.append(LedgerRow.month == bindparam("only_month"))
    return conditions


def _batch_column(column: Any, batch_id: Any, label: str) -> Any:
    """A column of the row's batch, looked up for the rows of the page only (PostgreSQL evaluates it after the
    sort and the limit): a join, or a lookup in the list, would cost one for every row of the list."""
    return select(column).where(LedgerBatch.id == batch_id).scalar_subquery().label(label)


@functools.cache
def _statement(by_unit: bool, one_month: bool, revenue_negative: bool) -> Select[Any]:
    """The current rows of the imported outcomes and the keyed outcomes themselves, in one ordered list.

    The ledger rows are read from their own table in the order of its (year, unit, month, category, id)
    index, without a join, and the list is counted on the side: so a page reads its own rows and the
    index, not the whole list (at the ten-times region a join, or a window count, read every row)."""
    imported_where = _imported_filters(by_unit, one_month)
    keyed_where = [or_(Outcome.source.is_(None), Outcome.source != LEDGER_SOURCE), *_filters(by_unit, one_month)]
    imported = select(
        LedgerRow.unit_code,
        LedgerRow.year,
        LedgerRow.month,
        LedgerRow.category,
        LedgerRow.account,
        LedgerRow.amount,
        LedgerRow.booked,
        _counted(LedgerRow.amount, LedgerRow.category, revenue_negative),
        literal(LEDGER_SOURCE, String()).label("source"),
        LedgerRow.outcome_id,
        LedgerRow.id.label("row_id"),
        LedgerRow.line,
        LedgerRow.batch_id,
    ).where(*imported_where)
    keyed = select(
        Outcome.unit_code,
        Outcome.year,
        Outcome.month,
        Outcome.category,
        type_coerce(null(), String()).label("account"),
        Outcome.amount,
        type_coerce(null(), Money()).label("booked"),
        _counted(Outcome.amount, Outcome.category, revenue_negative),
        literal(KEYED, String()).label("source"),
        Outcome.id.label("outcome_id"),
        type_coerce(null(), BigInteger().with_variant(Integer, "sqlite")).label("row_id"),
        type_coerce(null(), Integer()).label("line"),
        type_coerce(null(), Uuid()).label("batch_id"),
    ).where(*keyed_where)
    rows = union_all(imported, keyed).subquery("figure_rows")
    total = (
        select(func.count()).select_from(LedgerRow).where(*imported_where).scalar_subquery()
        + select(func.count()).select_from(Outcome).where(*keyed_where).scalar_subquery()
    )
    # One outcome is either imported or keyed, so (unit, month, category, row) orders every row once; in the
    # order of the rows' index, so that PostgreSQL reads a page's rows in order instead of sorting the list.
    ordered = select(
        *rows.c,
        _batch_column(LedgerBatch.imported_at, rows.c.batch_id, "imported_at"),
        _batch_column(LedgerBatch.imported_by_name, rows.c.batch_id, "imported_by"),
    ).order_by(*([] if by_unit else [rows.c.unit_code]), rows.c.month, rows.c.category, rows.c.row_id)
    return page_statement(ordered, total)


async def figure_rows(
    conn: AsyncConnection,
    page: PageParams,
    *,
    year: int,
    period: Period,
    figure: Figure,
    unit_code: str | None,
    only_month: int | None,
) -> Response:
    """A page of the rows making up one figure of a unit (or of the region, with no unit)."""
    stmt = _statement(unit_code is not None, only_month is not None, figure is Figure.net_cost)
    params: dict[str, Any] = {
        "year": year,
        "through_month": period.through_month,
        "categories": [c.value for c in categories_of(figure)],
    }
    if unit_code is not None:
        params["unit_code"] = unit_code
    if only_month is not None:
        params["only_month"] = only_month
    return await read_page(conn, stmt, page, LedgerRowRead, params)
