"""Rules of assignments (uppdrag) from the council or board, and activities towards goals."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import (
    Activity,
    Assignment,
    AssignmentFollowUp,
    AssignmentStatus,
    Goal,
    ReportingPeriod,
)
from services.goals.rules.common import OrgIndex, unit_by_code
from services.goals.rules.goals import refuse_hidden_parent
from services.goals.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    AssignmentCreate,
    AssignmentFollowUpRead,
    AssignmentPage,
    AssignmentRead,
    AssignmentUpdate,
)
from shared.asof import period_end, today_in_sweden
from shared.auth.policy import UnitKind
from shared.decisions import decision_of, record_decision
from shared.errors import NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate

ISSUERS = {UnitKind.council, UnitKind.board}
ASSIGNEES = {UnitKind.board, UnitKind.committee, UnitKind.joint_committee}
ACTIVITY_LEVELS = {UnitKind.administration, UnitKind.unit}


async def get_assignment(session: AsyncSession, assignment_id: uuid.UUID) -> Assignment:
    assignment = await session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("No assignment with that id")
    return assignment


async def follow_ups_of(
    session: AsyncSession, ids: Sequence[uuid.UUID], as_of: date | None = None
) -> dict[uuid.UUID, list[AssignmentFollowUpRead]]:
    """The assignments' follow-ups in time order; with `as_of`, those of periods ended by then."""
    found: dict[uuid.UUID, list[AssignmentFollowUpRead]] = defaultdict(list)
    if ids:
        rows = await session.scalars(
            select(AssignmentFollowUp)
            .where(AssignmentFollowUp.assignment_id.in_(ids))
            .order_by(AssignmentFollowUp.year, AssignmentFollowUp.period)
        )
        for row in rows:
            if as_of is None or period_end(row.year, row.period.value) <= as_of:
                found[row.assignment_id].append(AssignmentFollowUpRead(year=row.year, period=row.period, text=row.text))
    return found


def assignment_read(
    a: Assignment, index: OrgIndex, follow_ups: list[AssignmentFollowUpRead], as_of: date
) -> AssignmentRead:
    """The assignment as at `as_of`; its status is today's (no date is kept for a change of status), so
    it is overdue on `as_of` if its deadline had passed and it is not done or cancelled now."""
    return AssignmentRead(
        owner_subject=a.owner_subject,
        owner_name=a.owner_name,
        id=a.id,
        issuer_code=index.code(a.issuer_id),
        assignee_code=index.code(a.assignee_id),
        title=a.title,
        description=a.description,
        deadline_on=a.deadline_on,
        status=a.status,
        overdue=bool(
            a.deadline_on
            and a.deadline_on < as_of
            and a.status not in (AssignmentStatus.done, AssignmentStatus.cancelled)
        ),
        decision=decision_of(a),
        follow_ups=follow_ups,
        latest_follow_up=follow_ups[-1] if follow_ups else None,
        recommendation_ids=[uuid.UUID(r) for r in a.recommendation_ids],
        version=a.version,
    )


async def create_assignment(session: AsyncSession, data: AssignmentCreate) -> Assignment:
    issuer = await unit_by_code(session, data.issuer_code, field="issuer_code")
    assignee = await unit_by_code(session, data.assignee_code, field="assignee_code")
    if issuer.kind not in ISSUERS:
        raise Unprocessable("Assignments come from the council or the board", field="issuer_code")
    if assignee.kind not in ASSIGNEES or assignee.id == issuer.id:
        raise Unprocessable("Assignments go to the board or a committee", field="assignee_code")
    assignment = Assignment(
        issuer_id=issuer.id,
        assignee_id=assignee.id,
        title=data.title,
        description=data.description,
        deadline_on=data.deadline_on,
        status=AssignmentStatus.not_started,
        recommendation_ids=as_stored(data.recommendation_ids),
        owner_subject=data.owner_subject,
        owner_name=data.owner_name,
    )
    if data.decision is not None:
        record_decision(assignment, data.decision)
    session.add(assignment)
    await session.flush()
    return assignment


def as_stored(ids: list[uuid.UUID]) -> list[str]:
    """Linked ids as kept: each once, in the order sent."""
    return [str(i) for i in dict.fromkeys(ids)]


def _changes(data: AssignmentUpdate | ActivityUpdate) -> dict[str, Any]:
    """The fields a PATCH sends, the recommendations it links as stored; a list sent as null is refused."""
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    if "recommendation_ids" in changes:
        if data.recommendation_ids is None:
            raise Unprocessable("recommendation_ids cannot be emptied with null; send []", field="recommendation_ids")
        changes["recommendation_ids"] = as_stored(data.recommendation_ids)
    return changes


async def update_assignment(session: AsyncSession, assignment: Assignment, data: AssignmentUpdate) -> Assignment:
    changes = _changes(data)
    for field in ("title", "status"):
        if field in changes and changes[field] is None:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
    for field, value in changes.items():
        setattr(assignment, field, value)
    await session.flush()
    return assignment


async def put_assignment_follow_up(
    session: AsyncSession, assignment: Assignment, year: int, period: ReportingPeriod, text: str
) -> None:
    existing = await session.scalar(
        select(AssignmentFollowUp).where(
            AssignmentFollowUp.assignment_id == assignment.id,
            AssignmentFollowUp.year == year,
            AssignmentFollowUp.period == period,
        )
    )
    if existing is None:
        session.add(AssignmentFollowUp(assignment_id=assignment.id, year=year, period=period, text=text))
    else:
        existing.text = text
    await session.flush()


