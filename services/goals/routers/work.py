"""HTTP routes for assignments (uppdrag) and activities."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from sqlalchemy import or_

from services.goals.access import ensure_editor, ensure_named_goal_readable, ensure_readable, ensure_registrar
from services.goals.models import Activity, AssignmentStatus, Goal, HistoryEntry, Lifecycle, ReportingPeriod
from services.goals.rules import work as rules
from services.goals.rules.common import OrgIndex
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
from shared.asof import AsOfQuery, today_in_sweden
from shared.auth.access import ANY_ROLE, ANY_ROLE_READABLE_DRAFTS, access, editor, read_record, rule, unit_role
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.auth.policy import UnitRole
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DiaryPattern, check_decision
from shared.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination, paginate

assignments = APIRouter(prefix="/assignments", tags=["assignments"])
activities = APIRouter(prefix="/activities", tags=["activities"])
ISSUER = "the issuing body"
ASSIGNEE = "the assignee"
ACTIVITY_UNIT = "the activity's unit"
# An activity is a draft while the goal it serves is one.
ACTIVITY_READ = read_record(ACTIVITY_UNIT).noting("a draft: the goal it serves is a draft")


async def _assignment_read(session: DbSession, assignment_id: uuid.UUID, index: OrgIndex) -> AssignmentRead:
    assignment = await rules.get_assignment(session, assignment_id)
    follow_ups = await rules.follow_ups_of(session, [assignment.id])
    return rules.assignment_read(assignment, index, follow_ups[assignment.id], today_in_sweden())


@assignments.get(
    "",
    operation_id="list_assignments",
    summary="Assignments from the council and the board",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_assignments(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    assignee: Annotated[str | None, Query(max_length=16)] = None,
    issuer: Annotated[str | None, Query(max_length=16)] = None,
    status: Annotated[AssignmentStatus | None, Query(description="The status today")] = None,
    as_of: AsOfQuery = None,
) -> AssignmentPage:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    today = today_in_sweden()
    day = as_of or today
    query = rules.assignments_query(index, assignee, issuer, status, day)
    found = await paginate(session, query, page, lambda row: row[0])
    follow_ups = await rules.follow_ups_of(session, [a.id for a in found.items], day)
    return AssignmentPage(
        items=[rules.assignment_read(a, index, follow_ups[a.id], day) for a in found.items],
        total=found.total,
        limit=found.limit,
        offset=found.offset,
        as_of=day,
        status_known_on=today,
    )


@assignments.post(
    "",
    operation_id="create_assignment",
    summary="Record an assignment to a committee",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    **access(editor(ISSUER).noting("registrar on it when a decision is recorded")),
)
async def create_assignment(
    data: AssignmentCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    diary_pattern: DiaryPattern,
    response: Response,
) -> AssignmentRead:
    if data.decision is not None:
        ensure_registrar(principal, data.issuer_code)
    else:
        ensure_editor(principal, data.issuer_code)
    check_decision(data.decision, diary_pattern, field="decision.diary_number")
    assignment = await rules.create_assignment(session, data)
    set_etag(response, assignment)
    response.headers["Location"] = f"/assignments/{assignment.id}"
    return await _assignment_read(session, assignment.id, await OrgIndex.load(session))


@assignments.get(
    "/{assignment_id}",
    operation_id="get_assignment",
    summary="One assignment with its follow-ups",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_assignment(
    assignment_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> AssignmentRead:
    require_signed_in_reader(principal)
    read = await _assignment_read(session, assignment_id, await OrgIndex.load(session))
    response.headers["ETag"] = f'"{read.version}"'
    return read


@assignments.patch(
    "/{assignment_id}",
    operation_id="update_assignment",
    summary="Change an assignment; its status is the assignee's to set",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(
        rule(unit_role(UnitRole.editor, ISSUER), unit_role(UnitRole.editor, ASSIGNEE)).noting(
            "the assignee's editors change the status only"
        )
    ),
)
async def update_assignment(
    assignment_id: uuid.UUID,
    data: AssignmentUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> AssignmentRead:
    index = await OrgIndex.load(session)
    assignment = await rules.get_assignment(session, assignment_id)
    issuer, assignee = index.code(assignment.issuer_id), index.code(assignment.assignee_id)
    only_status = data.model_fields_set <= {"status"}
    if not (principal.can_edit(issuer) or (only_status and principal.can_edit(assignee))):
        ensure_editor(principal, issuer if not only_status else assignee)
    check_if_match(if_match, assignment)
    await rules.update_assignment(session, assignment, data)
    set_etag(response, assignment)
    return await _assignment_read(session, assignment.id, index)


@assignments.put(
    "/{assignment_id}/follow-ups/{year}/{period}",
    operation_id="put_assignment_follow_up",
    summary="The assignee's report on the assignment for a period",
    responses=error_responses(Forbidden, NotFound),
    **access(editor(ASSIGNEE)),
)
async def put_assignment_follow_up(
    assignment_id: uuid.UUID,
    year: Annotated[int, Path(ge=1990, le=2100)],
    period: ReportingPeriod,
    data: AssignmentFollowUpIn,
    session: DbSession,
    principal: CurrentPrincipal,
) -> AssignmentRead:
    index = await OrgIndex.load(session)
    assignment = await rules.get_assignment(session, assignment_id)
    ensure_editor(principal, index.code(assignment.assignee_id))
    await rules.put_assignment_follow_up(session, assignment, year, period, data.text)
    return await _assignment_read(session, assignment.id, index)


@assignments.get(
    "/{assignment_id}/history",
    operation_id="get_assignment_history",
    summary="Every change to an assignment",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_assignment_history(
    assignment_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    assignment = await rules.get_assignment(session, assignment_id)
    return await read_history(session, HistoryEntry, assignment, page)


@activities.get(
    "",
    operation_id="list_activities",
    summary="Activities towards goals",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_activities(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    unit: Annotated[str | None, Query(max_length=16)] = None,
    goal: Annotated[uuid.UUID | None, Query()] = None,
) -> Page[ActivityRead]:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    stmt = rules.activities_query(index, unit, goal)
    if not principal.reads_all_drafts:
        mine = [index.by_code[c].id for c in principal.unit_roles if c in index.by_code]
        stmt = stmt.where(or_(Goal.status != Lifecycle.draft, Activity.unit_id.in_(mine)))
    return await paginate(session, stmt, page, lambda row: rules.activity_read(row[0], index))


@activities.post(
    "",
    operation_id="create_activity",
    summary="Plan an activity towards a goal",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    **access(editor(ACTIVITY_UNIT)),
)
async def create_activity(
    data: ActivityCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ActivityRead:
    ensure_editor(principal, data.unit_code)
    index = await OrgIndex.load(session)
    await ensure_named_goal_readable(session, principal, index, data.goal_id, "goal_id", "No goal with that id")
    activity = await rules.create_activity(session, data, index)
    set_etag(response, activity)
    response.headers["Location"] = f"/activities/{activity.id}"
    return rules.activity_read(activity, index)


@activities.get(
    "/{activity_id}",
    operation_id="get_activity",
    summary="One activity",
    responses=error_responses(Forbidden, NotFound),
    **access(ACTIVITY_READ),
)
async def get_activity(
    activity_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ActivityRead:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    activity, goal = await rules.get_activity(session, activity_id)
    ensure_readable(principal, index.code(activity.unit_id), goal.status, "activity")
    set_etag(response, activity)
    return rules.activity_read(activity, index)


@activities.patch(
    "/{activity_id}",
    operation_id="update_activity",
    summary="Change an activity",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(editor(ACTIVITY_UNIT).hiding_drafts_of(ACTIVITY_UNIT)),
)
async def update_activity(
    activity_id: uuid.UUID,
    data: ActivityUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ActivityRead:
    index = await OrgIndex.load(session)
    activity, goal = await rules.get_activity(session, activity_id)
    ensure_readable(principal, index.code(activity.unit_id), goal.status, "activity")
    ensure_editor(principal, index.code(activity.unit_id))
    check_if_match(if_match, activity)
    await rules.update_activity(session, activity, data)
    set_etag(response, activity)
    return rules.activity_read(activity, index)


@activities.get(
    "/{activity_id}/history",
    operation_id="get_activity_history",
    summary="Every change to an activity",
    responses=error_responses(Forbidden, NotFound),
    **access(ACTIVITY_READ),
)
async def get_activity_history(
    activity_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    activity, goal = await rules.get_activity(session, activity_id)
    ensure_readable(principal, index.code(activity.unit_id), goal.status, "activity")
    public_only = not principal.can_read(index.code(activity.unit_id), decided=False)
    return await read_history(session, HistoryEntry, activity, page, public_only=public_only)
