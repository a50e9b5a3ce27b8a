"""HTTP routes for responses: written by the addressed body's editors, decided by its registrar, then locked."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import (
    BODY,
    BODY_EDITS,
    BODY_REGISTERS,
    READ_DECIDED,
    ensure_body_editor,
    ensure_body_registrar,
    ensure_draft,
    ensure_readable,
)
from services.audit.dependencies import Settings
from services.audit.models import HistoryEntry, Lifecycle
from services.audit.rules import reports as report_rules
from services.audit.rules import responses as rules
from services.audit.schemas import ResponseCreate, ResponseRead, ResponseUpdate
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS, access
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DecisionIn
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

router = APIRouter(prefix="/responses", tags=["responses"])


@router.get(
    "",
    operation_id="list_responses",
    summary="List responses",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_responses(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: Annotated[str | None, Query(max_length=16, description="Only this body's")] = None,
    status: Annotated[Lifecycle | None, Query()] = None,
) -> Page[ResponseRead]:
    require_signed_in_reader(principal)
    return await rules.list_responses(session, page, principal, body_code=body, status=status)


@router.post(
    "",
    operation_id="create_response",
    summary="Answer a recommendation addressed to your body (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
    **access(BODY_EDITS),
)
async def create_response(
    data: ResponseCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ResponseRead:
    ensure_body_editor(principal, data.body_code)
    rec = await report_rules.get_recommendation(session, data.recommendation_id)
    answer = await rules.create_response(session, rec, data)
    set_etag(response, answer)
    response.headers["Location"] = f"/responses/{answer.id}"
    return rules.response_read(answer)


@router.get(
    "/{response_id}",
    operation_id="get_response",
    summary="One response",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_DECIDED),
)
async def get_response(
    response_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ResponseRead:
    require_signed_in_reader(principal)
    answer = await rules.get_response(session, response_id)
    ensure_readable(principal, answer.body_code, answer.status, "response")
    set_etag(response, answer)
    return rules.response_read(answer)


@router.patch(
    "/{response_id}",
    operation_id="update_response",
    summary="Change a draft response",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
    **access(BODY_EDITS.hiding_drafts_of(BODY).noting("locked once decided")),
)
async def update_response(
    response_id: uuid.UUID,
    data: ResponseUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ResponseRead:
    answer = await rules.get_response(session, response_id)
    ensure_readable(principal, answer.body_code, answer.status, "response")
    ensure_body_editor(principal, answer.body_code)
    ensure_draft(answer.status, "response")
    check_if_match(if_match, answer)
    await rules.update_response(session, answer, data)
    set_etag(response, answer)
    return rules.response_read(answer)


@router.post(
    "/{response_id}/decide",
    operation_id="decide_response",
    summary="Record the meeting's decision (body, date, §, diary number); the response is then locked",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(BODY_REGISTERS.hiding_drafts_of(BODY)),
)
async def decide_response(
    response_id: uuid.UUID,
    decision: DecisionIn,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: Settings,
    response: Response,
    if_match: IfMatch = None,
) -> ResponseRead:
    answer = await rules.get_response(session, response_id)
    ensure_readable(principal, answer.body_code, answer.status, "response")
    ensure_body_registrar(principal, answer.body_code)
    check_if_match(if_match, answer)
    await rules.decide_response(session, answer, decision, settings.diary_number_pattern)
    set_etag(response, answer)
    return rules.response_read(answer)


@router.get(
    "/{response_id}/history",
    operation_id="get_response_history",
    summary="Every change to a response",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_DECIDED),
)
async def get_response_history(
    response_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    answer = await rules.get_response(session, response_id)
    ensure_readable(principal, answer.body_code, answer.status, "response")
    public_only = not principal.can_read(answer.body_code, decided=False)
    return await read_history(session, HistoryEntry, answer, page, public_only=public_only)
