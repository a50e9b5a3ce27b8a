"""Sign-in at the gateway: verify the caller's bearer JWT and turn it into a principal."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx
from jose import JWTError, jwt

from gateway.settings import GatewaySettings
from shared.auth.policy import Principal, PrincipalKind, parse_role_claims
from shared.errors import Unauthorized

log = logging.getLogger("styr.gateway.auth")
_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="styr"'}


def unauthorized(detail: str) -> Unauthorized:
    return Unauthorized(detail, headers=_BEARER_CHALLENGE)


def _known_roles(raw_roles: list[str], subject: str) -> list[str]:
    # An unknown role grants nothing; it is logged so a mistyped mapping is found, not silently lost.
    known = []
    for role in raw_roles:
        try:
            parse_role_claims([role])
            known.append(role)
        except ValueError:
            log.warning("ignored unknown role", extra={"role": role, "subject": subject})
    return known


class JwksKeys:
    """The identity provider's signing keys, by `kid`; fetched again (at a bounded rate) for an unknown kid."""

    def __init__(self, settings: GatewaySettings, client: httpx.AsyncClient) -> None:
        self._settings = settings
        self._client = client
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = float("-inf")

    async def key_for(self, kid: str | None) -> dict[str, Any]:
        if kid not in self._keys and self._may_refresh():
            await self._refresh()
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        key = self._keys.get(kid or "")
        if key is None:
            raise unauthorized("The token is signed with a key the identity provider does not publish")
        return key

    def _may_refresh(self) -> bool:
        return time.monotonic() - self._fetched_at >= self._settings.jwks_min_refresh_seconds

    async def _refresh(self) -> None:
        self._fetched_at = time.monotonic()
        try:
            document = await self._load()
        except (OSError, ValueError, httpx.HTTPError) as exc:
            raise unauthorized("The identity provider's keys could not be read") from exc
        self._keys = {k.get("kid", ""): k for k in document.get("keys", []) if isinstance(k, dict)}

    async def _load(self) -> dict[str, Any]:
        if self._settings.jwks_file:
            text = await asyncio.to_thread(Path(self._settings.jwks_file).read_text)
            return dict(json.loads(text))
        assert self._settings.jwks_url
        response = await self._client.get(self._settings.jwks_url, timeout=5.0)
        response.raise_for_status()
        return dict(response.json())


class TokenVerifier:
    """Checks signature, algorithm, issuer, audience, exp and nbf; then reads roles or scopes."""

    def __init__(self, settings: GatewaySettings, jwks: JwksKeys) -> None:
        self._settings = settings
        self._jwks = jwks

    async def principal(self, token: str) -> tuple[Principal, float]:
        """The caller a token names, and when the token expires (seconds since the epoch)."""
        claims = await self._verified_claims(token)
        return self._principal_of(claims), float(claims["exp"])

    def _role_names(self, claims: dict[str, Any]) -> list[str]:
        """The provider's role names at `role_claim`, through `role_map` when one is configured."""
        found: Any = claims
        for part in self._settings.role_claim.split("."):
            found = found.get(part) if isinstance(found, dict) else None
        if found is None:
            return []
        if not isinstance(found, list) or not all(isinstance(r, str) for r in found):
            raise unauthorized(f"The {self._settings.role_claim} claim must be a list of strings")
        if not self._settings.role_map:
            return found
        # Group claims carry many groups that mean nothing here, so unmapped names are skipped quietly.
        return [role for name in found for role in self._settings.role_map.get(name, [])]

    async def _verified_claims(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except JWTError as exc:
            raise unauthorized("The bearer token is not a JWT") from exc
        algorithm = header.get("alg")
        if algorithm not in self._settings.jwt_algorithms:
            raise unauthorized(f"Tokens signed with {algorithm!r} are not accepted")
        key: str | dict[str, Any]
        if self._settings.uses_development_tokens:
            key = self._settings.jwt_secret
        else:
            key = await self._jwks.key_for(header.get("kid"))
        try:
            return dict(
                jwt.decode(
                    token,
                    key,
                    algorithms=self._settings.jwt_algorithms,
                    audience=self._settings.jwt_audience,
                    issuer=self._settings.jwt_issuer,
                    options={"leeway": self._settings.jwt_leeway_seconds, "require_exp": True, "require_sub": True},
                )
            )
        except JWTError as exc:
            raise unauthorized(f"The bearer token was refused: {exc}") from exc

    def _principal_of(self, claims: dict[str, Any]) -> Principal:
        subject = claims["sub"]
        # History names the subject as who changed a record: a blank one would hide the author.
        if not isinstance(subject, str) or not subject.strip():
            raise unauthorized("The bearer token names no subject (`sub`)")
        name = str(claims.get("name") or claims.get("preferred_username") or subject)
        if claims.get("client"):
            scopes = frozenset(str(claims.get("scope", "")).split())
            return Principal(subject=subject, name=name, kind=PrincipalKind.client, scopes=scopes)
        unit_roles, region_roles = parse_role_claims(_known_roles(self._role_names(claims), subject))
        return Principal(subject=subject, name=name, unit_roles=unit_roles, region_roles=region_roles)
