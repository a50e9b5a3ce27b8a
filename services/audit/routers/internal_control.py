"""HTTP routes for internal control: the risk matrix, control plans, risks, controls and results."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

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
from services.audit.dependencies import RiskMatrixDep, Settings
from services.audit.models import Control, ControlPlan, HistoryEntry, Risk
from services.audit.rules import internal_control as rules
from services.audit.schemas import (
    ControlIn,
    ControlPlanCreate,
    ControlPlanRead,
    ControlPlanSummary,
    ControlResultIn,
    ControlResultRead,
    ControlUpdate,
    RiskIn,
    RiskMatrix,
    RiskUpdate,
)
from shared.auth.access import ANY_ROLE, ANY_ROLE_READABLE_DRAFTS, access
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.auth.policy import Principal
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.decisions import DecisionIn
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    Unprocessable,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists

router = APIRouter(prefix="/internal-control", tags=["internal control"])
EDIT_DRAFT = BODY_EDITS.hiding_drafts_of(BODY).noting("only while the plan is a draft")
CHANGES = error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired)


def _editable(principal: Principal, plan: ControlPlan) -> None:
    ensure_readable(principal, plan.body_code, plan.status, "internal control plan")
    ensure_body_editor(principal, plan.body_code)
    ensure_draft(plan.status, "internal control plan")


async def _delete_from_draft(
    principal: Principal, if_match: str | None, session: AsyncSession, found: tuple[Risk | Control, ControlPlan]
) -> None:
    """Take a risk or a control out of its draft plan, for one of the body's editors holding its ETag."""
    record, plan = found
    _editable(principal, plan)
    check_if_match(if_match, record)
    await rules.delete_record(session, plan, record)


