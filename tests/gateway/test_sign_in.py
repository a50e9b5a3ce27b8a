"""Sign-in at the gateway: which bearer tokens are accepted, and the problem details for the rest."""

import base64
import json
import time

import pytest
from jose import jwt

from shared.auth.tokens import DEV_AUDIENCE, DEV_ISSUER, mint_dev_token
from shared.settings import DEV_SECRET

UNITS = "/api/goals/units"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**overrides):
    now = int(time.time())
    claims = {
        "sub": "anna",
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "roles": ["HSN:reader"],
    }
    claims.update(overrides)
    return claims


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _assert_refused(stack, headers, status=401):
    response = await stack.client.get(UNITS, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


async def test_a_valid_development_token_reads_demo_data(seeded):
    response = await seeded.client.get(UNITS, headers=seeded.auth("anna", "HSN:reader"))
    assert response.status_code == 200
    assert "HSN" in {unit["code"] for unit in response.json()["items"]}


async def test_no_token_is_401_with_a_bearer_challenge(stack):
    response = await stack.client.get(UNITS)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthorized"


async def test_a_token_without_any_role_is_403(stack):
    body = await _assert_refused(stack, stack.auth("nobody"), status=403)
    assert body["required"] == "any role"


async def test_alg_none_is_refused(stack):
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    body = await _assert_refused(stack, _bearer(unsigned))
    assert "none" in body["detail"]


async def test_an_expired_token_is_refused(stack):
    token = jwt.encode(_claims(exp=int(time.time()) - 3600), DEV_SECRET, algorithm="HS256")
    await _assert_refused(stack, _bearer(token))


async def test_a_token_not_yet_valid_is_refused(stack):
    token = jwt.encode(_claims(nbf=int(time.time()) + 3600), DEV_SECRET, algorithm="HS256")
    await _assert_refused(stack, _bearer(token))


async def test_a_token_for_another_audience_is_refused(stack):
    token = jwt.encode(_claims(aud="another-app"), DEV_SECRET, algorithm="HS256")
    await _assert_refused(stack, _bearer(token))


async def test_a_token_from_another_issuer_is_refused(stack):
    token = jwt.encode(_claims(iss="https://evil.example"), DEV_SECRET, algorithm="HS256")
    await _assert_refused(stack, _bearer(token))


async def test_a_token_signed_with_the_wrong_key_is_refused(stack):
    token = jwt.encode(_claims(), "some-other-secret-that-is-long-enough-to-pass", algorithm="HS256")
    await _assert_refused(stack, _bearer(token))


async def test_a_token_without_expiry_is_refused(stack):
    claims = _claims()
    del claims["exp"]
    await _assert_refused(stack, _bearer(jwt.encode(claims, DEV_SECRET, algorithm="HS256")))


@pytest.mark.parametrize("garbage", ["not-a-jwt", "a.b.c", "Bearer", ""])
async def test_garbage_tokens_are_refused(stack, garbage):
    await _assert_refused(stack, {"Authorization": f"Bearer {garbage}"})


async def test_an_unknown_role_grants_nothing(stack):
    body = await _assert_refused(stack, stack.auth("anna", "HSN:superuser", "wizard"), status=403)
    assert body["code"] == "forbidden"


async def test_the_request_id_is_kept_from_the_caller_and_sent_on(seeded):
    response = await seeded.client.get(UNITS, headers={**seeded.auth("a", "RS:reader"), "X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_an_unsafe_request_id_is_replaced(stack):
    response = await stack.client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.parametrize("subject", ["", "   ", 42, None])
async def test_a_token_without_a_subject_is_a_401_problem(stack, subject):
    token = jwt.encode(_claims(sub=subject, roles=["admin"]), DEV_SECRET, algorithm="HS256")
    body = await _assert_refused(stack, _bearer(token))
    assert body["code"] == "unauthorized"


def test_a_development_token_is_never_minted_without_a_subject():
    with pytest.raises(ValueError, match="subject"):
        mint_dev_token(DEV_SECRET, subject=" ", roles=["admin"])
