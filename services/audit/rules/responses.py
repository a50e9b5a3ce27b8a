"""Rules of responses: the addressed body answers a recommendation; a registrar decides it, which locks it."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.access import RESPONSES_SEEN
from services.audit.models import AuditReport, Lifecycle, Recommendation, RecommendationResponse
from services.audit.rules.common import apply_decision, decision_of, ensure_draft
from services.audit.schemas import ResponseCreate, ResponseRead, ResponseUpdate
from shared.auth.policy import Principal
from shared.concurrency import check_if_match
from shared.decisions import DecisionIn
from shared.errors import Conflict, NotFound, Unprocessable
from shared.pagination import Page, PageParams, paginate


def response_read(response: RecommendationResponse) -> ResponseRead:
    return ResponseRead(
        id=response.id,
        recommendation_id=response.recommendation_id,
        body_code=response.body_code,
        text=response.text,
        status=response.status,
        decision=decision_of(response),
        version=response.version,
        created_at=response.created_at,
        updated_at=response.updated_at,
    )


async def get_response(session: AsyncSession, response_id: uuid.UUID) -> RecommendationResponse:
    response = await session.get(RecommendationResponse, response_id)
    if response is None:
        raise NotFound("No response with that id")
    return response


async def create_response(session: AsyncSession, rec: Recommendation, data: ResponseCreate) -> RecommendationResponse:
    if rec.body_code != data.body_code:
        raise Unprocessable(
            f"The recommendation is addressed to {rec.body_code}; {data.body_code} cannot answer it",
            field="recommendation_id",
        )
    existing = await session.scalar(
        select(RecommendationResponse.id).where(RecommendationResponse.recommendation_id == rec.id)
    )
    if existing is not None:
        raise Conflict(f"The recommendation already has a response ({existing}); change that one")
    response = RecommendationResponse(recommendation_id=rec.id, body_code=rec.body_code, text=data.text)
    session.add(response)
    await session.flush()
    return response


async def update_response(
    session: AsyncSession, response: RecommendationResponse, data: ResponseUpdate, if_match: str | None
) -> None:
    """A draft's new text, from a caller holding its current ETag; a decided response is the public record."""
    ensure_draft(response.status, "response")
    check_if_match(if_match, response)
    response.text = data.text
    await session.flush()


async def decide_response(
    session: AsyncSession, response: RecommendationResponse, decision: DecisionIn, diary_pattern: str
) -> None:
    if response.status is Lifecycle.decided:
        raise Conflict("The response is already decided")
    if decision.decided_by != response.body_code:
        raise Unprocessable(
            f"The response is {response.body_code}'s; it is decided at {response.body_code}'s meeting",
            field="decided_by",
        )
    received = await session.scalar(
        select(AuditReport.received_on)
        .join(Recommendation, Recommendation.report_id == AuditReport.id)
        .where(Recommendation.id == response.recommendation_id)
    )
    if received is not None and decision.decided_on < received:
        raise Unprocessable(
            f"The meeting {decision.decided_on} is before the audit report arrived ({received})", field="decided_on"
        )
    apply_decision(response, decision, diary_pattern)
    response.status = Lifecycle.decided
    await session.flush()


async def list_responses(
    session: AsyncSession,
    page: PageParams,
    principal: Principal,
    *,
    body_code: str | None,
    status: Lifecycle | None,
) -> Page[ResponseRead]:
    stmt = (
        select(RecommendationResponse)
        .where(RESPONSES_SEEN.where(principal))
        .order_by(RecommendationResponse.body_code, RecommendationResponse.created_at, RecommendationResponse.id)
    )
    if body_code is not None:
        stmt = stmt.where(RecommendationResponse.body_code == body_code)
    if status is not None:
        stmt = stmt.where(RecommendationResponse.status == status)
    return await paginate(session, stmt, page, lambda row: response_read(row[0]))
