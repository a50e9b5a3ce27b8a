"""Tokens: the short-lived caller token the gateway signs for the services, and development tokens."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from typing import Any

from jose import JWTError, jwt
from pydantic import BaseModel, Field, ValidationError

from shared.auth.policy import Principal, PrincipalKind, RegionRole, UnitRole
from shared.errors import Unauthorized
from shared.fields import SOME_TEXT

INTERNAL_ISSUER = "styr-gateway"
INTERNAL_AUDIENCE = "styr-services"
INTERNAL_ALGORITHM = "HS256"
DEV_ISSUER = "styr-dev"
DEV_AUDIENCE = "styr"
DEV_ALGORITHM = "HS256"
LEEWAY_SECONDS = 30


class CallerClaims(BaseModel):
    """What the gateway tells a service about the caller; roles are already expanded."""

    sub: str = Field(min_length=1, pattern=SOME_TEXT, description="Who acts: history records it as the actor")
    name: str
    kind: PrincipalKind
    units: dict[str, int] = Field(default_factory=dict)
    region_roles: list[RegionRole] = Field(default_factory=list)
    scopes: list[str] = Field(default_factory=list)
    oversight: bool = False
    council: bool = False

    @classmethod
    def of(cls, principal: Principal) -> CallerClaims:
        return cls(
            sub=principal.subject,
            name=principal.name,
            kind=principal.kind,
            units={code: int(role) for code, role in principal.unit_roles.items()},
            region_roles=sorted(principal.region_roles),
            scopes=sorted(principal.scopes),
            oversight=principal.oversight,
            council=principal.council,
        )

    def principal(self) -> Principal:
        return Principal(
            subject=self.sub,
            name=self.name,
            kind=self.kind,
            unit_roles={code: UnitRole(level) for code, level in self.units.items()},
            region_roles=frozenset(self.region_roles),
            scopes=frozenset(self.scopes),
            oversight=self.oversight,
            council=self.council,
        )


def mint_internal_token(principal: Principal, secret: str, ttl_seconds: int) -> str:
    now = int(time.time())
    claims: dict[str, Any] = CallerClaims.of(principal).model_dump(mode="json")
    claims.update(iss=INTERNAL_ISSUER, aud=INTERNAL_AUDIENCE, iat=now, exp=now + ttl_seconds)
    return jwt.encode(claims, secret, algorithm=INTERNAL_ALGORITHM)


def read_internal_token(token: str, secret: str) -> Principal:
    """The caller a service is acting for; 401 for anything not signed by the gateway."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[INTERNAL_ALGORITHM],
            audience=INTERNAL_AUDIENCE,
            issuer=INTERNAL_ISSUER,
            options={"leeway": 5},
        )
        return CallerClaims.model_validate(claims).principal()
    except (JWTError, ValidationError) as exc:
        raise Unauthorized("This service only answers calls made through the gateway") from exc


def mint_dev_token(
    secret: str,
    *,
    subject: str,
    name: str | None = None,
    roles: Iterable[str] = (),
    scopes: Iterable[str] = (),
    client: bool = False,
    ttl_seconds: int = 8 * 3600,
    issuer: str = DEV_ISSUER,
    audience: str = DEV_AUDIENCE,
) -> str:
    """A development token, as an OIDC provider would issue it, signed with the development secret."""
    if not subject.strip():
        raise ValueError("a token needs a subject: the gateway refuses one without")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "name": name or subject,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    if client:
        claims["client"] = True
        claims["scope"] = " ".join(scopes)
    else:
        claims["roles"] = list(roles)
    return jwt.encode(claims, secret, algorithm=DEV_ALGORITHM)
