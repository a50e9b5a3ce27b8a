"""Audit bodies are org units of the goals service: an unknown code is 422, an unreachable goals service 503."""

import pytest

from tests.audit.conftest import AUDITOR, REPORT, etag, make_report

STATEMENT = {"year": 2021, "remark": False, "internal_control_sufficient": True, "discharge_recommended": True}


async def _statement(stack, body):
    return await stack.client.post(
        "/api/audit/statements", headers=stack.auth(*AUDITOR), json={**STATEMENT, "body_code": body}
    )


async def _plan(stack, body):
    return await stack.client.post(
        "/api/audit/internal-control/plans",
        headers=stack.auth("e", f"{body}:editor"),
        json={"body_code": body, "year": 2022},
    )


async def test_a_report_to_a_body_the_goals_service_does_not_know_is_422(stack):
    recipients = [*REPORT["recipients"], {"body_code": "NYN", "diary_number": "NYN/1/2021"}]
    refused = await make_report(stack, recipients=recipients)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "recipients[2]", "body_code"]
    report = (await make_report(stack)).json()
    changed = await stack.client.patch(
        f"/api/audit/reports/{report['id']}",
        headers={**stack.auth(*AUDITOR), **etag(report)},
        json={"recipients": recipients},
    )
    assert changed.status_code == 422
    kept = await stack.client.get(f"/api/audit/reports/{report['id']}", headers=stack.auth(*AUDITOR))
    assert [r["body_code"] for r in kept.json()["recipients"]] == ["HSN", "RS"]


async def test_a_statement_or_plan_on_an_unknown_body_is_422(stack):
    assert (await _statement(stack, "NYN")).status_code == 422
    assert (await _plan(stack, "NYN")).status_code == 422
    assert (await _statement(stack, "RUN")).status_code == 201
    assert (await _plan(stack, "RUN")).status_code == 201


@pytest.mark.parametrize("write", ["report", "statement", "plan"])
async def test_a_body_code_is_503_while_the_goals_service_is_down(stack, write):
    stack.transport.down.add("goals")
    response = await {"report": make_report, "statement": _statement, "plan": _plan}[write](
        *((stack,) if write == "report" else (stack, "RS"))
    )
    assert response.status_code == 503
    assert response.json()["service"] == "goals"
