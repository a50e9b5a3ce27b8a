"""Scenarios on the resource calculation: finance builds them, they are compared side by side with the
calculation in force, the council adopts one, which fixes the year's tax rate; the council's fees."""

from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match

CENT = Decimal("0.01")
COUNCIL_REGISTRAR = ("talman", "RF:registrar")
BOARD = ("board", "RS:reader")
RESOURCES = {
    "year": 2026,
    "tax_revenue": "5650000000.00",
    "general_grants": "2420000000.00",
    "other_revenue": "98000000.00",
    "lpik_percent": "2.9",
    "pension_cost": "425000000.00",
    "result_target_percent": "2",
}
BASE_FRAMES = {"HSN": Decimal("6100000000.00"), "RUN": Decimal("900000000.00")}
DECISION = {"decided_by": "RF", "decided_on": "2025-11-26", "paragraph": "§ 112", "diary_number": "RS/1204/2025"}


def _years(growth="4.2", population=131000, lpik="3.0"):
    return [
        {
            "year": 2026 + i,
            "tax_base_growth_percent": growth,
            "population": population + 500 * i,
            "lpik_percent": lpik,
            "pension_cost": str(Decimal("430000000.00") + 10_000_000 * i),
            "general_grants": str(Decimal("2450000000.00") + 50_000_000 * i),
            "other_revenue": "98000000.00",
        }
        for i in range(3)
    ]


def _scenario(name="Oförändrad skattesats", tax_rate="11.35", **years):
    return {
        "name": name,
        "tax_rate": tax_rate,
        "starting_tax_base": "48000000000.00",
        "starting_population": 130500,
        "years": _years(**years),
    }


@pytest.fixture
async def budget_year(org):
    """The 2026 resource calculation, and the frames decided for 2025 that the plan period starts from."""
    finance = org.auth(*FINANCE)
    assert (await org.client.post("/api/budget/resources", headers=finance, json=RESOURCES)).status_code == 201
    for unit, amount in BASE_FRAMES.items():
        body = {"unit_code": unit, "year": 2025, "last_year_frame": str(amount)}
        frame = (await org.client.post("/api/budget/frames", headers=finance, json=body)).json()
        decided = await org.client.post(
            f"/api/budget/frames/{frame['id']}/decision", headers=if_match(finance, frame), json=DECISION
        )
        assert decided.status_code == 200, decided.text
    return org


async def _create(stack, body, who=FINANCE):
    return await stack.client.post("/api/budget/resources/2026/scenarios", headers=stack.auth(*who), json=body)


def _expected_years(body, result_target_percent=Decimal(2)):
    """The plan period worked out by hand: the tax base grown and taxed, the frames uplifted."""
    tax_base = Decimal(body["starting_tax_base"])
    population = Decimal(body["starting_population"])
    frames = dict(BASE_FRAMES)
    rate = Decimal(body["tax_rate"])
    found = []
    for year in body["years"]:
        tax_base = (tax_base * (1 + Decimal(year["tax_base_growth_percent"]) / 100)).quantize(CENT, ROUND_HALF_UP)
        tax = (tax_base * rate / 100).quantize(CENT, ROUND_HALF_UP)
        grants = Decimal(year["general_grants"])
        target = ((tax + grants) * result_target_percent / 100).quantize(CENT, ROUND_HALF_UP)
        room = tax + grants + Decimal(year["other_revenue"]) - Decimal(year["pension_cost"]) - target
        factor = (1 + Decimal(year["lpik_percent"]) / 100) * Decimal(year["population"]) / population
        frames = {u: (a * factor).quantize(CENT, ROUND_HALF_UP) for u, a in frames.items()}
        population = Decimal(year["population"])
        found.append((tax_base, tax, room, sum(frames.values()), frames))
    return found


async def test_a_scenario_gives_the_room_and_the_frames_of_the_budget_year_and_two_plan_years(budget_year):
    body = _scenario()
    response = await _create(budget_year, body)
    assert response.status_code == 201, response.text
    made = response.json()
    assert response.headers["ETag"] == f'"{made["version"]}"'
    assert made["status"] == "draft"
    assert made["result_target_percent"] == "2"  # the resource calculation's, as none was sent
    for year, (tax_base, tax, room, frames, _) in zip(made["years"], _expected_years(body), strict=True):
        assert (year["tax_base"], year["tax_revenue"]) == (str(tax_base), str(tax))
        assert (year["room_for_frames"], year["frames"]) == (str(room), str(frames))
        assert year["margin"] == str(room - frames)


@pytest.mark.parametrize(
    "change",
    [
        {"years": _years()[:2]},
        {"years": [*_years()[:2], {**_years()[2], "year": 2029}]},
        {"tax_rate": 0.5},
        {"tax_rate": "0"},
        {"starting_population": 0},
        {"starting_tax_base": "12.345"},
    ],
)
async def test_a_scenario_outside_its_plan_period_or_with_bad_figures_is_422(budget_year, change):
    assert (await _create(budget_year, {**_scenario(), **change})).status_code == 422


