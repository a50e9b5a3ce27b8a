"""The gateway's door: security headers, CORS for configured origins only, a rate limit per caller,
and provider role names mapped to Styr roles."""

import base64
import hashlib
import re
import time

import pytest
from jose import jwt

from gateway.protection import RateLimiter, TooManyRequests
from shared.auth.tokens import DEV_AUDIENCE, DEV_ISSUER
from shared.settings import DEV_SECRET

READER = ("reader", "RS:reader")
FRONTEND = "https://styr.region.example"


@pytest.mark.parametrize("path", ["/api/goals/units", "/api/goals/nothing-here", "/healthz"])
async def test_every_answer_carries_the_security_headers(stack, path):
    response = await stack.client.get(path, headers=stack.auth(*READER))
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "max-age" in response.headers["strict-transport-security"]


async def test_api_answers_are_not_cached_and_refusals_carry_the_headers_too(stack):
    refused = await stack.client.get("/api/goals/units")
    assert refused.status_code == 401
    assert refused.headers["cache-control"] == "no-store"
    assert refused.headers["x-content-type-options"] == "nosniff"


async def test_the_docs_page_may_run_its_own_scripts_only(stack):
    response = await stack.client.get("/docs")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()
    assert "'unsafe-inline'" not in script_src
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert len(inline) == 1, "Swagger UI starts from one inline script"
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert script_src == ["script-src", "'self'", f"'sha256-{digest}'"]


async def test_without_configured_origins_no_browser_origin_is_allowed(stack):
    response = await stack.client.get("/api/goals/units", headers={**stack.auth(*READER), "Origin": FRONTEND})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize("gateway_overrides", [{"cors_origins": [FRONTEND]}])
async def test_a_configured_frontend_may_call_from_the_browser(stack):
    preflight = await stack.client.options(
        "/api/goals/goals/x",
        headers={
            "Origin": FRONTEND,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, if-match",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == FRONTEND
    read = await stack.client.get("/api/goals/units", headers={**stack.auth(*READER), "Origin": FRONTEND})
    assert read.headers["access-control-allow-origin"] == FRONTEND
    exposed = {h.strip().lower() for h in read.headers["access-control-expose-headers"].split(",")}
    # The version to send back, where a new record is, and whether a report came out whole, as which file.
    assert {"etag", "location", "x-report-complete", "x-report-missing", "content-disposition"} <= exposed


@pytest.mark.parametrize("gateway_overrides", [{"cors_origins": [FRONTEND]}])
async def test_another_origin_is_not_allowed(stack):
    preflight = await stack.client.options(
        "/api/goals/units", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize("gateway_overrides", [{"rate_limit_per_minute": 60, "rate_limit_burst": 3}])
async def test_a_caller_over_the_limit_gets_429_with_retry_after_and_others_go_on(stack):
    headers = stack.auth(*READER)
    statuses = [(await stack.client.get("/api/goals/units", headers=headers)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = await stack.client.get("/api/goals/units", headers=headers)
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "too-many-requests"
    assert 1 <= int(refused.headers["retry-after"]) <= 2
    other = await stack.client.get("/api/goals/units", headers=stack.auth("someone-else", "RS:reader"))
    assert other.status_code == 200


@pytest.mark.parametrize("gateway_overrides", [{"rate_limit_per_minute": 60, "rate_limit_burst": 2}])
async def test_failed_sign_ins_are_limited_per_address(stack):
    bad = {"Authorization": "Bearer not-a-token"}
    statuses = [(await stack.client.get("/api/goals/units", headers=bad)).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


async def test_the_bucket_refills_with_time():
    limiter = RateLimiter(per_minute=60, burst=2)
    start = time.monotonic()
    await limiter.check("a", start)
    await limiter.check("a", start)
    with pytest.raises(TooManyRequests):
        await limiter.check("a", start)
    await limiter.check("a", start + 1.0)  # one token a second
    with pytest.raises(TooManyRequests):
        await limiter.check("a", start + 1.0)


async def test_the_limiter_forgets_idle_callers_so_memory_stays_bounded():
    limiter = RateLimiter(per_minute=60, burst=2, max_callers=10)
    for n in range(10):
        await limiter.check(f"caller-{n}", 0.0)
    await limiter.check("one-more", 100.0)
    assert set(limiter._buckets) == {"one-more"}


@pytest.mark.parametrize("url", ["http://redis:6379/0", "redis://:<password>@redis:6379/0", "redis:6379"])
def test_a_rate_limit_store_that_is_not_a_redis_url_stops_the_gateway_at_start(url):
    from tests.conftest import gateway_settings

    with pytest.raises(ValueError, match="rate_limit_store_url must be a redis"):
        gateway_settings(rate_limit_store_url=url)


def _provider_token(claims: dict) -> str:
    now = int(time.time())
    base = {"sub": "kc-user", "iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "iat": now, "exp": now + 600}
    return jwt.encode({**base, **claims}, DEV_SECRET, algorithm="HS256")


KEYCLOAK = {
    "role_claim": "realm_access.roles",
    "role_map": {"styr-hsn-editor": ["HSN:editor"], "styr-revisor": ["auditor"]},
}


@pytest.mark.parametrize("gateway_overrides", [KEYCLOAK])
async def test_provider_role_names_are_mapped_through_the_table(seeded):
    token = _provider_token({"realm_access": {"roles": ["offline_access", "styr-hsn-editor"]}})
    response = await seeded.client.post(
        "/api/goals/goals",
        headers={"Authorization": f"Bearer {token}"},
        json={"unit_code": "RS", "title": "Ett mål", "start_year": 2024},
    )
    assert response.status_code == 403
    assert response.json()["required"] == "RS:editor"  # signed in as HSN's editor, so refused on RS only
    hsn = await seeded.client.post(
        "/api/goals/goals",
        headers={"Authorization": f"Bearer {token}"},
        json={"unit_code": "HSN", "title": "Ett mål", "start_year": 2024},
    )
    assert hsn.status_code == 201, hsn.text


@pytest.mark.parametrize("gateway_overrides", [KEYCLOAK])
async def test_names_outside_the_table_grant_nothing(stack):
    # A Styr role name sent as is does not count when a table is configured: only the table grants.
    token = _provider_token({"realm_access": {"roles": ["admin", "HSN:editor"]}})
    response = await stack.client.get("/api/goals/units", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert response.json()["required"] == "any role"


def test_a_mapping_to_an_unknown_role_stops_the_gateway_at_start():
    from tests.conftest import gateway_settings

    with pytest.raises(ValueError, match="unknown role"):
        gateway_settings(role_map={"styr-x": ["HSN:superuser"]})


@pytest.mark.parametrize("gateway_overrides", [{"rate_limit_per_minute": 60, "rate_limit_burst": 2}])
async def test_a_signed_in_caller_without_a_role_is_limited_too(stack):
    nobody = stack.auth("nobody")
    statuses = [(await stack.client.get("/api/goals/units", headers=nobody)).status_code for _ in range(3)]
    assert statuses == [403, 403, 429]
