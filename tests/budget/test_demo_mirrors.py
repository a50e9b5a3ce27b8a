"""Figures the demo shows in two services agree: the goals service's indicators that mirror a budget figure
hold, for each period, what the budget service computes for it (T1 and T2 from that follow-up's forecast
against the frame in force at its end, the year from the accounts), so the two can never drift apart."""

from decimal import ROUND_HALF_UP, Decimal

BOARD = ("board", "RS:reader")
MILLION = Decimal(1_000_000)
PERIOD_QUERY = {"2022-T1": "follow_up=T1", "2022-T2": "follow_up=T2"}


async def _get(stack, path):
    response = await stack.client.get(path, headers=stack.auth(*BOARD))
    assert response.status_code == 200, (path, response.text)
    return response.json()


async def _measurements(stack, unit, name):
    """The goals service's values of the indicator `name` on a goal of `unit`, by period."""
    for goal in (await _get(stack, f"/api/goals/goals?unit={unit}&limit=500"))["items"]:
        for indicator in (await _get(stack, f"/api/goals/indicators?goal={goal['id']}&limit=500"))["items"]:
            if indicator["name"] == name:
                page = await _get(stack, f"/api/goals/indicators/{indicator['id']}/measurements?limit=500")
                return {m["period"]: Decimal(m["value"]) for m in page["items"]}
    raise AssertionError(f"no indicator {name!r} on a goal of {unit}")


def _mnkr(amount: str) -> Decimal:
    return (Decimal(amount) / MILLION).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


async def test_hsns_forecast_deviation_from_its_frame_is_the_budget_services(seeded):
    goals = await _measurements(seeded, "HSN", "Prognos för avvikelse mot ram")
    budget = {}
    for period, query in PERIOD_QUERY.items():
        hsn = await _get(seeded, f"/api/budget/economy/units/HSN?year=2022&{query}")
        budget[period] = _mnkr(hsn["forecast_deviation"]["amount"])
    year = await _get(seeded, "/api/budget/economy/units/HSN?year=2022")
    # The year's deviation is the outcome's: the frame in force at the year's end less the year's net cost.
    budget["2022"] = _mnkr(str(Decimal(year["frame"]) - Decimal(year["outcome_ytd"]["net_cost"])))
    assert {p: goals[p] for p in budget} == budget
    assert budget == {"2022-T1": Decimal("-65.0"), "2022-T2": Decimal("-110.0"), "2022": Decimal("-90.0")}


async def test_the_councils_result_indicator_is_the_budget_services_result_of_taxes_and_grants(seeded):
    goals = await _measurements(seeded, "RF", "Årets resultat i procent av skatter och generella statsbidrag")
    budget = {}
    for period, query in PERIOD_QUERY.items():
        region = await _get(seeded, f"/api/budget/economy/region?year=2022&{query}")
        budget[period] = Decimal(region["result"]["result_forecast_percent"])
    accounts = await _get(seeded, "/api/budget/economy/region/accounts?year=2022")
    budget["2022"] = Decimal(accounts["result_target"]["result_percent"])
    assert {p: goals[p] for p in budget} == budget