async def test_finance_builds_scenarios_and_those_preparing_the_budget_read_them(budget_year):
    assert (await _create(budget_year, _scenario(), who=("e", "HSN:editor"))).status_code == 403
    assert (await _create(budget_year, _scenario(), who=COUNCIL_REGISTRAR)).status_code == 403
    made = (await _create(budget_year, _scenario())).json()
    assert (await _create(budget_year, _scenario())).status_code == 409
    no_year = await budget_year.client.post(
        "/api/budget/resources/2030/scenarios", headers=budget_year.auth(*FINANCE), json=_scenario()
    )
    assert no_year.status_code == 404
    for reader in (BOARD, ("ledamot", "RF:reader"), ("revisor", "auditor")):
        got = await budget_year.client.get(f"/api/budget/scenarios/{made['id']}", headers=budget_year.auth(*reader))
        assert got.status_code == 200, reader
    committee = await budget_year.client.get(
        "/api/budget/resources/2026/scenarios", headers=budget_year.auth("e", "HSN:editor")
    )
    assert committee.status_code == 403


async def test_scenarios_are_compared_side_by_side_with_the_calculation_in_force(budget_year):
    low = (await _create(budget_year, _scenario("Låg tillväxt", growth="2.0"))).json()
    high = (await _create(budget_year, _scenario("Höjd skattesats", tax_rate="11.60"))).json()
    response = await budget_year.client.get(
        "/api/budget/resources/2026/scenarios/comparison", headers=budget_year.auth(*BOARD)
    )
    assert response.status_code == 200, response.text
    compared = response.json()
    assert compared["years"] == [2026, 2027, 2028]
    assert compared["base_year_frames"] == str(sum(BASE_FRAMES.values()))
    (decided,) = compared["decided"]  # only 2026 has a resource calculation
    resources = (await budget_year.client.get("/api/budget/resources/2026", headers=budget_year.auth(*BOARD))).json()
    assert decided["room_for_frames"] == resources["room_for_frames"]
    uplifted = sum((a * Decimal("1.029")).quantize(CENT, ROUND_HALF_UP) for a in BASE_FRAMES.values())
    assert decided["frames"] == str(uplifted)
    assert [s["name"] for s in compared["scenarios"]] == ["Höjd skattesats", "Låg tillväxt"]
    for scenario, made in zip(compared["scenarios"], (high, low), strict=True):
        first, *plan_years = scenario["years"]
        room = Decimal(made["years"][0]["room_for_frames"])
        assert first["room_difference"] == str(room - Decimal(resources["room_for_frames"]))
        assert [y["room_difference"] for y in plan_years] == [None, None]
        assert [y["room_for_frames"] for y in scenario["years"]] == [y["room_for_frames"] for y in made["years"]]
        hsn = next(u for u in scenario["units"] if u["unit_code"] == "HSN")
        assert len(hsn["frames"]) == 3
    only = await budget_year.client.get(
        f"/api/budget/resources/2026/scenarios/comparison?scenario={low['id']}", headers=budget_year.auth(*BOARD)
    )
    assert [s["id"] for s in only.json()["scenarios"]] == [low["id"]]


async def _adopt(stack, scenario, who=COUNCIL_REGISTRAR, decision=DECISION):
    return await stack.client.post(
        f"/api/budget/scenarios/{scenario['id']}/adoption", headers=if_match(stack.auth(*who), scenario), json=decision
    )


async def test_the_council_adopts_one_scenario_which_fixes_the_years_tax_rate(budget_year):
    chosen = (await _create(budget_year, _scenario("Höjd skattesats", tax_rate="11.60"))).json()
    other = (await _create(budget_year, _scenario("Oförändrad"))).json()
    refused = await _adopt(budget_year, chosen, who=FINANCE)
    assert refused.status_code == 403
    assert refused.json()["required"] == "RF:registrar"
    assert (await _adopt(budget_year, chosen, who=("r", "HSN:registrar"))).status_code == 403
    assert (await _adopt(budget_year, chosen, decision={**DECISION, "decided_by": "RS"})).status_code == 422
    adopted = await _adopt(budget_year, chosen)
    assert adopted.status_code == 200, adopted.text
    assert adopted.json()["status"] == "adopted"
    assert adopted.json()["decision"] == DECISION
    resources = (await budget_year.client.get("/api/budget/resources/2026", headers=budget_year.auth(*BOARD))).json()
    assert resources["tax_rate"] == "11.6"
    assert (await _adopt(budget_year, other)).status_code == 409
    locked = await budget_year.client.patch(
        f"/api/budget/scenarios/{chosen['id']}",
        headers=if_match(budget_year.auth(*FINANCE), adopted.json()),
        json={"tax_rate": "11.70"},
    )
    assert (locked.status_code, locked.json()["code"]) == (409, "locked")


