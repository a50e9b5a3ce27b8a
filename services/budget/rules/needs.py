"""Needs and budget dialogues: what the committees ask for a plan period, and what the budget gives them.

A need's outcome puts the amount granted for the budget year into the unit's frame proposal for that year as
a political priority and names the frame, so each frame's priorities trace back to the needs that fed them.
Functions flush; the request commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.budget.models import (
    BudgetDialogue,
    BudgetNeed,
    FrameStatus,
    NeedGoal,
    NeedStatus,
    OperatingFrame,
)
from services.budget.rules.frames import frame_amount
from services.budget.schemas import (
    DialogueCreate,
    DialogueRead,
    DialogueUpdate,
    NeedAmount,
    NeedAmountIn,
    NeedCreate,
    NeedOutcomeIn,
    NeedRead,
    NeedUpdate,
    the_three_years,
)
from shared.errors import Conflict, Locked, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate

AMOUNTS = ("amount_1", "amount_2", "amount_3")
GRANTED = ("granted_1", "granted_2", "granted_3")


def _by_year(year: int, record: BudgetNeed, columns: tuple[str, str, str]) -> list[NeedAmount]:
    return [NeedAmount(year=year + i, amount=getattr(record, c)) for i, c in enumerate(columns)]


def need_read(need: BudgetNeed, goal_ids: Sequence[uuid.UUID]) -> NeedRead:
    answered = need.status is not NeedStatus.submitted
    return NeedRead(
        id=need.id,
        unit_code=need.unit_code,
        year=need.year,
        title=need.title,
        justification=need.justification,
        priority=need.priority,
        amounts=_by_year(need.year, need, AMOUNTS),
        goal_ids=sorted(goal_ids),
        status=need.status,
        granted=_by_year(need.year, need, GRANTED) if answered else None,
        frame_id=need.frame_id,
        outcome_comment=need.outcome_comment,
        version=need.version,
        created_at=need.created_at,
        updated_at=need.updated_at,
    )


async def goals_of(session: AsyncSession, need_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The goals each need serves, in one statement for any number of needs."""
    found: dict[uuid.UUID, list[uuid.UUID]] = {need_id: [] for need_id in need_ids}
    if need_ids:
        rows = await session.execute(
            select(NeedGoal.need_id, NeedGoal.goal_id).where(NeedGoal.need_id.in_(list(need_ids)))
        )
        for need_id, goal_id in rows:
            found[need_id].append(goal_id)
    return found


async def read_need(session: AsyncSession, need: BudgetNeed) -> NeedRead:
    return need_read(need, (await goals_of(session, [need.id]))[need.id])


