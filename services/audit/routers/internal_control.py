"""HTTP routes for internal control: the risk matrix, control plans, risks, controls and results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import BODY, BODY_EDITS, BODY_REGISTERS, READ_DECIDED
from services.audit.dependencies import (
    RiskMatrixDep,
    Settings,
    a_control,
    a_new_plan,
    a_plan,
    a_result,
    a_risk,
)
from services.audit.models import Control, ControlPlan, ControlResult, EvidenceBlob, EvidenceFile, HistoryEntry, Risk
from services.audit.rules import internal_control as rules
from services.audit.schemas import (
    ControlIn,
    ControlPlanCreate,
    ControlPlanRead,
    ControlPlanSummary,
    ControlRead,
    ControlResultIn,
    ControlResultRead,
    ControlUpdate,
    RiskIn,
    RiskInPlan,
    RiskMatrix,
    RiskUpdate,
)
from shared.auth.access import ANY_ROLE, ANY_ROLE_READABLE_DRAFTS
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
    ServiceUnavailable,
    Unprocessable,
    error_responses,
)
from shared.evidence import EvidenceModels, add_evidence_routes
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, Peer, ensure_unit_exists, refuse_unknown_links
from shared.people import name_people
from shared.routes import add_history_route

router = APIRouter(prefix="/internal-control", tags=["internal control"], route_class=GuardedRoute)
EDIT_DRAFT = BODY_EDITS.hiding_drafts_of(BODY).noting("only while the plan is a draft")
CHANGES = error_responses(Forbidden, NotFound, Locked, PreconditionFailed, PreconditionRequired)
DraftPlan = Annotated[ControlPlan, guard(EDIT_DRAFT, a_plan)]
DraftRisk = Annotated[tuple[Risk, ControlPlan], guard(EDIT_DRAFT, a_risk)]
DraftControl = Annotated[tuple[Control, ControlPlan], guard(EDIT_DRAFT, a_control)]


@router.get(
    "/matrix",
    operation_id="get_risk_matrix",
    summary="The region's one risk matrix: scale, colour bands and control threshold",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def get_risk_matrix(matrix: RiskMatrixDep) -> RiskMatrix:
    return matrix.read()


@router.get(
    "/plans",
    operation_id="list_control_plans",
    summary="List internal control plans",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_plans(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: Annotated[str | None, Query(max_length=16)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[ControlPlanSummary]:
    return await rules.list_plans(session, page, principal, body_code=body, year=year)


@router.post(
    "/plans",
    operation_id="create_control_plan",
    summary="Start a body's internal control plan for a year (as a draft)",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable, ServiceUnavailable),
)
async def create_plan(
    data: Annotated[ControlPlanCreate, guard(BODY_EDITS, a_new_plan)],
    session: DbSession,
    matrix: RiskMatrixDep,
    goals: GoalsService,
    response: Response,
) -> ControlPlanRead:
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
)
async def get_plan(
    plan: Annotated[ControlPlan, guard(READ_DECIDED, a_plan)],
    session: DbSession,
    matrix: RiskMatrixDep,
    response: Response,
) -> ControlPlanRead:
    set_etag(response, plan)
    return await rules.plan_read(session, plan, matrix)


@router.post(
    "/plans/{plan_id}/decide",
    operation_id="decide_control_plan",
    summary="Record the decision; risks and controls are then locked",
    responses=error_responses(Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired),
)
async def decide_plan(
    plan: Annotated[ControlPlan, guard(BODY_REGISTERS.hiding_drafts_of(BODY), a_plan)],
    decision: DecisionIn,
    session: DbSession,
    matrix: RiskMatrixDep,
    settings: Settings,
    response: Response,
    if_match: IfMatch = None,
) -> ControlPlanRead:
    check_if_match(if_match, plan)
    await rules.decide_plan(session, plan, decision, matrix, settings.diary_number_pattern)
    set_etag(response, plan)
    return await rules.plan_read(session, plan, matrix)


add_history_route(
    router,
    "/plans/{plan_id}/history",
    declared=READ_DECIDED,
    load=a_plan,
    history_model=HistoryEntry,
    operation_id="get_control_plan_history",
    what="a plan",
)


async def _refuse_unknown_threatened(goals: Peer, data: RiskIn | RiskUpdate) -> None:
    """The goals and activities a risk threatens are the goals service's, checked there as the caller."""
    await refuse_unknown_links(goals, "goal", "goals", data.goal_ids, field="goal_ids")
    await refuse_unknown_links(goals, "activity", "activities", data.activity_ids, field="activity_ids")


