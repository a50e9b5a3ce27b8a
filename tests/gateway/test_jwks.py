"""Production sign-in: RS256 and ES256 tokens checked against the identity provider's JWKS."""

import contextlib
import json
import time

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwt

from shared.auth.tokens import DEV_AUDIENCE, DEV_ISSUER
from tests.gateway.identity_provider import (
    AUDIENCE,
    ISSUER,
    hs256_signed_with_public_key,
    public_jwk,
    signed_token,
)


@pytest.fixture(scope="module")
def keys():
    return {
        "rsa": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "rsa2": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ec": ec.generate_private_key(ec.SECP256R1()),
    }


@pytest.fixture
def jwks_file(tmp_path, keys):
    path = tmp_path / "jwks.json"
    path.write_text(
        json.dumps({"keys": [public_jwk(keys["rsa"], "rsa-1", "RS256"), public_jwk(keys["ec"], "ec-1", "ES256")]})
    )
    return path


@pytest.fixture
def gateway_overrides(jwks_file):
    return {
        "jwks_file": str(jwks_file),
        "jwt_algorithms": ["RS256", "ES256"],
        "jwt_issuer": ISSUER,
        "jwt_audience": AUDIENCE,
        "jwks_min_refresh_seconds": 0,
    }


async def _get(stack, token):
    return await stack.client.get("/api/goals/units", headers={"Authorization": f"Bearer {token}"})


async def test_rs256_from_the_jwks_is_accepted(stack, keys):
    assert (await _get(stack, signed_token(keys["rsa"], "RS256", "rsa-1"))).status_code == 200


async def test_es256_from_the_jwks_is_accepted(stack, keys):
    assert (await _get(stack, signed_token(keys["ec"], "ES256", "ec-1"))).status_code == 200


async def test_a_key_the_provider_does_not_publish_is_refused(stack, keys):
    response = await _get(stack, signed_token(keys["rsa2"], "RS256", "rsa-2"))
    assert response.status_code == 401
    assert "key" in response.json()["detail"]


async def test_a_token_naming_a_published_kid_but_signed_by_another_key_is_refused(stack, keys):
    assert (await _get(stack, signed_token(keys["rsa2"], "RS256", "rsa-1"))).status_code == 401


async def test_a_rotated_key_is_picked_up_when_a_token_names_its_kid(stack, keys, jwks_file):
    token = signed_token(keys["rsa2"], "RS256", "rsa-2")
    assert (await _get(stack, token)).status_code == 401
    document = json.loads(jwks_file.read_text())
    document["keys"].append(public_jwk(keys["rsa2"], "rsa-2", "RS256"))
    jwks_file.write_text(json.dumps(document))
    assert (await _get(stack, token)).status_code == 200


async def test_hs256_signed_with_the_rsa_public_key_is_refused(stack, keys):
    now = int(time.time())
    claims = {"sub": "x", "iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, "roles": ["admin"]}
    forged = hs256_signed_with_public_key(keys["rsa"], "rsa-1", claims)
    response = await _get(stack, forged)
    assert response.status_code == 401
    assert "HS256" in response.json()["detail"]


async def test_a_development_token_is_refused_in_production_sign_in(stack):
    token = jwt.encode(
        {"sub": "x", "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "exp": int(time.time()) + 60, "roles": ["admin"]},
        "styr-development-secret-do-not-use-in-production",
        algorithm="HS256",
    )
    assert (await _get(stack, token)).status_code == 401


class _JwksServer:
    """The identity provider's key endpoint, served by the test itself, counting how often it is asked."""

    def __init__(self, document: dict) -> None:
        self.document = document
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        body = json.dumps(self.document).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


async def test_keys_are_fetched_from_the_jwks_url_cached_and_refetched_at_a_bounded_rate(database_urls, keys):
    import httpx

    from gateway.app import create_app
    from tests.conftest import RoutingTransport, gateway_settings, service_apps

    idp = _JwksServer({"keys": [public_jwk(keys["rsa"], "rsa-1", "RS256")]})
    transport = RoutingTransport({**service_apps(database_urls), "idp.example": idp})
    settings = gateway_settings(
        jwks_url="http://idp.example/keys",
        jwt_algorithms=["RS256"],
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
        jwks_min_refresh_seconds=3600,
    )
    gateway = create_app(settings, transport=transport, configure_logs=False)
    async with contextlib.AsyncExitStack() as ctx:
        for app in [*transport.apps.values(), gateway]:
            if hasattr(app, "router"):
                await ctx.enter_async_context(app.router.lifespan_context(app))
        client = await ctx.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gw")
        )
        good = {"Authorization": f"Bearer {signed_token(keys['rsa'], 'RS256', 'rsa-1')}"}
        unknown = {"Authorization": f"Bearer {signed_token(keys['rsa2'], 'RS256', 'rsa-2')}"}
        for _ in range(3):
            assert (await client.get("/api/goals/units", headers=good)).status_code == 200
        assert idp.calls == 1
        for _ in range(5):
            assert (await client.get("/api/goals/units", headers=unknown)).status_code == 401
        assert idp.calls == 1, "an unknown kid must not make every request fetch the keys again"


@pytest.mark.parametrize("subject", ["", " "])
async def test_a_provider_token_without_a_subject_is_refused(stack, keys, subject):
    response = await _get(stack, signed_token(keys["rsa"], "RS256", "rsa-1", sub=subject))
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "subject" in response.json()["detail"]
