"""HTTP routes of targeted state grants: the grant, the goals it serves, its use per year, the summary."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.budget.access import GRANT_WRITES
from services.budget.dependencies import a_grant, a_grant_use, a_new_grant
from services.budget.models import EvidenceBlob, EvidenceFile, GrantUse, HistoryEntry, StateGrant
from services.budget.rules import grants as rules
from services.budget.schemas import (
    GoalLinkIn,
    GrantCreate,
    GrantRead,
    GrantSummary,
    GrantUpdate,
    GrantUseIn,
    Year,
)
from shared.asof import AsOfQuery, as_of_or_today
from shared.auth.access import ANY_ROLE
from shared.auth.deps import CurrentPrincipal, DbSession
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
from shared.evidence import EvidenceModels, add_evidence_routes
from shared.fields import YearPath
from shared.history import HistoryEntryRead, read_place_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, Peer, ensure_unit_exists, refuse_unknown_links
from shared.people import name_people
from shared.routes import add_history_route

router = APIRouter(prefix="/grants", tags=["targeted state grants"], route_class=GuardedRoute)
WritableGrant = Annotated[StateGrant, guard(GRANT_WRITES, a_grant)]


async def _refuse_unknown_indicators(goals: Peer, indicator_ids: list[uuid.UUID] | None) -> None:
    """The indicators that show a grant's effect are the goals service's, checked there as the caller."""
    await refuse_unknown_links(goals, "indicator", "indicators", indicator_ids, field="indicator_ids")


@router.get(
    "",
    operation_id="list_grants",
    summary="List targeted state grants with their goals and use",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_grants(
    session: DbSession,
    page: Pagination,
    year: Annotated[Year | None, Query(description="Only grants running that year")] = None,
    without_goal: Annotated[bool, Query(description="Only grants with no goal linked")] = False,
) -> Page[GrantRead]:
    return await rules.list_grants(session, page, year=year, without_goal=without_goal)


@router.get(
    "/summary",
    operation_id="get_grant_summary",
    summary="The grants running in a year: amounts, use, and those with no goal linked",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def get_grant_summary(
    session: DbSession, year: Annotated[Year, Query()], as_of: AsOfQuery = None
) -> GrantSummary:
    return await rules.grant_summary(session, year, as_of_or_today(as_of))


@router.post(
    "",
    operation_id="create_grant",
    summary="Register a targeted state grant",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, ServiceUnavailable),
)
async def create_grant(
    data: Annotated[GrantCreate, guard(GRANT_WRITES, a_new_grant)],
    session: DbSession,
    goals: GoalsService,
    principal: CurrentPrincipal,
    response: Response,
) -> GrantRead:
    data = name_people(data, principal)
    await ensure_unit_exists(goals, data.coordinator_unit, field="coordinator_unit")
    await _refuse_unknown_indicators(goals, data.indicator_ids)
    grant = await rules.create_grant(session, data)
    set_etag(response, grant)
    response.headers["Location"] = f"/grants/{grant.id}"
    return rules.grant_read(grant, [], [])


@router.get(
    "/{grant_id}",
    operation_id="get_grant",
    summary="One targeted state grant",
    responses=error_responses(Forbidden, NotFound),
)
async def get_grant(
    grant: Annotated[StateGrant, guard(ANY_ROLE, a_grant)], session: DbSession, response: Response
) -> GrantRead:
    set_etag(response, grant)
    return await rules.read_grant(session, grant)


@router.patch(
    "/{grant_id}",
    operation_id="update_grant",
    summary="Change a grant, e.g. report its effect",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_grant(
    grant: WritableGrant,
    data: GrantUpdate,
    session: DbSession,
    goals: GoalsService,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> GrantRead:
    check_if_match(if_match, grant)
    data = name_people(data, principal, grant)
    await _refuse_unknown_indicators(goals, data.indicator_ids)
    await rules.update_grant(session, grant, data)
    set_etag(response, grant)
    return await rules.read_grant(session, grant)


@router.post(
    "/{grant_id}/goals",
    operation_id="link_grant_goal",
    summary="Link a goal (by its id in the goals service) that the grant serves, and say how",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, NotFound, Conflict, ServiceUnavailable),
)
async def link_grant_goal(grant: WritableGrant, data: GoalLinkIn, session: DbSession, goals: GoalsService) -> GrantRead:
    await rules.link_goal(session, goals, grant, data)
    return await rules.read_grant(session, grant)


@router.delete(
    "/{grant_id}/goals/{link_id}",
    operation_id="unlink_grant_goal",
    summary="Remove a goal link (If-Match with the link's version)",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def unlink_grant_goal(
    grant: WritableGrant,
    link_id: uuid.UUID,
    session: DbSession,
    if_match: IfMatch = None,
) -> GrantRead:
    link = await rules.get_link(session, grant, link_id)
    check_if_match(if_match, link)
    await rules.unlink_goal(session, link)
    return await rules.read_grant(session, grant)


@router.post(
    "/{grant_id}/goals/resolve",
    operation_id="resolve_grant_goals",
    summary="Look up the ids of goals linked by unit and title (as the demo data links them)",
    responses=error_responses(Forbidden, NotFound, Conflict, ServiceUnavailable),
)
async def resolve_grant_goals(grant: WritableGrant, session: DbSession, goals: GoalsService) -> GrantRead:
    await rules.resolve_links(session, goals, grant)
    return await rules.read_grant(session, grant)


@router.put(
    "/{grant_id}/uses/{year}",
    operation_id="record_grant_use",
    summary="Record how much of the grant was used in a year, and the indicators that show its effect "
    "(If-Match when changing a year's figure)",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def record_grant_use(
    grant: WritableGrant,
    year: YearPath,
    data: GrantUseIn,
    session: DbSession,
    goals: GoalsService,
    if_match: IfMatch = None,
) -> GrantRead:
    existing = await rules.find_use(session, grant.id, year)
    if existing is not None:
        check_if_match(if_match, existing)
    await _refuse_unknown_indicators(goals, data.indicator_ids)
    await rules.record_use(session, grant, year, data, existing)
    return await rules.read_grant(session, grant)


add_history_route(
    router,
    "/{grant_id}/history",
    declared=ANY_ROLE,
    load=a_grant,
    history_model=HistoryEntry,
    operation_id="get_grant_history",
    what="a grant",
)


@router.get(
    "/{grant_id}/uses/{year}/history",
    operation_id="get_grant_use_history",
    summary="Every change to a grant's use in a year",
    responses=error_responses(Forbidden, NotFound),
)
async def get_grant_use_history(
    grant: Annotated[StateGrant, guard(ANY_ROLE, a_grant)], year: YearPath, session: DbSession, page: Pagination
) -> Page[HistoryEntryRead]:
    return await read_place_history(session, HistoryEntry, GrantUse.__tablename__, page, grant_id=grant.id, year=year)


def _never_final(_: GrantUse) -> str | None:
    """A year's use can be corrected (If-Match above), and so can what shows it."""
    return None


add_evidence_routes(
    router,
    "/{grant_id}/uses/{year}",
    kind="grant-use",
    what="a grant's use in a year",
    read=ANY_ROLE,
    change=GRANT_WRITES,
    load=a_grant_use,
    models=EvidenceModels(file=EvidenceFile, blob=EvidenceBlob, history=HistoryEntry),
    final=_never_final,
)
