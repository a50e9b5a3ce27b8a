"""Every audit operation declares its rule, and every read refuses a caller without a role in the region."""

import re
import uuid

import pytest

from services.audit.app import create_app
from services.audit.settings import AuditSettings
from tests.audit.conftest import etag

DOC = create_app(AuditSettings(profile="development"), configure_logs=False).openapi()
OPERATIONS = [
    (method.upper(), path)
    for path, item in DOC["paths"].items()
    for method in item
    if path not in ("/healthz", "/readyz")
]
READS = [path for method, path in OPERATIONS if method == "GET"]


def test_every_operation_declares_its_access_rule():
    missing = [f"{m} {p}" for m, p in OPERATIONS if "x-access-rule" not in DOC["paths"][p][m.lower()]]
    assert missing == []


@pytest.mark.parametrize("path", READS)
async def test_every_read_refuses_a_caller_without_a_role(stack, path):
    """Refused (403); or, where a draft the caller may not read would be absent (404), an id that names
    nothing is absent too, so that the answer does not tell a hidden draft from a missing record."""
    concrete = re.sub(r"\{body_code\}", "RS", path)
    concrete = re.sub(r"\{[a-z_]+\}", str(uuid.uuid4()), concrete)
    headers = stack.auth("svc", client=True, scopes=["write:measurements"])
    response = await stack.client.get(f"/api/audit{concrete}", headers=headers)
    hides_drafts = "drafts_hidden_on" in DOC["paths"][path]["get"]["x-access-rule"] and "{" in path
    assert response.status_code == (404 if hides_drafts else 403), (path, response.text)


async def test_a_reader_of_the_body_does_not_change_its_draft_response(audit):
    response = (await audit.respond("RS")).json()
    changed = await audit.stack.client.patch(
        f"/api/audit/responses/{response['id']}",
        headers={**audit.auth("RS:reader"), **etag(response)},
        json={"text": "x"},
    )
    assert changed.status_code == 403


@pytest.mark.parametrize("roles", [("a", "auditor"), ("x", "HSN:reader"), ("x", "finance")])
async def test_risks_and_controls_are_the_bodys_editors_to_change(stack, roles):
    editor = stack.auth("e", "HSN:editor")
    plan = (
        await stack.client.post(
            "/api/audit/internal-control/plans", headers=editor, json={"body_code": "HSN", "year": 2022}
        )
    ).json()
    risk = (
        await stack.client.post(
            f"/api/audit/internal-control/plans/{plan['id']}/risks",
            headers=editor,
            json={"title": "Risk", "likelihood": 3, "consequence": 3},
        )
    ).json()["risks"][0]
    rescored = await stack.client.patch(
        f"/api/audit/internal-control/risks/{risk['id']}",
        headers={**stack.auth(*roles), **etag(risk)},
        json={"likelihood": 4},
    )
    assert rescored.status_code == 403
    control = await stack.client.post(
        f"/api/audit/internal-control/risks/{risk['id']}/controls",
        headers=stack.auth(*roles),
        json={"control": "K", "method": "M", "frequency": "Årligen", "owner": "Chef"},
    )
    assert control.status_code == 403
