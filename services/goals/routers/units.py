"""HTTP routes of the goals service's org structure."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.goals import queries
from services.goals.access import ORG_TREE_READ
from services.goals.dependencies import a_unit
from services.goals.models import HistoryEntry, OrgUnit
from services.goals.rules import units as service
from services.goals.schemas import OrgTree, UnitCreate, UnitRead, UnitUpdate
from shared.auth.access import ADMIN, ANY_ROLE
from shared.auth.deps import DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.auth.policy import UnitKind
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.db import ReadConnection
from shared.errors import Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, error_responses
from shared.pagination import Page, Pagination
from shared.routes import add_history_route

router = APIRouter(prefix="/units", tags=["org units"], route_class=GuardedRoute)
# A unit with its parent's code, as its loader finds it.
UnitWithParent = tuple[OrgUnit, str | None]


@router.get(
    "",
    operation_id="list_units",
    summary="List org units",
    response_model=Page[UnitRead],
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_units(
    conn: ReadConnection,
    page: Pagination,
    kind: Annotated[UnitKind | None, Query()] = None,
    parent: Annotated[str | None, Query(description="Only the children of this unit", max_length=16)] = None,
) -> Response:
    return await queries.list_units(conn, page, kind=kind, parent=parent)


@router.get(
    "/tree",
    operation_id="get_org_tree",
    summary="The whole org structure in one answer",
    responses=error_responses(Forbidden),
    dependencies=[guard(ORG_TREE_READ)],
)
async def get_org_tree(session: DbSession) -> OrgTree:
    return await service.org_tree(session)


@router.get(
    "/{code}",
    operation_id="get_unit",
    summary="One org unit",
    responses=error_responses(Forbidden, NotFound),
)
async def get_unit(found: Annotated[UnitWithParent, guard(ANY_ROLE, a_unit)], response: Response) -> UnitRead:
    unit, parent_code = found
    set_etag(response, unit)
    return service.unit_read(unit, parent_code)


@router.post(
    "",
    operation_id="create_unit",
    summary="Create an org unit",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict),
    dependencies=[guard(ADMIN)],
)
async def create_unit(data: UnitCreate, session: DbSession, response: Response) -> UnitRead:
    unit = await service.create_unit(session, data)
    set_etag(response, unit)
    response.headers["Location"] = f"/units/{unit.code}"
    return service.unit_read(unit, data.parent_code)


@router.patch(
    "/{code}",
    operation_id="update_unit",
    summary="Change an org unit",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_unit(
    found: Annotated[UnitWithParent, guard(ADMIN, a_unit)],
    data: UnitUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> UnitRead:
    unit, _ = found
    check_if_match(if_match, unit)
    await service.update_unit(session, unit, data)
    _, parent_code = await service.get_unit_with_parent(session, unit.code)
    set_etag(response, unit)
    return service.unit_read(unit, parent_code)


def _the_unit(found: UnitWithParent) -> OrgUnit:
    return found[0]


add_history_route(
    router,
    "/{code}/history",
    declared=ANY_ROLE,
    load=a_unit,
    history_model=HistoryEntry,
    operation_id="get_unit_history",
    what="an org unit: who, when, before and after",
    tracked=_the_unit,
)
