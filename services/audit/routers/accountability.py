"""HTTP routes for the auditors' yearly accountability statements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.audit.access import AUDITOR_WRITES
from services.audit.dependencies import Settings, a_statement
from services.audit.models import AccountabilityStatement, HistoryEntry
from services.audit.rules import accountability as rules
from services.audit.schemas import StatementCreate, StatementRead, StatementUpdate
from shared.auth.access import ANY_ROLE
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
    Unprocessable,
    error_responses,
)
from shared.pagination import Page, Pagination
from shared.peers import GoalsService, ensure_unit_exists
from shared.routes import add_history_route

router = APIRouter(prefix="/statements", tags=["accountability"], route_class=GuardedRoute)


@router.get(
    "",
    operation_id="list_accountability_statements",
    summary="List accountability statements",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_statements(
    session: DbSession,
    page: Pagination,
    body: Annotated[str | None, Query(max_length=16)] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[StatementRead]:
    return await rules.list_statements(session, page, body_code=body, year=year)


@router.post(
    "",
    operation_id="create_accountability_statement",
    summary="Record the auditors' statement on a body for a year",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable, ServiceUnavailable),
    dependencies=[guard(AUDITOR_WRITES)],
)
async def create_statement(
    data: StatementCreate,
    session: DbSession,
    settings: Settings,
    goals: GoalsService,
    response: Response,
) -> StatementRead:
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
)
async def get_statement(
    statement: Annotated[AccountabilityStatement, guard(ANY_ROLE, a_statement)], response: Response
) -> StatementRead:
    set_etag(response, statement)
    return StatementRead.model_validate(statement)


@router.patch(
    "/{statement_id}",
    operation_id="update_accountability_statement",
    summary="Change an accountability statement",
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def update_statement(
    statement: Annotated[AccountabilityStatement, guard(AUDITOR_WRITES, a_statement)],
    data: StatementUpdate,
    session: DbSession,
    settings: Settings,
    response: Response,
    if_match: IfMatch = None,
) -> StatementRead:
    check_if_match(if_match, statement)
    await rules.update_statement(session, statement, data, settings.diary_number_pattern)
    set_etag(response, statement)
    return StatementRead.model_validate(statement)


add_history_route(
    router,
    "/{statement_id}/history",
    declared=ANY_ROLE,
    load=a_statement,
    history_model=HistoryEntry,
    operation_id="get_accountability_statement_history",
    what="an accountability statement",
)
