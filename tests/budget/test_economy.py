"""The economy read models: a unit's and the region's follow-up in one answer, exact, in a fixed number of queries."""

from decimal import Decimal

import pytest
from sqlalchemy import event

from tests.budget.conftest import FINANCE, if_match, make_units

BOARD = ("board", "RS:reader")
DECISION = {"decided_by": "RF", "decided_on": "2024-06-19", "paragraph": "§ 85"}
RESOURCES = {
    "year": 2025,
    "tax_revenue": "1500.00",
    "general_grants": "500.00",
    "other_revenue": "100.00",
    "lpik_percent": "3",
    "pension_cost": "60.00",
    "result_target_percent": "2",
}


async def _decided_frame(stack, unit, amount, year=2025):
    headers = stack.auth(*FINANCE)
    body = {"unit_code": unit, "year": year, "last_year_frame": amount}
    frame = (await stack.client.post("/api/budget/frames", headers=headers, json=body)).json()
    response = await stack.client.post(
        f"/api/budget/frames/{frame['id']}/decision", headers=if_match(headers, frame), json=DECISION
    )
    assert response.status_code == 200


async def _outcomes(stack, unit, months, per_month):
    rows = [
        {"unit_code": unit, "year": 2025, "month": m, "category": category, "amount": amount}
        for m in months
        for category, amount in per_month.items()
    ]
    response = await stack.client.post("/api/budget/outcomes", headers=stack.auth(*FINANCE), json={"rows": rows})
    assert response.status_code == 201


async def _forecast(stack, unit, follow_up, amount):
    body = {"unit_code": unit, "year": 2025, "follow_up": follow_up, "amount": amount}
    response = await stack.client.post("/api/budget/forecasts", headers=stack.auth("e", f"{unit}:editor"), json=body)
    assert response.status_code == 201


@pytest.fixture
async def year(org):
    """HSN overruns its budget and forecasts an overrun; RUN stays within and has no periodised budget."""
    await org.client.post("/api/budget/resources", headers=org.auth(*FINANCE), json=RESOURCES)
    await _decided_frame(org, "HSN", "1200.00")
    await _decided_frame(org, "RUN", "600.00")
    await org.client.put(
        "/api/budget/periodisations/HSN/2025", headers=org.auth(*FINANCE), json={"months": ["100.00"] * 12}
    )
    await _outcomes(org, "HSN", range(1, 10), {"personnel": "90.00", "purchased_care": "30.00", "revenue": "10.00"})
    await _outcomes(org, "RUN", range(1, 10), {"other_costs": "50.00", "revenue": "5.00"})
    await _forecast(org, "HSN", "T1", "1250.00")
    await _forecast(org, "HSN", "T2", "1300.00")
    await _forecast(org, "RUN", "T1", "590.00")
    return org


async def _unit(stack, unit, query, roles=BOARD):
    return await stack.client.get(f"/api/budget/economy/units/{unit}?{query}", headers=stack.auth("x", *roles))


async def test_a_units_economy_at_t2_in_one_answer(year):
    body = (await _unit(year, "HSN", "year=2025&follow_up=T2")).json()
    assert (body["through_month"], body["frame"], body["budget_ytd"], body["budget_ytd_source"]) == (
        8,
        "1200.00",
        "800.00",
        "periodised",
    )
    outcome = body["outcome_ytd"]
    assert (outcome["personnel"], outcome["purchased_care"], outcome["revenue"]) == ("720.00", "240.00", "80.00")
    assert (outcome["costs"], outcome["net_cost"], outcome["pharmaceuticals"]) == ("960.00", "880.00", "0.00")
    assert body["forecast"] == {"follow_up": "T2", "amount": "1300.00", "comment": None}
    assert body["forecast_deviation"] == {"amount": "-100.00", "percent": "-8.33", "flagged": True}
    assert body["ytd_deviation"] == {"amount": "-80.00", "percent": "-10.00", "flagged": True}
    assert body["flagged"] is True


async def test_at_t1_the_t1_forecast_and_four_months_count(year):
    body = (await _unit(year, "HSN", "year=2025&follow_up=T1")).json()
    assert (body["through_month"], body["budget_ytd"], body["outcome_ytd"]["net_cost"]) == (4, "400.00", "440.00")
    assert body["forecast"]["follow_up"] == "T1"
    assert body["forecast_deviation"]["amount"] == "-50.00"


async def test_a_unit_without_a_periodised_budget_is_compared_evenly_and_uses_its_latest_forecast(year):
    body = (await _unit(year, "RUN", "year=2025&follow_up=T2")).json()
    assert (body["budget_ytd"], body["budget_ytd_source"], body["outcome_ytd"]["net_cost"]) == (
        "400.00",
        "even",
        "360.00",
    )
    assert body["ytd_deviation"] == {"amount": "40.00", "percent": "10.00", "flagged": False}
    assert body["forecast"]["follow_up"] == "T1"
    assert body["flagged"] is False