async def list_needs(
    session: AsyncSession,
    page: PageParams,
    *,
    visible: ColumnElement[bool],
    year: int | None,
    unit_code: str | None,
    frame_id: uuid.UUID | None,
) -> Page[NeedRead]:
    stmt = select(BudgetNeed).where(visible).order_by(BudgetNeed.year, BudgetNeed.unit_code, BudgetNeed.priority)
    if year is not None:
        stmt = stmt.where(BudgetNeed.year == year)
    if unit_code is not None:
        stmt = stmt.where(BudgetNeed.unit_code == unit_code)
    if frame_id is not None:
        stmt = stmt.where(BudgetNeed.frame_id == frame_id)
    found = await paginate(session, stmt, page, lambda row: row[0])
    goals = await goals_of(session, [n.id for n in found.items])
    return Page[NeedRead](
        items=[need_read(n, goals[n.id]) for n in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
    )


async def get_need(session: AsyncSession, need_id: uuid.UUID) -> BudgetNeed:
    need = await session.get(BudgetNeed, need_id)
    if need is None:
        raise NotFound(f"No need {need_id}")
    return need


def _amounts(year: int, amounts: list[NeedAmountIn]) -> dict[str, Decimal]:
    try:
        ordered = the_three_years(year, amounts)
    except ValueError as exc:
        raise Unprocessable(str(exc), field="amounts") from None
    return {column: a.amount for column, a in zip(AMOUNTS, ordered, strict=True)}


def new_need(data: NeedCreate) -> BudgetNeed:
    """A submitted need, not yet added to a session (the goals it serves are linked once it has an id)."""
    return BudgetNeed(
        unit_code=data.unit_code,
        year=data.year,
        title=data.title,
        justification=data.justification,
        priority=data.priority,
        status=NeedStatus.submitted,
        goals_revision=0,
        **_amounts(data.year, data.amounts),
    )


async def create_need(session: AsyncSession, data: NeedCreate) -> BudgetNeed:
    need = new_need(data)
    session.add(need)
    await session.flush()
    session.add_all(NeedGoal(need_id=need.id, goal_id=g) for g in dict.fromkeys(data.goal_ids))
    await session.flush()
    return need


def _ensure_unanswered(need: BudgetNeed) -> None:
    if need.status is not NeedStatus.submitted:
        raise Locked(f"The need is {need.status.value}; the budget has answered it and it is locked")


async def update_need(session: AsyncSession, need: BudgetNeed, data: NeedUpdate) -> None:
    _ensure_unanswered(need)
    changes = data.model_dump(exclude_unset=True, exclude={"amounts", "goal_ids"})
    for field, value in changes.items():
        if value is None:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(need, field, value)
    if data.amounts is not None:
        for column, amount in _amounts(need.year, data.amounts).items():
            setattr(need, column, amount)
    if data.goal_ids is not None:
        await _replace_goals(session, need, data.goal_ids)
    await session.flush()


async def _replace_goals(session: AsyncSession, need: BudgetNeed, goal_ids: list[uuid.UUID]) -> None:
    wanted = set(goal_ids)
    links = list(await session.scalars(select(NeedGoal).where(NeedGoal.need_id == need.id)))
    if wanted == {link.goal_id for link in links}:
        return
    for link in links:
        if link.goal_id not in wanted:
            await session.delete(link)
    held = {link.goal_id for link in links}
    session.add_all(NeedGoal(need_id=need.id, goal_id=g) for g in dict.fromkeys(goal_ids) if g not in held)
    need.goals_revision += 1


async def _frame_proposal(session: AsyncSession, need: BudgetNeed) -> OperatingFrame:
    frame = await session.scalar(
        select(OperatingFrame)
        .where(
            OperatingFrame.unit_code == need.unit_code,
            OperatingFrame.year == need.year,
            OperatingFrame.status == FrameStatus.proposal,
        )
        .order_by(OperatingFrame.revision.desc())
    )
    if frame is None:
        raise Conflict(f"{need.unit_code} has no frame proposal for {need.year} to carry the need; propose it first")
    return frame


def granted_amounts(need: BudgetNeed, answer: NeedOutcomeIn) -> list[Decimal]:
    """What the answer gives each of the three years; partly granted is at most what was asked, not all of it."""
    requested = [getattr(need, c) for c in AMOUNTS]
    if answer.outcome is NeedStatus.granted:
        return requested
    if answer.outcome is NeedStatus.not_granted or answer.granted is None:
        return [Decimal(0)] * len(AMOUNTS)
    given = [a.amount for a in the_three_years(need.year, answer.granted)]
    if any(g > r for g, r in zip(given, requested, strict=True)):
        raise Unprocessable("A need granted in part gets at most what it asked for each year", field="granted")
    if given == requested:
        raise Unprocessable("Everything asked for was given: the outcome is granted", field="outcome")
    return given


async def answer_need(session: AsyncSession, need: BudgetNeed, answer: NeedOutcomeIn) -> OperatingFrame:
    """The budget's answer: the budget year's grant becomes a political priority of the unit's frame proposal.

    A need answered again (before the frame is decided) moves the frame's priorities by the difference.
    """
    try:
        granted = granted_amounts(need, answer)
    except ValueError as exc:
        raise Unprocessable(str(exc), field="granted") from None
    frame = await _frame_proposal(session, need)
    before = need.granted_1 if need.frame_id == frame.id and need.granted_1 is not None else Decimal(0)
    if need.frame_id is not None and need.frame_id != frame.id:
        raise Conflict("The need was carried by a frame that is no longer a proposal; it is answered already")
    frame.priorities += granted[0] - before
    frame.amount = frame_amount(frame)
    for column, amount in zip(GRANTED, granted, strict=True):
        setattr(need, column, amount)
    need.status = answer.outcome
    need.outcome_comment = answer.comment
    need.frame_id = frame.id
    await session.flush()
    return frame


async def list_dialogues(
    session: AsyncSession,
    page: PageParams,
    *,
    visible: ColumnElement[bool],
    year: int | None,
    unit_code: str | None,
) -> Page[DialogueRead]:
    stmt = select(BudgetDialogue).where(visible).order_by(BudgetDialogue.held_on, BudgetDialogue.unit_code)
    if year is not None:
        stmt = stmt.where(BudgetDialogue.year == year)
    if unit_code is not None:
        stmt = stmt.where(BudgetDialogue.unit_code == unit_code)
    return await paginate(session, stmt, page, lambda row: DialogueRead.model_validate(row[0]))


async def get_dialogue(session: AsyncSession, dialogue_id: uuid.UUID) -> BudgetDialogue:
    dialogue = await session.get(BudgetDialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(f"No dialogue {dialogue_id}")
    return dialogue


async def create_dialogue(session: AsyncSession, data: DialogueCreate) -> BudgetDialogue:
    dialogue = BudgetDialogue(**data.model_dump())
    session.add(dialogue)
    await session.flush()
    return dialogue


async def update_dialogue(session: AsyncSession, dialogue: BudgetDialogue, data: DialogueUpdate) -> None:
    for field, value in data.model_dump(exclude_unset=True).items():
        if value is None:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
        setattr(dialogue, field, value)
    await session.flush()
