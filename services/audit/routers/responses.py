"""HTTP routes for responses: written by the addressed body's editors, decided by its registrar, then locked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import BODY, BODY_EDITS, BODY_REGISTERS, READ_DECIDED
from services.audit.dependencies import Settings, a_new_response, a_response
from services.audit.models import EvidenceBlob, EvidenceFile, HistoryEntry, Lifecycle, RecommendationResponse
from services.audit.rules import reports as report_rules
from services.audit.rules import responses as rules
from services.audit.schemas import ResponseCreate, ResponseRead, ResponseUpdate
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
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
from shared.evidence import EvidenceModels, add_evidence_routes
from shared.pagination import Page, Pagination
from shared.routes import add_history_route

router = APIRouter(prefix="/responses", tags=["responses"], route_class=GuardedRoute)
ReadableResponse = Annotated[RecommendationResponse, guard(READ_DECIDED, a_response)]


@router.get(
    "",
    operation_id="list_responses",
    summary="List responses",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_responses(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: Annotated[str | None, Query(max_length=16, description="Only this body's")] = None,
    status: Annotated[Lifecycle | None, Query()] = None,
) -> Page[ResponseRead]:
    return await rules.list_responses(session, page, principal, body_code=body, status=status)


@router.post(
    "",
    operation_id="create_response",
    summary="Answer a recommendation addressed to your body (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def create_response(
    data: Annotated[ResponseCreate, guard(BODY_EDITS, a_new_response)], session: DbSession, response: Response
) -> ResponseRead:
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
)
async def get_response(answer: ReadableResponse, response: Response) -> ResponseRead:
    set_etag(response, answer)
    return rules.response_read(answer)


@router.patch(
    "/{response_id}",
    operation_id="update_response",
    summary="Change a draft response",
    responses=error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired),
)
async def update_response(
    answer: Annotated[
        RecommendationResponse, guard(BODY_EDITS.hiding_drafts_of(BODY).noting("locked once decided"), a_response)
    ],
    data: ResponseUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> ResponseRead:
    await rules.update_response(session, answer, data, if_match)
    set_etag(response, answer)
    return rules.response_read(answer)


@router.post(
    "/{response_id}/decide",
    operation_id="decide_response",
    summary="Record the meeting's decision (body, date, §, diary number); the response is then locked",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def decide_response(
    answer: Annotated[RecommendationResponse, guard(BODY_REGISTERS.hiding_drafts_of(BODY), a_response)],
    decision: DecisionIn,
    session: DbSession,
    settings: Settings,
    response: Response,
    if_match: IfMatch = None,
) -> ResponseRead:
    check_if_match(if_match, answer)
    await rules.decide_response(session, answer, decision, settings.diary_number_pattern)
    set_etag(response, answer)
    return rules.response_read(answer)


add_history_route(
    router,
    "/{response_id}/history",
    declared=READ_DECIDED,
    load=a_response,
    history_model=HistoryEntry,
    operation_id="get_response_history",
    what="a response",
)


def _decided(answer: RecommendationResponse) -> str | None:
    """A decided response is the public record, with what was attached to it when it was decided."""
    return "The response is decided" if answer.status is Lifecycle.decided else None


add_evidence_routes(
    router,
    "/{response_id}",
    kind="response",
    what="a response",
    read=READ_DECIDED,
    change=BODY_EDITS.hiding_drafts_of(BODY).noting("locked once decided"),
    load=a_response,
    models=EvidenceModels(file=EvidenceFile, blob=EvidenceBlob, history=HistoryEntry),
    final=_decided,
)
