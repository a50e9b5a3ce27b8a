"""HTTP routes for actions on recommendations, their progress notes and evidence."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import BODY_EDITS, ensure_body_editor
from services.audit.models import ActionStatus, HistoryEntry
from services.audit.rules import actions as rules
from services.audit.schemas import ActionCreate, ActionRead, ActionUpdate, ProgressNoteIn, ProgressNoteRead
from shared.auth.access import ANY_ROLE, access
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_goals_exist

router = APIRouter(prefix="/actions", tags=["actions"])


@router.get(
    "",
    operation_id="list_actions",
    summary="List actions on recommendations",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_actions(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: Annotated[str | None, Query(description="Only this body's, e.g. RS", max_length=16)] = None,
    status: Annotated[ActionStatus | None, Query()] = None,
    recommendation: Annotated[uuid.UUID | None, Query(description="Only actions on this recommendation")] = None,
) -> Page[ActionRead]:
    require_signed_in_reader(principal)
    return await rules.list_actions(session, page, body_code=body, status=status, recommendation_id=recommendation)


@router.get(
    "/{action_id}",
    operation_id="get_action",
    summary="One action",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_action(
    action_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ActionRead:
    require_signed_in_reader(principal)
    action = await rules.get_action(session, action_id)
    set_etag(response, action)
    return await rules.action_with_links(session, action)


@router.post(
    "",
    operation_id="create_action",
    summary="Record an action on one or more of the body's recommendations",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden),
    **access(BODY_EDITS),
)
async def create_action(
    data: ActionCreate, session: DbSession, principal: CurrentPrincipal, goals: GoalsService, response: Response
) -> ActionRead:
    ensure_body_editor(principal, data.body_code)
    await ensure_goals_exist(goals, data.goal_ids)
    action = await rules.create_action(session, data)
    set_etag(response, action)
    response.headers["Location"] = f"/actions/{action.id}"
    return await rules.action_with_links(session, action)


@router.patch(
    "/{action_id}",
    operation_id="update_action",
    summary="Change an action: status, deadline, owner, evidence, goals, recommendations",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(BODY_EDITS),
)
async def update_action(
    action_id: uuid.UUID,
    data: ActionUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    goals: GoalsService,
    response: Response,
    if_match: IfMatch = None,
) -> ActionRead:
    action = await rules.get_action(session, action_id)
    ensure_body_editor(principal, action.body_code)
    check_if_match(if_match, action)
    await ensure_goals_exist(goals, data.goal_ids or [])
    await rules.update_action(session, action, data)
    set_etag(response, action)
    return await rules.action_with_links(session, action)


@router.post(
    "/{action_id}/notes",
    operation_id="add_progress_note",
    summary="Add a dated progress note to an action",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound),
    **access(BODY_EDITS),
)
async def add_progress_note(
    action_id: uuid.UUID, data: ProgressNoteIn, session: DbSession, principal: CurrentPrincipal
) -> ProgressNoteRead:
    action = await rules.get_action(session, action_id)
    ensure_body_editor(principal, action.body_code)
    return ProgressNoteRead.model_validate(await rules.add_note(session, action, data))


@router.get(
    "/{action_id}/history",
    operation_id="get_action_history",
    summary="Every change to an action",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_action_history(
    action_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    action = await rules.get_action(session, action_id)
    return await read_history(session, HistoryEntry, action, page)


@router.get(
    "/{action_id}/notes/{note_id}/history",
    operation_id="get_progress_note_history",
    summary="Every change to a progress note",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_progress_note_history(
    action_id: uuid.UUID, note_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    note = await rules.get_note(session, await rules.get_action(session, action_id), note_id)
    return await read_history(session, HistoryEntry, note, page)
