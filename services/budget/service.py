"""Rules of operating frames. Functions flush; the request's session commits."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import FrameStatus, OperatingFrame
from services.budget.schemas import FrameCreate, FrameRead, FrameTotal, FrameUpdate
from shared.errors import Conflict, Locked, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


async def list_frames(
    session: AsyncSession,
    page: PageParams,
    *,
    year: int | None,
    unit_code: str | None,
    visible: ColumnElement[bool] | None,
) -> Page[FrameRead]:
    stmt = select(OperatingFrame).order_by(OperatingFrame.year, OperatingFrame.unit_code)
    if visible is not None:
        stmt = stmt.where(visible)
    if year is not None:
        stmt = stmt.where(OperatingFrame.year == year)
    if unit_code is not None:
        stmt = stmt.where(OperatingFrame.unit_code == unit_code)
    return await paginate(session, stmt, page, lambda row: FrameRead.model_validate(row[0]))


async def get_frame(session: AsyncSession, frame_id: uuid.UUID) -> OperatingFrame:
    frame = await session.get(OperatingFrame, frame_id)
    if frame is None:
        raise NotFound(f"No operating frame {frame_id}")
    return frame


async def create_frame(session: AsyncSession, data: FrameCreate) -> OperatingFrame:
    exists = await session.scalar(
        select(OperatingFrame.id).where(OperatingFrame.unit_code == data.unit_code, OperatingFrame.year == data.year)
    )
    if exists is not None:
        raise Conflict(f"{data.unit_code} has a frame for {data.year} already; change that one", field="year")
    frame = OperatingFrame(**data.model_dump())
    session.add(frame)
    await session.flush()
    return frame


async def update_frame(session: AsyncSession, frame: OperatingFrame, data: FrameUpdate) -> OperatingFrame:
    if frame.status is FrameStatus.decided:
        raise Locked("A decided frame is locked; make a revised version instead")
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field in {"amount", "status"}:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(frame, field, value)
    await session.flush()
    return frame


async def frame_total(session: AsyncSession, year: int, status: FrameStatus) -> FrameTotal:
    row = (
        await session.execute(
            select(func.count(OperatingFrame.id), func.sum(OperatingFrame.amount)).where(
                OperatingFrame.year == year, OperatingFrame.status == status
            )
        )
    ).one()
    return FrameTotal(year=year, status=status, units=row[0], total=row[1] if row[1] is not None else 0)
