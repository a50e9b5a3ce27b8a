"""HTTP routes of the resource calculation (resursberäkning) per plan year."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.budget.access import ensure_finance
from services.budget.models import HistoryEntry
from services.budget.rules import resources as rules
from services.budget.schemas import ResourceCreate, ResourceRead, ResourceUpdate
from shared.auth.access import (
    ANY_ROLE,
    FINANCE,
    access,
)
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.fields import YearPath
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination

router = APIRouter(prefix="/resources", tags=["resource calculation"])


@router.get(
    "",
    operation_id="list_resources",
    summary="The resource calculation of every plan year",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_resources(session: DbSession, principal: CurrentPrincipal) -> list[ResourceRead]:
    require_signed_in_reader(principal)
    return [rules.resource_read(r) for r in await rules.list_resources(session)]


@router.get(
    "/{year}",
    operation_id="get_resources",
    summary="The resource calculation of a plan year, with the room for frames",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_resources(
    year: YearPath, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ResourceRead:
    require_signed_in_reader(principal)
    resources = await rules.get_resources(session, year)
    set_etag(response, resources)
    return rules.resource_read(resources)


@router.post(
    "",
    operation_id="create_resources",
    summary="Make the resource calculation of a plan year",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    **access(FINANCE),
)
async def create_resources(
    data: ResourceCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ResourceRead:
    ensure_finance(principal)
    resources = await rules.create_resources(session, data)
    set_etag(response, resources)
    response.headers["Location"] = f"/resources/{resources.year}"
    return rules.resource_read(resources)


@router.patch(
    "/{year}",
    operation_id="update_resources",
    summary="Change a plan year's resource calculation",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(FINANCE),
)
async def update_resources(
    year: YearPath,
    data: ResourceUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ResourceRead:
    ensure_finance(principal)
    resources = await rules.get_resources(session, year)
    check_if_match(if_match, resources)
    await rules.update_resources(session, resources, data)
    set_etag(response, resources)
    return rules.resource_read(resources)


@router.get(
    "/{year}/history",
    operation_id="get_resources_history",
    summary="Every change to a plan year's resource calculation",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_resources_history(
    year: YearPath, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    return await read_history(session, HistoryEntry, await rules.get_resources(session, year), page)
