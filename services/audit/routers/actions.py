"""HTTP routes for actions on recommendations, their progress notes and evidence."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import BODY_EDITS, DISCUSSION
from services.audit.dependencies import a_new_action, a_progress_note, an_action
from services.audit.models import Action, ActionStatus, Comment, EvidenceBlob, EvidenceFile, HistoryEntry
from services.audit.rules import actions as rules
from services.audit.schemas import ActionCreate, ActionRead, ActionUpdate, ProgressNoteIn, ProgressNoteRead
from shared.auth.access import ANY_ROLE
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.comments import CommentModel, add_comment_routes
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.evidence import EvidenceModels, add_evidence_routes
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_goals_exist, refuse_unknown_links
from shared.people import name_people
from shared.routes import add_history_route

router = APIRouter(prefix="/actions", tags=["actions"], route_class=GuardedRoute)
ReadableAction = Annotated[Action, guard(ANY_ROLE, an_action)]
BodysAction = Annotated[Action, guard(BODY_EDITS, an_action)]


@router.get(
    "",
    operation_id="list_actions",
    summary="List actions on recommendations",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_actions(
    session: DbSession,
    page: Pagination,
    order: rules.ActionListing,
    body: Annotated[str | None, Query(description="Only this body's, e.g. RS", max_length=16)] = None,
    status: Annotated[ActionStatus | None, Query()] = None,
    recommendation: Annotated[uuid.UUID | None, Query(description="Only actions on this recommendation")] = None,
) -> Page[ActionRead]:
    return await rules.list_actions(
        session, page, body_code=body, status=status, recommendation_id=recommendation, order=order
    )


@router.get(
    "/{action_id}",
    operation_id="get_action",
    summary="One action",
    responses=error_responses(Forbidden, NotFound),
)
async def get_action(action: ReadableAction, session: DbSession, response: Response) -> ActionRead:
    set_etag(response, action)
    return await rules.action_with_links(session, action)


@router.post(
    "",
    operation_id="create_action",
    summary="Record an action on one or more of the body's recommendations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
)
async def create_action(
    data: Annotated[ActionCreate, guard(BODY_EDITS, a_new_action)],
    session: DbSession,
    goals: GoalsService,
    principal: CurrentPrincipal,
    response: Response,
) -> ActionRead:
    await ensure_goals_exist(goals, data.goal_ids)
    await refuse_unknown_links(goals, "indicator", "indicators", data.indicator_ids, field="indicator_ids")
    action = await rules.create_action(session, name_people(data, principal))
    set_etag(response, action)
    response.headers["Location"] = f"/actions/{action.id}"
    return await rules.action_with_links(session, action)


@router.patch(
    "/{action_id}",
    operation_id="update_action",
    summary="Change an action: status, deadline, owner, evidence, goals, indicators, recommendations",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_action(
    action: BodysAction,
    data: ActionUpdate,
    session: DbSession,
    goals: GoalsService,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ActionRead:
    check_if_match(if_match, action)
    await ensure_goals_exist(goals, data.goal_ids or [])
    await refuse_unknown_links(goals, "indicator", "indicators", data.indicator_ids, field="indicator_ids")
    await rules.update_action(session, action, name_people(data, principal, action))
    set_etag(response, action)
    return await rules.action_with_links(session, action)


@router.post(
    "/{action_id}/notes",
    operation_id="add_progress_note",
    summary="Add a dated progress note to an action",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound),
)
async def add_progress_note(action: BodysAction, data: ProgressNoteIn, session: DbSession) -> ProgressNoteRead:
    return ProgressNoteRead.model_validate(await rules.add_note(session, action, data))


add_history_route(
    router,
    "/{action_id}/history",
    declared=ANY_ROLE,
    load=an_action,
    history_model=HistoryEntry,
    operation_id="get_action_history",
    what="an action",
)
add_history_route(
    router,
    "/{action_id}/notes/{note_id}/history",
    declared=ANY_ROLE,
    load=a_progress_note,
    history_model=HistoryEntry,
    operation_id="get_progress_note_history",
    what="a progress note",
)


def _finished(action: Action) -> str | None:
    """A done or cancelled action is final: what proves it is part of the record."""
    unfinished = action.status in (ActionStatus.planned, ActionStatus.in_progress)
    return None if unfinished else f"The action is {action.status}"


add_evidence_routes(
    router,
    "/{action_id}",
    kind="action",
    what="an action",
    read=ANY_ROLE,
    change=BODY_EDITS,
    load=an_action,
    models=EvidenceModels(file=EvidenceFile, blob=EvidenceBlob, history=HistoryEntry),
    final=_finished,
)


add_comment_routes(
    router,
    "/{action_id}",
    kind="action",
    what="an action",
    read=ANY_ROLE,
    write=DISCUSSION,
    load=an_action,
    comments=CommentModel(Comment),
)