def assignments_query(
    index: OrgIndex, assignee: str | None, issuer: str | None, status: AssignmentStatus | None, as_of: date
) -> Select[Assignment]:
    """Assignments decided by `as_of`; one recorded without a decision cannot be placed in time and is
    listed at every date rather than hidden."""
    stmt = (
        select(Assignment)
        .where(or_(Assignment.decided_on.is_(None), Assignment.decided_on <= as_of))
        .order_by(Assignment.deadline_on.asc().nulls_last(), Assignment.title, Assignment.id)
    )
    for code, column in ((assignee, Assignment.assignee_id), (issuer, Assignment.issuer_id)):
        if code is not None:
            unit = index.by_code.get(code)
            if unit is None:
                raise Unprocessable(f"No org unit with code {code}")
            stmt = stmt.where(column == unit.id)
    if status is not None:
        stmt = stmt.where(Assignment.status == status)
    return stmt


async def get_activity(session: AsyncSession, activity_id: uuid.UUID) -> tuple[Activity, Goal]:
    activity = await session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("No activity with that id")
    goal = await session.get(Goal, activity.goal_id)
    assert goal is not None
    return activity, goal


def activity_read(a: Activity, index: OrgIndex) -> ActivityRead:
    return ActivityRead(
        id=a.id,
        unit_code=index.code(a.unit_id),
        goal_id=a.goal_id,
        title=a.title,
        owner=a.owner,
        owner_subject=a.owner_subject,
        owner_name=a.owner_name,
        start_on=a.start_on,
        end_on=a.end_on,
        status=a.status,
        recommendation_ids=[uuid.UUID(r) for r in a.recommendation_ids],
        version=a.version,
    )


async def create_activity(
    session: AsyncSession, data: ActivityCreate, index: OrgIndex, visible_goals: ColumnElement[bool]
) -> Activity:
    """A new activity towards a goal the caller sees (`visible_goals`): a draft they may not read is absent."""
    await refuse_hidden_parent(session, data.goal_id, visible_goals, field="goal_id")
    unit = await unit_by_code(session, data.unit_code)
    if unit.kind not in ACTIVITY_LEVELS:
        raise Unprocessable("Activities are planned by administrations and units", field="unit_code")
    goal = await session.get(Goal, data.goal_id)
    if goal is None:
        raise Unprocessable("No goal with that id", field="goal_id")
    if goal.unit_id not in index.ancestors_or_self(unit.id):
        raise Unprocessable(
            f"An activity serves a goal of its own unit or of one above it; the goal is {index.code(goal.unit_id)}'s",
            field="goal_id",
        )
    activity = Activity(
        unit_id=unit.id,
        **data.model_dump(exclude={"unit_code", "recommendation_ids"}),
        recommendation_ids=as_stored(data.recommendation_ids),
    )
    session.add(activity)
    await session.flush()
    return activity


async def update_activity(session: AsyncSession, activity: Activity, data: ActivityUpdate) -> Activity:
    changes = _changes(data)
    for field in ("title", "status"):
        if field in changes and changes[field] is None:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
    for field, value in changes.items():
        setattr(activity, field, value)
    if activity.start_on and activity.end_on and activity.end_on < activity.start_on:
        raise Unprocessable("end_on must not be before start_on", field="end_on")
    await session.flush()
    return activity


def activities_query(
    index: OrgIndex,
    unit: str | None,
    goal_id: uuid.UUID | None,
    visible: ColumnElement[bool],
    activity_ids: Sequence[uuid.UUID] | None = None,
) -> Select[Activity, Goal]:
    stmt = (
        select(Activity, Goal)
        .join(Goal, Goal.id == Activity.goal_id)
        .where(visible)
        .order_by(Activity.start_on.asc().nulls_last(), Activity.title, Activity.id)
    )
    if unit is not None:
        found = index.by_code.get(unit)
        if found is None:
            raise Unprocessable(f"No org unit with code {unit}", field="unit")
        stmt = stmt.where(Activity.unit_id == found.id)
    if goal_id is not None:
        stmt = stmt.where(Activity.goal_id == goal_id)
    if activity_ids:
        stmt = stmt.where(Activity.id.in_(activity_ids))
    return stmt


async def list_activities(
    session: AsyncSession,
    page: PageParams,
    index: OrgIndex,
    *,
    unit: str | None,
    goal_id: uuid.UUID | None,
    visible: ColumnElement[bool],
    activity_ids: Sequence[uuid.UUID] | None = None,
) -> Page[ActivityRead]:
    stmt = activities_query(index, unit, goal_id, visible, activity_ids)
    return await paginate(session, stmt, page, lambda row: activity_read(row[0], index))


async def read_assignment(session: AsyncSession, assignment: Assignment, index: OrgIndex) -> AssignmentRead:
    follow_ups = await follow_ups_of(session, [assignment.id])
    return assignment_read(assignment, index, follow_ups[assignment.id], today_in_sweden())


async def list_assignments(
    session: AsyncSession,
    page: PageParams,
    index: OrgIndex,
    *,
    assignee: str | None,
    issuer: str | None,
    status: AssignmentStatus | None,
    as_of: date | None,
) -> AssignmentPage:
    """The assignments as at `as_of` (today if not given); their status is known only as it is today."""
    today = today_in_sweden()
    day = as_of or today
    found = await paginate(session, assignments_query(index, assignee, issuer, status, day), page, lambda row: row[0])
    follow_ups = await follow_ups_of(session, [a.id for a in found.items], day)
    return AssignmentPage(
        items=[assignment_read(a, index, follow_ups[a.id], day) for a in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
        as_of=day,
        status_known_on=today,
    )
