"""The plan period side by side, per unit and for the region, and investments' running costs carried into the
frame proposal of the years they start as their own part of the frame."""

from decimal import Decimal

from tests.budget.conftest import FINANCE, if_match
from tests.budget.test_resources_and_proposals import RESOURCES

DECISION = {"decided_by": "RF", "decided_on": "2025-06-18", "paragraph": "§ 70"}
BOARD = ("board", "RS:reader")
UNIT, REGION = "/api/budget/economy/units/HSN/plan-period", "/api/budget/economy/region/plan-period"


async def _decided(stack, unit, year, amount):
    headers = stack.auth(*FINANCE)
    body = {"unit_code": unit, "year": year, "last_year_frame": amount}
    frame = (await stack.client.post("/api/budget/frames", headers=headers, json=body)).json()
    decided = await stack.client.post(
        f"/api/budget/frames/{frame['id']}/decision", headers=if_match(headers, frame), json=DECISION
    )
    assert decided.status_code == 200, decided.text
    return decided.json()


def _years(costs):
    """A plan year by year: (year, depreciation, interest, running costs)."""
    return [
        {"year": y, "planned": "1000000.00", "depreciation": d, "interest": i, "running_costs": r}
        for y, d, i, r in costs
    ]


async def _project(stack, unit, costs, name="Ny akutmottagning"):
    total = f"{len(costs) * 1000000}.00"
    body = {"name": name, "owner_unit": unit, "category": "buildings", "total": total, "years": _years(costs)}
    made = await stack.client.post("/api/budget/investments", headers=stack.auth(*FINANCE), json=body)
    assert made.status_code == 201, made.text
    return made.json()


async def _resources(stack, *years):
    for year in years:
        made = await stack.client.post(
            "/api/budget/resources", headers=stack.auth(*FINANCE), json={**RESOURCES, "year": year}
        )
        assert made.status_code == 201, made.text


async def test_running_costs_of_investments_flow_into_the_proposal_of_the_year_they_start(org):
    await _decided(org, "HSN", 2025, "6000000000.00")
    await _decided(org, "RUN", 2025, "500000000.00")
    await _resources(org, 2026)
    # HSN's new emergency ward brings its costs from 2026; RUN's older project costs the same both years.
    await _project(org, "HSN", [(2026, "400000.00", "50000.00", "250000.00"), (2027, "400000.00", "45000.00", "0")])
    await _project(org, "RUN", [(2025, "90000.00", "0", "10000.00"), (2026, "90000.00", "0", "10000.00")])
    dropped = await _project(org, "HSN", [(2026, "5000000.00", "0", "0")], name="Inställt")
    cancelled = await org.client.patch(
        f"/api/budget/investments/{dropped['id']}",
        headers=if_match(org.auth(*FINANCE), dropped),
        json={"status": "cancelled"},
    )
    assert cancelled.status_code == 200, cancelled.text
    proposed = await org.client.post(
        "/api/budget/frames/proposals", headers=org.auth(*FINANCE), json={"from_year": 2025, "create": True}
    )
    assert proposed.status_code == 200, proposed.text
    frames = {f["unit_code"]: f for f in proposed.json()["frames"]}
    assert (frames["HSN"]["investment_costs"], frames["RUN"]["investment_costs"]) == ("700000.00", "0.00")
    hsn = frames["HSN"]
    parts = ("last_year_frame", "index_uplift", "population_change", "activity_change", "priorities")
    expected = sum(Decimal(hsn[p]) for p in parts) + Decimal("700000.00") - Decimal(hsn["savings"])
    assert Decimal(hsn["amount"]) == expected
    saved = await org.client.get("/api/budget/frames?year=2026&unit=HSN", headers=org.auth(*FINANCE))
    assert [(f["investment_costs"], f["amount"]) for f in saved.json()["items"]] == [("700000.00", hsn["amount"])]


