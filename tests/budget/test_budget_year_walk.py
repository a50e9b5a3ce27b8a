"""The demo region walked through a budget year: the committees' needs, the dialogue, scenarios built by
finance, compared and one adopted by the council, the needs answered into the frame proposal, the frame
decided with its two plan years, and the plan period read side by side; each step's access rule checked."""

from decimal import Decimal

from tests.budget.conftest import if_match

YEAR = 2024  # the demo's next budget year: its frames are proposals, its resource calculation is made
FINANCE = ("ekonom", "finance")
HSN_EDITOR = ("anna", "HSN:editor")
RUN_EDITOR = ("rune", "RUN:editor")
BOARD = ("board", "RS:reader")
BOARD_REGISTRAR = ("sekreterare", "RS:registrar")
COUNCIL_MEMBER = ("ledamot", "RF:reader")
COUNCIL_REGISTRAR = ("talman", "RF:registrar")
COUNCIL_DECISION = {"decided_by": "RF", "decided_on": "2023-06-14", "paragraph": "§ 88"}


def _need(unit):
    amounts = ("18000000.00", "18000000.00", "18000000.00")
    return {
        "unit_code": unit,
        "year": YEAR,
        "title": "Mobila team i glesbygd",
        "justification": "Längre resvägar",
        "priority": 2,
        "amounts": [{"year": YEAR + i, "amount": a} for i, a in enumerate(amounts)],
    }


def _scenario(name, tax_rate, growth):
    figures = [
        ("2.8", 132350, "440000000.00", "2505000000.00"),
        ("2.6", 132600, "452000000.00", "2560000000.00"),
        ("2.5", 132800, "465000000.00", "2610000000.00"),
    ]
    return {
        "name": name,
        "tax_rate": tax_rate,
        "starting_tax_base": "49795000000.00",
        "starting_population": 132100,
        "years": [
            {
                "year": YEAR + i,
                "tax_base_growth_percent": growth,
                "population": population,
                "lpik_percent": lpik,
                "pension_cost": pension,
                "general_grants": grants,
                "other_revenue": "100000000.00",
            }
            for i, (lpik, population, pension, grants) in enumerate(figures)
        ],
    }


async def _call(stack, method, path, who, expected, **kwargs):
    headers = kwargs.pop("headers", None) or stack.auth(*who)
    response = await stack.client.request(method, f"/api/budget{path}", headers=headers, **kwargs)
    assert response.status_code == expected, (method, path, who, response.text)
    return response.json() if response.content else None


async def _hsn_proposal(stack):
    frames = await _call(stack, "GET", f"/frames?year={YEAR}&unit=HSN", FINANCE, 200)
    (proposal,) = frames["items"]
    return proposal


async def _needs_and_dialogue(stack):
    """A committee's editors submit needs for their own committee only; the dialogue is recorded."""
    await _call(stack, "POST", "/needs", RUN_EDITOR, 403, json=_need("HSN"))
    await _call(stack, "POST", "/needs", FINANCE, 403, json=_need("HSN"))
    need = await _call(stack, "POST", "/needs", HSN_EDITOR, 201, json=_need("HSN"))
    dialogue = {
        "unit_code": "HSN",
        "year": YEAR,
        "held_on": "2023-03-14",
        "participants": "RS AU; HSN:s presidium",
        "agreed": "Mobila team prövas i budgeten",
    }
    await _call(stack, "POST", "/dialogues", RUN_EDITOR, 403, json=dialogue)
    await _call(stack, "POST", "/dialogues", FINANCE, 201, json=dialogue)
    return need


async def _scenarios_compared_and_one_adopted(stack):
    """Finance builds the scenarios; the board and the council compare them; the council adopts one."""
    path = f"/resources/{YEAR}/scenarios"
    for who in (HSN_EDITOR, BOARD, COUNCIL_REGISTRAR):
        await _call(stack, "POST", path, who, 403, json=_scenario("Oförändrad", "11.35", "3.4"))
    same = await _call(stack, "POST", path, FINANCE, 201, json=_scenario("Oförändrad", "11.35", "3.4"))
    higher = await _call(stack, "POST", path, FINANCE, 201, json=_scenario("Höjd 20 öre", "11.55", "3.4"))
    await _call(stack, "GET", f"{path}/comparison", HSN_EDITOR, 403)
    await _call(stack, "GET", f"{path}/comparison", BOARD, 200)
    compared = await _call(stack, "GET", f"{path}/comparison", COUNCIL_MEMBER, 200)
    by_name = {s["name"]: s for s in compared["scenarios"]}
    assert set(by_name) == {"Oförändrad", "Höjd 20 öre"}
    assert [y["year"] for y in by_name["Höjd 20 öre"]["years"]] == [YEAR, YEAR + 1, YEAR + 2]
    for figures, other in zip(by_name["Höjd 20 öre"]["years"], by_name["Oförändrad"]["years"], strict=True):
        assert Decimal(figures["room_for_frames"]) > Decimal(other["room_for_frames"])  # a higher rate, more room
    adoption = f"/scenarios/{higher['id']}/adoption"
    for who in (FINANCE, BOARD_REGISTRAR, HSN_EDITOR):
        headers = if_match(stack.auth(*who), higher)
        await _call(stack, "POST", adoption, who, 403, json=COUNCIL_DECISION, headers=headers)
    headers = if_match(stack.auth(*COUNCIL_REGISTRAR), higher)
    adopted = await _call(stack, "POST", adoption, COUNCIL_REGISTRAR, 200, json=COUNCIL_DECISION, headers=headers)
    assert adopted["status"] == "adopted"
    headers = if_match(stack.auth(*COUNCIL_REGISTRAR), same)
    await _call(
        stack,
        "POST",
        f"/scenarios/{same['id']}/adoption",
        COUNCIL_REGISTRAR,
        409,
        json=COUNCIL_DECISION,
        headers=headers,
    )
    resources = await _call(stack, "GET", f"/resources/{YEAR}", BOARD, 200)
    assert resources["tax_rate"] == "11.55"
    return adopted


