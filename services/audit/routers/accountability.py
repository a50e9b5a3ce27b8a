"""HTTP routes for the auditors' yearly accountability statements."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import AUDITOR_WRITES, ensure_auditor
from services.audit.dependencies import Settings
from services.audit.models import HistoryEntry
from services.audit.rules import accountability as rules
from services.audit.schemas import StatementCreate, StatementRead, StatementUpdate
from shared.auth.access import ANY_ROLE, access
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
from shared.concurrency import IfMatch, check_if_match, set_etag
from shared.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    Unprocessable,
    error_responses,
)
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists

router = APIRouter(prefix="/statements", tags=["accountability"])


@router.get(
    "",
    operation_id="list_accountability_statements",
    summary="List accountability statements",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_statements(
    session: DbSession,
    principal: CurrentPrincipal,
    page: Pagination,
    body: Annotated[str | None, Query(max_length=16)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[StatementRead]:
    require_signed_in_reader(principal)
    return await rules.list_statements(session, page, body_code=body, year=year)


@router.post(
    "",
    operation_id="create_accountability_statement",
    summary="Record the auditors' statement on a body for a year",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable, ServiceUnavailable),
    **access(AUDITOR_WRITES),
)
async def create_statement(
    data: StatementCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: Settings,
    goals: GoalsService,
    response: Response,
) -> StatementRead:
    ensure_auditor(principal)
    await ensure_unit_exists(goals, data.body_code, field="body_code")
    statement = await rules.create_statement(session, data, settings.diary_number_pattern)
    set_etag(response, statement)
    response.headers["Location"] = f"/statements/{statement.id}"
    return StatementRead.model_validate(statement)


@router.get(
    "/{statement_id}",
    operation_id="get_accountability_statement",
    summary="One accountability statement",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_statement(
    statement_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> StatementRead:
    require_signed_in_reader(principal)
    statement = await rules.get_statement(session, statement_id)
    set_etag(response, statement)
    return StatementRead.model_validate(statement)


@router.patch(
    "/{statement_id}",
    operation_id="update_accountability_statement",
    summary="Change an accountability statement",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
    **access(AUDITOR_WRITES),
)
async def update_statement(
    statement_id: uuid.UUID,
    data: StatementUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    settings: Settings,
    response: Response,
    if_match: IfMatch = None,
) -> StatementRead:
    ensure_auditor(principal)
    statement = await rules.get_statement(session, statement_id)
    check_if_match(if_match, statement)
    await rules.update_statement(session, statement, data, settings.diary_number_pattern)
    set_etag(response, statement)
    return StatementRead.model_validate(statement)


@router.get(
    "/{statement_id}/history",
    operation_id="get_accountability_statement_history",
    summary="Every change to an accountability statement",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_statement_history(
    statement_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    require_signed_in_reader(principal)
    statement = await rules.get_statement(session, statement_id)
    return await read_history(session, HistoryEntry, statement, page)
