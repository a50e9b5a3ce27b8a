"""HTTP routes for goals: create, read, change, decide, close, and their history."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from services.goals import queries
from services.goals.access import GOAL_CHANGE, GOAL_COMMENT, GOAL_CREATE, GOAL_DECIDE, GOAL_READ, GOALS_SEEN
from services.goals.dependencies import Index, a_goal, a_goal_change, a_goal_to_change, a_new_goal
from services.goals.models import Comment, Goal, HistoryEntry, Lifecycle
from services.goals.rules import goals as rules
from services.goals.schemas import GoalCreate, GoalRead, GoalUpdate
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.comments import CommentModel, add_comment_routes
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.db import ReadConnection
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
from shared.pagination import Page, Pagination
from shared.people import name_people
from shared.routes import add_history_route

router = APIRouter(prefix="/goals", tags=["goals"], route_class=GuardedRoute)
DecidableGoal = Annotated[Goal, guard(GOAL_DECIDE, a_goal)]


async def _read(session: DbSession, goal: Goal, index: Index, response: Response) -> GoalRead:
    set_etag(response, goal)
    return rules.goal_read(goal, index, await rules.perspective_codes(session))


@router.get(
    "",
    operation_id="list_goals",
    summary="List goals",
    response_model=Page[GoalRead],
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_goals(
    conn: ReadConnection,
    principal: CurrentPrincipal,
    page: Pagination,
    order: queries.GoalListing,
    unit: Annotated[str | None, Query(max_length=16, description="Only this unit's goals")] = None,
    subtree: Annotated[bool, Query(description="With `unit`: include the units below it")] = False,
    status: Annotated[Lifecycle | None, Query()] = None,
    perspective: Annotated[str | None, Query(max_length=32)] = None,
    orphans: Annotated[bool, Query(description="Only goals below the council with no upward link")] = False,
    year: Annotated[int | None, Query(ge=1990, le=2100, description="Only goals running that year")] = None,
    ids: Annotated[list[uuid.UUID] | None, Query(max_length=500, description="Only these goals")] = None,
) -> Response:
    return await queries.list_goals(
        conn,
        page,
        principal,
        ids=ids,
        unit=unit,
        subtree=subtree,
        status=status,
        perspective=perspective,
        orphans=orphans,
        year=year,
        order=order,
    )


@router.post(
    "",
    operation_id="create_goal",
    summary="Create a goal (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
)
async def create_goal(
    data: Annotated[GoalCreate, guard(GOAL_CREATE, a_new_goal)],
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    response: Response,
) -> GoalRead:
    goal = await rules.create_goal(session, name_people(data, principal), index, GOALS_SEEN.where(principal))
    response.headers["Location"] = f"/goals/{goal.id}"
    return await _read(session, goal, index, response)


@router.get(
    "/{goal_id}",
    operation_id="get_goal",
    summary="One goal",
    responses=error_responses(Forbidden, NotFound),
)
async def get_goal(
    goal: Annotated[Goal, guard(GOAL_READ, a_goal)], session: DbSession, index: Index, response: Response
) -> GoalRead:
    return await _read(session, goal, index, response)


@router.patch(
    "/{goal_id}",
    operation_id="update_goal",
    summary="Change a goal",
    responses=error_responses(Forbidden, NotFound, Conflict, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_goal(
    goal: Annotated[Goal, guard(GOAL_CHANGE, a_goal_to_change)],
    data: Annotated[GoalUpdate, Depends(a_goal_change)],
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    response: Response,
    if_match: IfMatch = None,
) -> GoalRead:
    check_if_match(if_match, goal)
    await rules.update_goal(session, goal, name_people(data, principal, goal), index)
    return await _read(session, goal, index, response)


@router.post(
    "/{goal_id}/decide",
    operation_id="decide_goal",
    summary="Record the decision; the goal is then locked",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def decide_goal(
    goal: DecidableGoal,
    decision: DecisionIn,
    session: DbSession,
    index: Index,
    diary_pattern: DiaryPattern,
    response: Response,
    if_match: IfMatch = None,
) -> GoalRead:
    check_if_match(if_match, goal)
    check_decision(decision, diary_pattern)
    await rules.decide_goal(session, goal, decision, index)
    return await _read(session, goal, index, response)


@router.post(
    "/{goal_id}/close",
    operation_id="close_goal",
    summary="Close a decided goal",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def close_goal(
    goal: DecidableGoal, session: DbSession, index: Index, response: Response, if_match: IfMatch = None
) -> GoalRead:
    check_if_match(if_match, goal)
    await rules.close_goal(session, goal)
    return await _read(session, goal, index, response)


add_history_route(
    router,
    "/{goal_id}/history",
    declared=GOAL_READ,
    load=a_goal,
    history_model=HistoryEntry,
    operation_id="get_goal_history",
    what="a goal",
)


add_comment_routes(
    router,
    "/{goal_id}",
    kind="goal",
    what="a goal",
    read=GOAL_READ,
    write=GOAL_COMMENT,
    load=a_goal,
    comments=CommentModel(Comment),
)
