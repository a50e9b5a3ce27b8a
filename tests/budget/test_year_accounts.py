"""The year's accounts: income statement from the ledger, result against the target, balance requirement."""

from decimal import Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match
from tests.budget.test_economy import _statements

BOARD = ("board", "RS:reader")
DECISION = {"decided_by": "RS", "decided_on": "2026-03-25", "paragraph": "§ 40", "diary_number": "RS/100/2026"}
REVENUE_KINDS = {"revenue", "tax_revenue", "general_grants", "financial_income"}
# One month of 2025, in SEK: a unit's own lines on HSN, the region's on RS.
LEDGER_2025 = {
    ("HSN", "revenue"): "100.00",
    ("HSN", "personnel"): "600.00",
    ("HSN", "purchased_care"): "250.50",
    ("HSN", "depreciation"): "40.00",
    ("RS", "pension_costs"): "70.00",
    ("RS", "tax_revenue"): "700.00",
    ("RS", "general_grants"): "200.25",
    ("RS", "financial_income"): "15.00",
    ("RS", "financial_costs"): "4.00",
}
RESOURCES = {
    "year": 2025,
    "tax_revenue": "700.00",
    "general_grants": "200.00",
    "lpik_percent": "3",
    "result_target_percent": "2",
}


async def _book(stack, year, lines, month=3):
    rows = [
        {"unit_code": unit, "year": year, "month": month, "category": category, "amount": amount}
        for (unit, category), amount in lines.items()
    ]
    response = await stack.client.post("/api/budget/outcomes", headers=stack.auth(*FINANCE), json={"rows": rows})
    assert response.status_code == 201, response.text


async def _adjust(stack, kind, amount, year=2025, changes=None):
    body = {"year": year, "kind": kind, "amount": amount, "description": f"{kind} {year}", "decision": DECISION}
    return await stack.client.post(
        "/api/budget/balance-adjustments", headers=stack.auth(*FINANCE), json={**body, **(changes or {})}
    )


async def _accounts(stack, year=2025, roles=BOARD):
    return await stack.client.get(f"/api/budget/economy/region/accounts?year={year}", headers=stack.auth("x", *roles))


@pytest.fixture
async def ledger(org):
    await _book(org, 2025, LEDGER_2025)
    await org.client.post("/api/budget/resources", headers=org.auth(*FINANCE), json=RESOURCES)
    return org


def _result_of(lines):
    """The year's result is the sum of its ledger rows: credits (revenue kinds) in, debits out."""
    return sum(Decimal(a) if c in REVENUE_KINDS else -Decimal(a) for (_, c), a in lines.items())


async def test_the_income_statement_sums_the_ledger_rows_into_the_result(ledger):
    body = (await _accounts(ledger)).json()
    assert (body["year"], body["as_of"], body["has_data"], body["closed"]) == (2025, "2025-12-31", True, False)
    assert "not closed" in body["note"]
    statement = body["income_statement"]
    assert statement["result"] == str(_result_of(LEDGER_2025)) == "50.75"
    amounts = {k: v["amount"] if isinstance(v, dict) else v for k, v in statement.items()}
    assert amounts == {
        "operating_revenue": "100.00",
        "operating_costs": "-920.50",
        "depreciation": "-40.00",
        "net_operating_cost": "-860.50",
        "tax_revenue": "700.00",
        "general_grants": "200.25",
        "operating_result": "39.75",
        "financial_income": "15.00",
        "financial_costs": "-4.00",
        "result": "50.75",
    }
    assert statement["operating_costs"]["categories"] == [
        "personnel",
        "purchased_care",
        "pharmaceuticals",
        "other_costs",
        "pension_costs",
    ]


async def test_each_line_names_the_account_plan_rules_it_sums(ledger):
    headers = ledger.auth(*FINANCE)
    for first, last, category in [("80", "80", "tax_revenue"), ("8400", "8499", "financial_income")]:
        body = {"account_from": first, "account_to": last, "category": category}
        assert (await ledger.client.post("/api/budget/account-mappings", headers=headers, json=body)).status_code == 201
    statement = (await _accounts(ledger)).json()["income_statement"]
    assert (statement["tax_revenue"]["accounts"], statement["financial_income"]["accounts"]) == (["80"], ["8400–8499"])
    assert statement["financial_costs"]["accounts"] == []


async def test_the_result_against_the_target_of_the_resource_calculation(ledger):
    target = (await _accounts(ledger)).json()["result_target"]
    # 2 % of the taxes and grants booked (900.25), not of those budgeted (900.00).
    assert target == {
        "target_percent": "2",
        "taxes_and_general_grants": "900.25",
        "target": "18.01",
        "result_percent": "5.64",
        "met": True,
    }


