"""The fees the council sets (avgifter): each kept with the decision that set it. Functions flush."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import Fee
from services.budget.schemas import FeeCreate, FeeRead, FeeUpdate
from shared.decisions import DecisionIn, decision_of, record_decision
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


def fee_read(fee: Fee) -> FeeRead:
    return FeeRead(
        id=fee.id,
        year=fee.year,
        name=fee.name,
        amount=fee.amount,
        charge_unit=fee.charge_unit,
        decision=decision_of(fee),
        comment=fee.comment,
        version=fee.version,
        updated_at=fee.updated_at,
    )


def _ensure_the_councils(decision: DecisionIn, council_code: str) -> None:
    if decision.decided_by != council_code:
        raise Unprocessable(
            f"Fees are set by the council ({council_code}), not {decision.decided_by}", field="decided_by"
        )


async def _ensure_name_free(session: AsyncSession, year: int, name: str, but: uuid.UUID | None = None) -> None:
    stmt = select(Fee.id).where(Fee.year == year, Fee.name == name)
    if but is not None:
        stmt = stmt.where(Fee.id != but)
    if await session.scalar(stmt) is not None:
        raise Conflict(f"{year} has a fee named {name!r} already; change that one", field="name")


async def list_fees(session: AsyncSession, page: PageParams, *, year: int | None) -> Page[FeeRead]:
    stmt = select(Fee).order_by(Fee.year, Fee.name)
    if year is not None:
        stmt = stmt.where(Fee.year == year)
    return await paginate(session, stmt, page, lambda row: fee_read(row[0]))


async def get_fee(session: AsyncSession, fee_id: uuid.UUID) -> Fee:
    fee = await session.get(Fee, fee_id)
    if fee is None:
        raise NotFound(f"No fee {fee_id}")
    return fee


async def create_fee(session: AsyncSession, data: FeeCreate, council_code: str) -> Fee:
    _ensure_the_councils(data.decision, council_code)
    await _ensure_name_free(session, data.year, data.name)
    fee = Fee(**data.model_dump(exclude={"decision"}))
    record_decision(fee, data.decision)
    session.add(fee)
    await session.flush()
    return fee


async def update_fee(session: AsyncSession, fee: Fee, data: FeeUpdate, council_code: str) -> Fee:
    """A later decision changes the fee; the decision kept with it is then that one (history has the earlier)."""
    _ensure_the_councils(data.decision, council_code)
    changes = data.model_dump(exclude_unset=True, exclude={"decision"})
    for field, value in changes.items():
        if value is None and field != "comment":
            raise Unprocessable(f"{field} cannot be emptied", field=field)
    if "name" in changes:
        await _ensure_name_free(session, fee.year, changes["name"], but=fee.id)
    for field, value in changes.items():
        setattr(fee, field, value)
    record_decision(fee, data.decision)
    await session.flush()
    return fee