async def test_the_plan_period_sets_each_year_against_the_previous_decided_version(org):
    await _resources(org, 2026, 2027, 2028)
    first = await _decided(org, "HSN", 2026, "6100000000.00")
    await _decided(org, "HSN", 2027, "6200000000.00")
    await _decided(org, "RUN", 2026, "500000000.00")
    revised = await org.client.post(
        f"/api/budget/frames/{first['id']}/revisions",
        headers=if_match(org.auth(*FINANCE), first),
        json={"priorities": "20000000.00", "investment_costs": "700000.00"},
    )
    assert revised.status_code == 201, revised.text
    need = {
        "unit_code": "HSN",
        "year": 2026,
        "title": "Utökad barn- och ungdomspsykiatri",
        "justification": "Köerna växer",
        "priority": 1,
        "amounts": [{"year": 2026 + i, "amount": a} for i, a in enumerate(("10000000.00", "12000000.00", "0"))],
    }
    made = await org.client.post("/api/budget/needs", headers=org.auth("anna", "HSN:editor"), json=need)
    assert made.status_code == 201, made.text
    await _project(org, "HSN", [(2026, "400000.00", "50000.00", "250000.00"), (2027, "400000.00", "45000.00", "0")])

    unit = await org.client.get(f"{UNIT}?year=2026", headers=org.auth("r", "HSN:reader"))
    assert unit.status_code == 200, unit.text
    years = unit.json()["years"]
    assert [y["year"] for y in years] == [2026, 2027, 2028]
    budget_year, plan_year, last = years
    assert budget_year["frame"] == {
        "amount": "6120700000.00",
        "status": "proposal",
        "revision": 1,
        "investment_costs": "700000.00",
        "previous_decided": "6100000000.00",
        "previous_revision": 0,
        "difference": "20700000.00",
    }
    assert (plan_year["frame"]["status"], plan_year["frame"]["previous_decided"]) == ("decided", None)
    assert last["frame"] is None
    assert [(y["needs"]["requested"], y["needs"]["unanswered"], y["needs"]["granted"]) for y in years] == [
        ("10000000.00", 1, None),
        ("12000000.00", 1, None),
        ("0.00", 1, None),
    ]
    assert [y["investments"]["depreciation"] for y in years] == ["400000.00", "400000.00", "0.00"]

    region = (await org.client.get(f"{REGION}?year=2026", headers=org.auth(*BOARD))).json()
    totals = region["years"][0]
    assert (totals["frames"], totals["previous_decided_frames"], totals["frames_difference"]) == (
        "6620700000.00",
        "6100000000.00",  # only HSN has an earlier decided version of its 2026 frame
        "20700000.00",
    )
    room = Decimal(totals["resources"]["room_for_frames"])
    assert Decimal(totals["resources"]["margin"]) == room - Decimal("6620700000.00")
    assert [u["unit_code"] for u in region["units"]] == ["HSN", "RUN"]
    assert region["units"][0] == unit.json()


async def test_the_plan_period_is_read_as_the_units_planning_material(org):
    unit, region = f"{UNIT}?year=2026", f"{REGION}?year=2026"
    for path, roles, expected in (
        (unit, ("HSN:reader",), 200),
        (unit, ("finance",), 200),
        (unit, ("RUN:editor",), 403),
        (region, ("RS:reader",), 200),
        (region, ("HSN:editor",), 403),
    ):
        response = await org.client.get(path, headers=org.auth("x", *roles))
        assert response.status_code == expected, (path, roles, response.text)
    assert (await org.client.get(f"{REGION}?year=1800", headers=org.auth(*BOARD))).status_code == 422


async def test_as_at_a_date_only_what_was_decided_by_then_and_the_council_reads_it_so(org):
    await _resources(org, 2026, 2027, 2028)
    decided = await _decided(org, "HSN", 2026, "6100000000.00")  # decided on 2025-06-18
    proposal = await org.client.post(
        f"/api/budget/frames/{decided['id']}/revisions",
        headers=if_match(org.auth(*FINANCE), decided),
        json={"priorities": "20000000.00"},
    )
    assert proposal.status_code == 201, proposal.text
    reader = org.auth("r", "HSN:reader")

    async def hsn_2026(headers, query=""):
        response = await org.client.get(f"{UNIT}?year=2026{query}", headers=headers)
        assert response.status_code == 200, response.text
        return response.json()

    before = await hsn_2026(reader, "&as_of=2025-06-17")
    assert (before["as_of"], before["years"][0]["frame"], before["years"][0]["needs"]) == ("2025-06-17", None, None)
    after = await hsn_2026(reader, "&as_of=2025-06-18")
    assert (after["years"][0]["frame"]["amount"], after["years"][0]["frame"]["status"]) == ("6100000000.00", "decided")
    standing = await hsn_2026(reader)
    assert (standing["as_of"], standing["years"][0]["frame"]["status"]) == (None, "proposal")
    assert standing["years"][0]["needs"] is not None
    # The council reads what was decided, as at today: not the proposal, not the needs.
    council = await hsn_2026(org.auth("ledamot", "RF:reader"))
    assert council["as_of"] is not None
    assert (council["years"][0]["frame"]["status"], council["years"][0]["needs"]) == ("decided", None)
    region = await org.client.get(f"{REGION}?year=2026", headers=org.auth("ledamot", "RF:reader"))
    assert region.status_code == 200, region.text
    assert region.json()["years"][0]["frames"] == "6100000000.00"
