"""A report says how things stood at its period's end, in every section: what each service answers as
at that date, and nothing entered later about a later time, on the demo region and on changes made
after each period's end."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

BOARD = ("board", "RS:reader")
FINANCE = ("f", "finance")
AUDITOR = ("a", "auditor")
REPORTS = [
    ("/api/reports/interim/2022/T1", "T1", "T1", "2022-04-30"),
    ("/api/reports/interim/2022/T2", "T2", "T2", "2022-08-31"),
    ("/api/reports/annual/2022", "year", "T3", "2022-12-31"),
]


async def get(stack, path: str, roles=BOARD) -> Any:
    response = await stack.client.get(path, headers=stack.auth(*roles))
    assert response.status_code == 200, response.text
    return response.json()


def if_match(headers: dict[str, str], record: dict[str, Any]) -> dict[str, str]:
    return {**headers, "If-Match": f'"{record["version"]}"'}


def without_moment(report: dict[str, Any]) -> dict[str, Any]:
    """The report less when it was put together, which is all that may differ between two builds."""
    return {k: v for k, v in report.items() if k != "generated_at"}


@pytest.mark.parametrize(("path", "period", "follow_up", "as_of"), REPORTS)
async def test_each_section_is_its_services_answer_as_at_the_periods_end(seeded, path, period, follow_up, as_of):
    report = await get(seeded, path)
    assert (report["as_of"], report["complete"], report["missing"]) == (as_of, True, [])
    at = f"as_of={as_of}"
    goals, economy = report["goals"], report["economy"]
    fulfilment = await get(seeded, f"/api/goals/fulfilment?year=2022&period={period}&{at}")
    assert fulfilment["as_of"] == as_of
    if period != "T1":
        assert goals["fulfilment"] == fulfilment
        assert goals["chain"] == await get(seeded, f"/api/goals/chain?year=2022&period={period}&{at}&levels=council")
        audit = await get(seeded, f"/api/audit/overview?{at}")
        assert report["audit"]["overview"] == audit
        assert economy["grants"] == await get(seeded, f"/api/budget/grants/summary?year=2022&{at}")
        assert economy["investments"] == await get(seeded, f"/api/budget/investments/plan?from_year=2022&{at}")
    council = await get(seeded, f"/api/goals/follow-ups/report-to-council?year=2022&{at}&limit=500")
    assert goals["report_to_council"] == council["items"]
    region = await get(seeded, f"/api/budget/economy/region?year=2022&follow_up={follow_up}&{at}")
    assert economy["economy"] == region
    assert region["as_of"] == as_of


async def test_the_frame_in_each_report_is_the_one_in_force_at_its_end(seeded):
    """HSN's frame was decided at 6 180 mnkr and revised to 6 200 mnkr in September 2022."""
    frames = {}
    for path, *_ in REPORTS:
        units = (await get(seeded, path))["economy"]["economy"]["units"]
        frames[path] = next(u["frame"] for u in units if u["unit_code"] == "HSN")
    assert list(frames.values()) == ["6180000000.00", "6180000000.00", "6200000000.00"]


async def test_no_value_in_a_report_comes_from_after_its_end(seeded):
    for path, _, _, as_of in REPORTS:
        report = await get(seeded, path)
        end_year, end_month = int(as_of[:4]), int(as_of[5:7])
        for indicator in _indicators(report["goals"].get("chain") or {}):
            for value in (indicator.get("latest"), indicator.get("previous")):
                if value:
                    assert _period_end(value["period"]) <= (end_year, end_month), (path, indicator["name"], value)
        for item in report["goals"]["report_to_council"]:
            assert _period_end(f"2022-{item['period']}") <= (end_year, end_month), (path, item)
        for body in (report["audit"] or {}).get("overview", {}).get("bodies", []):
            statement = body.get("latest_statement")
            if statement:
                assert statement["issued_on"] <= as_of, (path, body["body_code"], statement)