@router.post(
    "/plans/{plan_id}/risks",
    operation_id="add_risk",
    summary="Add a risk to the analysis, scored on the region's matrix",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Locked),
)
async def add_risk(
    plan: DraftPlan,
    data: RiskIn,
    session: DbSession,
    matrix: RiskMatrixDep,
    goals: GoalsService,
    principal: CurrentPrincipal,
    response: Response,
) -> ControlPlanRead:
    await _refuse_unknown_threatened(goals, data)
    risk = await rules.add_risk(session, plan, name_people(data, principal), matrix)
    response.headers["Location"] = f"/internal-control/risks/{risk.id}"
    return await rules.plan_read(session, plan, matrix)


@router.get(
    "/risks/{risk_id}",
    operation_id="get_risk",
    summary="One risk with its controls and results, and its plan's body, year and decision",
    responses=error_responses(Forbidden, NotFound),
)
async def get_risk(
    found: Annotated[tuple[Risk, ControlPlan], guard(READ_DECIDED, a_risk)],
    session: DbSession,
    matrix: RiskMatrixDep,
    response: Response,
) -> RiskInPlan:
    risk, plan = found
    response.headers["ETag"] = f'"{risk.version}"'
    return await rules.risk_in_plan(session, risk, plan, matrix)


@router.patch(
    "/risks/{risk_id}",
    operation_id="update_risk",
    summary="Change or rescore a risk, or the goals and activities it threatens",
    responses=CHANGES,
)
async def update_risk(
    found: DraftRisk,
    data: RiskUpdate,
    session: DbSession,
    matrix: RiskMatrixDep,
    goals: GoalsService,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ControlPlanRead:
    risk, plan = found
    await _refuse_unknown_threatened(goals, data)
    await rules.update_risk(session, plan, risk, name_people(data, principal, risk), matrix, if_match)
    response.headers["ETag"] = f'"{risk.version}"'
    return await rules.plan_read(session, plan, matrix)


add_history_route(
    router,
    "/risks/{risk_id}/history",
    declared=READ_DECIDED,
    load=a_risk,
    history_model=HistoryEntry,
    operation_id="get_risk_history",
    what="a risk",
    tracked=lambda found: found[0],
)


@router.post(
    "/risks/{risk_id}/controls",
    operation_id="add_control",
    summary="Put a risk at or above the threshold into the control plan: control, method, frequency, owner",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Locked),
)
async def add_control(
    found: DraftRisk,
    data: ControlIn,
    session: DbSession,
    matrix: RiskMatrixDep,
    principal: CurrentPrincipal,
    response: Response,
) -> ControlPlanRead:
    risk, plan = found
    control = await rules.add_control(session, plan, risk, name_people(data, principal), matrix)
    response.headers["Location"] = f"/internal-control/controls/{control.id}"
    return await rules.plan_read(session, plan, matrix)


@router.delete(
    "/risks/{risk_id}",
    operation_id="delete_risk",
    summary="Take a risk (and its controls) out of a draft plan",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CHANGES,
)
async def delete_risk(found: DraftRisk, session: DbSession, if_match: IfMatch = None) -> None:
    risk, plan = found
    await rules.delete_record(session, plan, risk, if_match)


