"""HTTP routes of the resource calculation (resursberäkning) per plan year."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from services.budget.dependencies import a_resource_calculation
from services.budget.models import HistoryEntry, ResourceCalculation
from services.budget.rules import resources as rules
from services.budget.schemas import ResourceCreate, ResourceRead, ResourceUpdate
from shared.auth.access import ANY_ROLE, FINANCE
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.routes import add_history_route

router = APIRouter(prefix="/resources", tags=["resource calculation"], route_class=GuardedRoute)


@router.get(
    "",
    operation_id="list_resources",
    summary="The resource calculation of every plan year",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_resources(session: DbSession) -> list[ResourceRead]:
    return [rules.resource_read(r) for r in await rules.list_resources(session)]


@router.get(
    "/{year}",
    operation_id="get_resources",
    summary="The resource calculation of a plan year, with the room for frames",
    responses=error_responses(Forbidden, NotFound),
)
async def get_resources(
    resources: Annotated[ResourceCalculation, guard(ANY_ROLE, a_resource_calculation)], response: Response
) -> ResourceRead:
    set_etag(response, resources)
    return rules.resource_read(resources)


@router.post(
    "",
    operation_id="create_resources",
    summary="Make the resource calculation of a plan year",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    dependencies=[guard(FINANCE)],
)
async def create_resources(data: ResourceCreate, session: DbSession, response: Response) -> ResourceRead:
    resources = await rules.create_resources(session, data)
    set_etag(response, resources)
    response.headers["Location"] = f"/resources/{resources.year}"
    return rules.resource_read(resources)


@router.patch(
    "/{year}",
    operation_id="update_resources",
    summary="Change a plan year's resource calculation",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_resources(
    resources: Annotated[ResourceCalculation, guard(FINANCE, a_resource_calculation)],
    data: ResourceUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> ResourceRead:
    check_if_match(if_match, resources)
    await rules.update_resources(session, resources, data)
    set_etag(response, resources)
    return rules.resource_read(resources)


add_history_route(
    router,
    "/{year}/history",
    declared=ANY_ROLE,
    load=a_resource_calculation,
    history_model=HistoryEntry,
    operation_id="get_resources_history",
    what="a plan year's resource calculation",
)
