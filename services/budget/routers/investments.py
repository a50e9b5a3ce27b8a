"""HTTP routes of investments: the yearly frame, projects with their yearly plans, and the plan view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import PROJECT_WRITES
from services.budget.dependencies import a_new_project, a_project, an_investment_frame
from services.budget.models import (
    HistoryEntry,
    InvestmentCategory,
    InvestmentFrame,
    InvestmentProject,
    InvestmentYear,
    ProjectStatus,
)
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
from shared.auth.access import ANY_ROLE, FINANCE
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
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
from shared.fields import YearPath
from shared.history import HistoryEntryRead, read_place_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists
from shared.routes import add_history_route

frames = APIRouter(prefix="/investment-frames", tags=["investments"], route_class=GuardedRoute)
projects = APIRouter(prefix="/investments", tags=["investments"], route_class=GuardedRoute)
WritableProject = Annotated[InvestmentProject, guard(PROJECT_WRITES, a_project)]


# --- the investment frame ----------------------------------------------------------------------


@frames.get(
    "",
    operation_id="list_investment_frames",
    summary="The investment frame of every year",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_investment_frames(session: DbSession) -> list[InvestmentFrameRead]:
    return [InvestmentFrameRead.model_validate(f) for f in await rules.list_frames(session)]


@frames.post(
    "",
    operation_id="create_investment_frame",
    summary="Set a year's investment frame",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    dependencies=[guard(FINANCE)],
)
async def create_investment_frame(
    data: InvestmentFrameCreate, session: DbSession, response: Response
) -> InvestmentFrameRead:
    frame = await rules.create_frame(session, data)
    set_etag(response, frame)
    return InvestmentFrameRead.model_validate(frame)


@frames.get(
    "/{year}",
    operation_id="get_investment_frame",
    summary="A year's investment frame",
    responses=error_responses(Forbidden, NotFound),
)
async def get_investment_frame(
    frame: Annotated[InvestmentFrame, guard(ANY_ROLE, an_investment_frame)], response: Response
) -> InvestmentFrameRead:
    set_etag(response, frame)
    return InvestmentFrameRead.model_validate(frame)


@frames.patch(
    "/{year}",
    operation_id="update_investment_frame",
    summary="Change a year's investment frame",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_investment_frame(
    frame: Annotated[InvestmentFrame, guard(FINANCE, an_investment_frame)],
    data: InvestmentFrameUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> InvestmentFrameRead:
    check_if_match(if_match, frame)
    await rules.update_frame(session, frame, data)
    set_etag(response, frame)
    return InvestmentFrameRead.model_validate(frame)


add_history_route(
    frames,
    "/{year}/history",
    declared=ANY_ROLE,
    load=an_investment_frame,
    history_model=HistoryEntry,
    operation_id="get_investment_frame_history",
    what="a year's investment frame",
)


# --- projects ----------------------------------------------------------------------------------


@projects.get(
    "/plan",
    operation_id="get_investment_plan",
    summary="The investment plan year by year, the years beyond the plan period included",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def get_investment_plan(
    session: DbSession,
    from_year: Annotated[Year, Query()],
    years: Annotated[int, Query(ge=1, le=30, description="How many years to show")] = 10,
    plan_period_years: Annotated[int, Query(ge=1, le=10, description="The plan period, e.g. 3 years")] = 3,
    as_of: AsOfQuery = None,
) -> InvestmentPlanRead:
    return await rules.investment_plan(session, from_year, years, plan_period_years, as_of_or_today(as_of))


@projects.get(
    "",
    operation_id="list_investments",
    summary="List investment projects with their yearly plans",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_investments(
    session: DbSession,
    page: Pagination,
    owner_unit: Annotated[str | None, Query(max_length=16)] = None,
    category: Annotated[InvestmentCategory | None, Query()] = None,
    status: Annotated[ProjectStatus | None, Query()] = None,
) -> Page[InvestmentRead]:
    return await rules.list_projects(session, page, owner_unit=owner_unit, category=category, status=status)


@projects.post(
    "",
    operation_id="create_investment",
    summary="An investment project with its yearly plan and operating-cost consequences",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, ServiceUnavailable),
)
async def create_investment(
    data: Annotated[InvestmentCreate, guard(PROJECT_WRITES, a_new_project)],
    session: DbSession,
    goals: GoalsService,
    response: Response,
) -> InvestmentRead:
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
)
async def get_investment(
    project: Annotated[InvestmentProject, guard(ANY_ROLE, a_project)], session: DbSession, response: Response
) -> InvestmentRead:
    set_etag(response, project)
    return rules.project_read(project, await rules.project_years(session, project.id))


@projects.patch(
    "/{project_id}",
    operation_id="update_investment",
    summary="Change a project's name, category, status or description",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_investment(
    project: WritableProject,
    data: InvestmentUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> InvestmentRead:
    check_if_match(if_match, project)
    await rules.update_project(session, project, data)
    set_etag(response, project)
    return rules.project_read(project, await rules.project_years(session, project.id))


@projects.put(
    "/{project_id}/years",
    operation_id="replace_investment_plan",
    summary="Replace a project's yearly plan (and total): planned spend, outcome and consequences per year",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def replace_investment_plan(
    project: WritableProject,
    data: PlanReplacement,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> InvestmentRead:
    check_if_match(if_match, project)
    years = await rules.replace_plan(session, project, data.total, data.years)
    set_etag(response, project)
    return rules.project_read(project, years)


add_history_route(
    projects,
    "/{project_id}/history",
    declared=ANY_ROLE,
    load=a_project,
    history_model=HistoryEntry,
    operation_id="get_investment_history",
    what="an investment project",
)


@projects.get(
    "/{project_id}/years/{year}/history",
    operation_id="get_investment_year_history",
    summary="Every change to a project's year, across the plans that replaced it",
    responses=error_responses(Forbidden, NotFound),
)
async def get_investment_year_history(
    project: Annotated[InvestmentProject, guard(ANY_ROLE, a_project)],
    year: YearPath,
    session: DbSession,
    page: Pagination,
) -> Page[HistoryEntryRead]:
    return await read_place_history(
        session, HistoryEntry, InvestmentYear.__tablename__, page, project_id=project.id, year=year
    )