async def test_the_annual_report_carries_the_years_accounts_not_a_forecast(seeded):
    report = await get(seeded, "/api/reports/annual/2022")
    accounts = report["economy"]["accounts"]
    assert accounts == await get(seeded, "/api/budget/economy/region/accounts?year=2022")
    assert accounts["has_data"] is True
    statement = accounts["income_statement"]
    lines = ("operating_revenue", "operating_costs", "depreciation", "tax_revenue", "general_grants")
    financial = ("financial_income", "financial_costs")
    result = sum(Decimal(statement[line]["amount"]) for line in (*lines, *financial))
    assert Decimal(statement["result"]) == result
    balance = accounts["balance_requirement"]
    adjusted = Decimal(balance["result"]) + sum(Decimal(a["effect"]) for a in balance["adjustments"])
    assert Decimal(balance["result_after_adjustments"]) == adjusted
    reserve = sum(Decimal(r["effect"]) for r in balance["reserve"])
    assert Decimal(balance["balance_requirement_result"]) == adjusted + reserve
    assert Decimal(accounts["result_target"]["target"]) > 0
    t2 = (await get(seeded, "/api/reports/interim/2022/T2"))["economy"]
    assert t2["accounts"] is None, "an interim report has no accounts; its result is the forecast"
    assert Decimal(statement["result"]) != Decimal(t2["economy"]["result"]["result_forecast"])


COUNCIL_MEMBER = ("ledamot", "RF:reader")


async def test_the_plan_years_and_the_adopted_scenario_stand_as_at_each_reports_end(seeded):
    """The report's year is the budget year, with its two plan years as decided by the period's end. The council
    adopted the 2023 scenario on 15 June 2022, after T1's end: T1 has no adopted scenario and no tax rate for
    2023, T2 and the annual report have both. 2024's frames are proposals: in no report."""
    periods = {}
    for path, _, _, as_of in REPORTS:
        report = await get(seeded, path)
        period = report["economy"]["plan_period"]
        assert period == await get(seeded, f"/api/budget/economy/region/plan-period?year=2022&as_of={as_of}")
        assert (period["year"], period["as_of"]) == (2022, as_of)
        assert [y["year"] for y in period["years"]] == [2022, 2023, 2024]
        assert all(y["needs_requested"] is None for y in period["years"]), "needs are planning material"
        assert period["years"][2]["frames"] is None
        assert all(u["years"][2]["frame"] is None for u in period["units"])
        council = await get(seeded, path, roles=COUNCIL_MEMBER)
        assert (council["complete"], council["economy"]["plan_period"]) == (True, period)
        periods[as_of] = period
    t1, t2, annual = periods.values()
    assert t1["adopted_scenarios"] == []
    assert t1["years"][1]["resources"]["tax_rate"] is None
    for later in (t2, annual):
        adopted = [
            (s["year"], s["name"], s["tax_rate"], s["decision"]["decided_on"]) for s in later["adopted_scenarios"]
        ]
        assert adopted == [(2023, "Oförändrad skattesats", "11.35", "2022-06-15")]
        assert later["years"][1]["resources"]["tax_rate"] == "11.35"
    hsn = next(u for u in t2["units"] if u["unit_code"] == "HSN")
    assert hsn["years"][0]["frame"]["amount"] == "6180000000.00", "the frame in force at T2's end"
    unit_report = await get(seeded, "/api/reports/interim/2022/T2?unit=HSN")
    unit_period = unit_report["economy"]["plan_period"]
    assert unit_period == await get(seeded, "/api/budget/economy/units/HSN/plan-period?year=2022&as_of=2022-08-31")
    assert unit_period["years"] == hsn["years"]


