"""HTTP routes of investments: the yearly frame, projects with their yearly plans, and the plan view."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from services.budget.access import ensure_finance, ensure_finance_or_editor
from services.budget.models import HistoryEntry, InvestmentCategory, InvestmentYear, ProjectStatus
from services.budget.rules import investments as rules
from services.budget.schemas import (
    InvestmentCreate,
    InvestmentFrameCreate,
    InvestmentFrameRead,
    InvestmentFrameUpdate,
    InvestmentPlanRead,
    InvestmentRead,
    InvestmentUpdate,
    PlanReplacement,
    Year,
)
from shared.asof import AsOfQuery, as_of_or_today
from shared.auth.access import (
    ANY_ROLE,
    FINANCE,
    access,
    region_role,
    rule,
    unit_role,
)
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.auth.policy import RegionRole, UnitRole
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history, read_place_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists

frames = APIRouter(prefix="/investment-frames", tags=["investments"])
projects = APIRouter(prefix="/investments", tags=["investments"])
YearPath = Annotated[int, Path(ge=2000, le=2100)]
WRITE_RULE = rule(region_role(RegionRole.finance), unit_role(UnitRole.editor, "the project's owner unit"))


# --- the investment frame ----------------------------------------------------------------------


@frames.get(
    "",
    operation_id="list_investment_frames",
    summary="The investment frame of every year",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_investment_frames(session: DbSession, principal: CurrentPrincipal) -> list[InvestmentFrameRead]:
    require_signed_in_reader(principal)
    return [InvestmentFrameRead.model_validate(f) for f in await rules.list_frames(session)]


@frames.post(
    "",
    operation_id="create_investment_frame",
    summary="Set a year's investment frame",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    **access(FINANCE),
)
async def create_investment_frame(
    data: InvestmentFrameCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> InvestmentFrameRead:
    ensure_finance(principal)
    frame = await rules.create_frame(session, data)
    set_etag(response, frame)
    return InvestmentFrameRead.model_validate(frame)


@frames.get(
    "/{year}",
    operation_id="get_investment_frame",
    summary="A year's investment frame",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_investment_frame(
    year: YearPath, session: DbSession, principal: CurrentPrincipal, response: Response
) -> InvestmentFrameRead:
    require_signed_in_reader(principal)
    frame = await rules.get_frame(session, year)
    set_etag(response, frame)
    return InvestmentFrameRead.model_validate(frame)


@frames.patch(
    "/{year}",
    operation_id="update_investment_frame",
    summary="Change a year's investment frame",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(FINANCE),
)
async def update_investment_frame(
    year: YearPath,
    data: InvestmentFrameUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> InvestmentFrameRead:
    ensure_finance(principal)
    frame = await rules.get_frame(session, year)
    check_if_match(if_match, frame)
    await rules.update_frame(session, frame, data)
    set_etag(response, frame)
    return InvestmentFrameRead.model_validate(frame)


@frames.get(
    "/{year}/history",
    operation_id="get_investment_frame_history",
    summary="Every change to a year's investment frame",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_investment_frame_history(
    year: YearPath, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    return await read_history(session, HistoryEntry, await rules.get_frame(session, year), page)


# --- projects ----------------------------------------------------------------------------------


@projects.get(
    "/plan",
    operation_id="get_investment_plan",
    summary="The investment plan year by year, the years beyond the plan period included",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def get_investment_plan(
    session: DbSession,
    principal: CurrentPrincipal,
    from_year: Annotated[Year, Query()],
    years: Annotated[int, Query(ge=1, le=30, description="How many years to show")] = 10,
    plan_period_years: Annotated[int, Query(ge=1, le=10, description="The plan period, e.g. 3 years")] = 3,
    as_of: AsOfQuery = None,
) -> InvestmentPlanRead:
    require_signed_in_reader(principal)
    return await rules.investment_plan(session, from_year, years, plan_period_years, as_of_or_today(as_of))


@projects.get(
    "",
    operation_id="list_investments",
    summary="List investment projects with their yearly plans",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_investments(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    owner_unit: Annotated[str | None, Query(max_length=16)] = None,
    category: Annotated[InvestmentCategory | None, Query()] = None,
    status: Annotated[ProjectStatus | None, Query()] = None,
) -> Page[InvestmentRead]:
    require_signed_in_reader(principal)
    return await rules.list_projects(session, page, owner_unit=owner_unit, category=category, status=status)


@projects.post(
    "",
    operation_id="create_investment",
    summary="An investment project with its yearly plan and operating-cost consequences",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, ServiceUnavailable),
    **access(WRITE_RULE),
)
async def create_investment(
    data: InvestmentCreate, session: DbSession, principal: CurrentPrincipal, goals: GoalsService, response: Response
) -> InvestmentRead:
    ensure_finance_or_editor(principal, data.owner_unit)
    await ensure_unit_exists(goals, data.owner_unit, field="owner_unit")
    project, years = await rules.create_project(session, data)
    set_etag(response, project)
    response.headers["Location"] = f"/investments/{project.id}"
    return rules.project_read(project, years)


@projects.get(
    "/{project_id}",
    operation_id="get_investment",
    summary="One investment project",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_investment(
    project_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> InvestmentRead:
    require_signed_in_reader(principal)
    project = await rules.get_project(session, project_id)
    set_etag(response, project)
    return rules.project_read(project, await rules.project_years(session, project.id))


@projects.patch(
    "/{project_id}",
    operation_id="update_investment",
    summary="Change a project's name, category, status or description",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(WRITE_RULE),
)
async def update_investment(
    project_id: uuid.UUID,
    data: InvestmentUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> InvestmentRead:
    require_signed_in_reader(principal)
    project = await rules.get_project(session, project_id)
    ensure_finance_or_editor(principal, project.owner_unit)
    check_if_match(if_match, project)
    await rules.update_project(session, project, data)
    set_etag(response, project)
    return rules.project_read(project, await rules.project_years(session, project.id))


@projects.put(
    "/{project_id}/years",
    operation_id="replace_investment_plan",
    summary="Replace a project's yearly plan (and total): planned spend, outcome and consequences per year",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(WRITE_RULE),
)
async def replace_investment_plan(
    project_id: uuid.UUID,
    data: PlanReplacement,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> InvestmentRead:
    require_signed_in_reader(principal)
    project = await rules.get_project(session, project_id)
    ensure_finance_or_editor(principal, project.owner_unit)
    check_if_match(if_match, project)
    years = await rules.replace_plan(session, project, data.total, data.years)
    set_etag(response, project)
    return rules.project_read(project, years)


@projects.get(
    "/{project_id}/history",
    operation_id="get_investment_history",
    summary="Every change to an investment project",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_investment_history(
    project_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    return await read_history(session, HistoryEntry, await rules.get_project(session, project_id), page)


@projects.get(
    "/{project_id}/years/{year}/history",
    operation_id="get_investment_year_history",
    summary="Every change to a project's year, across the plans that replaced it",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_investment_year_history(
    project_id: uuid.UUID,
    year: YearPath,
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    project = await rules.get_project(session, project_id)
    return await read_place_history(
        session, HistoryEntry, InvestmentYear.__tablename__, page, project_id=project.id, year=year
    )
