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
    cast,
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
from shared.pagination import PageParams, page_statement, read_page, rows_through_page
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
    """A column of the row's batch, looked up for the rows of the page only: a join, or a lookup in the list,
    would cost one for every row of the list."""
    return select(column).where(LedgerBatch.id == batch_id).scalar_subquery().label(label)


def _head(branch: Select[Any], *order: Any) -> Select[Any]:
    """A branch of the list in the list's order, only as far as the page reaches. PostgreSQL does not merge the
    ordered reads of a union's plain branches: it sorts the whole list (a unit's year, 16,700 rows, sorted on
    disk for every page). A branch ordered and limited on its own is read in its index's order, and the branches
    are merged (Merge Append), so a page reads the rows up to its end and sorts none."""
    return select(*branch.order_by(*order).limit(rows_through_page()).subquery().c)


@functools.lru_cache
def _statements(by_unit: bool, one_month: bool, revenue_negative: bool) -> tuple[Select[Any], Select[Any]]:
    """The page of the list (the current rows of the imported outcomes and the keyed outcomes themselves, in one
    order), and the statement that counts the list when a page past its end has no row to carry the count.

    The ledger rows are read from their own table in the order of its (year, unit, month, category, id)
    index, which holds the columns a page shows, without a join, and the list is counted on the side from
    the same index: so a page reads its own rows and the index, not the whole list (at the ten-times region
    a join, or a window count, read every row). The batch each row came from is looked up for the page's rows
    only, outside the paging: inside it, PostgreSQL would look it up for every row the offset skips."""
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
        # Typed NULLs: the branch is a subquery of its own, where an untyped NULL would be text.
        cast(null(), String()).label("account"),
        Outcome.amount,
        cast(null(), Money()).label("booked"),
        _counted(Outcome.amount, Outcome.category, revenue_negative),
        literal(KEYED, String()).label("source"),
        Outcome.id.label("outcome_id"),
        cast(null(), BigInteger().with_variant(Integer, "sqlite")).label("row_id"),
        cast(null(), Integer()).label("line"),
        cast(null(), Uuid()).label("batch_id"),
    ).where(*keyed_where)
    by_region = [] if by_unit else [LedgerRow.unit_code]
    rows = union_all(
        _head(imported, *by_region, LedgerRow.month, LedgerRow.category, LedgerRow.id),
        _head(keyed, *([] if by_unit else [Outcome.unit_code]), Outcome.month, Outcome.category),
    ).subquery("figure_rows")
    total = (
        select(func.count()).select_from(LedgerRow).where(*imported_where).scalar_subquery()
        + select(func.count()).select_from(Outcome).where(*keyed_where).scalar_subquery()
    )
    # One outcome is either imported or keyed, so (unit, month, category, row) orders every row once.
    page = page_statement(select(*rows.c).order_by(*_list_order(rows, by_unit)), total).subquery("page")
    with_batches = select(
        *page.c,
        _batch_column(LedgerBatch.imported_at, page.c.batch_id, "imported_at"),
        _batch_column(LedgerBatch.imported_by_name, page.c.batch_id, "imported_by"),
    ).order_by(*_list_order(page, by_unit))
    return with_batches, select(total)


def _list_order(rows: Any, by_unit: bool) -> list[Any]:
    return [*([] if by_unit else [rows.c.unit_code]), rows.c.month, rows.c.category, rows.c.row_id]


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
    stmt, count = _statements(unit_code is not None, only_month is not None, figure is Figure.net_cost)
    params: dict[str, Any] = {
        "year": year,
        "through_month": period.through_month,
        "categories": [c.value for c in categories_of(figure)],
    }
    if unit_code is not None:
        params["unit_code"] = unit_code
    if only_month is not None:
        params["only_month"] = only_month
    return await read_page(conn, stmt, page, LedgerRowRead, params, count)
