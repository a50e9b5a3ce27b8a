"""Helpers for the audit tests: a report addressed to RS and HSN, made through the gateway by an auditor."""

import pytest

AUDITOR = ("revisor", "auditor")
REPORT = {
    "title": "Granskning av investeringsprocessen",
    "audit_year": 2021,
    "received_on": "2021-11-15",
    "summary": "Styrning, uppföljning och kontroll av investeringsprocessen.",
    "document_url": "https://example.org/revision/investeringar.pdf",
    "assessments": [
        {"question": "Är styrningen ändamålsenlig?", "assessment": "limited"},
        {"question": "Är den interna kontrollen tillräcklig?", "assessment": "largely"},
    ],
    "recipients": [
        {"body_code": "RS", "diary_number": "RS/804/2021"},
        {"body_code": "HSN", "diary_number": "HSN/1815/2021"},
    ],
    "recommendations": [
        {
            "body_code": "RS",
            "text": "Inför en längre planeringshorisont för investeringar.",
            "response_due_on": "2022-03-31",
        },
        {"body_code": "HSN", "text": "Planera investeringarna minst fem år framåt.", "response_due_on": "2022-03-31"},
    ],
}


# The bodies the audit tests write about; the audit service asks the goals service whether they exist.
ORG = [("RF", None, "council"), ("RS", "RF", "board"), ("HSN", "RF", "committee"), ("RUN", "RF", "committee")]


@pytest.fixture
async def stack(stack):
    """The empty product with the region's top bodies in the goals service."""
    headers = stack.auth("admin", "admin")
    for code, parent, kind in ORG:
        body = {"code": code, "name": f"Unit {code}", "kind": kind, "parent_code": parent}
        response = await stack.client.post("/api/goals/units", headers=headers, json=body)
        assert response.status_code == 201, response.text
    return stack


class Audit:
    """One report made in a test, with its recommendations by body and ways to act on them."""

    def __init__(self, stack, report):
        self.stack = stack
        self.report = report
        self.rec = {r["body_code"]: r for r in report["recommendations"]}

    def auth(self, *roles, sub="u"):
        return self.stack.auth(sub, *roles)

    async def respond(self, body="RS", roles=None, text="Regionstyrelsen delar bedömningen.", rec_body=None):
        return await self.stack.client.post(
            "/api/audit/responses",
            headers=self.auth(*(roles or (f"{body}:editor",))),
            json={"recommendation_id": self.rec[rec_body or body]["id"], "body_code": body, "text": text},
        )

    async def act(self, body="RS", roles=None, **fields):
        payload = {
            "body_code": body,
            "title": "Kronologisk processbeskrivning",
            "recommendation_ids": [self.rec[body]["id"]],
        }
        payload.update(fields)
        return await self.stack.client.post(
            "/api/audit/actions", headers=self.auth(*(roles or (f"{body}:editor",))), json=payload
        )

    async def decide(self, response, roles=("RS:registrar",), **fields):
        decision = {"decided_by": "RS", "decided_on": "2022-03-30", "paragraph": "§ 50", "diary_number": "RS/804/2021"}
        decision.update(fields)
        return await self.stack.client.post(
            f"/api/audit/responses/{response['id']}/decide",
            headers={**self.auth(*roles), "If-Match": f'"{response["version"]}"'},
            json=decision,
        )


async def make_report(stack, **changes):
    return await stack.client.post("/api/audit/reports", headers=stack.auth(*AUDITOR), json={**REPORT, **changes})


@pytest.fixture
async def audit(stack):
    response = await make_report(stack)
    assert response.status_code == 201, response.text
    return Audit(stack, response.json())


def etag(record) -> dict[str, str]:
    return {"If-Match": f'"{record["version"]}"'}


async def decided_goal(stack) -> str:
    """A decided council goal in the goals service, which any reader sees: actions may name it."""
    goal = await stack.client.post(
        "/api/goals/goals",
        headers=stack.auth("rf", "RF:editor"),
        json={"unit_code": "RF", "title": "God ekonomisk hushållning", "start_year": 2022, "end_year": 2024},
    )
    assert goal.status_code == 201, goal.text
    decided = await stack.client.post(
        f"/api/goals/goals/{goal.json()['id']}/decide",
        headers={**stack.auth("rf", "RF:registrar"), "If-Match": goal.headers["etag"]},
        json={"decided_by": "RF", "decided_on": "2021-11-24", "paragraph": "§ 180"},
    )
    assert decided.status_code == 200, decided.text
    return str(goal.json()["id"])
