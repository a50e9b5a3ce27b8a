"""The demo year: Region Jämtland Härjedalen's committees in 2022, as `styr seed` loads them."""

from decimal import Decimal

BOARD = ("board", "RS:reader")
FINANCE = ("ekonom", "finance")


async def _region(stack, query):
    return (await stack.client.get(f"/api/budget/economy/region?{query}", headers=stack.auth(*BOARD))).json()


async def test_at_t2_hsn_forecasts_a_deficit_against_the_frame_in_force_on_31_august(seeded):
    body = await _region(seeded, "year=2022&follow_up=T2")
    assert body["as_of"] == "2022-08-31"
    assert [u["unit_code"] for u in body["units"]] == ["HSN", "RS", "RUN"]
    assert body["flagged_units"] == ["HSN"]
    hsn = next(u for u in body["units"] if u["unit_code"] == "HSN")
    # The council revised HSN's frame to 6 200 mnkr on 21 September: T2 still speaks of the 6 180 decided in 2021.
    assert (hsn["frame"], hsn["frame_revision"], hsn["frame_decided_on"]) == ("6180000000.00", 0, "2021-06-16")
    assert (hsn["forecast"]["amount"], hsn["forecast"]["follow_up"]) == ("6290000000.00", "T2")
    assert hsn["forecast_deviation"]["amount"] == "-110000000.00"
    assert hsn["budget_ytd_source"] == "periodised"
    assert body["result"] is not None
    assert body["result"]["result_target"] == str((Decimal("5420000000") + Decimal("2310000000")) * Decimal("0.02"))


async def test_each_follow_up_of_2022_speaks_as_at_its_end(seeded):
    frames, forecasts, months = {}, {}, {}
    for query in ("follow_up=T1", "follow_up=T2", "follow_up=T3", "follow_up=T1&as_of=2022-10-01"):
        body = await _region(seeded, f"year=2022&{query}")
        hsn = next(u for u in body["units"] if u["unit_code"] == "HSN")
        frames[query], forecasts[query] = hsn["frame"], hsn["forecast"]["follow_up"]
        months[query] = (body["as_of"], body["through_month"])
    assert frames == {
        "follow_up=T1": "6180000000.00",
        "follow_up=T2": "6180000000.00",
        "follow_up=T3": "6200000000.00",
        "follow_up=T1&as_of=2022-10-01": "6200000000.00",
    }
    assert forecasts == {
        "follow_up=T1": "T1",
        "follow_up=T2": "T2",
        "follow_up=T3": "T2",
        "follow_up=T1&as_of=2022-10-01": "T1",
    }
    assert months == {
        "follow_up=T1": ("2022-04-30", 4),
        "follow_up=T2": ("2022-08-31", 8),
        "follow_up=T3": ("2022-12-31", 12),
        "follow_up=T1&as_of=2022-10-01": ("2022-10-01", 4),
    }


async def test_the_year_has_twelve_months_of_outcomes_that_add_up_exactly(seeded):
    headers = seeded.auth(*FINANCE)
    outcomes = (await seeded.client.get("/api/budget/outcomes?year=2022&limit=500", headers=headers)).json()["items"]
    assert {o["month"] for o in outcomes} == set(range(1, 13))
    hsn = [o for o in outcomes if o["unit_code"] == "HSN"]
    net = sum(Decimal(o["amount"]) * (-1 if o["category"] == "revenue" else 1) for o in hsn)
    year_end = (await seeded.client.get("/api/budget/economy/units/HSN?year=2022", headers=headers)).json()
    assert year_end["outcome_ytd"]["net_cost"] == str(net) == "6290000000.00"


async def test_the_investment_plan_reaches_ten_years_beyond_the_plan_period(seeded):
    plan = (await seeded.client.get("/api/budget/investments/plan?from_year=2022", headers=seeded.auth(*BOARD))).json()
    assert [y["year"] for y in plan["years"]] == list(range(2022, 2032))
    beyond = [y for y in plan["years"] if y["beyond_plan_period"]]
    assert [y["year"] for y in beyond] == list(range(2025, 2032))
    assert all(y["frame"] is None for y in beyond)
    assert all(Decimal(y["operating_consequences"]) > 0 for y in plan["years"])
    projects = (await seeded.client.get("/api/budget/investments", headers=seeded.auth(*BOARD))).json()["items"]
    assert all(len(p["years"]) == 10 for p in projects)


