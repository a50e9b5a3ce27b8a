"""HTTP routes for report production: editions, the units' analysis texts, completion and the snapshot.

Completion is reached through the gateway (`POST /api/reports/editions/{id}/completion`), which builds
the report with the registrar's rights and sends it here; this service refuses it from anyone else.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.goals.access import ensure_editor, ensure_registrar
from services.goals.models import HistoryEntry, ReportEdition, ReportingPeriod, ReportKind, ReportSection
from services.goals.rules import reports as rules
from services.goals.rules.common import OrgIndex
from services.goals.schemas import (
    ReportCompletion,
    ReportEditionCreate,
    ReportEditionRead,
    ReportSectionRead,
    ReportSectionUpdate,
)
from shared.auth.access import (
    ANY_ROLE_READABLE_DRAFTS,
    access,
    editor,
    gateway_for,
    read_record,
    rule,
)
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.auth.policy import Principal, PrincipalKind
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

router = APIRouter(prefix="/report-editions", tags=["report production"])
REPORT_UNIT = "the report's unit (the board for the region's report)"
SECTION_UNIT = "the section's unit"
# An open edition is a draft; completed, it is decided.
READ_RULE = read_record(REPORT_UNIT).noting("an open edition also to those who read a section's unit's drafts")
WRITE_RULE = editor(SECTION_UNIT).hiding_drafts_of(REPORT_UNIT)


async def _readable_edition(
    session: DbSession, principal: Principal, edition_id: uuid.UUID, index: OrgIndex
) -> tuple[ReportEdition, list[ReportSection]]:
    """The edition and its sections; one the caller may not read answers 404, like any draft."""
    require_signed_in_reader(principal)
    edition = await rules.get_edition(session, edition_id)
    sections = await rules.sections_of(session, edition.id)
    if not rules.may_read_edition(principal, edition, sections, index):
        raise NotFound("No report edition with that id")
    return edition, sections


async def _readable_section(
    session: DbSession, principal: Principal, edition_id: uuid.UUID, section_id: uuid.UUID, index: OrgIndex
) -> tuple[ReportEdition, ReportSection]:
    edition, _ = await _readable_edition(session, principal, edition_id, index)
    section = await rules.get_section(session, edition, section_id)
    if not rules.may_read_section(principal, edition, section, index):
        raise NotFound("No section with that id in this edition")
    return edition, section


@router.post(
    "",
    operation_id="create_report_edition",
    summary="Open the production of a report: one analysis section per writing unit and topic",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable),
    **access(editor(REPORT_UNIT)),
)
async def create_report_edition(
    data: ReportEditionCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ReportEditionRead:
    index = await OrgIndex.load(session)
    ensure_editor(principal, data.unit_code or rules.registrar_of(index, None))
    edition = await rules.create_edition(session, data, index)
    set_etag(response, edition)
    response.headers["Location"] = f"/report-editions/{edition.id}"
    return rules.edition_read(principal, edition, await rules.sections_of(session, edition.id), index)


@router.get(
    "",
    operation_id="list_report_editions",
    summary="Report editions, newest year first, with the sections the caller may read",
    responses=error_responses(Forbidden, Unprocessable),
    **access(ANY_ROLE_READABLE_DRAFTS),
)
async def list_report_editions(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    kind: ReportKind | None = None,
    year: Annotated[int | None, Query(ge=1990, le=2100)] = None,
    period: ReportingPeriod | None = None,
    unit: Annotated[str | None, Query(max_length=16, description="Editions for this unit")] = None,
    region: Annotated[bool, Query(description="Only the region's editions")] = False,
) -> Page[ReportEditionRead]:
    require_signed_in_reader(principal)
    index = await OrgIndex.load(session)
    # A region has a few editions a year, so the visibility of each is checked here rather than in SQL.
    editions = await rules.find_editions(session, index, kind, year, period, unit, region)
    sections = await rules.sections_by_edition(session, [e.id for e in editions])
    visible = [e for e in editions if rules.may_read_edition(principal, e, sections[e.id], index)]
    chosen = visible[page.offset : page.offset + page.limit]
    return Page[ReportEditionRead](
        items=[rules.edition_read(principal, e, sections[e.id], index) for e in chosen],
        total=len(visible),
        limit=page.limit,
        offset=page.offset,
    )


@router.get(
    "/{edition_id}",
    operation_id="get_report_edition",
    summary="One report edition with the sections the caller may read",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_report_edition(
    edition_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ReportEditionRead:
    index = await OrgIndex.load(session)
    edition, sections = await _readable_edition(session, principal, edition_id, index)
    set_etag(response, edition)
    return rules.edition_read(principal, edition, sections, index)


@router.get(
    "/{edition_id}/history",
    operation_id="get_report_edition_history",
    summary="Every change to an edition: opened, completed",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_report_edition_history(
    edition_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    index = await OrgIndex.load(session)
    edition, _ = await _readable_edition(session, principal, edition_id, index)
    return await read_history(session, HistoryEntry, edition, page)


@router.get(
    "/{edition_id}/sections/{section_id}",
    operation_id="get_report_section",
    summary="One unit's analysis text for one topic",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_report_section(
    edition_id: uuid.UUID, section_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> ReportSectionRead:
    index = await OrgIndex.load(session)
    _, section = await _readable_section(session, principal, edition_id, section_id, index)
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
    **access(WRITE_RULE),
)
async def update_report_section(
    edition_id: uuid.UUID,
    section_id: uuid.UUID,
    data: ReportSectionUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ReportSectionRead:
    index = await OrgIndex.load(session)
    edition, section = await _readable_section(session, principal, edition_id, section_id, index)
    ensure_editor(principal, index.code(section.unit_id))
    rules.ensure_open(edition)
    check_if_match(if_match, section)
    await rules.update_section(session, edition, section, data)
    set_etag(response, section)
    return rules.section_read(section, index)


@router.get(
    "/{edition_id}/sections/{section_id}/history",
    operation_id="get_report_section_history",
    summary="Every change to a section's text and ready flag",
    responses=error_responses(Forbidden, NotFound),
    **access(READ_RULE),
)
async def get_report_section_history(
    edition_id: uuid.UUID, section_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    index = await OrgIndex.load(session)
    _, section = await _readable_section(session, principal, edition_id, section_id, index)
    return await read_history(session, HistoryEntry, section, page)


@router.post(
    "/{edition_id}/completion",
    operation_id="store_report_completion",
    summary="Keep a completed report (called by the gateway's completion, which builds it)",
    responses=error_responses(Forbidden, NotFound, Conflict, Locked, PreconditionFailed, PreconditionRequired),
    **access(rule(gateway_for(f"registrar on {REPORT_UNIT}")).hiding_drafts_of(REPORT_UNIT)),
)
async def store_report_completion(
    edition_id: uuid.UUID,
    data: ReportCompletion,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> ReportEditionRead:
    index = await OrgIndex.load(session)
    edition, sections = await _readable_edition(session, principal, edition_id, index)
    registrar = rules.registrar_unit(index, edition)
    ensure_registrar(principal, registrar)
    # Only the gateway signs service-kind tokens: a registrar calling here directly could store any JSON.
    if principal.kind is not PrincipalKind.service:
        raise Forbidden(
            "Complete the edition through POST /api/reports/editions/{id}/completion, which builds the report",
            required=f"{registrar}:registrar",
        )
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
    **access(READ_RULE),
)
async def get_report_snapshot(edition_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal) -> Response:
    index = await OrgIndex.load(session)
    edition, _ = await _readable_edition(session, principal, edition_id, index)
    body = await rules.snapshot_of(session, edition)
    return Response(body.encode(), media_type="application/json", headers={"ETag": f'"{edition.version}"'})
