"""A service answers only what the gateway signed, decided from the headers before any body is read;
it sends the gateway's security headers, and shows its own /docs and /openapi.json only in development."""

import httpx
import pytest

from services.goals.app import create_app as create_goals
from services.goals.settings import GoalsSettings
from shared.auth.policy import Principal, PrincipalKind
from shared.auth.tokens import mint_internal_token
from shared.settings import Profile

PRODUCTION_SECRET = "a-random-production-secret-of-enough-length-0123456789"


class BodyNeverRead(httpx.AsyncByteStream):
    """A request body that fails the test if anyone reads it."""

    async def __aiter__(self):
        pytest.fail("the service read the body of an unauthenticated request")
        yield b""


@pytest.mark.parametrize("service", ["goals", "budget", "audit"])
@pytest.mark.parametrize("token", [None, "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])
async def test_an_unauthenticated_body_is_refused_unread(stack, service, token):
    headers = {"Content-Type": "application/json", "Content-Length": str(20 * 1024 * 1024)}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    async with stack.service_client(service) as client:
        request = client.build_request("POST", "/units", headers=headers)
        request.stream = BodyNeverRead()
        response = await client.send(request)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("service", ["goals", "budget", "audit"])
async def test_a_service_sends_the_gateways_security_headers(stack, service):
    async with stack.service_client(service) as client:
        for response in (await client.get("/healthz"), await client.get("/units")):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
            assert "max-age" in response.headers["strict-transport-security"]


async def test_in_development_a_service_shows_its_docs(stack):
    async with stack.service_client("goals") as client:
        assert (await client.get("/openapi.json")).status_code == 200
        docs = await client.get("/docs")
        assert docs.status_code == 200
        assert "'unsafe-inline'" not in docs.headers["content-security-policy"].split("style-src")[0]
        assert (await client.get("/docs-assets/swagger-ui.css")).status_code == 200


async def test_in_production_a_service_shows_no_docs_and_its_document_only_to_the_gateway(database_urls):
    settings = GoalsSettings(
        profile=Profile.production, database_url=database_urls["goals"], internal_secret=PRODUCTION_SECRET
    )
    app = create_goals(settings, configure_logs=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://goals") as client:
        for path in ("/docs", "/openapi.json", "/docs-assets/swagger-ui.css", "/redoc"):
            assert (await client.get(path)).status_code == 401, path
        gateway = Principal(subject="gateway", name="Gateway", kind=PrincipalKind.service)
        token = mint_internal_token(gateway, PRODUCTION_SECRET, 60)
        signed = {"Authorization": f"Bearer {token}"}
        document = await client.get("/openapi.json", headers=signed)
        assert document.status_code == 200
        assert "/units" in document.json()["paths"]
        assert (await client.get("/docs", headers=signed)).status_code == 404
