"""One decision reference for every service: the same shape, and diary numbers on the region's one pattern."""

from contextlib import contextmanager

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings
from services.audit.settings import AuditSettings
from services.budget.settings import BudgetSettings
from services.goals.settings import GoalsSettings
from shared.settings import DEFAULT_DIARY_NUMBER_PATTERN, DIARY_NUMBER_PATTERN_VARIABLE

SERVICES = (GoalsSettings, BudgetSettings, AuditSettings)
# A region that numbers its diary by year first: 2025-388.
YEAR_FIRST = r"^\d{4}-\d{1,6}$"


def test_every_service_reads_the_one_region_wide_pattern(monkeypatch):
    monkeypatch.setenv(DIARY_NUMBER_PATTERN_VARIABLE, YEAR_FIRST)
    for name in ("AUDIT_DIARY_NUMBER_PATTERN", "GOALS_DIARY_NUMBER_PATTERN", "DIARY_NUMBER_PATTERN"):
        monkeypatch.setenv(name, r"^x$")  # only the region-wide name is read
    assert [s().diary_number_pattern for s in SERVICES] == [YEAR_FIRST] * 3
    monkeypatch.delenv(DIARY_NUMBER_PATTERN_VARIABLE)
    assert {s().diary_number_pattern for s in SERVICES} == {DEFAULT_DIARY_NUMBER_PATTERN}
    assert "diary_number_pattern" not in GatewaySettings.model_fields


def test_a_pattern_that_is_no_regular_expression_stops_the_service(monkeypatch):
    monkeypatch.setenv(DIARY_NUMBER_PATTERN_VARIABLE, "^(RS/")
    with pytest.raises(ValidationError, match=DIARY_NUMBER_PATTERN_VARIABLE):
        GoalsSettings()


@contextmanager
def _pattern(stack, pattern):
    settings = [stack.apps[name].state.settings for name in ("goals", "budget", "audit")]
    for s in settings:
        s.diary_number_pattern = pattern
    try:
        yield
    finally:
        for s in settings:
            s.diary_number_pattern = DEFAULT_DIARY_NUMBER_PATTERN


async def _goal(stack):
    admin = stack.auth("admin", "admin")
    for code, parent, kind in (("RF", None, "council"), ("HSN", "RF", "committee")):
        body = {"code": code, "name": code, "kind": kind, "parent_code": parent}
        assert (await stack.client.post("/api/goals/units", headers=admin, json=body)).status_code == 201
    body = {"unit_code": "RF", "title": "God ekonomisk hushållning", "start_year": 2025}
    return (await stack.client.post("/api/goals/goals", headers=stack.auth("e", "RF:editor"), json=body)).json()


async def _frame(stack):
    body = {"unit_code": "HSN", "year": 2025, "last_year_frame": "100.00"}
    return (await stack.client.post("/api/budget/frames", headers=stack.auth("f", "finance"), json=body)).json()


async def test_goals_and_budget_decisions_follow_the_regions_pattern(stack):
    goal, frame = await _goal(stack), await _frame(stack)

    async def decide(diary_number):
        decision = {"decided_by": "RF", "decided_on": "2025-06-18", "paragraph": "92", "diary_number": diary_number}
        goal_answer = await stack.client.post(
            f"/api/goals/goals/{goal['id']}/decide",
            headers={**stack.auth("r", "RF:registrar"), "If-Match": f'"{goal["version"]}"'},
            json=decision,
        )
        frame_answer = await stack.client.post(
            f"/api/budget/frames/{frame['id']}/decision",
            headers={**stack.auth("f", "finance"), "If-Match": f'"{frame["version"]}"'},
            json=decision,
        )
        return goal_answer, frame_answer

    with _pattern(stack, YEAR_FIRST):
        refused = await decide("RS/388/2025")
        assert [r.status_code for r in refused] == [422, 422]
        assert [r.json()["errors"][0]["loc"] for r in refused] == [["body", "diary_number"]] * 2
        decided = await decide("2025-388")
    assert [r.status_code for r in decided] == [200, 200]
    assert [r.json()["decision"] for r in decided] == [
        {"decided_by": "RF", "decided_on": "2025-06-18", "paragraph": "§ 92", "diary_number": "2025-388"}
    ] * 2


async def test_an_assignments_decision_follows_the_regions_pattern(stack):
    await _goal(stack)
    body = {
        "issuer_code": "RF",
        "assignee_code": "HSN",
        "title": "Utred vårdplatserna",
        "decision": {"decided_by": "RF", "decided_on": "2025-06-18", "paragraph": "§ 93", "diary_number": "2025-1"},
    }
    headers = stack.auth("r", "RF:registrar")
    refused = await stack.client.post("/api/goals/assignments", headers=headers, json=body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "decision", "diary_number"]
    with _pattern(stack, YEAR_FIRST):
        assert (await stack.client.post("/api/goals/assignments", headers=headers, json=body)).status_code == 201
