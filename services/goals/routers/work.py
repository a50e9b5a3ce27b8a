"""HTTP routes for assignments (uppdrag) and activities."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from services.goals.access import (
    ACTIVITIES_SEEN,
    ACTIVITY_CHANGE,
    ACTIVITY_CREATE,
    ACTIVITY_READ,
    ASSIGNMENT_CHANGE,
    ASSIGNMENT_CREATE,
    ASSIGNMENT_FOLLOW_UP,
    GOALS_SEEN,
)
from services.goals.dependencies import (
    Index,
    a_new_activity,
    a_new_assignment,
    an_activity,
    an_assignment,
    an_assignment_change,
)
from services.goals.models import Activity, Assignment, AssignmentStatus, HistoryEntry, ReportingPeriod
from services.goals.rules import work as rules
from services.goals.schemas import (
    ActivityCreate,
    ActivityRead,
    ActivityUpdate,
    AssignmentCreate,
    AssignmentFollowUpIn,
    AssignmentPage,
    AssignmentRead,
    AssignmentUpdate,
)
from shared.asof import AsOfQuery
from shared.auth.access import ANY_ROLE, ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DiaryPattern, check_decision
from shared.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.fields import YearPath
from shared.pagination import Page, Pagination
from shared.peers import AuditService, Peer, refuse_unknown_links
from shared.people import name_people
from shared.routes import add_history_route

assignments = APIRouter(prefix="/assignments", tags=["assignments"], route_class=GuardedRoute)
activities = APIRouter(prefix="/activities", tags=["activities"], route_class=GuardedRoute)


async def _refuse_unknown_recommendations(audit: Peer, recommendation_ids: list[uuid.UUID] | None) -> None:
    """The recommendations an assignment or activity answers are the audit service's, checked there as the
    caller: one it does not know, or does not show them, is a 422."""
    await refuse_unknown_links(
        audit, "recommendation", "recommendations", recommendation_ids, field="recommendation_ids"
    )


async def _read(session: DbSession, assignment: Assignment, index: Index, response: Response) -> AssignmentRead:
    read = await rules.read_assignment(session, assignment, index)
    response.headers["ETag"] = f'"{read.version}"'
    return read


@assignments.get(
    "",
    operation_id="list_assignments",
    summary="Assignments from the council and the board",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_assignments(
    session: DbSession,
    index: Index,
    page: Pagination,
    assignee: Annotated[str | None, Query(max_length=16)] = None,
    issuer: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[AssignmentStatus | None, Query(description="The status today")] = None,
    as_of: AsOfQuery = None,
) -> AssignmentPage:
    return await rules.list_assignments(
        session, page, index, assignee=assignee, issuer=issuer, status=status, as_of=as_of
    )


@assignments.post(
    "",
    operation_id="create_assignment",
    summary="Record an assignment to a committee",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
)
async def create_assignment(
    data: Annotated[AssignmentCreate, guard(ASSIGNMENT_CREATE, a_new_assignment)],
    session: DbSession,
    index: Index,
    diary_pattern: DiaryPattern,
    audit: AuditService,
    principal: CurrentPrincipal,
    response: Response,
) -> AssignmentRead:
    check_decision(data.decision, diary_pattern, field="decision.diary_number")
    await _refuse_unknown_recommendations(audit, data.recommendation_ids)
    assignment = await rules.create_assignment(session, name_people(data, principal))
    response.headers["Location"] = f"/assignments/{assignment.id}"
    return await _read(session, assignment, index, response)


@assignments.get(
    "/{assignment_id}",
    operation_id="get_assignment",
    summary="One assignment with its follow-ups",
    responses=error_responses(Forbidden, NotFound),
)
async def get_assignment(
    assignment: Annotated[Assignment, guard(ANY_ROLE, an_assignment)],
    session: DbSession,
    index: Index,
    response: Response,
) -> AssignmentRead:
    return await _read(session, assignment, index, response)


@assignments.patch(
    "/{assignment_id}",
    operation_id="update_assignment",
    summary="Change an assignment; its status is the assignee's to set",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_assignment(
    assignment: Annotated[Assignment, guard(ASSIGNMENT_CHANGE, an_assignment)],
    data: Annotated[AssignmentUpdate, Depends(an_assignment_change)],
    session: DbSession,
    index: Index,
    audit: AuditService,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> AssignmentRead:
    check_if_match(if_match, assignment)
    await _refuse_unknown_recommendations(audit, data.recommendation_ids)
    await rules.update_assignment(session, assignment, name_people(data, principal, assignment))
    return await _read(session, assignment, index, response)


@assignments.put(
    "/{assignment_id}/follow-ups/{year}/{period}",
    operation_id="put_assignment_follow_up",
    summary="The assignee's report on the assignment for a period",
    responses=error_responses(Forbidden, NotFound),
)
async def put_assignment_follow_up(
    assignment: Annotated[Assignment, guard(ASSIGNMENT_FOLLOW_UP, an_assignment)],
    year: YearPath,
    period: ReportingPeriod,
    data: AssignmentFollowUpIn,
    session: DbSession,
    index: Index,
) -> AssignmentRead:
    await rules.put_assignment_follow_up(session, assignment, year, period, data.text)
    return await rules.read_assignment(session, assignment, index)


add_history_route(
    assignments,
    "/{assignment_id}/history",
    declared=ANY_ROLE,
    load=an_assignment,
    history_model=HistoryEntry,
    operation_id="get_assignment_history",
    what="an assignment",
)


@activities.get(
    "",
    operation_id="list_activities",
    summary="Activities towards goals",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_activities(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    page: Pagination,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    goal: Annotated[uuid.UUID | None, Query()] = None,
    ids: Annotated[list[uuid.UUID] | None, Query(max_length=500, description="Only these activities")] = None,
) -> Page[ActivityRead]:
    visible = ACTIVITIES_SEEN.where(principal)
    return await rules.list_activities(session, page, index, unit=unit, goal_id=goal, visible=visible, activity_ids=ids)


@activities.post(
    "",
    operation_id="create_activity",
    summary="Plan an activity towards a goal",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
)
async def create_activity(
    data: Annotated[ActivityCreate, guard(ACTIVITY_CREATE, a_new_activity)],
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    audit: AuditService,
    response: Response,
) -> ActivityRead:
    await _refuse_unknown_recommendations(audit, data.recommendation_ids)
    activity = await rules.create_activity(session, name_people(data, principal), index, GOALS_SEEN.where(principal))
    set_etag(response, activity)
    response.headers["Location"] = f"/activities/{activity.id}"
    return rules.activity_read(activity, index)


@activities.get(
    "/{activity_id}",
    operation_id="get_activity",
    summary="One activity",
    responses=error_responses(Forbidden, NotFound),
)
async def get_activity(
    activity: Annotated[Activity, guard(ACTIVITY_READ, an_activity)], index: Index, response: Response
) -> ActivityRead:
    set_etag(response, activity)
    return rules.activity_read(activity, index)


@activities.patch(
    "/{activity_id}",
    operation_id="update_activity",
    summary="Change an activity",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_activity(
    activity: Annotated[Activity, guard(ACTIVITY_CHANGE, an_activity)],
    data: ActivityUpdate,
    session: DbSession,
    index: Index,
    audit: AuditService,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ActivityRead:
    check_if_match(if_match, activity)
    await _refuse_unknown_recommendations(audit, data.recommendation_ids)
    await rules.update_activity(session, activity, name_people(data, principal, activity))
    set_etag(response, activity)
    return rules.activity_read(activity, index)


add_history_route(
    activities,
    "/{activity_id}/history",
    declared=ACTIVITY_READ,
    load=an_activity,
    history_model=HistoryEntry,
    operation_id="get_activity_history",
    what="an activity",
)
