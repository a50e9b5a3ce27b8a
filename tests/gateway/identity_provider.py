"""A stand-in for the region's identity provider: RSA and EC keys, their JWKS, and tokens signed with them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from cryptography.hazmat.primitives import serialization
from jose import jwk, jwt

ISSUER = "https://login.region.example/tenant"
AUDIENCE = "api://styr"


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def pem_private(key: Any) -> str:
    return str(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    )


def pem_public(key: Any) -> str:
    return str(
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def public_jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    entry = dict(jwk.construct(pem_public(key), alg).to_dict())
    entry.update(kid=kid, use="sig", alg=alg)
    return entry


def signed_token(key: Any, alg: str, kid: str, **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "oid-123",
        "name": "Anna Andersson",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "roles": ["RS:reader"],
    }
    claims.update(overrides)
    return str(jwt.encode(claims, pem_private(key), algorithm=alg, headers={"kid": kid}))


def hs256_signed_with_public_key(key: Any, kid: str, claims: dict[str, Any]) -> str:
    """The classic algorithm-confusion attack: an HMAC "signed" with the public key the server publishes.

    python-jose refuses to make such a token, so it is made by hand.
    """
    header = b64({"alg": "HS256", "typ": "JWT", "kid": kid})
    signing_input = f"{header}.{b64(claims)}".encode()
    mac = hmac.new(pem_public(key).encode(), signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode()}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def unsigned_token(claims: dict[str, Any]) -> str:
    """`alg: none`: no signature at all."""
    return f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
