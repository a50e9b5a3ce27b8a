"""Rules of operating frames: parts, versions, decisions and proposals. Functions flush; the request commits."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ColumnElement, case, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    FrameStatus,
    InvestmentProject,
    InvestmentYear,
    OperatingFrame,
    ProjectStatus,
    ResourceCalculation,
)
from services.budget.rules.money import percent_of
from services.budget.rules.resources import room_for_frames
from services.budget.schemas import (
    FrameCreate,
    FrameRead,
    FrameRevision,
    FrameTotal,
    FrameUpdate,
    ProposalRead,
    ProposalRequest,
    ProposedFrame,
)
from shared.decisions import DecisionIn, decision_of, record_decision
from shared.errors import Conflict, Locked, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate
from shared.types import Money

PART_FIELDS = (
    "last_year_frame",
    "index_uplift",
    "population_change",
    "activity_change",
    "priorities",
    "investment_costs",
    "savings",
)


def frame_amount(frame: OperatingFrame | ProposedFrame) -> Decimal:
    """Last year's frame + index + population + activity + priorities + investments' running costs − savings."""
    return (
        frame.last_year_frame
        + frame.index_uplift
        + frame.population_change
        + frame.activity_change
        + frame.priorities
        + frame.investment_costs
        - frame.savings
    )


def frame_read(frame: OperatingFrame) -> FrameRead:
    return FrameRead(
        id=frame.id,
        unit_code=frame.unit_code,
        year=frame.year,
        revision=frame.revision,
        status=frame.status,
        last_year_frame=frame.last_year_frame,
        index_uplift=frame.index_uplift,
        population_change=frame.population_change,
        activity_change=frame.activity_change,
        priorities=frame.priorities,
        savings=frame.savings,
        investment_costs=frame.investment_costs,
        amount=frame.amount,
        comment=frame.comment,
        decision=decision_of(frame),
        version=frame.version,
        created_at=frame.created_at,
        updated_at=frame.updated_at,
    )


async def list_frames(
    session: AsyncSession,
    page: PageParams,
    *,
    year: int | None,
    unit_code: str | None,
    status: FrameStatus | None,
    visible: ColumnElement[bool] | None,
) -> Page[FrameRead]:
    stmt = select(OperatingFrame).order_by(OperatingFrame.year, OperatingFrame.unit_code, OperatingFrame.revision)
    if visible is not None:
        stmt = stmt.where(visible)
    if year is not None:
        stmt = stmt.where(OperatingFrame.year == year)
    if unit_code is not None:
        stmt = stmt.where(OperatingFrame.unit_code == unit_code)
    if status is not None:
        stmt = stmt.where(OperatingFrame.status == status)
    return await paginate(session, stmt, page, lambda row: frame_read(row[0]))


async def get_frame(session: AsyncSession, frame_id: uuid.UUID) -> OperatingFrame:
    frame = await session.get(OperatingFrame, frame_id)
    if frame is None:
        raise NotFound(f"No operating frame {frame_id}")
    return frame


async def create_frame(session: AsyncSession, data: FrameCreate) -> OperatingFrame:
    """The first version (revision 0, a proposal) of a unit's frame for a year."""
    exists = await session.scalar(
        select(OperatingFrame.id).where(OperatingFrame.unit_code == data.unit_code, OperatingFrame.year == data.year)
    )
    if exists is not None:
        raise Conflict(
            f"{data.unit_code} has a frame for {data.year} already; change that proposal or revise it", field="year"
        )
    frame = OperatingFrame(**data.model_dump(), revision=0, status=FrameStatus.proposal)
    frame.amount = frame_amount(frame)
    session.add(frame)
    await session.flush()
    return frame


def _ensure_proposal(frame: OperatingFrame) -> None:
    if frame.status is not FrameStatus.proposal:
        raise Locked(f"A {frame.status.value} frame is locked; make a revised version instead")


async def update_frame(session: AsyncSession, frame: OperatingFrame, data: FrameUpdate) -> OperatingFrame:
    _ensure_proposal(frame)
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field in PART_FIELDS:
            raise Unprocessable(f"{field} cannot be emptied; send 0", field=field)
        setattr(frame, field, value)
    frame.amount = frame_amount(frame)
    await session.flush()
    return frame


async def decide_frame(session: AsyncSession, frame: OperatingFrame, decision: DecisionIn) -> OperatingFrame:
    """Record the decision: the version is locked, and the version it replaces becomes `revised`."""
    _ensure_proposal(frame)
    previous = await session.scalars(
        select(OperatingFrame).where(
            OperatingFrame.unit_code == frame.unit_code,
            OperatingFrame.year == frame.year,
            OperatingFrame.status == FrameStatus.decided,
        )
    )
    for replaced in previous:
        replaced.status = FrameStatus.revised
    frame.status = FrameStatus.decided
    record_decision(frame, decision)
    await session.flush()
    return frame


