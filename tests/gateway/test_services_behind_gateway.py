"""The services answer only the gateway; the gateway passes the caller on, and says when a service is down."""

import time

import pytest
from jose import jwt

from gateway.proxy import public_location
from shared.auth.policy import Principal, RegionRole
from shared.auth.tokens import INTERNAL_ALGORITHM, INTERNAL_AUDIENCE, INTERNAL_ISSUER, mint_internal_token
from shared.settings import DEV_SECRET


@pytest.mark.parametrize(("service", "path"), [("goals", "/units"), ("budget", "/frames"), ("audit", "/reports")])
async def test_a_direct_call_without_the_gateways_credentials_is_401(stack, service, path):
    async with stack.service_client(service) as client:
        response = await client.get(path)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        # A user's own token is not the gateway's credential either.
        response = await client.get(path, headers=stack.auth("admin", "admin"))
        assert response.status_code == 401


async def test_a_caller_token_signed_with_another_secret_is_401(stack):
    forged = mint_internal_token(
        Principal("mallory", "M", region_roles=frozenset({RegionRole.admin})),
        "not-the-gateways-secret-but-long-enough",
        60,
    )
    async with stack.service_client("goals") as client:
        response = await client.get("/units", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_an_expired_caller_token_is_401(stack):
    expired = mint_internal_token(Principal("a", "A", region_roles=frozenset({RegionRole.admin})), DEV_SECRET, -60)
    async with stack.service_client("goals") as client:
        assert (await client.get("/units", headers={"Authorization": f"Bearer {expired}"})).status_code == 401


async def test_health_is_open_for_probes(stack):
    async with stack.service_client("goals") as client:
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/readyz")).json()["checks"] == {"database": True}


async def test_the_gateway_readiness_checks_each_service(stack):
    assert (await stack.client.get("/readyz")).json() == {
        "status": "ready",
        "checks": {"goals": True, "budget": True, "audit": True},
    }
    stack.transport.down.add("budget")
    response = await stack.client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["budget"] is False


async def test_a_service_that_is_down_answers_503_problem(seeded):
    seeded.transport.down.add("audit")
    response = await seeded.client.get("/api/audit/reports", headers=seeded.auth("r", "RS:reader"))
    assert response.status_code == 503
    assert response.json()["code"] == "service-unavailable"
    assert response.json()["service"] == "audit"
    # The others keep answering.
    assert (await seeded.client.get("/api/goals/units", headers=seeded.auth("r", "RS:reader"))).status_code == 200


async def test_unknown_service_and_unknown_route_are_404_problems(stack):
    headers = stack.auth("r", "RS:reader")
    for path in ("/api/nosuch/x", "/nowhere"):
        response = await stack.client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"


async def test_an_oversized_body_is_413(stack):
    response = await stack.client.post(
        "/api/goals/units", headers=stack.auth("a", "admin"), content=b"x" * (3 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload-too-large"


async def test_an_upload_may_be_larger_than_a_json_body_but_not_without_bound(stack):
    headers = stack.auth("a", "admin")
    three_mib = b"x" * (3 * 1024 * 1024)
    # Past the gateway (which lets 11 MiB of multipart through) to the service's own answer: no such action.
    passed = await stack.client.post(
        "/api/audit/actions/00000000-0000-0000-0000-000000000000/evidence",
        headers=headers,
        files={"file": ("a.txt", three_mib)},
    )
    assert passed.status_code == 404
    too_large = await stack.client.post(
        "/api/audit/actions/00000000-0000-0000-0000-000000000000/evidence",
        headers=headers,
        files={"file": ("a.txt", three_mib * 4)},
    )
    assert too_large.status_code == 413
    assert too_large.json()["code"] == "payload-too-large"


async def test_history_names_the_person_not_the_gateway(seeded):
    headers = seeded.auth("anna.a", "admin", name="Anna Andersson")
    unit = await seeded.client.get("/api/goals/units/KTR", headers=headers)
    await seeded.client.patch(
        "/api/goals/units/KTR",
        json={"name": "Kultur och bildning"},
        headers={**headers, "If-Match": unit.headers["etag"]},
    )
    history = (await seeded.client.get("/api/goals/units/KTR/history", headers=headers)).json()["items"]
    assert (history[-1]["actor"], history[-1]["actor_name"]) == ("anna.a", "Anna Andersson")


async def test_location_headers_point_through_the_gateway(stack):
    response = await stack.client.post(
        "/api/goals/units",
        headers=stack.auth("a", "admin"),
        json={"code": "RF", "name": "Regionfullmäktige", "kind": "council"},
    )
    assert response.status_code == 201
    assert response.headers["location"] == "/api/goals/units/RF"


@pytest.mark.parametrize("subject", ["", "  "])
async def test_a_caller_token_without_a_subject_is_401(stack, subject):
    now = int(time.time())
    claims = {"sub": subject, "name": "N", "kind": "person", "region_roles": ["admin"], "iat": now, "exp": now + 60}
    claims |= {"iss": INTERNAL_ISSUER, "aud": INTERNAL_AUDIENCE}
    token = jwt.encode(claims, DEV_SECRET, algorithm=INTERNAL_ALGORITHM)
    async with stack.service_client("goals") as client:
        response = await client.post("/units", headers={"Authorization": f"Bearer {token}"}, json={})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("service", "path"), [("goals", "/units/"), ("budget", "/frames/"), ("audit", "/reports/")])
async def test_a_trailing_slash_is_a_404_problem_naming_no_internal_address(stack, service, path):
    response = await stack.client.get(f"/api/{service}{path}", headers=stack.auth("admin", "admin"))
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "location" not in response.headers
    assert "127.0.0.1" not in response.text
    assert (
        await stack.client.get(f"/api/{service}{path.rstrip('/')}", headers=stack.auth("admin", "admin"))
    ).is_success


@pytest.mark.parametrize(
    ("location", "public"),
    [
        ("/units/HSN", "/api/goals/units/HSN"),
        ("http://goals:8001/units?cursor=a%2Fb", "/api/goals/units?cursor=a%2Fb"),
        ("http://goals:8001", "/api/goals/"),
        ("http://goals:8002/units", None),
        ("https://goals:8001/units", None),
        ("http://evil.example/units", None),
        ("//evil.example/units", None),
    ],
)
def test_a_service_location_is_shown_under_the_gateway_or_not_at_all(location, public):
    assert public_location(location, "goals", "http://goals:8001") == public
