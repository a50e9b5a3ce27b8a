"""HTTP routes for goals: create, read, change, decide, close, and their history."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.goals.access import ensure_changeable, ensure_named_goal_readable, ensure_readable, ensure_registrar
from services.goals.models import HistoryEntry, Lifecycle
from services.goals.rules import goals as rules
from services.goals.rules.common import OrgIndex
from services.goals.schemas import GoalCreate, GoalRead, GoalUpdate
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS, access, change_record, editor, read_record, registrar
from shared.auth.deps import CurrentPrincipal, DbSession, require_edit, require_signed_in_reader
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DecisionIn, DiaryPattern, check_decision
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination

router = APIRouter(prefix="/goals", tags=["goals"])
GOAL_UNIT = "the goal's unit"
READ = read_record(GOAL_UNIT)
CHANGE = change_record(GOAL_UNIT).noting("moving it to another unit needs the same there")
DECIDE = registrar(GOAL_UNIT).hiding_drafts_of(GOAL_UNIT)


async def _readable_goal(
    session: DbSession, principal: CurrentPrincipal, goal_id: uuid.UUID, index: OrgIndex
) -> GoalRead:
    goal = await rules.get_goal(session, goal_id)
    ensure_readable(principal, index.code(goal.unit_id), goal.status, "goal")
    return rules.goal_read(goal, index, await rules.perspective_codes(session))


async def _ensure_parent_readable(
    session: DbSession, principal: CurrentPrincipal, index: OrgIndex, parent_goal_id: uuid.UUID | None
) -> None:
    if parent_goal_id is not None:
        absent = "No goal with that id to link to"
        await ensure_named_goal_readable(session, principal, index, parent_goal_id, "parent_goal_id", absent)


@router.get(
    "",
    operation_id="list_goals",
    summary="List goals",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_goals(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    unit: Annotated[str | None, Query(max_length=16, description="Only this unit's goals")] = None,
    subtree: Annotated[bool, Query(description="With `unit`: include the units below it")] = False,
    status: Annotated[Lifecycle | None, Query()] = None,
    perspective: Annotated[str | None, Query(max_length=32)] = None,
    orphans: Annotated[bool, Query(description="Only goals below the council with no upward link")] = False,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="Only goals running that year")] = None,
) -> Page[GoalRead]:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    stmt = rules.goals_query(
        index,
        unit_code=unit,
        subtree=subtree,
        status=status,
        perspective_id=await rules.perspective_id_for_filter(session, perspective),
        orphans=orphans,
        year=year,
        visible=rules.visible_goals(principal),
    )
    return await rules.list_goals(session, page, stmt, index)


@router.post(
    "",
    operation_id="create_goal",
    summary="Create a goal (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    **access(editor(GOAL_UNIT)),
)
async def create_goal(
    data: GoalCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> GoalRead:
    require_edit(principal, data.unit_code)
    index = await OrgIndex.load(session)
    await _ensure_parent_readable(session, principal, index, data.parent_goal_id)
    goal = await rules.create_goal(session, data, index)
    set_etag(response, goal)
    response.headers["Location"] = f"/goals/{goal.id}"
    return rules.goal_read(goal, index, await rules.perspective_codes(session))


@router.get(
    "/{goal_id}",
    operation_id="get_goal",
    summary="One goal",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def get_goal(goal_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response) -> GoalRead:
    require_signed_in_reader(principal)
    read = await _readable_goal(session, principal, goal_id, await OrgIndex.load(session))
    response.headers["ETag"] = f'"{read.version}"'
    return read


@router.patch(
    "/{goal_id}",
    operation_id="update_goal",
    summary="Change a goal",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(CHANGE),
)
async def update_goal(
    goal_id: uuid.UUID,
    data: GoalUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> GoalRead:
    index = await OrgIndex.load(session)
    goal = await rules.get_goal(session, goal_id)
    ensure_readable(principal, index.code(goal.unit_id), goal.status, "goal")
    ensure_changeable(principal, index.code(goal.unit_id), goal.status, "goal")
    if data.unit_code is not None and data.unit_code != index.code(goal.unit_id):
        ensure_changeable(principal, data.unit_code, goal.status, "goal")
    await _ensure_parent_readable(session, principal, index, data.parent_goal_id)
    check_if_match(if_match, goal)
    await rules.update_goal(session, goal, data, index)
    set_etag(response, goal)
    return rules.goal_read(goal, index, await rules.perspective_codes(session))


@router.post(
    "/{goal_id}/decide",
    operation_id="decide_goal",
    summary="Record the decision; the goal is then locked",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(DECIDE),
)
async def decide_goal(
    goal_id: uuid.UUID,
    decision: DecisionIn,
    session: DbSession,
    principal: CurrentPrincipal,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> GoalRead:
    index = await OrgIndex.load(session)
    goal = await rules.get_goal(session, goal_id)
    ensure_readable(principal, index.code(goal.unit_id), goal.status, "goal")
    ensure_registrar(principal, index.code(goal.unit_id))
    check_if_match(if_match, goal)
    check_decision(decision, diary_pattern)
    await rules.decide_goal(session, goal, decision, index)
    set_etag(response, goal)
    return rules.goal_read(goal, index, await rules.perspective_codes(session))


@router.post(
    "/{goal_id}/close",
    operation_id="close_goal",
    summary="Close a decided goal",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(DECIDE),
)
async def close_goal(
    goal_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response, if_match: IfMatch = None
) -> GoalRead:
    index = await OrgIndex.load(session)
    goal = await rules.get_goal(session, goal_id)
    ensure_readable(principal, index.code(goal.unit_id), goal.status, "goal")
    ensure_registrar(principal, index.code(goal.unit_id))
    check_if_match(if_match, goal)
    await rules.close_goal(session, goal)
    set_etag(response, goal)
    return rules.goal_read(goal, index, await rules.perspective_codes(session))


@router.get(
    "/{goal_id}/history",
    operation_id="get_goal_history",
    summary="Every change to a goal",
    responses=error_responses(Forbidden, NotFound),
    **access(READ),
)
async def get_goal_history(
    goal_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    await _readable_goal(session, principal, goal_id, index)
    goal = await rules.get_goal(session, goal_id)
    public_only = not principal.can_read(index.code(goal.unit_id), decided=False)
    return await read_history(session, HistoryEntry, goal, page, public_only=public_only)
