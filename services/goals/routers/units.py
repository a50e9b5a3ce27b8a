"""HTTP routes of the goals service."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from services.goals.models import HistoryEntry
from services.goals.rules import units as service
from services.goals.schemas import OrgTree, UnitCreate, UnitRead, UnitUpdate
from shared.auth.access import ADMIN, ANY_ROLE, access
from shared.auth.deps import CurrentPrincipal, DbSession, require_region_role, require_signed_in_reader
from shared.auth.policy import RegionRole, UnitKind
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination

router = APIRouter(prefix="/units", tags=["org units"])
CodePath = Annotated[str, Path(description="The unit's code, e.g. HSN", max_length=16)]


@router.get(
    "",
    operation_id="list_units",
    summary="List org units",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_units(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    kind: Annotated[UnitKind | None, Query()] = None,
    parent: Annotated[str | None, Query(description="Only the children of this unit", max_length=16)] = None,
) -> Page[UnitRead]:
    require_signed_in_reader(principal)
    return await service.list_units(session, page, kind=kind, parent_code=parent)


@router.get(
    "/tree",
    operation_id="get_org_tree",
    summary="The whole org structure in one answer",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def get_org_tree(session: DbSession, principal: CurrentPrincipal) -> OrgTree:
    require_signed_in_reader(principal)
    return await service.org_tree(session)


@router.get(
    "/{code}",
    operation_id="get_unit",
    summary="One org unit",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_unit(code: CodePath, session: DbSession, principal: CurrentPrincipal, response: Response) -> UnitRead:
    require_signed_in_reader(principal)
    unit, parent_code = await service.get_unit_with_parent(session, code)
    set_etag(response, unit)
    return service.unit_read(unit, parent_code)


@router.post(
    "",
    operation_id="create_unit",
    summary="Create an org unit",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    **access(ADMIN),
)
async def create_unit(
    data: UnitCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> UnitRead:
    require_region_role(principal, RegionRole.admin)
    unit = await service.create_unit(session, data)
    set_etag(response, unit)
    response.headers["Location"] = f"/units/{unit.code}"
    return service.unit_read(unit, data.parent_code)


@router.patch(
    "/{code}",
    operation_id="update_unit",
    summary="Change an org unit",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(ADMIN),
)
async def update_unit(
    code: CodePath,
    data: UnitUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> UnitRead:
    require_region_role(principal, RegionRole.admin)
    unit, _ = await service.get_unit_with_parent(session, code)
    check_if_match(if_match, unit)
    await service.update_unit(session, unit, data)
    _, parent_code = await service.get_unit_with_parent(session, code)
    set_etag(response, unit)
    return service.unit_read(unit, parent_code)


@router.get(
    "/{code}/history",
    operation_id="get_unit_history",
    summary="Every change to an org unit: who, when, before and after",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_unit_history(
    code: CodePath, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    unit, _ = await service.get_unit_with_parent(session, code)
    return await read_history(session, HistoryEntry, unit, page)
