"""HTTP routes of the committees' needs for a plan period and the budget dialogues about them."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import (
    DIALOGUE_CHANGE,
    DIALOGUE_READ,
    DIALOGUE_WRITES,
    DIALOGUES_SEEN,
    NEED_ANSWER,
    NEED_CHANGE,
    NEED_READ,
    NEED_SUBMIT,
    NEEDS_SEEN,
)
from services.budget.dependencies import a_dialogue, a_need, a_new_dialogue, a_new_need
from services.budget.models import BudgetDialogue, BudgetNeed, HistoryEntry
from services.budget.rules import needs as rules
from services.budget.schemas import (
    DialogueCreate,
    DialogueRead,
    DialogueUpdate,
    NeedCreate,
    NeedOutcomeIn,
    NeedRead,
    NeedUpdate,
    Year,
)
from shared.auth.access import ANY_ROLE
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    error_responses,
)
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_goals_exist, ensure_unit_exists
from shared.routes import add_history_route

needs = APIRouter(prefix="/needs", tags=["needs and dialogues"], route_class=GuardedRoute)
dialogues = APIRouter(prefix="/dialogues", tags=["needs and dialogues"], route_class=GuardedRoute)
UnitQuery = Annotated[str | None, Query(max_length=16)]


@needs.get(
    "",
    operation_id="list_needs",
    summary="The committees' needs, by plan period, unit and priority",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE.noting("only the units the caller may follow up"))],
)
async def list_needs(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    year: Annotated[Year | None, Query()] = None,
    unit: UnitQuery = None,
    frame: Annotated[uuid.UUID | None, Query(description="Only the needs this frame proposal carries")] = None,
) -> Page[NeedRead]:
    visible = NEEDS_SEEN.where(principal)
    return await rules.list_needs(session, page, visible=visible, year=year, unit_code=unit, frame_id=frame)


@needs.post(
    "",
    operation_id="submit_need",
    summary="Submit a committee's need for the plan period, with the goals it serves",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, ServiceUnavailable),
)
async def submit_need(
    data: Annotated[NeedCreate, guard(NEED_SUBMIT, a_new_need)],
    session: DbSession,
    goals: GoalsService,
    response: Response,
) -> NeedRead:
    await ensure_unit_exists(goals, data.unit_code)
    await ensure_goals_exist(goals, data.goal_ids)
    need = await rules.create_need(session, data)
    set_etag(response, need)
    response.headers["Location"] = f"/needs/{need.id}"
    return await rules.read_need(session, need)


@needs.get(
    "/{need_id}",
    operation_id="get_need",
    summary="One need, with the budget's answer once given",
    responses=error_responses(Forbidden, NotFound),
)
async def get_need(
    need: Annotated[BudgetNeed, guard(NEED_READ, a_need)], session: DbSession, response: Response
) -> NeedRead:
    set_etag(response, need)
    return await rules.read_need(session, need)


@needs.patch(
    "/{need_id}",
    operation_id="update_need",
    summary="Change a need the budget has not answered yet",
    responses=error_responses(
        Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired, ServiceUnavailable
    ),
)
async def update_need(
    need: Annotated[BudgetNeed, guard(NEED_CHANGE, a_need)],
    data: NeedUpdate,
    session: DbSession,
    goals: GoalsService,
    response: Response,
    if_match: IfMatch = None,
) -> NeedRead:
    check_if_match(if_match, need)
    if data.goal_ids:
        await ensure_goals_exist(goals, data.goal_ids)
    await rules.update_need(session, need, data)
    set_etag(response, need)
    return await rules.read_need(session, need)


@needs.post(
    "/{need_id}/outcome",
    operation_id="answer_need",
    summary="The budget's answer to a need; what is granted for the budget year becomes a political "
    "priority of the unit's frame proposal",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def answer_need(
    need: Annotated[BudgetNeed, guard(NEED_ANSWER, a_need)],
    data: NeedOutcomeIn,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> NeedRead:
    check_if_match(if_match, need)
    await rules.answer_need(session, need, data)
    set_etag(response, need)
    return await rules.read_need(session, need)


add_history_route(
    needs,
    "/{need_id}/history",
    declared=NEED_READ,
    load=a_need,
    history_model=HistoryEntry,
    operation_id="get_need_history",
    what="a committee's need",
)


@dialogues.get(
    "",
    operation_id="list_dialogues",
    summary="The budget dialogues between the board and the committees",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE.noting("only the units the caller may follow up"))],
)
async def list_dialogues(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    year: Annotated[Year | None, Query()] = None,
    unit: UnitQuery = None,
) -> Page[DialogueRead]:
    visible = DIALOGUES_SEEN.where(principal)
    return await rules.list_dialogues(session, page, visible=visible, year=year, unit_code=unit)


@dialogues.post(
    "",
    operation_id="record_dialogue",
    summary="Record a budget dialogue: when, who took part, what was agreed",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, ServiceUnavailable),
)
async def record_dialogue(
    data: Annotated[DialogueCreate, guard(DIALOGUE_WRITES, a_new_dialogue)],
    session: DbSession,
    goals: GoalsService,
    response: Response,
) -> DialogueRead:
    await ensure_unit_exists(goals, data.unit_code)
    dialogue = await rules.create_dialogue(session, data)
    set_etag(response, dialogue)
    response.headers["Location"] = f"/dialogues/{dialogue.id}"
    return DialogueRead.model_validate(dialogue)


@dialogues.get(
    "/{dialogue_id}",
    operation_id="get_dialogue",
    summary="One budget dialogue",
    responses=error_responses(Forbidden, NotFound),
)
async def get_dialogue(
    dialogue: Annotated[BudgetDialogue, guard(DIALOGUE_READ, a_dialogue)], response: Response
) -> DialogueRead:
    set_etag(response, dialogue)
    return DialogueRead.model_validate(dialogue)


@dialogues.patch(
    "/{dialogue_id}",
    operation_id="update_dialogue",
    summary="Correct a budget dialogue's record",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_dialogue(
    dialogue: Annotated[BudgetDialogue, guard(DIALOGUE_CHANGE, a_dialogue)],
    data: DialogueUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> DialogueRead:
    check_if_match(if_match, dialogue)
    await rules.update_dialogue(session, dialogue, data)
    set_etag(response, dialogue)
    return DialogueRead.model_validate(dialogue)


add_history_route(
    dialogues,
    "/{dialogue_id}/history",
    declared=DIALOGUE_READ,
    load=a_dialogue,
    history_model=HistoryEntry,
    operation_id="get_dialogue_history",
    what="a budget dialogue",
)
