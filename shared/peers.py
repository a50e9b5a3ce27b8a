"""Calling a peer service for the caller, with the caller's own internal token.

A service that must check something another service owns (does this goal exist, may this caller
see it) asks that service over HTTP, passing on the short-lived token the gateway signed for the
caller, so the peer applies its own rules to the same caller. An unreachable peer is a 503, never
a 500.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Request
from pydantic import BaseModel, Field

from shared.errors import ServiceUnavailable, Unauthorized, Unprocessable
from shared.observe import peer_call
from shared.requestid import REQUEST_ID_HEADER, current_request_id

PEER_CLIENT_STATE = "peer_client"
PEER_TRANSPORT_STATE = "peer_transport"


def new_peer_client(transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """The pooled client an app calls its peers with; made in lifespan (tests pass a transport)."""
    return httpx.AsyncClient(transport=transport, limits=httpx.Limits(max_connections=50))


@dataclass(frozen=True)
class Peer:
    """Another service of the product, called on behalf of the current caller."""

    name: str
    base_url: str
    client: httpx.AsyncClient
    token: str
    timeout_seconds: float

    async def get(self, path: str) -> httpx.Response:
        """GET `path` on the peer; 503 when it cannot be reached or does not answer in time."""
        headers = {"authorization": f"Bearer {self.token}", REQUEST_ID_HEADER: current_request_id() or ""}
        try:
            async with peer_call(self.name, "GET", headers) as call:
                response = await self.client.get(
                    f"{self.base_url}{path}", headers=headers, timeout=self.timeout_seconds
                )
                call.answered(response.status_code)
                return response
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(f"The {self.name} service did not answer in time", service=self.name) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"The {self.name} service cannot be reached", service=self.name) from exc

    async def exists(self, path: str) -> bool:
        """Whether the peer shows the caller the record at `path`: 200 yes, 404 no, anything else 503."""
        response = await self.get(path)
        if response.status_code == 200:
            return True
        if response.status_code == 404:
            return False
        raise ServiceUnavailable(
            f"The {self.name} service answered {response.status_code} when asked for {path}", service=self.name
        )


def caller_token(request: Request) -> str:
    """The internal bearer token this request came with (already verified by `current_principal`)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("This service only answers calls made through the gateway")
    return token.strip()


def peer(request: Request, name: str, base_url: str, timeout_seconds: float) -> Peer:
    """The peer `name` at `base_url`, to be called with this request's caller token."""
    client: httpx.AsyncClient = getattr(request.app.state, PEER_CLIENT_STATE)
    return Peer(name, base_url.rstrip("/"), client, caller_token(request), timeout_seconds)


class GoalsPeerSettings(BaseModel):
    """Settings of a service that asks the goals service about units and goals (mixed into its settings)."""

    goals_url: str = Field(
        default="http://127.0.0.1:8001",
        description="The goals service, asked whether org units and goals exist (with the caller's token)",
    )
    peer_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


async def goals_peer(request: Request) -> Peer:
    """The goals service, called with the caller's own token, so it applies its rules to them."""
    settings: GoalsPeerSettings = request.app.state.settings
    return peer(request, "goals", settings.goals_url, settings.peer_timeout_seconds)


GoalsService = Annotated[Peer, Depends(goals_peer)]


async def ensure_goals_exist(goals: Peer, goal_ids: Iterable[uuid.UUID], *, field: str = "goal_ids") -> None:
    """Each goal must be one the goals service shows this caller: an unknown or hidden one is a 422."""
    for goal_id in dict.fromkeys(goal_ids):
        if not await goals.exists(f"/goals/{goal_id}"):
            raise Unprocessable(f"The goals service has no goal {goal_id}", field=field)


async def ensure_unit_exists(goals: Peer, unit_code: str, *, field: str = "unit_code") -> None:
    """Org units live in the goals service: a code it does not know is a 422."""
    if not await goals.exists(f"/units/{unit_code}"):
        raise Unprocessable(f"No org unit with code {unit_code}", field=field)


async def refuse_unknown_links(
    peer: Peer, what: str, collection: str, ids: Iterable[uuid.UUID] | None, *, field: str
) -> None:
    """Each record a link names must be one `peer` shows this caller at `/{collection}/{id}`: one it does not
    know, or hides from the caller, is a 422 naming the field and the position in it."""
    for index, record_id in enumerate(ids or []):
        if not await peer.exists(f"/{collection}/{record_id}"):
            raise Unprocessable(f"The {peer.name} service has no {what} {record_id}", field=f"{field}[{index}]")


class AuditPeerSettings(BaseModel):
    """Settings of a service that asks the audit service about recommendations (mixed into its settings)."""

    audit_url: str = Field(
        default="http://127.0.0.1:8003",
        description="The audit service, asked whether recommendations exist (with the caller's token)",
    )
    peer_timeout_seconds: float = Field(default=5.0, gt=0, le=60)


async def audit_peer(request: Request) -> Peer:
    """The audit service, called with the caller's own token, so it applies its rules to them."""
    settings: AuditPeerSettings = request.app.state.settings
    return peer(request, "audit", settings.audit_url, settings.peer_timeout_seconds)


AuditService = Annotated[Peer, Depends(audit_peer)]