async def test_one_grant_has_no_goal_and_the_others_link_resolves_to_the_demo_goal(seeded):
    headers = seeded.auth(*FINANCE)
    alone = (await seeded.client.get("/api/budget/grants?without_goal=true", headers=headers)).json()["items"]
    assert [g["name"] for g in alone] == ["Psykisk hälsa och suicidprevention"]
    grants = (await seeded.client.get("/api/budget/grants", headers=headers)).json()["items"]
    linked = next(g for g in grants if g["has_goal"])
    assert linked["goals"][0]["goal_id"] is None  # linked by unit and title until resolved
    resolved = (await seeded.client.post(f"/api/budget/grants/{linked['id']}/goals/resolve", headers=headers)).json()
    goals = (await seeded.client.get("/api/goals/goals?unit=HSN&limit=500", headers=headers)).json()["items"]
    expected = next(g["id"] for g in goals if g["title"] == resolved["goals"][0]["goal_title"])
    assert resolved["goals"][0]["goal_id"] == expected


async def test_resolving_needs_the_goals_service(seeded):
    headers = seeded.auth(*FINANCE)
    grants = (await seeded.client.get("/api/budget/grants", headers=headers)).json()["items"]
    linked = next(g for g in grants if g["has_goal"])
    refused = await seeded.client.post(
        f"/api/budget/grants/{linked['id']}/goals/resolve", headers=seeded.auth("r", "RUN:editor")
    )
    assert refused.status_code == 403
    seeded.transport.down.add("goals")
    response = await seeded.client.post(f"/api/budget/grants/{linked['id']}/goals/resolve", headers=headers)
    assert response.status_code == 503


async def test_the_demo_outcomes_export_under_the_demo_account_plan_and_import_back_unchanged(seeded):
    headers = seeded.auth(*FINANCE)
    exported = await seeded.client.get("/api/budget/exports/outcomes?year=2022&format=tsv", headers=headers)
    assert exported.status_code == 200
    assert exported.text.splitlines()[0] == "unit\taccount\tmonth\tamount"
    back = await seeded.client.post(
        "/api/budget/imports/ledger?dry_run=true",
        content=exported.content,
        headers={**headers, "Content-Type": "text/csv"},
    )
    report = back.json()
    assert report["problems"] == []
    # The demo's outcomes came in through the ledger import: the export's sums match every one.
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, len(exported.text.splitlines()) - 1)


REVENUE_KINDS = {"revenue", "tax_revenue", "general_grants", "financial_income"}


async def test_the_2022_accounts_result_is_the_sum_of_the_years_ledger_rows(seeded):
    headers = seeded.auth(*FINANCE)
    outcomes = (await seeded.client.get("/api/budget/outcomes?year=2022&limit=500", headers=headers)).json()
    assert outcomes["total"] <= 500
    ledger_sum = sum(Decimal(o["amount"]) * (1 if o["category"] in REVENUE_KINDS else -1) for o in outcomes["items"])
    body = (
        await seeded.client.get("/api/budget/economy/region/accounts?year=2022", headers=seeded.auth(*BOARD))
    ).json()
    assert (body["has_data"], body["as_of"], body["closed"]) == (True, "2022-12-31", False)
    statement = body["income_statement"]
    assert Decimal(statement["result"]) == ledger_sum == Decimal("85000000.00")
    lines = ["net_operating_cost", "tax_revenue", "general_grants", "financial_income", "financial_costs"]
    parts = [statement[k] if isinstance(statement[k], str) else statement[k]["amount"] for k in lines]
    assert sum(Decimal(p) for p in parts) == ledger_sum
    balance = body["balance_requirement"]
    gain = balance["adjustments"][0]
    assert (gain["kind"], gain["effect"], gain["decision"]["decided_by"]) == ("realisation_gain", "-6400000.00", "RS")
    assert Decimal(balance["result_after_adjustments"]) == ledger_sum + Decimal(gain["effect"])
    assert balance["balance_requirement_result"] == balance["result_after_adjustments"]  # no reserve moves in 2022
    assert (balance["met"], balance["to_restore"]) == (True, "0.00")
    assert body["result_target"]["met"] is False  # 1.10 % of taxes and grants against the 2 % target


async def test_the_regions_own_lines_stay_out_of_the_units_follow_up(seeded):
    body = await _region(seeded, "year=2022")
    rs = next(u for u in body["units"] if u["unit_code"] == "RS")
    assert (rs["outcome_ytd"]["net_cost"], rs["frame"]) == ("630500000.00", "640000000.00")
    empty = (
        await seeded.client.get("/api/budget/economy/region/accounts?year=2021", headers=seeded.auth(*BOARD))
    ).json()
    assert (empty["has_data"], empty["income_statement"]) == (False, None)