async def _need_answered_into_the_proposal(stack, need):
    """Finance answers the need; what is granted for the budget year becomes a priority of the proposal."""
    before = await _hsn_proposal(stack)
    answer = {"outcome": "granted", "comment": "Ryms i ramen"}
    await _call(
        stack,
        "POST",
        f"/needs/{need['id']}/outcome",
        HSN_EDITOR,
        403,
        json=answer,
        headers=if_match(stack.auth(*HSN_EDITOR), need),
    )
    await _call(
        stack,
        "POST",
        f"/needs/{need['id']}/outcome",
        FINANCE,
        200,
        json=answer,
        headers=if_match(stack.auth(*FINANCE), need),
    )
    after = await _hsn_proposal(stack)
    assert Decimal(after["priorities"]) - Decimal(before["priorities"]) == Decimal("18000000.00")
    return after


async def _decided(stack, frame):
    """The council's decision, recorded by finance with the council as the deciding body."""
    decision = f"/frames/{frame['id']}/decision"
    await _call(
        stack,
        "POST",
        decision,
        HSN_EDITOR,
        403,
        json=COUNCIL_DECISION,
        headers=if_match(stack.auth(*HSN_EDITOR), frame),
    )
    decided = await _call(
        stack, "POST", decision, FINANCE, 200, json=COUNCIL_DECISION, headers=if_match(stack.auth(*FINANCE), frame)
    )
    assert (decided["status"], decided["decision"]["decided_by"]) == ("decided", "RF")
    return decided


async def _plan_year(stack, year, last_year_frame):
    body = {"unit_code": "HSN", "year": year, "last_year_frame": last_year_frame, "index_uplift": "150000000.00"}
    await _call(stack, "POST", "/frames", HSN_EDITOR, 403, json=body)
    return await _decided(stack, await _call(stack, "POST", "/frames", FINANCE, 201, json=body))


async def test_the_demo_region_walks_a_budget_year_from_needs_to_a_decided_frame_with_its_plan_years(seeded):
    need = await _needs_and_dialogue(seeded)
    adopted = await _scenarios_compared_and_one_adopted(seeded)
    proposal = await _need_answered_into_the_proposal(seeded, need)
    budget_year = await _decided(seeded, proposal)
    first_plan_year = await _plan_year(seeded, YEAR + 1, budget_year["amount"])
    await _plan_year(seeded, YEAR + 2, first_plan_year["amount"])

    await _call(seeded, "GET", f"/economy/units/HSN/plan-period?year={YEAR}", RUN_EDITOR, 403)
    period = await _call(seeded, "GET", f"/economy/units/HSN/plan-period?year={YEAR}", HSN_EDITOR, 200)
    assert [(y["year"], y["frame"]["status"]) for y in period["years"]] == [
        (YEAR, "decided"),
        (YEAR + 1, "decided"),
        (YEAR + 2, "decided"),
    ]
    assert period["years"][0]["frame"]["amount"] == budget_year["amount"]
    assert Decimal(period["years"][0]["needs"]["granted"]) >= Decimal("18000000.00")

    await _call(seeded, "GET", f"/economy/region/plan-period?year={YEAR}", HSN_EDITOR, 403)
    # The council reads the plan period as decided (the reports show it so), without the committees' needs.
    as_decided = await _call(seeded, "GET", f"/economy/region/plan-period?year={YEAR}", COUNCIL_MEMBER, 200)
    assert as_decided["as_of"] is not None
    assert [y["needs_requested"] for y in as_decided["years"]] == [None, None, None]
    assert [(s["year"], s["id"]) for s in as_decided["adopted_scenarios"]] == [(YEAR, adopted["id"])]
    region = await _call(seeded, "GET", f"/economy/region/plan-period?year={YEAR}", BOARD, 200)
    assert region["as_of"] is None
    assert region["adopted_scenarios"] == as_decided["adopted_scenarios"]
    rooms = {y["year"]: y["room_for_frames"] for y in adopted["years"]}
    assert {y["year"]: y["resources"]["adopted_scenario_room"] for y in region["years"]} == rooms
    # The demo's council adopted a scenario for 2023 too: the budget year and the first plan year set against it.
    differences = [y["resources"]["room_difference"] is not None for y in region["years"]]
    assert differences == [True, True, False]
    budget = region["years"][0]["resources"]
    assert Decimal(budget["room_difference"]) == Decimal(budget["adopted_scenario_room"]) - Decimal(
        budget["previous_adopted_room"]
    )
    assert region["years"][0]["resources"]["tax_rate"] == "11.55"
