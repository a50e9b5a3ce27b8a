"""Rules of actions: what a body does about its recommendations, with dated progress notes and evidence."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Annotated

from fastapi import Depends
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.models import (
    Action,
    ActionRecommendation,
    ActionStatus,
    AuditReport,
    ProgressNote,
    Recommendation,
)
from services.audit.rules.common import changes
from services.audit.schemas import (
    ActionCreate,
    ActionRead,
    ActionUpdate,
    EvidenceRead,
    ProgressNoteIn,
    ProgressNoteRead,
)
from shared.asof import today_in_sweden
from shared.errors import NotFound, Unprocessable
from shared.listing import Listing, listing
from shared.pagination import Page, PageParams, paginate

# An action leaves the follow-up when it is done or cancelled; the day it did is its `finished_on`.
FINISHED = (ActionStatus.done, ActionStatus.cancelled)


async def links_of(session: AsyncSession, action_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    links: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if action_ids:
        rows = await session.execute(
            select(ActionRecommendation.action_id, ActionRecommendation.recommendation_id)
            .where(ActionRecommendation.action_id.in_(action_ids))
            .order_by(ActionRecommendation.created_at, ActionRecommendation.id)
        )
        for action_id, rec_id in rows:
            links[action_id].append(rec_id)
    return links


async def notes_of(session: AsyncSession, action_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ProgressNote]]:
    notes: dict[uuid.UUID, list[ProgressNote]] = defaultdict(list)
    if action_ids:
        rows = await session.scalars(
            select(ProgressNote)
            .where(ProgressNote.action_id.in_(action_ids))
            .order_by(ProgressNote.noted_on, ProgressNote.created_at, ProgressNote.id)
        )
        for note in rows:
            notes[note.action_id].append(note)
    return notes


def action_read(action: Action, recommendation_ids: list[uuid.UUID], notes: list[ProgressNote]) -> ActionRead:
    return ActionRead(
        id=action.id,
        body_code=action.body_code,
        title=action.title,
        description=action.description,
        owner=action.owner,
        owner_subject=action.owner_subject,
        owner_name=action.owner_name,
        deadline_on=action.deadline_on,
        status=action.status,
        finished_on=action.finished_on,
        evidence=[EvidenceRead.model_validate(e) for e in action.evidence],
        goal_ids=[uuid.UUID(g) for g in action.goal_ids],
        indicator_ids=[uuid.UUID(i) for i in action.indicator_ids],
        recommendation_ids=recommendation_ids,
        progress_notes=[ProgressNoteRead.model_validate(n) for n in notes],
        version=action.version,
        created_at=action.created_at,
        updated_at=action.updated_at,
    )


async def actions_read(session: AsyncSession, actions: Sequence[Action]) -> list[ActionRead]:
    """Actions with their links and notes, in two more statements however many actions there are."""
    ids = [a.id for a in actions]
    links = await links_of(session, ids)
    notes = await notes_of(session, ids)
    return [action_read(a, links[a.id], notes[a.id]) for a in actions]


ACTION_SORTS = {
    "title": Action.title,
    "body_code": Action.body_code,
    "deadline_on": Action.deadline_on,
    "status": Action.status,
    "finished_on": Action.finished_on,
}
ACTION_SEARCHED = (Action.title, Action.description, Action.owner)
ActionListing = Annotated[Listing, Depends(listing("Action", list(ACTION_SORTS), "title, description or owner"))]


async def list_actions(
    session: AsyncSession,
    page: PageParams,
    *,
    body_code: str | None,
    status: ActionStatus | None,
    recommendation_id: uuid.UUID | None,
    order: Listing = Listing(),
) -> Page[ActionRead]:
    default = (Action.body_code, Action.deadline_on, Action.title, Action.id)
    stmt = select(Action).order_by(*order.order_by(ACTION_SORTS, tiebreak=Action.id, default=default))
    if order.q is not None:
        stmt = stmt.where(order.search(ACTION_SEARCHED))
    if body_code is not None:
        stmt = stmt.where(Action.body_code == body_code)
    if status is not None:
        stmt = stmt.where(Action.status == status)
    if recommendation_id is not None:
        linked = select(ActionRecommendation.action_id).where(
            ActionRecommendation.recommendation_id == recommendation_id
        )
        stmt = stmt.where(Action.id.in_(linked))
    actions = await paginate(session, stmt.params(order.params()), page, lambda row: row[0])
    return Page[ActionRead](
        items=await actions_read(session, actions.items),
        total=actions.total,
        limit=actions.limit,
        offset=actions.offset,
    )


async def get_action(session: AsyncSession, action_id: uuid.UUID) -> Action:
    action = await session.get(Action, action_id)
    if action is None:
        raise NotFound(f"No action {action_id}")
    return action


async def action_with_links(session: AsyncSession, action: Action) -> ActionRead:
    return (await actions_read(session, [action]))[0]


async def _check_recommendations(session: AsyncSession, body_code: str, rec_ids: list[uuid.UUID]) -> None:
    """Every linked recommendation exists and is addressed to the action's body."""
    found = {r.id: r for r in await session.scalars(select(Recommendation).where(Recommendation.id.in_(rec_ids)))}
    for index, rec_id in enumerate(rec_ids):
        rec = found.get(rec_id)
        if rec is None:
            raise Unprocessable(f"No recommendation {rec_id}", field=f"recommendation_ids[{index}]")
        if rec.body_code != body_code:
            raise Unprocessable(
                f"Recommendation {rec_id} is addressed to {rec.body_code}, not {body_code}",
                field=f"recommendation_ids[{index}]",
            )


