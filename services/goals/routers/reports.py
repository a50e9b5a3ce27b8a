"""HTTP routes for report production: editions, the units' analysis texts, completion and the snapshot.

Completion is reached through the gateway (`POST /api/reports/editions/{id}/completion`), which builds
the report with the registrar's rights and sends it here; this service refuses it from anyone else.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from services.goals.access import (
    EDITION_COMPLETION,
    EDITION_CREATE,
    EDITION_READ,
    SECTION_COMMENT,
    SECTION_WRITE,
)
from services.goals.dependencies import Index, a_new_edition, a_section, an_edition, an_edition_to_complete
from services.goals.models import Comment, HistoryEntry, ReportEdition, ReportingPeriod, ReportKind, ReportSection
from services.goals.rules import reports as rules
from services.goals.schemas import (
    ReportCompletion,
    ReportEditionCreate,
    ReportEditionRead,
    ReportSectionRead,
    ReportSectionUpdate,
)
from shared.auth.access import ANY_ROLE_READABLE_DRAFTS
from shared.auth.deps import CurrentPrincipal, DbSession
from shared.auth.guard import GuardedRoute, guard
from shared.comments import CommentModel, add_comment_routes
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    Locked,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unprocessable,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination
from shared.people import name_people
from shared.routes import add_history_route

router = APIRouter(prefix="/report-editions", tags=["report production"], route_class=GuardedRoute)
# What the loaders find: an edition with its sections; a section with its edition.
EditionWithSections = tuple[ReportEdition, list[ReportSection]]
SectionOfEdition = tuple[ReportEdition, ReportSection]
ReadableEdition = Annotated[EditionWithSections, guard(EDITION_READ, an_edition)]


@router.post(
    "",
    operation_id="create_report_edition",
    summary="Open the production of a report: one analysis section per writing unit and topic",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable),
)
async def create_report_edition(
    data: Annotated[ReportEditionCreate, guard(EDITION_CREATE, a_new_edition)],
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    response: Response,
) -> ReportEditionRead:
    edition = await rules.create_edition(session, data, index)
    set_etag(response, edition)
    response.headers["Location"] = f"/report-editions/{edition.id}"
    return rules.edition_read(principal, edition, await rules.sections_of(session, edition.id), index)


@router.get(
    "",
    operation_id="list_report_editions",
    summary="Report editions, newest year first, with the sections the caller may read",
    responses=error_responses(Forbidden, Unprocessable),
    dependencies=[guard(ANY_ROLE_READABLE_DRAFTS)],
)
async def list_report_editions(
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    page: Pagination,
    kind: ReportKind | None = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    period: ReportingPeriod | None = None,
    unit: Annotated[str | None, Query(max_length=16, description="Editions for this unit")] = None,
    region: Annotated[bool, Query(description="Only the region's editions")] = False,
) -> Page[ReportEditionRead]:
    return await rules.list_editions(session, principal, index, page, (kind, year, period, unit, region))


@router.get(
    "/{edition_id}",
    operation_id="get_report_edition",
    summary="One report edition with the sections the caller may read",
    responses=error_responses(Forbidden, NotFound),
)
async def get_report_edition(
    found: ReadableEdition, principal: CurrentPrincipal, index: Index, response: Response
) -> ReportEditionRead:
    edition, sections = found
    set_etag(response, edition)
    return rules.edition_read(principal, edition, sections, index)


# Not shared.routes' history: an edition's whole history (opened, completed) is shown to every reader of
# the edition, as it always was; the sections' texts are what drafts hide, and they have a history of their own.
@router.get(
    "/{edition_id}/history",
    operation_id="get_report_edition_history",
    summary="Every change to an edition: opened, completed",
    responses=error_responses(Forbidden, NotFound),
)
async def get_report_edition_history(
    found: ReadableEdition, session: DbSession, page: Pagination
) -> Page[HistoryEntryRead]:
    return await read_history(session, HistoryEntry, found[0], page)


@router.get(
    "/{edition_id}/sections/{section_id}",
    operation_id="get_report_section",
    summary="One unit's analysis text for one topic",
    responses=error_responses(Forbidden, NotFound),
)
async def get_report_section(
    found: Annotated[SectionOfEdition, guard(EDITION_READ, a_section)], index: Index, response: Response
) -> ReportSectionRead:
    _, section = found
    set_etag(response, section)
    return rules.section_read(section, index)


@router.patch(
    "/{edition_id}/sections/{section_id}",
    operation_id="update_report_section",
    summary="Write the analysis text, or mark the section ready or not ready",
    description="A ready section's text changes only together with `ready: false`. "
    "A completed edition answers 409 `locked`.",
    responses=error_responses(
        Forbidden, NotFound, Conflict, Locked, PreconditionFailed, PreconditionRequired, Unprocessable
    ),
)
async def update_report_section(
    found: Annotated[SectionOfEdition, guard(SECTION_WRITE, a_section)],
    data: ReportSectionUpdate,
    session: DbSession,
    index: Index,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ReportSectionRead:
    edition, section = found
    rules.ensure_open(edition)
    check_if_match(if_match, section)
    await rules.update_section(session, edition, section, name_people(data, principal, section))
    set_etag(response, section)
    return rules.section_read(section, index)


def _the_section(found: SectionOfEdition) -> ReportSection:
    return found[1]


add_history_route(
    router,
    "/{edition_id}/sections/{section_id}/history",
    declared=EDITION_READ,
    load=a_section,
    history_model=HistoryEntry,
    operation_id="get_report_section_history",
    what="a section's text and ready flag",
    tracked=_the_section,
)


@router.post(
    "/{edition_id}/completion",
    operation_id="store_report_completion",
    summary="Keep a completed report (called by the gateway's completion, which builds it)",
    responses=error_responses(Forbidden, NotFound, Conflict, Locked, PreconditionFailed, PreconditionRequired),
)
async def store_report_completion(
    found: Annotated[EditionWithSections, guard(EDITION_COMPLETION, an_edition)],
    _registrar: Annotated[None, Depends(an_edition_to_complete)],
    data: ReportCompletion,
    session: DbSession,
    principal: CurrentPrincipal,
    index: Index,
    response: Response,
    if_match: IfMatch = None,
) -> ReportEditionRead:
    edition, sections = found
    check_if_match(if_match, edition)
    await rules.complete_edition(session, edition, sections, data, principal, index)
    set_etag(response, edition)
    return rules.edition_read(principal, edition, sections, index)


@router.get(
    "/{edition_id}/snapshot",
    operation_id="get_report_snapshot",
    summary="The completed report's JSON, byte for byte as it was frozen",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}, **error_responses(Forbidden, NotFound)},
)
async def get_report_snapshot(found: ReadableEdition, session: DbSession) -> Response:
    edition, _ = found
    body = await rules.snapshot_of(session, edition)
    return Response(body.encode(), media_type="application/json", headers={"ETag": f'"{edition.version}"'})


add_comment_routes(
    router,
    "/{edition_id}/sections/{section_id}",
    kind="report-section",
    what="a report section",
    read=EDITION_READ,
    write=SECTION_COMMENT,
    load=a_section,
    comments=CommentModel(Comment),
    tracked=_the_section,
)
