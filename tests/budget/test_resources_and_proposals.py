"""The resource calculation gives the room for frames; proposals from uplift parameters say how they fit."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match

RESOURCES = {
    "year": 2026,
    "tax_revenue": "5650000000.00",
    "general_grants": "2420000000.00",
    "other_revenue": "98000000.00",
    "lpik_percent": "2.9",
    "pension_cost": "425000000.00",
    "result_target_percent": "2",
}


async def _resources(stack, **body):
    return await stack.client.post("/api/budget/resources", headers=stack.auth(*FINANCE), json={**RESOURCES, **body})


async def test_the_room_for_frames_is_revenue_less_pensions_and_the_result_target(org):
    response = await _resources(org, tax_revenue="5650000000.01", result_target_percent="2.5")
    assert response.status_code == 201
    body = response.json()
    tax_and_grants = Decimal("5650000000.01") + Decimal("2420000000.00")
    target = (tax_and_grants * Decimal("0.025")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert body["result_target"] == str(target) == "201750000.00"
    assert body["room_for_frames"] == str(tax_and_grants + Decimal("98000000.00") - Decimal("425000000.00") - target)
    assert body["lpik_percent"] == "2.9"


@pytest.mark.parametrize(
    ("field", "value"),
    [("lpik_percent", "101"), ("result_target_percent", "-1"), ("tax_revenue", "1.001"), ("year", 1999)],
)
async def test_bad_resource_figures_are_422(org, field, value):
    assert (await _resources(org, **{field: value})).status_code == 422


async def test_only_finance_writes_the_resource_calculation(org):
    refused = await org.client.post("/api/budget/resources", headers=org.auth("r", "RS:registrar"), json=RESOURCES)
    assert refused.status_code == 403
    made = (await _resources(org)).json()
    patch = await org.client.patch(
        "/api/budget/resources/2026", headers=if_match(org.auth("r", "RS:registrar"), made), json={"pension_cost": "1"}
    )
    assert patch.status_code == 403
    assert (await _resources(org)).status_code == 409
    readable = await org.client.get("/api/budget/resources/2026", headers=org.auth("r", "RUN:reader"))
    assert readable.status_code == 200


async def test_changing_the_resource_calculation_needs_if_match_and_keeps_history(org):
    made = (await _resources(org)).json()
    headers = org.auth(*FINANCE)
    assert (
        await org.client.patch("/api/budget/resources/2026", headers=headers, json={"pension_cost": "1"})
    ).status_code == 428
    changed = await org.client.patch(
        "/api/budget/resources/2026", headers=if_match(headers, made), json={"pension_cost": "430000000.00"}
    )
    assert changed.status_code == 200
    assert Decimal(changed.json()["room_for_frames"]) == Decimal(made["room_for_frames"]) - Decimal("5000000")
    history = (await org.client.get("/api/budget/resources/2026/history", headers=headers)).json()["items"]
    assert [h["action"] for h in history] == ["create", "update"]
    assert history[-1]["after"]["pension_cost"] == "430000000.00"


async def _decided_frame(stack, unit, amount):
    headers = stack.auth(*FINANCE)
    frame = (
        await stack.client.post(
            "/api/budget/frames", headers=headers, json={"unit_code": unit, "year": 2025, "last_year_frame": amount}
        )
    ).json()
    decision = {"decided_by": "RF", "decided_on": "2024-06-19", "paragraph": "§ 85"}
    await stack.client.post(
        f"/api/budget/frames/{frame['id']}/decision", headers=if_match(headers, frame), json=decision
    )


async def test_a_proposal_uplifts_last_years_frames_and_says_how_it_fits(org):
    await _resources(org)
    await _decided_frame(org, "HSN", "6200000000.00")
    await _decided_frame(org, "RUN", "430000000.33")
    request = {
        "from_year": 2025,
        "population_percent": "0.3",
        "activity_percent": "0.5",
        "savings_percent": "1",
        "priorities": {"HSN": "40000000.00"},
    }
    response = await org.client.post("/api/budget/frames/proposals", headers=org.auth(*FINANCE), json=request)
    assert response.status_code == 200
    body = response.json()
    assert body["index_percent"] == "2.9"  # the LPIK of the target year when not given
    run = next(f for f in body["frames"] if f["unit_code"] == "RUN")
    base = Decimal("430000000.33")

    def pct(p):
        return (base * Decimal(p) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    assert run["index_uplift"] == str(pct("2.9")) == "12470000.01"
    assert Decimal(run["amount"]) == base + pct("2.9") + pct("0.3") + pct("0.5") - pct("1")
    total = sum(Decimal(f["amount"]) for f in body["frames"])
    assert body["total"] == str(total)
    room = (
        Decimal("5650000000.00")
        + Decimal("2420000000.00")
        + Decimal("98000000.00")
        - Decimal("425000000.00")
        - Decimal("161400000.00")
    )
    assert (body["room"], body["margin"], body["fits"]) == (str(room), str(room - total), True)
    assert body["created"] is False
    listed = (await org.client.get("/api/budget/frames?year=2026", headers=org.auth(*FINANCE))).json()
    assert listed["total"] == 0


async def test_a_proposal_over_the_room_says_by_how_much_and_can_be_saved(org):
    await _resources(org)
    await _decided_frame(org, "HSN", "7600000000.00")
    headers = org.auth(*FINANCE)
    request = {"from_year": 2025, "index_percent": "1", "create": True}
    body = (await org.client.post("/api/budget/frames/proposals", headers=headers, json=request)).json()
    assert body["fits"] is False
    assert body["margin"] == str(Decimal(body["room"]) - Decimal("7676000000.00"))
    assert Decimal(body["margin"]) < 0
    saved = (await org.client.get("/api/budget/frames?year=2026", headers=headers)).json()["items"]
    assert [(f["unit_code"], f["status"], f["amount"]) for f in saved] == [("HSN", "proposal", "7676000000.00")]
    again = await org.client.post("/api/budget/frames/proposals", headers=headers, json=request)
    assert again.status_code == 409


async def test_a_proposal_without_a_resource_calculation_is_422(org):
    await _decided_frame(org, "HSN", "1.00")
    response = await org.client.post(
        "/api/budget/frames/proposals", headers=org.auth(*FINANCE), json={"from_year": 2025}
    )
    assert response.status_code == 422