async def _check_not_before_report(
    session: AsyncSession, day: date | None, rec_ids: list[uuid.UUID], field: str
) -> None:
    """A deadline or a finishing day before the report arrived is a typing error: nobody acts on a report
    they have not got."""
    if day is None or not rec_ids:
        return
    latest_report = await session.scalar(
        select(func.max(AuditReport.received_on))
        .join(Recommendation, Recommendation.report_id == AuditReport.id)
        .where(Recommendation.id.in_(rec_ids))
    )
    if latest_report is not None and day < latest_report:
        raise Unprocessable(f"The {field} {day} is before the audit report's date {latest_report}", field=field)


def _finished_on(status: ActionStatus, sent: date | None, current: date | None, was_finished: bool) -> date | None:
    """The day the action was done or cancelled: the day sent, the one it has, or today when it is finished
    now; an action not finished has none (reopened, it loses it; its history keeps the old one)."""
    if status not in FINISHED:
        if sent is not None:
            message = f"A {status.value} action has no finished_on; it is done or cancelled first"
            raise Unprocessable(message, field="finished_on")
        return None
    day = sent if sent is not None else (current if was_finished and current is not None else today_in_sweden())
    if day > today_in_sweden():
        raise Unprocessable(f"The finished_on {day} is in the future", field="finished_on")
    return day


def _evidence_and_links(data: ActionCreate | ActionUpdate) -> dict[str, object]:
    values: dict[str, object] = {}
    if data.evidence is not None:
        values["evidence"] = [e.model_dump(mode="json", exclude_none=True) for e in data.evidence]
    if data.goal_ids is not None:
        values["goal_ids"] = [str(g) for g in dict.fromkeys(data.goal_ids)]
    if data.indicator_ids is not None:
        values["indicator_ids"] = [str(i) for i in dict.fromkeys(data.indicator_ids)]
    return values


async def create_action(session: AsyncSession, data: ActionCreate) -> Action:
    rec_ids = list(dict.fromkeys(data.recommendation_ids))
    await _check_recommendations(session, data.body_code, rec_ids)
    await _check_not_before_report(session, data.deadline_on, rec_ids, "deadline_on")
    finished_on = _finished_on(data.status, data.finished_on, None, was_finished=False)
    await _check_not_before_report(session, finished_on, rec_ids, "finished_on")
    action = Action(
        **data.model_dump(exclude={"recommendation_ids", "evidence", "goal_ids", "indicator_ids", "finished_on"}),
        **_evidence_and_links(data),
        finished_on=finished_on,
    )
    session.add(action)
    await session.flush()
    session.add_all(ActionRecommendation(action_id=action.id, recommendation_id=r) for r in rec_ids)
    await session.flush()
    return action


async def update_action(session: AsyncSession, action: Action, data: ActionUpdate) -> Action:
    sent = changes(data, {"title", "status"}, exclude={"recommendation_ids", "evidence", "goal_ids", "indicator_ids"})
    current_links = (await links_of(session, [action.id]))[action.id]
    rec_ids = list(dict.fromkeys(data.recommendation_ids)) if data.recommendation_ids is not None else current_links
    if data.recommendation_ids is not None:
        await _check_recommendations(session, action.body_code, rec_ids)
    await _check_not_before_report(session, sent.get("deadline_on", action.deadline_on), rec_ids, "deadline_on")
    sent["finished_on"] = _finished_on(
        sent.get("status", action.status), data.finished_on, action.finished_on, action.status in FINISHED
    )
    if sent["finished_on"] != action.finished_on:
        await _check_not_before_report(session, sent["finished_on"], rec_ids, "finished_on")
    for field, value in {**sent, **_evidence_and_links(data)}.items():
        setattr(action, field, value)
    if data.recommendation_ids is not None:
        await _relink(session, action, set(current_links), rec_ids)
    await session.flush()
    return action


async def _relink(session: AsyncSession, action: Action, current: set[uuid.UUID], wanted: list[uuid.UUID]) -> None:
    for link in await session.scalars(select(ActionRecommendation).where(ActionRecommendation.action_id == action.id)):
        if link.recommendation_id not in wanted:
            await session.delete(link)
    session.add_all(ActionRecommendation(action_id=action.id, recommendation_id=r) for r in wanted if r not in current)


async def get_note(session: AsyncSession, action: Action, note_id: uuid.UUID) -> ProgressNote:
    note = await session.get(ProgressNote, note_id)
    if note is None or note.action_id != action.id:
        raise NotFound(f"No progress note {note_id} on this action")
    return note


async def add_note(session: AsyncSession, action: Action, data: ProgressNoteIn) -> ProgressNote:
    note = ProgressNote(action_id=action.id, noted_on=data.noted_on, text=data.text)
    session.add(note)
    await session.flush()
    return note
