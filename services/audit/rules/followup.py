"""Follow-up: the auditors' verdicts per recommendation, and what is overdue per body."""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.audit.access import RESPONSES_SEEN
from services.audit.models import (
    Action,
    ActionRecommendation,
    ActionStatus,
    AuditReport,
    Recommendation,
    RecommendationResponse,
    RecommendationStatus,
    ReviewVerdict,
)
from services.audit.rules import as_at
from services.audit.rules.actions import actions_read
from services.audit.rules.common import changes
from services.audit.rules.responses import response_read
from services.audit.schemas import (
    BodyOverdue,
    OverdueAction,
    OverdueList,
    OverdueResponse,
    RecommendationDetail,
    RecommendationRead,
    VerdictCreate,
    VerdictRead,
    VerdictUpdate,
)
from shared.auth.policy import Principal
from shared.errors import Conflict, NotFound
from shared.statements import read_rows


async def add_verdict(session: AsyncSession, rec: Recommendation, data: VerdictCreate) -> ReviewVerdict:
    if rec.status is RecommendationStatus.closed:
        raise Conflict("The recommendation is closed; reopen it (status: open) before a new verdict")
    verdict = ReviewVerdict(
        recommendation_id=rec.id, verdict=data.verdict, reviewed_on=data.reviewed_on, comment=data.comment
    )
    session.add(verdict)
    if data.close:
        rec.status = RecommendationStatus.closed
        rec.closed_on = data.reviewed_on
    await session.flush()
    return verdict


async def get_verdict(session: AsyncSession, verdict_id: uuid.UUID) -> ReviewVerdict:
    verdict = await session.get(ReviewVerdict, verdict_id)
    if verdict is None:
        raise NotFound(f"No verdict {verdict_id}")
    return verdict


async def update_verdict(session: AsyncSession, verdict: ReviewVerdict, data: VerdictUpdate) -> None:
    """A verdict of a closed recommendation is the record the closing stands on: it changes only after the
    auditors reopen the recommendation (status: open), so a closed one never rests on a verdict since changed."""
    rec = await session.get(Recommendation, verdict.recommendation_id)
    if rec is not None and rec.status is RecommendationStatus.closed:
        raise Conflict("The recommendation is closed on its verdicts; reopen it (status: open) to change one")
    for field, value in changes(data, {"verdict", "reviewed_on"}).items():
        setattr(verdict, field, value)
    await session.flush()


async def verdicts_of(session: AsyncSession, rec_id: uuid.UUID) -> list[ReviewVerdict]:
    return list(
        await session.scalars(
            select(ReviewVerdict)
            .where(ReviewVerdict.recommendation_id == rec_id)
            .order_by(ReviewVerdict.reviewed_on, ReviewVerdict.created_at)
        )
    )


@functools.cache
def overdue_responses_query(by_body: bool = False) -> Select[*tuple[Any, ...]]:
    """Recommendations received and still open on AS_OF whose response was due before it and had not been
    decided by then (one body's: the parameter `body_code`)."""
    stmt = (
        select(
            Recommendation.body_code,
            Recommendation.id,
            Recommendation.report_id,
            AuditReport.title,
            Recommendation.number,
            Recommendation.response_due_on,
        )
        .join(AuditReport, AuditReport.id == Recommendation.report_id)
        .where(
            as_at.report_received(),
            as_at.recommendation_open(),
            Recommendation.response_due_on < as_at.AS_OF,
            ~as_at.decided_response_exists(),
        )
        .order_by(Recommendation.body_code, Recommendation.response_due_on, Recommendation.number)
    )
    return stmt.where(Recommendation.body_code == bindparam("body_code")) if by_body else stmt


@functools.cache
def overdue_actions_query(by_body: bool = False) -> Select[*tuple[Any, ...]]:
    """Actions on reports received by AS_OF, past their deadline then and not finished by then."""
    stmt = (
        select(Action.body_code, Action.id, Action.title, as_at.action_status(), Action.deadline_on, Action.owner)
        .where(as_at.action_received(), as_at.action_overdue())
        .order_by(Action.body_code, Action.deadline_on, Action.title, Action.id)
    )
    return stmt.where(Action.body_code == bindparam("body_code")) if by_body else stmt


async def overdue(session: AsyncSession, as_of: date, body_code: str | None) -> OverdueList:
    """What was overdue on `as_of`, in two statements whatever the number of bodies."""
    by_body_code = body_code is not None
    responses_q, actions_q = overdue_responses_query(by_body_code), overdue_actions_query(by_body_code)
    params = {**as_at.as_of_params(as_of), "body_code": body_code}
    by_body: dict[str, BodyOverdue] = defaultdict(lambda: BodyOverdue(body_code="", responses=[], actions=[]))
    for code, rec_id, report_id, title, number, due in await read_rows(session, responses_q, params):
        by_body[code].responses.append(
            OverdueResponse(
                recommendation_id=rec_id, report_id=report_id, report_title=title, number=number, response_due_on=due
            )
        )
    for code, action_id, title, status, deadline, owner in await read_rows(session, actions_q, params):
        by_body[code].actions.append(
            OverdueAction(
                action_id=action_id, title=title, status=ActionStatus(status), deadline_on=deadline, owner=owner
            )
        )
    bodies = [entry.model_copy(update={"body_code": code}) for code, entry in sorted(by_body.items())]
    return OverdueList(as_of=as_of, bodies=bodies)


async def recommendation_detail(
    session: AsyncSession, rec: Recommendation, principal: Principal
) -> RecommendationDetail:
    """The recommendation with its response (a draft only for those who may read the body's drafts),
    its actions and the verdicts, in a fixed number of statements."""
    answer = await session.scalar(
        select(RecommendationResponse).where(
            RecommendationResponse.recommendation_id == rec.id, RESPONSES_SEEN.where(principal)
        )
    )
    actions = await session.scalars(
        select(Action)
        .join(ActionRecommendation, ActionRecommendation.action_id == Action.id)
        .where(ActionRecommendation.recommendation_id == rec.id)
        .order_by(Action.deadline_on, Action.title, Action.id)
    )
    return RecommendationDetail(
        **RecommendationRead.model_validate(rec).model_dump(),
        response=response_read(answer) if answer is not None else None,
        actions=await actions_read(session, list(actions)),
        verdicts=[VerdictRead.model_validate(v) for v in await verdicts_of(session, rec.id)],
    )