async def test_the_balance_requirement_reconciliation_adds_up(ledger):
    for kind, amount in [
        ("realisation_gain", "10.00"),
        ("unrealised_loss", "3.00"),
        ("unrealised_loss_reversal", "1.00"),
        ("reserve_provision", "20.00"),
    ]:
        assert (await _adjust(ledger, kind, amount)).status_code == 201
    balance = (await _accounts(ledger)).json()["balance_requirement"]
    assert balance["result"] == "50.75"
    effects = [Decimal(a["effect"]) for a in balance["adjustments"]]
    assert sorted(effects) == [Decimal("-10.00"), Decimal("-1.00"), Decimal("3.00")]
    assert Decimal(balance["result_after_adjustments"]) == Decimal("50.75") + sum(effects) == Decimal("42.75")
    assert [(r["kind"], r["effect"]) for r in balance["reserve"]] == [("reserve_provision", "-20.00")]
    assert balance["balance_requirement_result"] == "22.75"
    assert (balance["met"], balance["deficits_to_restore"], balance["to_restore"]) == (True, [], "0.00")
    assert all(a["decision"]["paragraph"] == "§ 40" for a in balance["adjustments"])


async def test_a_deficit_is_to_be_restored_within_three_years_and_later_surpluses_restore_it(org):
    await _book(org, 2023, {("RS", "financial_costs"): "30.00"})  # 2023: −30
    await _book(org, 2024, {("RS", "tax_revenue"): "12.00"})  # 2024: +12 restores part of it
    await _book(org, 2025, {("RS", "pension_costs"): "5.00"})  # 2025: −5
    balance = (await _accounts(org)).json()["balance_requirement"]
    assert (balance["balance_requirement_result"], balance["met"]) == ("-5.00", False)
    assert balance["deficits_to_restore"] == [
        {"year": 2023, "deficit": "30.00", "remaining": "18.00", "restore_by": "2026-12-31", "missed": False},
        {"year": 2025, "deficit": "5.00", "remaining": "5.00", "restore_by": "2028-12-31", "missed": False},
    ]
    assert balance["to_restore"] == "23.00"
    later = (await _accounts(org, 2026)).json()
    assert later["has_data"] is False  # 2026 has no ledger rows: no accounts, not zeros


async def test_a_year_without_ledger_rows_has_no_accounts(org):
    body = (await _accounts(org, 2021)).json()
    assert (body["has_data"], body["income_statement"], body["balance_requirement"], body["result_target"]) == (
        False,
        None,
        None,
        None,
    )
    assert body["note"] == "No ledger rows for 2021: the year has no accounts"


async def test_a_closed_year_says_when_it_was_closed(ledger):
    closed = {"year": 2025, "closed_on": "2026-02-15"}
    assert (await ledger.client.post("/api/budget/closed-years", headers=ledger.auth(*FINANCE), json=closed)).is_success
    body = (await _accounts(ledger)).json()
    assert (body["closed"], body["closed_on"], body["note"]) == (True, "2026-02-15", None)


async def test_the_accounts_are_read_as_the_region_economy_is(ledger):
    for roles in [BOARD, ("auditor",), FINANCE[1:]]:
        assert (await _accounts(ledger, roles=roles)).status_code == 200, roles
    for roles in [("HSN:reader",), ("HSN:editor",)]:
        assert (await _accounts(ledger, roles=roles)).status_code == 403, roles
    region = await ledger.client.get("/api/budget/economy/region?year=2025", headers=ledger.auth("x", "HSN:reader"))
    assert region.status_code == 403


async def test_finance_enters_adjustments_with_a_decision_and_history(org):
    refused = await org.client.post(
        "/api/budget/balance-adjustments",
        headers=org.auth("e", "RS:editor"),
        json={"year": 2025, "kind": "realisation_gain", "amount": "1.00", "description": "x", "decision": DECISION},
    )
    assert refused.status_code == 403
    for bad in [{"amount": "0.00"}, {"amount": "-1.00"}, {"kind": "gift"}, {"decision": None}, {"amount": 1.5}]:
        assert (await _adjust(org, "realisation_gain", "1.00", changes=bad)).status_code == 422, bad
    bad_diary = await _adjust(
        org, "realisation_gain", "1.00", changes={"decision": {**DECISION, "diary_number": "nonsense"}}
    )
    assert bad_diary.status_code == 422
    created = (await _adjust(org, "realisation_gain", "6.40")).json()
    url = f"/api/budget/balance-adjustments/{created['id']}"
    headers = org.auth(*FINANCE)
    assert (await org.client.patch(url, headers=headers, json={"amount": "6.50"})).status_code == 428
    changed = await org.client.patch(url, headers=if_match(headers, created), json={"amount": "6.50"})
    assert (changed.status_code, changed.json()["effect"]) == (200, "-6.50")
    history = (await org.client.get(f"{url}/history", headers=org.auth(*BOARD))).json()["items"]
    assert [h["action"] for h in history][-2:] in (["create", "update"], ["update", "create"])
    listed = (await org.client.get("/api/budget/balance-adjustments?year=2025", headers=org.auth(*BOARD))).json()
    assert [a["amount"] for a in listed] == ["6.50"]
    gone = await org.client.delete(url, headers=if_match(headers, changed.json()))
    assert gone.status_code == 204
    assert (await org.client.get(url, headers=headers)).status_code == 404


async def test_the_accounts_take_a_fixed_number_of_statements(ledger):
    path = "/api/budget/economy/region/accounts?year=2025"
    small = await _statements(ledger, path)
    await _book(ledger, 2025, LEDGER_2025, month=4)
    await _book(ledger, 2024, LEDGER_2025)
    await _adjust(ledger, "realisation_gain", "1.00")
    await _adjust(ledger, "reserve_use", "2.00", year=2024)
    assert await _statements(ledger, path) == small