async def revise_frame(session: AsyncSession, frame: OperatingFrame, data: FrameRevision) -> OperatingFrame:
    """A new proposal version of the frame in force, for a revision during the year."""
    if frame.status is not FrameStatus.decided:
        raise Conflict("Only the decided frame in force can be revised", field="status")
    latest = await session.scalar(
        select(func.max(OperatingFrame.revision)).where(
            OperatingFrame.unit_code == frame.unit_code, OperatingFrame.year == frame.year
        )
    )
    pending = await session.scalar(
        select(OperatingFrame.id).where(
            OperatingFrame.unit_code == frame.unit_code,
            OperatingFrame.year == frame.year,
            OperatingFrame.status == FrameStatus.proposal,
        )
    )
    if pending is not None:
        raise Conflict(f"A proposed revision {pending} is open already; change or decide that one")
    revision = OperatingFrame(
        unit_code=frame.unit_code,
        year=frame.year,
        revision=(latest or 0) + 1,
        status=FrameStatus.proposal,
        comment=frame.comment,
        **{part: getattr(frame, part) for part in PART_FIELDS},
    )
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None and field in PART_FIELDS:
            raise Unprocessable(f"{field} cannot be emptied; send 0", field=field)
        setattr(revision, field, value)
    revision.amount = frame_amount(revision)
    session.add(revision)
    await session.flush()
    return revision


async def frame_total(session: AsyncSession, year: int, status: FrameStatus) -> FrameTotal:
    row = (
        await session.execute(
            select(func.count(OperatingFrame.id), func.sum(OperatingFrame.amount)).where(
                OperatingFrame.year == year, OperatingFrame.status == status
            )
        )
    ).one()
    return FrameTotal(year=year, status=status, units=row[0], total=row[1] if row[1] is not None else Decimal(0))


async def investment_costs_starting(session: AsyncSession, year: int) -> dict[str, Decimal]:
    """Per unit, what its investments' running costs (depreciation, interest, operation) add in `year`.

    Last year's frame carries last year's running costs already, so what flows into the frame is the change:
    all of a project's costs in the year it starts to bring them, and a later rise or fall after that.
    Cancelled projects bring none.
    """
    costs = InvestmentYear.depreciation + InvestmentYear.interest + InvestmentYear.running_costs
    signed = case((InvestmentYear.year == year, costs), else_=-costs)
    rows = await session.execute(
        select(InvestmentProject.owner_unit, type_coerce(func.sum(signed), Money()))
        .join(InvestmentProject, InvestmentProject.id == InvestmentYear.project_id)
        .where(InvestmentYear.year.in_([year - 1, year]), InvestmentProject.status != ProjectStatus.cancelled)
        .group_by(InvestmentProject.owner_unit)
    )
    return {unit: amount for unit, amount in rows if amount}


def _proposed(
    unit_code: str, base: Decimal, request: ProposalRequest, index_percent: Decimal, investment_costs: Decimal
) -> ProposedFrame:
    proposed = ProposedFrame(
        unit_code=unit_code,
        last_year_frame=base,
        index_uplift=percent_of(base, index_percent),
        population_change=percent_of(base, request.population_percent),
        activity_change=percent_of(base, request.activity_percent),
        priorities=request.priorities.get(unit_code, Decimal(0)),
        savings=percent_of(base, request.savings_percent),
        investment_costs=investment_costs,
        amount=Decimal(0),
    )
    proposed.amount = frame_amount(proposed)
    return proposed


async def propose_frames(session: AsyncSession, request: ProposalRequest) -> ProposalRead:
    """Next year's frames from this year's decided ones, and how their sum fits the room."""
    year = request.from_year + 1
    resources = await session.scalar(select(ResourceCalculation).where(ResourceCalculation.year == year))
    if resources is None:
        raise Unprocessable(f"There is no resource calculation for {year}; make it first", field="from_year")
    bases = (
        await session.execute(
            select(OperatingFrame.unit_code, OperatingFrame.amount)
            .where(OperatingFrame.year == request.from_year, OperatingFrame.status == FrameStatus.decided)
            .order_by(OperatingFrame.unit_code)
        )
    ).all()
    if not bases:
        raise Unprocessable(f"No decided frames for {request.from_year} to start from", field="from_year")
    unknown = set(request.priorities) - {unit for unit, _ in bases}
    if unknown:
        raise Unprocessable(f"Priorities name units without a frame: {', '.join(sorted(unknown))}", field="priorities")
    index_percent = request.index_percent if request.index_percent is not None else resources.lpik_percent
    running = await investment_costs_starting(session, year)
    frames = [_proposed(unit, base, request, index_percent, running.get(unit, Decimal(0))) for unit, base in bases]
    total = sum((f.amount for f in frames), Decimal(0))
    room = room_for_frames(resources)
    if request.create:
        await _save_proposals(session, year, frames)
    return ProposalRead(
        year=year,
        index_percent=index_percent,
        frames=frames,
        total=total,
        room=room,
        margin=room - total,
        fits=total <= room,
        created=request.create,
    )


async def _save_proposals(session: AsyncSession, year: int, frames: list[ProposedFrame]) -> None:
    taken = set(
        await session.scalars(
            select(OperatingFrame.unit_code).where(
                OperatingFrame.year == year, OperatingFrame.unit_code.in_([f.unit_code for f in frames])
            )
        )
    )
    if taken:
        raise Conflict(f"Frames for {year} exist already for {', '.join(sorted(taken))}", field="create")
    for proposed in frames:
        session.add(
            OperatingFrame(
                year=year,
                revision=0,
                status=FrameStatus.proposal,
                comment=f"Proposed from {year - 1} with uplift parameters",
                **proposed.model_dump(),
            )
        )
    await session.flush()
