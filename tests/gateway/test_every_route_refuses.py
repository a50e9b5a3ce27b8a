"""Every operation the gateway publishes refuses a caller it gives nothing to.

The access matrix (test_access_matrix.py) checks every operation against its declared rule for
callers not signed in and for callers with roles; these are the two callers it does not have: one
signed in with no role at all, and an integration that may only read.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

WRITE_METHODS = {"post", "put", "patch", "delete"}


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
    document = await stack.document()
    found = _operations(document)
    # Guard against a vacuous pass: every service and the reports, and both kinds of operation, are here.
    assert {path.split("/")[2] for _, path in found} == {"goals", "budget", "audit", "reports", "me"}
    assert {m for m, _ in found} & WRITE_METHODS
    assert len(found) > 150
    return found


async def _call(stack, method: str, path: str, headers: dict[str, str]):
    body = {} if method in WRITE_METHODS else None
    return await stack.client.request(method.upper(), path, headers=headers, json=body)


def _refused(response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == status


async def test_every_operation_refuses_a_caller_with_no_role(stack, operations):
    headers = stack.auth("nobody")
    for method, path in operations:
        response = await _call(stack, method, path, headers)
        _refused(response, 403)
        assert response.json()["required"] == "any role"


async def test_every_write_refuses_an_integration_that_may_only_read(stack, operations):
    headers = stack.auth("report-robot", client=True, scopes=["read:decided"])
    for method, path in operations:
        if method in WRITE_METHODS:
            _refused(await _call(stack, method, path, headers), 403)
