"""What a service route depends on: the verified caller, and a session that records them in history."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth.policy import Principal
from shared.auth.tokens import read_internal_token
from shared.db import session_scope
from shared.errors import Unauthorized
from shared.history import set_actor
from shared.security import PRINCIPAL_STATE

_bearer = HTTPBearer(auto_error=False, description="The caller token the gateway signs")


async def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    checked = getattr(request.state, PRINCIPAL_STATE, None)
    if isinstance(checked, Principal):  # verified at the door (shared.security), before the body was read
        return checked
    if credentials is None:
        raise Unauthorized("This service only answers calls made through the gateway")
    return read_internal_token(credentials.credentials, request.app.state.settings.internal_secret)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def _session_for(request: Request, principal: CurrentPrincipal) -> AsyncIterator[AsyncSession]:
    async with session_scope(request) as session:
        set_actor(session, principal.subject, principal.name)
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is an error answer.
DbSession = Annotated[AsyncSession, Depends(_session_for, scope="function")]
