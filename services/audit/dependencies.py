"""What the audit routes depend on besides the caller: the settings, the risk matrix, and the records
their paths (or bodies) name, each with what the access rules ask of it: its body, and its state."""

from __future__ import annotations

import uuid
from typing import Annotated, cast

from fastapi import Depends, Request

from services.audit.access import BODY
from services.audit.models import (
    AccountabilityStatement,
    Action,
    AuditReport,
    Control,
    ControlPlan,
    ControlResult,
    ProgressNote,
    Recommendation,
    RecommendationResponse,
    ReviewVerdict,
    Risk,
)
from services.audit.rules import accountability, actions, followup, internal_control, reports, responses
from services.audit.rules.internal_control import Matrix
from services.audit.schemas import ActionCreate, ControlPlanCreate, ResponseCreate
from services.audit.settings import AuditSettings
from shared.auth.deps import DbSession
from shared.auth.guard import Found, state_of


async def _settings(request: Request) -> AuditSettings:
    return cast(AuditSettings, request.app.state.settings)


async def _matrix(settings: Annotated[AuditSettings, Depends(_settings)]) -> Matrix:
    return Matrix(settings)


Settings = Annotated[AuditSettings, Depends(_settings)]
RiskMatrixDep = Annotated[Matrix, Depends(_matrix)]


async def a_report(report_id: uuid.UUID, session: DbSession) -> Found[AuditReport]:
    return Found(await reports.get_report(session, report_id), "audit report")


async def a_recommendation(recommendation_id: uuid.UUID, session: DbSession) -> Found[Recommendation]:
    rec = await reports.get_recommendation(session, recommendation_id)
    return Found(rec, "recommendation", {BODY: rec.body_code})


async def a_verdict(verdict_id: uuid.UUID, session: DbSession) -> Found[ReviewVerdict]:
    return Found(await followup.get_verdict(session, verdict_id), "verdict")


async def a_statement(statement_id: uuid.UUID, session: DbSession) -> Found[AccountabilityStatement]:
    return Found(await accountability.get_statement(session, statement_id), "accountability statement")


async def a_response(response_id: uuid.UUID, session: DbSession) -> Found[RecommendationResponse]:
    answer = await responses.get_response(session, response_id)
    return Found(answer, "response", {BODY: answer.body_code}, state_of(answer))


async def a_new_response(data: ResponseCreate) -> Found[ResponseCreate]:
    return Found(data, "response", {BODY: data.body_code})


async def an_action(action_id: uuid.UUID, session: DbSession) -> Found[Action]:
    action = await actions.get_action(session, action_id)
    return Found(action, "action", {BODY: action.body_code})


async def a_new_action(data: ActionCreate) -> Found[ActionCreate]:
    return Found(data, "action", {BODY: data.body_code})


async def a_progress_note(action_id: uuid.UUID, note_id: uuid.UUID, session: DbSession) -> Found[ProgressNote]:
    action = await actions.get_action(session, action_id)
    return Found(await actions.get_note(session, action, note_id), "progress note", {BODY: action.body_code})


async def a_plan(plan_id: uuid.UUID, session: DbSession) -> Found[ControlPlan]:
    plan = await internal_control.get_plan(session, plan_id)
    return Found(plan, "internal control plan", {BODY: plan.body_code}, state_of(plan))


async def a_new_plan(data: ControlPlanCreate) -> Found[ControlPlanCreate]:
    return Found(data, "internal control plan", {BODY: data.body_code})


# A risk, a control and a result are the plan's: its body and its state are theirs.
async def a_risk(risk_id: uuid.UUID, session: DbSession) -> Found[tuple[Risk, ControlPlan]]:
    risk, plan = await internal_control.get_risk(session, risk_id)
    return Found((risk, plan), "risk", {BODY: plan.body_code}, state_of(plan))


async def a_control(control_id: uuid.UUID, session: DbSession) -> Found[tuple[Control, ControlPlan]]:
    control, plan = await internal_control.get_control(session, control_id)
    return Found((control, plan), "control", {BODY: plan.body_code}, state_of(plan))


async def a_result(result_id: uuid.UUID, session: DbSession) -> Found[tuple[ControlResult, ControlPlan]]:
    result, plan = await internal_control.get_result(session, result_id)
    return Found((result, plan), "control result", {BODY: plan.body_code}, state_of(plan))