async def test_changing_a_scenario_needs_if_match_and_keeps_every_change_in_history(budget_year):
    made = (await _create(budget_year, _scenario())).json()
    path = f"/api/budget/scenarios/{made['id']}"
    finance = budget_year.auth(*FINANCE)
    years = _years(growth="3.1")
    assert (await budget_year.client.patch(path, headers=finance, json={"years": years})).status_code == 428
    stale = {**finance, "If-Match": '"999"'}
    assert (await budget_year.client.patch(path, headers=stale, json={"years": years})).status_code == 412
    changed = await budget_year.client.patch(path, headers=if_match(finance, made), json={"years": years})
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] > made["version"]
    assert changed.json()["years"][0]["tax_base_growth_percent"] == "3.1"
    history = (await budget_year.client.get(f"{path}/history", headers=budget_year.auth(*BOARD))).json()["items"]
    changes = [h for h in history if h["action"] == "update"]
    assert (changes[-1]["before"]["years_revision"], changes[-1]["after"]["years_revision"]) == (0, 1)
    year_history = await budget_year.client.get(f"{path}/years/2026/history", headers=budget_year.auth(*BOARD))
    update = next(h for h in year_history.json()["items"] if h["action"] == "update")
    assert (update["before"]["tax_base_growth_percent"], update["after"]["tax_base_growth_percent"]) == ("4.2", "3.1")
    gone = await budget_year.client.delete(path, headers=if_match(finance, changed.json()))
    assert gone.status_code == 204
    assert (await budget_year.client.get(path, headers=budget_year.auth(*BOARD))).status_code == 404


FEE = {"year": 2026, "name": "Besök i primärvården", "amount": "200.00", "charge_unit": "besök", "decision": DECISION}


async def test_the_councils_fees_are_kept_with_the_decision_that_set_them(budget_year):
    stack = budget_year
    assert (await stack.client.post("/api/budget/fees", headers=stack.auth(*FINANCE), json=FEE)).status_code == 403
    wrong_body = {**FEE, "decision": {**DECISION, "decided_by": "HSN"}}
    council = stack.auth(*COUNCIL_REGISTRAR)
    assert (await stack.client.post("/api/budget/fees", headers=council, json=wrong_body)).status_code == 422
    made = await stack.client.post("/api/budget/fees", headers=council, json=FEE)
    assert made.status_code == 201, made.text
    fee = made.json()
    assert (fee["amount"], fee["decision"]) == ("200.00", DECISION)
    assert (await stack.client.post("/api/budget/fees", headers=council, json=FEE)).status_code == 409
    listed = await stack.client.get("/api/budget/fees?year=2026", headers=stack.auth("e", "RUN:reader"))
    assert [f["name"] for f in listed.json()["items"]] == [FEE["name"]]
    later = {**DECISION, "decided_on": "2026-04-15", "paragraph": "§ 40", "diary_number": "RS/300/2026"}
    path = f"/api/budget/fees/{fee['id']}"
    body = {"amount": "250.00", "decision": later}
    assert (await stack.client.patch(path, headers=council, json=body)).status_code == 428
    changed = await stack.client.patch(path, headers=if_match(council, fee), json=body)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["amount"], changed.json()["decision"]["paragraph"]) == ("250.00", "§ 40")
    history = (await stack.client.get(f"{path}/history", headers=stack.auth("e", "RUN:reader"))).json()["items"]
    update = next(h for h in history if h["action"] == "update")
    assert (update["before"]["amount"], update["after"]["amount"]) == ("200.00", "250.00")
    assert (update["before"]["decision_paragraph"], update["after"]["decision_paragraph"]) == ("§ 112", "§ 40")


async def test_the_demo_compares_2023s_scenarios_with_the_one_the_council_adopted(seeded):
    board = seeded.auth(*BOARD)
    compared = (await seeded.client.get("/api/budget/resources/2023/scenarios/comparison", headers=board)).json()
    adopted = [s for s in compared["scenarios"] if s["status"] == "adopted"]
    assert len(compared["scenarios"]) == 3
    assert [s["name"] for s in adopted] == ["Oförändrad skattesats"]
    resources = (await seeded.client.get("/api/budget/resources/2023", headers=board)).json()
    assert resources["tax_rate"] == adopted[0]["tax_rate"]
    frames_2022 = (await seeded.client.get("/api/budget/frames/total?year=2022", headers=board)).json()
    assert compared["base_year_frames"] == frames_2022["total"]
    units = {u["unit_code"] for s in compared["scenarios"] for u in s["units"]}
    assert units == {
        f["unit_code"]
        for f in (
            await seeded.client.get("/api/budget/frames?year=2022&status=decided&limit=500", headers=board)
        ).json()["items"]
    }
    fees = (await seeded.client.get("/api/budget/fees?year=2023", headers=seeded.auth("e", "RUN:reader"))).json()
    assert fees["total"] == 3
    assert all(f["decision"]["decided_by"] == "RF" for f in fees["items"])