@router.get(
    "/matrix",
    operation_id="get_risk_matrix",
    summary="The region's one risk matrix: scale, colour bands and control threshold",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def get_risk_matrix(principal: CurrentPrincipal, matrix: RiskMatrixDep) -> RiskMatrix:
    require_signed_in_reader(principal)
    return matrix.read()


@router.get(
    "/plans",
    operation_id="list_control_plans",
    summary="List internal control plans",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_plans(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: Annotated[str | None, Query(max_length=16)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[ControlPlanSummary]:
    require_signed_in_reader(principal)
    return await rules.list_plans(session, page, principal, body_code=body, year=year)


@router.post(
    "/plans",
    operation_id="create_control_plan",
    summary="Start a body's internal control plan for a year (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable, ServiceUnavailable),
    **access(BODY_EDITS),
)
async def create_plan(
    data: ControlPlanCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    matrix: RiskMatrixDep,
    goals: GoalsService,
    response: Response,
) -> ControlPlanRead:
    ensure_body_editor(principal, data.body_code)
    await ensure_unit_exists(goals, data.body_code, field="body_code")
    plan = await rules.create_plan(session, data)
    set_etag(response, plan)
    response.headers["Location"] = f"/internal-control/plans/{plan.id}"
    return await rules.plan_read(session, plan, matrix)


@router.get(
    "/plans/{plan_id}",
    operation_id="get_control_plan",
    summary="A plan with its scored risks, controls and results",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_DECIDED),
)
async def get_plan(
    plan_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, matrix: RiskMatrixDep, response: Response
) -> ControlPlanRead:
    require_signed_in_reader(principal)
    plan = await rules.get_plan(session, plan_id)
    ensure_readable(principal, plan.body_code, plan.status, "internal control plan")
    set_etag(response, plan)
    return await rules.plan_read(session, plan, matrix)


@router.post(
    "/plans/{plan_id}/decide",
    operation_id="decide_control_plan",
    summary="Record the decision; risks and controls are then locked",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
    **access(BODY_REGISTERS.hiding_drafts_of(BODY)),
)
async def decide_plan(
    plan_id: uuid.UUID,
    decision: DecisionIn,
    session: DbSession,
    principal: CurrentPrincipal,
    matrix: RiskMatrixDep,
    settings: Settings,
    response: Response,
    if_match: IfMatch = None,
) -> ControlPlanRead:
    plan = await rules.get_plan(session, plan_id)
    ensure_readable(principal, plan.body_code, plan.status, "internal control plan")
    ensure_body_registrar(principal, plan.body_code)
    check_if_match(if_match, plan)
    await rules.decide_plan(session, plan, decision, matrix, settings.diary_number_pattern)
    set_etag(response, plan)
    return await rules.plan_read(session, plan, matrix)


@router.get(
    "/plans/{plan_id}/history",
    operation_id="get_control_plan_history",
    summary="Every change to a plan",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_DECIDED),
)
async def get_plan_history(
    plan_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    plan = await rules.get_plan(session, plan_id)
    ensure_readable(principal, plan.body_code, plan.status, "internal control plan")
    public_only = not principal.can_read(plan.body_code, decided=False)
    return await read_history(session, HistoryEntry, plan, page, public_only=public_only)


@router.post(
    "/plans/{plan_id}/risks",
    operation_id="add_risk",
    summary="Add a risk to the analysis, scored on the region's matrix",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Locked),
    **access(EDIT_DRAFT),
)
async def add_risk(
    plan_id: uuid.UUID,
    data: RiskIn,
    session: DbSession,
    principal: CurrentPrincipal,
    matrix: RiskMatrixDep,
    response: Response,
) -> ControlPlanRead:
    plan = await rules.get_plan(session, plan_id)
    _editable(principal, plan)
    risk = await rules.add_risk(session, plan, data, matrix)
    response.headers["Location"] = f"/internal-control/risks/{risk.id}"
    return await rules.plan_read(session, plan, matrix)


@router.patch(
    "/risks/{risk_id}",
    operation_id="update_risk",
    summary="Change or rescore a risk",
    responses=CHANGES,
    **access(EDIT_DRAFT),
)
async def update_risk(
    risk_id: uuid.UUID,
    data: RiskUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    matrix: RiskMatrixDep,
    response: Response,
    if_match: IfMatch = None,
) -> ControlPlanRead:
    risk, plan = await rules.get_risk(session, risk_id)
    _editable(principal, plan)
    check_if_match(if_match, risk)
    await rules.update_risk(session, plan, risk, data, matrix)
    response.headers["ETag"] = f'"{risk.version}"'
    return await rules.plan_read(session, plan, matrix)


@router.get(
    "/risks/{risk_id}/history",
    operation_id="get_risk_history",
    summary="Every change to a risk",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_DECIDED),
)
async def get_risk_history(
    risk_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    risk, plan = await rules.get_risk(session, risk_id)
    ensure_readable(principal, plan.body_code, plan.status, "risk")
    return await read_history(session, HistoryEntry, risk, page)


@router.post(
    "/risks/{risk_id}/controls",
    operation_id="add_control",
    summary="Put a risk at or above the threshold into the control plan: control, method, frequency, owner",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Locked),
    **access(EDIT_DRAFT),
)
async def add_control(
    risk_id: uuid.UUID,
    data: ControlIn,
    session: DbSession,
    principal: CurrentPrincipal,
    matrix: RiskMatrixDep,
    response: Response,
) -> ControlPlanRead:
    risk, plan = await rules.get_risk(session, risk_id)
    _editable(principal, plan)
    control = await rules.add_control(session, plan, risk, data, matrix)
    response.headers["Location"] = f"/internal-control/controls/{control.id}"
    return await rules.plan_read(session, plan, matrix)


@router.delete(
    "/risks/{risk_id}",
    operation_id="delete_risk",
    summary="Take a risk (and its controls) out of a draft plan",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CHANGES,
    **access(EDIT_DRAFT),
)
async def delete_risk(
    risk_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, if_match: IfMatch = None
) -> None:
    await _delete_from_draft(principal, if_match, session, await rules.get_risk(session, risk_id))


@router.patch(
    "/controls/{control_id}",
    operation_id="update_control",
    summary="Change a control's what, how, how often or owner",
    responses=CHANGES,
    **access(EDIT_DRAFT),
)
async def update_control(
    control_id: uuid.UUID,
    data: ControlUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    matrix: RiskMatrixDep,
    response: Response,
    if_match: IfMatch = None,
) -> ControlPlanRead:
    control, plan = await rules.get_control(session, control_id)
    _editable(principal, plan)
    check_if_match(if_match, control)
    await rules.update_control(session, plan, control, data)
    response.headers["ETag"] = f'"{control.version}"'
    return await rules.plan_read(session, plan, matrix)


@router.delete(
    "/controls/{control_id}",
    operation_id="delete_control",
    summary="Take a control out of a draft plan",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CHANGES,
    **access(EDIT_DRAFT),
)
async def delete_control(
    control_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, if_match: IfMatch = None
) -> None:
    await _delete_from_draft(principal, if_match, session, await rules.get_control(session, control_id))


@router.get(
    "/controls/{control_id}/history",
    operation_id="get_control_history",
    summary="Every change to a control",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_DECIDED),
)
async def get_control_history(
    control_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    control, plan = await rules.get_control(session, control_id)
    ensure_readable(principal, plan.body_code, plan.status, "control")
    return await read_history(session, HistoryEntry, control, page)


@router.post(
    "/controls/{control_id}/results",
    operation_id="record_control_result",
    summary="Record what a control found (no deviation / deviation), reported with T2",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
    **access(BODY_EDITS.hiding_drafts_of(BODY).noting("the plan must be decided")),
)
async def record_result(
    control_id: uuid.UUID, data: ControlResultIn, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ControlResultRead:
    control, plan = await rules.get_control(session, control_id)
    ensure_readable(principal, plan.body_code, plan.status, "control")
    ensure_body_editor(principal, plan.body_code)
    result = await rules.record_result(session, control, plan, data)
    set_etag(response, result)
    response.headers["Location"] = f"/internal-control/results/{result.id}"
    return rules.result_out(result)


@router.put(
    "/results/{result_id}",
    operation_id="update_control_result",
    summary="Correct a recorded result",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(BODY_EDITS),
)
async def update_result(
    result_id: uuid.UUID,
    data: ControlResultIn,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ControlResultRead:
    result, plan = await rules.get_result(session, result_id)
    ensure_body_editor(principal, plan.body_code)
    check_if_match(if_match, result)
    await rules.update_result(session, plan, result, data)
    set_etag(response, result)
    return rules.result_out(result)


@router.get(
    "/results/{result_id}/history",
    operation_id="get_control_result_history",
    summary="Every change to a control result",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_result_history(
    result_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    result, _ = await rules.get_result(session, result_id)
    return await read_history(session, HistoryEntry, result, page)
