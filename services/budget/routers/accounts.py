"""HTTP routes of the account plan: the finance office's rules from ledger accounts to account categories."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from services.budget.access import ensure_finance
from services.budget.models import AccountMapping, HistoryEntry
from services.budget.rules import accounts as rules
from services.budget.schemas import AccountMappingCreate, AccountMappingRead, AccountMappingUpdate
from shared.auth.access import (
    ANY_ROLE,
    FINANCE,
    access,
)
from shared.auth.deps import CurrentPrincipal, DbSession, require_signed_in_reader
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
from shared.history import HistoryEntryRead, read_history
from shared.pagination import Page, Pagination

router = APIRouter(prefix="/account-mappings", tags=["account plan"])


@router.post(
    "",
    operation_id="create_account_mapping",
    summary="Map ledger accounts (one, a prefix, or a range) to an account category",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Forbidden, Conflict, Unprocessable),
    **access(FINANCE),
)
async def create_account_mapping(
    data: AccountMappingCreate, session: DbSession, principal: CurrentPrincipal, response: Response
) -> AccountMappingRead:
    ensure_finance(principal)
    mapping = await rules.create_mapping(session, data)
    set_etag(response, mapping)
    response.headers["Location"] = f"/account-mappings/{mapping.id}"
    return AccountMappingRead.model_validate(mapping)


@router.get(
    "",
    operation_id="list_account_mappings",
    summary="The account plan, by first account",
    responses=error_responses(Forbidden),
    **access(ANY_ROLE),
)
async def list_account_mappings(
    session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[AccountMappingRead]:
    require_signed_in_reader(principal)
    return await rules.list_mappings(session, page)


async def _mapping(session: DbSession, principal: CurrentPrincipal, mapping_id: uuid.UUID) -> AccountMapping:
    require_signed_in_reader(principal)
    return await rules.get_mapping(session, mapping_id)


@router.get(
    "/{mapping_id}",
    operation_id="get_account_mapping",
    summary="One rule of the account plan",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_account_mapping(
    mapping_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, response: Response
) -> AccountMappingRead:
    mapping = await _mapping(session, principal, mapping_id)
    set_etag(response, mapping)
    return AccountMappingRead.model_validate(mapping)


@router.patch(
    "/{mapping_id}",
    operation_id="update_account_mapping",
    summary="Change a rule of the account plan",
    responses=error_responses(Forbidden, NotFound, Conflict, Unprocessable, PreconditionFailed, PreconditionRequired),
    **access(FINANCE),
)
async def update_account_mapping(
    mapping_id: uuid.UUID,
    data: AccountMappingUpdate,
    session: DbSession,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatch = None,
) -> AccountMappingRead:
    ensure_finance(principal)
    mapping = await rules.get_mapping(session, mapping_id)
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
    **access(FINANCE),
)
async def delete_account_mapping(
    mapping_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, if_match: IfMatch = None
) -> Response:
    ensure_finance(principal)
    mapping = await rules.get_mapping(session, mapping_id)
    check_if_match(if_match, mapping)
    await rules.delete_mapping(session, mapping)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{mapping_id}/history",
    operation_id="get_account_mapping_history",
    summary="Every change to a rule of the account plan",
    responses=error_responses(Forbidden, NotFound),
    **access(ANY_ROLE),
)
async def get_account_mapping_history(
    mapping_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal, page: Pagination
) -> Page[HistoryEntryRead]:
    return await read_history(session, HistoryEntry, await _mapping(session, principal, mapping_id), page)