@router.get(
    "/controls/{control_id}",
    operation_id="get_control",
    summary="One control with its results",
    responses=error_responses(Forbidden, NotFound),
)
async def get_control(
    found: Annotated[tuple[Control, ControlPlan], guard(READ_DECIDED, a_control)],
    session: DbSession,
    matrix: RiskMatrixDep,
    response: Response,
) -> ControlRead:
    control, plan = found
    response.headers["ETag"] = f'"{control.version}"'
    return await rules.control_in_plan(session, control, plan, matrix)


@router.patch(
    "/controls/{control_id}",
    operation_id="update_control",
    summary="Change a control's what, how, how often or owner",
    responses=CHANGES,
)
async def update_control(
    found: DraftControl,
    data: ControlUpdate,
    session: DbSession,
    matrix: RiskMatrixDep,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ControlPlanRead:
    control, plan = found
    await rules.update_control(session, plan, control, name_people(data, principal, control), if_match)
    response.headers["ETag"] = f'"{control.version}"'
    return await rules.plan_read(session, plan, matrix)


@router.delete(
    "/controls/{control_id}",
    operation_id="delete_control",
    summary="Take a control out of a draft plan",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=CHANGES,
)
async def delete_control(found: DraftControl, session: DbSession, if_match: IfMatch = None) -> None:
    control, plan = found
    await rules.delete_record(session, plan, control, if_match)


add_history_route(
    router,
    "/controls/{control_id}/history",
    declared=READ_DECIDED,
    load=a_control,
    history_model=HistoryEntry,
    operation_id="get_control_history",
    what="a control",
    tracked=lambda found: found[0],
)


@router.post(
    "/controls/{control_id}/results",
    operation_id="record_control_result",
    summary="Record what a control found (no deviation / deviation), reported with T2",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict),
)
async def record_result(
    found: Annotated[
        tuple[Control, ControlPlan],
        guard(BODY_EDITS.hiding_drafts_of(BODY).noting("the plan must be decided"), a_control),
    ],
    data: ControlResultIn,
    session: DbSession,
    response: Response,
) -> ControlResultRead:
    control, plan = found
    result = await rules.record_result(session, control, plan, data)
    set_etag(response, result)
    response.headers["Location"] = f"/internal-control/results/{result.id}"
    return rules.result_out(result)


@router.get(
    "/results/{result_id}",
    operation_id="get_control_result",
    summary="One control result",
    responses=error_responses(Forbidden, NotFound),
)
async def get_result(
    found: Annotated[tuple[ControlResult, ControlPlan], guard(READ_DECIDED, a_result)], response: Response
) -> ControlResultRead:
    result, _ = found
    response.headers["ETag"] = f'"{result.version}"'
    return rules.result_out(result)


@router.put(
    "/results/{result_id}",
    operation_id="update_control_result",
    summary="Correct a recorded result",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_result(
    found: Annotated[tuple[ControlResult, ControlPlan], guard(BODY_EDITS, a_result)],
    data: ControlResultIn,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> ControlResultRead:
    result, plan = found
    check_if_match(if_match, result)
    await rules.update_result(session, plan, result, data)
    set_etag(response, result)
    return rules.result_out(result)


add_history_route(
    router,
    "/results/{result_id}/history",
    declared=ANY_ROLE,
    load=a_result,
    history_model=HistoryEntry,
    operation_id="get_control_result_history",
    what="a control result",
    tracked=lambda found: found[0],
)


def _the_result(found: tuple[ControlResult, ControlPlan]) -> ControlResult:
    return found[0]


def _never_final(_: ControlResult) -> str | None:
    """A result can be corrected while its plan stands (PUT above), and so can what shows it."""
    return None


add_evidence_routes(
    router,
    "/results/{result_id}",
    kind="control-result",
    what="a control result",
    read=ANY_ROLE,
    change=BODY_EDITS,
    load=a_result,
    models=EvidenceModels(file=EvidenceFile, blob=EvidenceBlob, history=HistoryEntry),
    final=_never_final,
    tracked=_the_result,
)
