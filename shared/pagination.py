"""One pagination style for every list: `limit` and `offset` in, `items` and `total` out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, Integer, Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

T = TypeVar("T")
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


class Page(BaseModel, Generic[T]):
    """A page of a list, with the total number of items the whole list holds."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        """GoalPage, not Page_GoalRead_: the name generated clients give the class."""
        return "".join(getattr(p, "__name__", str(p)).removesuffix("Read") for p in params) + "Page"


@dataclass(frozen=True, slots=True)
class PageParams:
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0,
) -> PageParams:
    # Async on purpose: FastAPI sends a sync dependency (or a class) to the threadpool on every request.
    return PageParams(limit, offset)


Pagination = Annotated[PageParams, Depends(page_params)]


async def paginate(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    page: PageParams,
    to_item: Callable[[Any], T],
) -> Page[T]:
    """Run `stmt` for one page (it must have a stable ORDER BY, and no DISTINCT) and count the whole list.

    One statement: each row carries the list's count (`count(*) OVER ()`). `to_item` gets each result
    row without it (a tuple), so a select of several columns needs no second query.
    """
    counted = stmt.add_columns(func.count().over()).limit(page.limit).offset(page.offset)
    rows: Sequence[Any] = (await session.execute(counted)).all()
    if rows:
        total = rows[0][-1]
    elif page.offset:  # past the end: no row to carry the count
        total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    else:
        total = 0
    return Page[T](items=[to_item(r[:-1]) for r in rows], total=total, limit=page.limit, offset=page.offset)


# The lean pattern for a list read (see read_page): one prebuilt statement that carries the whole
# list's count on every row, run outside a transaction, its rows validated once by the response model.
_TOTAL = "page_total_"
_LIMIT, _OFFSET = "page_limit_", "page_offset_"


def page_statement(stmt: Select[Any], total: ColumnElement[int] | None = None) -> Select[Any]:
    """A list's statement (columns named as the item model's fields, a stable ORDER BY) made into a page:
    the count of the whole list on every row, and the page's bounds as parameters. Build it once.

    `total`, when given, is a cheaper way to count the list than a window over it (an uncorrelated scalar
    subquery, say): a window must read every row of the list before the first of the page, where the
    page alone can stop after `offset + limit` rows read in index order."""
    counted = stmt.add_columns((func.count().over() if total is None else total).label(_TOTAL))
    return counted.limit(bindparam(_LIMIT)).offset(bindparam(_OFFSET))


def rows_through_page() -> ColumnElement[int]:
    """How many rows from the head of the list a page reaches (offset + limit), as the page's parameters:
    a branch of a union, read in the list's order, may stop there, since no later row of it can be on the page."""
    return bindparam(_OFFSET, type_=Integer) + bindparam(_LIMIT, type_=Integer)


async def fetch_page(
    conn: AsyncConnection,
    stmt: Select[Any],
    page: PageParams,
    params: Mapping[str, Any] | None = None,
    count: Select[Any] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The rows of one page of `stmt` (from page_statement) as dicts by column name, and the list's total.

    A page past the end has no row to carry the count: only then is the list counted on its own, by
    `count` if given (a statement that wraps the page in an outer select must say how its list is counted).
    """
    result = await conn.execute(stmt, {**(params or {}), _LIMIT: page.limit, _OFFSET: page.offset})
    # Plain dicts: pydantic reads a dict in C, a RowMapping through the Mapping protocol a key at a time.
    names = tuple(result.keys())
    rows = [dict(zip(names, row, strict=True)) for row in result.all()]
    if rows:
        return rows, rows[0][_TOTAL]
    if not page.offset:
        return rows, 0
    if count is None:
        count = select(func.count()).select_from(stmt.limit(None).offset(None).order_by(None).subquery())
    return rows, (await conn.execute(count, dict(params or {}))).scalar_one()


def page_response(rows: list[dict[str, Any]], total: int, page: PageParams, item: type[BaseModel]) -> Response:
    """Page[item] as JSON, each row validated once by the item model (a route returning it declares
    `response_model=Page[item]`, so FastAPI neither validates nor serialises it again)."""
    answer = Page[item].model_validate(  # type: ignore[valid-type]
        {"items": rows, "total": total, "limit": page.limit, "offset": page.offset}
    )
    return Response(answer.model_dump_json(), media_type="application/json")


async def read_page(
    conn: AsyncConnection,
    stmt: Select[Any],
    page: PageParams,
    item: type[BaseModel],
    params: Mapping[str, Any] | None = None,
    count: Select[Any] | None = None,
) -> Response:
    """One page of `stmt` (from page_statement) as the JSON of Page[item], in one statement."""
    rows, total = await fetch_page(conn, stmt, page, params, count)
    return page_response(rows, total, page, item)