async def test_the_threshold_decides_what_is_flagged(year):
    body = (await _unit(year, "HSN", "year=2025&follow_up=T2&threshold_percent=10")).json()
    assert body["forecast_deviation"]["flagged"] is False  # 8.33 % is within 10 %
    assert body["ytd_deviation"]["flagged"] is False  # exactly 10 % is not over it
    assert body["threshold_percent"] == "10"
    assert (await _unit(year, "HSN", "year=2025&follow_up=T2&threshold_percent=8.33")).json()["flagged"] is True


async def test_the_threshold_comes_from_the_settings(year):
    year.apps["budget"].state.settings.deviation_threshold_percent = Decimal(20)
    body = (await _unit(year, "HSN", "year=2025&follow_up=T2")).json()
    assert (body["threshold_percent"], body["flagged"]) == ("20", False)


@pytest.mark.parametrize(
    "query",
    ["year=2025&month=13", "year=2025&month=0", "year=2025&follow_up=T4", "year=1", "year=2025&threshold_percent=101"],
)
async def test_a_bad_period_is_422(year, query):
    assert (await _unit(year, "HSN", query)).status_code == 422


async def test_a_units_economy_is_read_by_its_own_roles_the_board_auditor_and_finance(year):
    assert (await _unit(year, "HSN", "year=2025", roles=("RUN:editor",))).status_code == 403
    for roles in [("HSN:reader",), ("auditor",), ("finance",), BOARD]:
        assert (await _unit(year, "HSN", "year=2025", roles=roles)).status_code == 200, roles


async def _region(stack, query="year=2025&follow_up=T2", roles=BOARD):
    return await stack.client.get(f"/api/budget/economy/region?{query}", headers=stack.auth("x", *roles))


async def test_the_regions_economy_and_result_at_t2(year):
    body = (await _region(year)).json()
    assert [u["unit_code"] for u in body["units"]] == ["HSN", "RUN"]
    assert body["flagged_units"] == ["HSN"]
    totals = body["totals"]
    assert (totals["frame"], totals["budget_ytd"], totals["outcome_ytd"]["net_cost"]) == (
        "1800.00",
        "1200.00",
        "1240.00",
    )
    assert totals["forecast"]["amount"] == "1890.00"  # HSN's T2 and RUN's T1
    result = body["result"]
    assert result["tax_and_grants_and_other_revenue"] == "2100.00"
    assert (result["result_target"], result["budgeted_result"]) == ("40.00", "240.00")
    assert result["revenue_ytd"] == str(
        Decimal("120.00") + Decimal("1400.00")
    )  # booked revenue + 8/12 of general revenue
    assert result["cost_ytd"] == str(Decimal("1360.00") + Decimal("40.00"))
    assert result["result_ytd"] == "120.00"
    assert (
        result["result_forecast"],
        result["result_target_met_forecast"],
        result["balance_requirement_met_forecast"],
    ) == ("150.00", True, True)


async def test_a_forecast_beyond_the_revenue_breaks_the_balance_requirement(year):
    await _forecast(year, "HSN", "T3", "1500.00")
    result = (await _region(year, "year=2025&follow_up=T3")).json()["result"]
    assert result["result_forecast"] == "-50.00"
    assert (result["balance_requirement_met_forecast"], result["result_target_met_forecast"]) == (False, False)


async def test_the_region_is_read_by_the_board_auditor_and_finance_only(year):
    assert (await _region(year, roles=("HSN:editor",))).status_code == 403
    assert (await _region(year, roles=("auditor",))).status_code == 200
    assert (await _region(year, roles=("finance",))).status_code == 200


async def test_a_year_without_a_resource_calculation_has_no_result(year):
    body = (await _region(year, "year=2026")).json()
    assert (body["units"], body["result"]) == ([], None)


async def test_region_sums_are_exact_to_the_ore(org):
    # Many öre amounts: summed as floats they drift; the report must match Decimal arithmetic exactly.
    amounts = ["0.10", "0.20", "0.01", "470456.51", "12345678901.99", "-3.33", "0.07"]
    await make_units(org, [(f"U{i}", "RF", "committee") for i in range(4)])
    expected = Decimal(0)
    for i in range(4):
        rows = [
            {
                "unit_code": f"U{i}",
                "year": 2025,
                "month": m,
                "category": "other_costs",
                "amount": amounts[(i + m) % len(amounts)],
            }
            for m in range(1, 13)
        ]
        expected += sum(Decimal(r["amount"]) for r in rows)
        assert (
            await org.client.post("/api/budget/outcomes", headers=org.auth(*FINANCE), json={"rows": rows})
        ).status_code == 201
    body = (await _region(org, "year=2025")).json()
    assert body["totals"]["outcome_ytd"]["other_costs"] == str(expected)
    assert sum(Decimal(u["outcome_ytd"]["net_cost"]) for u in body["units"]) == expected


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


