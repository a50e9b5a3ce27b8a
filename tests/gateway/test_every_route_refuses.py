"""Every operation the gateway publishes refuses a caller without the right role.

The operations come from the combined OpenAPI document, so a route added to any service is covered
the moment it exists. Object-level refusals (an HSN editor on RS's records) are tested per service.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

WRITE_METHODS = {"post", "put", "patch", "delete"}
READ_ONLY_ROLES = ("RF:reader", "RS:reader", "HSN:reader")


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return dict(document["components"]["schemas"][name])
    if "anyOf" in schema:
        return _resolve(schema["anyOf"][0], document)
    return schema


def _sample(parameter: dict[str, Any], document: dict[str, Any]) -> str:
    schema = _resolve(parameter.get("schema", {}), document)
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("type") == "integer":
        return str(max(schema.get("minimum", 2025), 2025) if schema.get("maximum", 9999) >= 2025 else 1)
    return "HSN"


def _operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for template, operations in document["paths"].items():
        if not template.startswith("/api/"):
            continue
        for method, operation in operations.items():
            path = template
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    path = path.replace("{" + parameter["name"] + "}", _sample(parameter, document))
            found.append((method, path))
    return found


@pytest.fixture
async def operations(stack) -> list[tuple[str, str]]:
    document = (await stack.client.get("/openapi.json")).json()
    found = _operations(document)
    # Guard against a vacuous pass: every service and both kinds of operation are here.
    assert {path.split("/")[2] for _, path in found} == {"goals", "budget", "audit", "reports"}
    assert {m for m, _ in found} & WRITE_METHODS
    assert len(found) > 50
    return found


async def _call(stack, method: str, path: str, headers: dict[str, str]):
    body = {} if method in WRITE_METHODS else None
    return await stack.client.request(method.upper(), path, headers=headers, json=body)


def _refused(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


async def test_every_operation_needs_a_signed_in_caller(stack, operations):
    for method, path in operations:
        _refused(await _call(stack, method, path, {}), 401)


async def test_every_operation_refuses_a_caller_with_no_role(stack, operations):
    headers = stack.auth("nobody")
    for method, path in operations:
        response = await _call(stack, method, path, headers)
        _refused(response, 403)
        assert response.json()["required"] == "any role"


async def test_every_write_refuses_a_caller_who_only_reads(stack, operations):
    headers = stack.auth("reader", *READ_ONLY_ROLES)
    writes = [(m, p) for m, p in operations if m in WRITE_METHODS]
    for method, path in writes:
        response = await _call(stack, method, path, headers)
        _refused(response, 403)
        assert "editor" in response.json()["required"]


async def test_every_write_refuses_an_integration_that_may_only_read(stack, operations):
    headers = stack.auth("report-robot", client=True, scopes=["read:decided"])
    for method, path in operations:
        if method in WRITE_METHODS:
            _refused(await _call(stack, method, path, headers), 403)


async def test_a_writer_is_not_stopped_at_the_gateway(seeded):
    # The gateway's coarse rule must not refuse a caller who may write: the service decides.
    response = await seeded.client.patch(
        "/api/goals/units/HSN", headers=seeded.auth("editor", "HSN:editor"), json={"name": "X"}
    )
    assert response.status_code == 403
    assert response.json()["required"] == "admin"
