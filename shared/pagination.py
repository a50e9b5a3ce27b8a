"""One pagination style for every list: `limit` and `offset` in, `items` and `total` out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

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


class PageParams:
    def __init__(
        self,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")] = DEFAULT_PAGE_SIZE,
        offset: Annotated[int, Query(ge=0, le=10_000_000, description="Items to skip")] = 0,
    ) -> None:
        self.limit = limit
        self.offset = offset


Pagination = Annotated[PageParams, Depends()]


async def paginate(
    session: AsyncSession,
    stmt: Select[*tuple[Any, ...]],
    page: PageParams,
    to_item: Callable[[Any], T],
) -> Page[T]:
    """Run `stmt` for one page (it must have a stable ORDER BY) and count the whole list.

    `to_item` gets each result row (a `Row`), so a select of several columns needs no second query.
    """
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows: Sequence[Any] = (await session.execute(stmt.limit(page.limit).offset(page.offset))).all()
    return Page[T](items=[to_item(r) for r in rows], total=total or 0, limit=page.limit, offset=page.offset)