async def _statements(stack, path):
    counter = StatementCounter(stack.apps["budget"].state.engine)
    response = await stack.client.get(path, headers=stack.auth(*BOARD))
    assert response.status_code == 200
    return counter.count


async def test_the_number_of_statements_does_not_grow_with_units_or_rows(year):
    paths = [
        "/api/budget/economy/region?year=2025&follow_up=T2",
        "/api/budget/economy/units/HSN?year=2025&follow_up=T2",
    ]
    before = [await _statements(year, p) for p in paths]
    await make_units(year, [(f"X{i}", "RF", "committee") for i in range(5)])
    for i in range(5):
        await _decided_frame(year, f"X{i}", "100.00")
        await _outcomes(year, f"X{i}", range(1, 13), {"personnel": "1.00", "revenue": "0.50"})
        await _forecast(year, f"X{i}", "T1", "99.00")
    await _outcomes(year, "HSN", range(10, 13), {"pharmaceuticals": "3.00"})
    after = [await _statements(year, p) for p in paths]
    assert after == before
    assert len((await _region(year)).json()["units"]) == 7


def test_an_even_budget_rounds_half_up_to_the_ore_as_the_ledger_does():
    from services.budget.rules.economy import _even_budget

    assert _even_budget(Decimal("100.02"), 3) == Decimal("25.01")  # 25.005, not the banker's 25.00
    assert _even_budget(Decimal("-100.02"), 3) == Decimal("-25.01")


@pytest.fixture
async def revised_in_september(year):
    """HSN's 1 200 frame of 2025 (decided 2024-06-19) is revised to 1 250 on 24 September 2025, after T2;
    the T2 forecasts were typed in late, in October, and belong to T2 all the same."""
    headers = year.auth(*FINANCE)
    frames = (await year.client.get("/api/budget/frames?unit=HSN&year=2025", headers=headers)).json()["items"]
    decided = frames[0]
    revision = (
        await year.client.post(
            f"/api/budget/frames/{decided['id']}/revisions", headers=headers, json={"activity_change": "50.00"}
        )
    ).json()
    response = await year.client.post(
        f"/api/budget/frames/{revision['id']}/decision",
        headers=if_match(headers, revision),
        json={**DECISION, "decided_on": "2025-09-24", "paragraph": "§ 140"},
    )
    assert response.status_code == 200, response.text
    await _forecast(year, "RUN", "T2", "595.00")
    return year


async def test_t1_and_t2_see_the_frame_decided_before_the_september_revision(revised_in_september):
    seen = {}
    for query in ("follow_up=T1", "follow_up=T2", "follow_up=T3", "as_of=2025-09-24", "as_of=2025-09-23"):
        body = (await _unit(revised_in_september, "HSN", f"year=2025&{query}")).json()
        seen[query] = (body["as_of"], body["through_month"], body["frame"], body["frame_revision"])
    assert seen == {
        "follow_up=T1": ("2025-04-30", 4, "1200.00", 0),
        "follow_up=T2": ("2025-08-31", 8, "1200.00", 0),
        "follow_up=T3": ("2025-12-31", 12, "1250.00", 1),
        "as_of=2025-09-24": ("2025-09-24", 8, "1250.00", 1),
        "as_of=2025-09-23": ("2025-09-23", 8, "1200.00", 0),
    }


async def test_the_region_at_t2_uses_the_frames_and_forecasts_of_t2(revised_in_september):
    t2 = (await _region(revised_in_september, "year=2025&follow_up=T2")).json()
    assert (t2["as_of"], t2["totals"]["frame"]) == ("2025-08-31", "1800.00")
    hsn, run = (next(u for u in t2["units"] if u["unit_code"] == code) for code in ("HSN", "RUN"))
    assert (hsn["forecast_deviation"]["amount"], run["forecast"]["follow_up"]) == ("-100.00", "T2")
    # Outcomes of September were booked, but T2 counts only the months through August.
    assert hsn["outcome_ytd"]["personnel"] == "720.00"
    t1 = (await _region(revised_in_september, "year=2025&follow_up=T1")).json()
    assert [u["forecast"]["follow_up"] for u in t1["units"]] == ["T1", "T1"]
    result = t2["result"]
    assert result["result_forecast"] == str(
        Decimal("2100.00") - Decimal("60.00") - Decimal("1300.00") - Decimal("595.00")
    )
    assert result["result_forecast_percent"] == "7.25"  # 145 of 2 000 tax and general grants


async def test_an_as_of_before_the_first_month_ended_has_no_months(revised_in_september):
    body = (await _unit(revised_in_september, "HSN", "year=2025&as_of=2025-01-15")).json()
    assert (body["through_month"], body["budget_ytd"], body["outcome_ytd"]["net_cost"]) == (0, "0.00", "0.00")
    assert (body["frame"], body["forecast"]) == ("1200.00", None)
    before = (await _unit(revised_in_september, "HSN", "year=2025&as_of=2024-06-18")).json()
    assert before["frame"] is None  # the budget was decided on 19 June 2024
