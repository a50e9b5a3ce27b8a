"""Every failure is problem details: validation, unknown routes, wrong methods, and unexpected errors."""

import httpx
from fastapi import APIRouter

from shared.app import create_service_app
from shared.auth.policy import Principal, PrincipalKind
from shared.auth.tokens import mint_internal_token
from shared.settings import DEV_SECRET, ServiceSettings


async def test_validation_errors_name_the_failing_fields(stack):
    response = await stack.client.post(
        "/api/goals/units", headers=stack.auth("a", "admin"), json={"code": "lower", "kind": "planet"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "urn:styr:problem:validation-failed"
    fields = {tuple(e["loc"]) for e in body["errors"]}
    assert {("body", "code"), ("body", "name"), ("body", "kind")} <= fields


async def test_malformed_json_is_422_not_500(stack):
    response = await stack.client.post(
        "/api/goals/units",
        headers={**stack.auth("a", "admin"), "content-type": "application/json"},
        content=b"{not json",
    )
    assert response.status_code == 422


async def test_a_method_not_allowed_is_405_problem(stack):
    response = await stack.client.delete("/api/goals/units/RS", headers=stack.auth("a", "admin"))
    assert response.status_code == 405
    assert response.json()["code"] == "method-not-allowed"


async def test_a_query_value_out_of_range_is_422(stack):
    response = await stack.client.get("/api/goals/units?limit=100000", headers=stack.auth("a", "admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "limit"]


async def test_an_unexpected_failure_is_500_with_a_request_id_and_no_trace(tmp_path):
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    app = create_service_app(
        title="t",
        description="t",
        routers=[router],
        configure_logs=False,
        settings=ServiceSettings(service_name="t", database_url=f"sqlite+aiosqlite:///{tmp_path}/t.db"),
    )
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        # Through the service's door: only a call the gateway signed reaches a route.
        caller = mint_internal_token(Principal("gateway", "Gateway", kind=PrincipalKind.service), DEV_SECRET, 60)
        response = await client.get("/boom", headers={"X-Request-ID": "req-1", "Authorization": f"Bearer {caller}"})
    assert response.status_code == 500
    body = response.json()
    assert body["request_id"] == "req-1"
    assert body["code"] == "internal-error"
    assert "secret internals" not in response.text
