"""HTTP routes of the account plan: the finance office's rules from ledger accounts to account categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from services.budget.dependencies import an_account_mapping
from services.budget.models import AccountMapping, HistoryEntry
from services.budget.rules import accounts as rules
from services.budget.schemas import AccountMappingCreate, AccountMappingRead, AccountMappingUpdate
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
    Unprocessable,
    error_responses,
)
from shared.pagination import Page, Pagination
from shared.routes import add_history_route

router = APIRouter(prefix="/account-mappings", tags=["account plan"], route_class=GuardedRoute)
FinanceMapping = Annotated[AccountMapping, guard(FINANCE, an_account_mapping)]


@router.post(
    "",
    operation_id="create_account_mapping",
    summary="Map ledger accounts (one, a prefix, or a range) to an account category",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable),
    dependencies=[guard(FINANCE)],
)
async def create_account_mapping(
    data: AccountMappingCreate, session: DbSession, response: Response
) -> AccountMappingRead:
    mapping = await rules.create_mapping(session, data)
    set_etag(response, mapping)
    response.headers["Location"] = f"/account-mappings/{mapping.id}"
    return AccountMappingRead.model_validate(mapping)


@router.get(
    "",
    operation_id="list_account_mappings",
    summary="The account plan, by first account",
    responses=error_responses(Forbidden),
    dependencies=[guard(ANY_ROLE)],
)
async def list_account_mappings(session: DbSession, page: Pagination) -> Page[AccountMappingRead]:
    return await rules.list_mappings(session, page)


@router.get(
    "/{mapping_id}",
    operation_id="get_account_mapping",
    summary="One rule of the account plan",
    responses=error_responses(Forbidden, NotFound),
)
async def get_account_mapping(
    mapping: Annotated[AccountMapping, guard(ANY_ROLE, an_account_mapping)], response: Response
) -> AccountMappingRead:
    set_etag(response, mapping)
    return AccountMappingRead.model_validate(mapping)


@router.patch(
    "/{mapping_id}",
    operation_id="update_account_mapping",
    summary="Change a rule of the account plan",
    responses=error_responses(Forbidden, NotFound, Conflict, Unprocessable, PreconditionFailed, PreconditionRequired),
)
async def update_account_mapping(
    mapping: FinanceMapping,
    data: AccountMappingUpdate,
    session: DbSession,
    response: Response,
    if_match: IfMatch = None,
) -> AccountMappingRead:
    check_if_match(if_match, mapping)
    await rules.update_mapping(session, mapping, data)
    set_etag(response, mapping)
    return AccountMappingRead.model_validate(mapping)


@router.delete(
    "/{mapping_id}",
    operation_id="delete_account_mapping",
    summary="Remove a rule of the account plan (its history stays)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(Forbidden, NotFound, PreconditionFailed, PreconditionRequired),
)
async def delete_account_mapping(mapping: FinanceMapping, session: DbSession, if_match: IfMatch = None) -> Response:
    check_if_match(if_match, mapping)
    await rules.delete_mapping(session, mapping)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


add_history_route(
    router,
    "/{mapping_id}/history",
    declared=ANY_ROLE,
    load=an_account_mapping,
    history_model=HistoryEntry,
    operation_id="get_account_mapping_history",
    what="a rule of the account plan",
)