async def test_a_report_as_at_a_past_end_stands_still_while_later_things_are_entered(seeded):
    """A measurement of December, a verdict reviewed in October, RUN's frame revised in October and
    the statement for 2022 issued the next spring: none belongs to T2, and
    only what belongs to the year's end enters the annual report."""
    t1_before = await get(seeded, "/api/reports/interim/2022/T1")
    t2_before = await get(seeded, "/api/reports/interim/2022/T2")
    annual_before = await get(seeded, "/api/reports/annual/2022")
    await _enter_later_things(seeded)
    assert without_moment(await get(seeded, "/api/reports/interim/2022/T1")) == without_moment(t1_before)
    assert without_moment(await get(seeded, "/api/reports/interim/2022/T2")) == without_moment(t2_before)
    annual = await get(seeded, "/api/reports/annual/2022")
    run_frame = next(u["frame"] for u in annual["economy"]["economy"]["units"] if u["unit_code"] == "RUN")
    run_before = next(u["frame"] for u in annual_before["economy"]["economy"]["units"] if u["unit_code"] == "RUN")
    assert Decimal(run_frame) == Decimal(run_before) + Decimal("5000000.00"), "revised in October"
    statements = [b["latest_statement"] for b in annual["audit"]["overview"]["bodies"] if b["body_code"] == "RS"]
    assert all(s is None or s["year"] < 2022 for s in statements), "2022's statement is issued in 2023"


async def _enter_later_things(stack) -> None:
    finance = stack.auth(*FINANCE)
    frames = await get(stack, "/api/budget/frames?unit=RUN&year=2022&status=decided", roles=FINANCE)
    frame = frames["items"][0]
    more = Decimal(frame["priorities"]) + Decimal("5000000.00")
    revision = await stack.client.post(
        f"/api/budget/frames/{frame['id']}/revisions", headers=finance, json={"priorities": f"{more:.2f}"}
    )
    assert revision.status_code == 201, revision.text
    decision = {"decided_by": "RF", "decided_on": "2022-10-19", "paragraph": "§ 150", "diary_number": "RS/900/2022"}
    decided = await stack.client.post(
        f"/api/budget/frames/{revision.json()['id']}/decision",
        headers=if_match(finance, revision.json()),
        json=decision,
    )
    assert decided.status_code == 200, decided.text
    indicator = _indicators((await get(stack, "/api/goals/chain?year=2022&levels=council"))["strategies"][0])[0]
    measured = await stack.client.post(
        f"/api/goals/indicators/{indicator['id']}/measurements",
        headers=stack.auth("m", "RF:editor"),
        json={"period": "2022-12", "value": "99"},
    )
    assert measured.status_code in (200, 201), measured.text
    status = await get(stack, "/api/audit/bodies/RS/status?as_of=2022-12-31")
    recommendation = status["open_recommendations"][0]
    verdict = {"verdict": "partly_addressed", "reviewed_on": "2022-10-15", "comment": "Arbetet pågår."}
    reviewed = await stack.client.post(
        f"/api/audit/recommendations/{recommendation['id']}/verdicts", headers=stack.auth(*AUDITOR), json=verdict
    )
    assert reviewed.status_code == 201, reviewed.text
    statement = {
        "year": 2022,
        "body_code": "RS",
        "issued_on": "2023-04-18",
        "discharge_recommended": True,
        "remark": False,
        "internal_control_sufficient": True,
        "diary_number": "RS/60/2023",
    }
    issued = await stack.client.post("/api/audit/statements", headers=stack.auth(*AUDITOR), json=statement)
    assert issued.status_code == 201, issued.text


def _indicators(node: Any) -> list[dict[str, Any]]:
    """Every indicator anywhere under a chain node."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found += list(node.get("indicators") or [])
        children = [v for k, v in node.items() if k != "indicators"]
    elif isinstance(node, list):
        children = node
    else:
        return found
    for child in children:
        found += _indicators(child)
    return found


def _period_end(period: str) -> tuple[int, int]:
    """(year, last month) of a measurement period: 2022, 2022-T2, 2022-08."""
    year, _, part = period.partition("-")
    if not part:
        return int(year), 12
    if part == "year":
        return int(year), 12
    if part.startswith("T"):
        return int(year), {"T1": 4, "T2": 8, "T3": 12}[part]
    return int(year), int(part)
