"""Drill-down: every figure of the economy read models adds up from the ledger rows (and the outcomes keyed
in by hand) that make it up, each row with the import batch it came from."""

from collections import defaultdict
from decimal import Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match
from tests.budget.test_ledger_import import FILE, account_plan, sent

BOARD = ("board", "RS:reader")
CATEGORIES = ("revenue", "personnel", "purchased_care", "pharmaceuticals", "other_costs", "depreciation")


async def all_rows(stack, path, headers):
    rows, offset = [], 0
    while True:
        response = await stack.client.get(f"{path}&limit=500&offset={offset}", headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        rows += page["items"]
        offset += 500
        if offset >= page["total"]:
            assert len(rows) == page["total"]
            return rows


async def test_the_rows_add_up_to_every_figure_of_every_unit_of_the_demo(seeded):
    headers = seeded.auth(*BOARD)
    for period in ("follow_up=T1", "follow_up=T2", ""):
        region = (await seeded.client.get(f"/api/budget/economy/region?year=2022&{period}", headers=headers)).json()
        rows = await all_rows(seeded, f"/api/budget/economy/region/ledger-rows?year=2022&{period}", headers)
        by_unit, by_category = defaultdict(Decimal), defaultdict(Decimal)
        for row in rows:
            by_unit[row["unit_code"]] += Decimal(row["counted"])
            by_category[row["unit_code"], row["category"]] += Decimal(row["amount"])
        assert region["units"]
        for unit in region["units"]:
            figures = unit["outcome_ytd"]
            assert by_unit[unit["unit_code"]] == Decimal(figures["net_cost"])
            for category in CATEGORIES:
                assert by_category[unit["unit_code"], category] == Decimal(figures[category]), (unit, category)
        assert sum(by_unit.values()) == Decimal(region["totals"]["outcome_ytd"]["net_cost"])
    assert {row["source"] for row in rows} == {"ledger-import"}
    assert all(row["batch_id"] and row["imported_at"] and row["account"] for row in rows)


async def test_a_units_cost_figure_drills_down_on_its_own_route_to_the_same_sum(seeded):
    headers = seeded.auth("hsn", "HSN:reader")
    unit = (await seeded.client.get("/api/budget/economy/units/HSN?year=2022&month=5", headers=headers)).json()
    for figure in ("costs", "personnel", "revenue"):
        path = f"/api/budget/economy/units/HSN/ledger-rows?year=2022&month=5&figure={figure}"
        rows = await all_rows(seeded, path, headers)
        assert {r["unit_code"] for r in rows} == {"HSN"}
        assert max(r["month"] for r in rows) == 5
        assert sum(Decimal(r["counted"]) for r in rows) == Decimal(unit["outcome_ytd"][figure])
    march = await all_rows(
        seeded, "/api/budget/economy/units/HSN/ledger-rows?year=2022&figure=personnel&only_month=3", headers
    )
    assert {r["month"] for r in march} == {3}
    page = await seeded.client.get("/api/budget/economy/units/HSN/ledger-rows?year=2022&limit=2", headers=headers)
    assert (len(page.json()["items"]), page.json()["limit"]) == (2, 2)
    assert page.json()["total"] > 2


async def test_the_year_accounts_tax_revenue_drills_down_to_the_rows_booked_on_rs(seeded):
    headers = seeded.auth(*FINANCE)
    accounts = (await seeded.client.get("/api/budget/economy/region/accounts?year=2022", headers=headers)).json()
    rows = await all_rows(seeded, "/api/budget/economy/region/ledger-rows?year=2022&figure=tax_revenue", headers)
    assert {r["unit_code"] for r in rows} == {"RS"}
    booked = sum(Decimal(r["booked"]) for r in rows)
    assert booked < 0  # a credit in the ledger, revenue in the income statement
    assert -booked == Decimal(accounts["income_statement"]["tax_revenue"]["amount"])


async def test_whoever_reads_the_figure_may_drill_into_it_and_no_one_else(seeded):
    path = "/api/budget/economy/units/HSN/ledger-rows?year=2022"
    for roles, expected in (
        (("HSN:reader",), 200),
        (("RF:reader",), 200),  # the council reads the economy as reported
        (("auditor",), 200),
        (("RUN:editor",), 403),
    ):
        response = await seeded.client.get(path, headers=seeded.auth("x", *roles))
        assert response.status_code == expected, (roles, response.text)
    region = "/api/budget/economy/region/ledger-rows?year=2022"
    assert (await seeded.client.get(region, headers=seeded.auth("x", "HSN:editor"))).status_code == 403
    assert (await seeded.client.get(region, headers=seeded.auth("x", "RS:reader"))).status_code == 200


async def test_bad_drill_down_queries_are_422(seeded):
    headers = seeded.auth(*BOARD)
    for query in ("year=1999", "year=2022&figure=result", "year=2022&only_month=13", "year=2022&limit=501"):
        response = await seeded.client.get(f"/api/budget/economy/region/ledger-rows?{query}", headers=headers)
        assert response.status_code == 422, query


@pytest.fixture
async def ledger(org):
    await account_plan(org)
    return org


async def _drilled(stack, unit, month):
    path = f"/api/budget/economy/units/{unit}/ledger-rows?year=2024&only_month={month}"
    return await all_rows(stack, path, stack.auth(*FINANCE))


async def test_an_import_keeps_its_rows_a_correction_stands_alone_and_a_new_file_takes_over(ledger):
    first = (await sent(ledger, FILE)).json()
    assert (first["rows_kept"], first["batch_id"] is not None) == (6, True)
    hsn = await _drilled(ledger, "HSN", 3)
    # In the order unit, month, category (by name), then as the file had them.
    assert [(r["account"], r["booked"], r["amount"], r["line"]) for r in hsn] == [
        ("5010", "2000000.10", "2000000.10", 4),
        ("5020", "0.20", "0.20", 5),
        ("3010", "-1234567.89", "1234567.89", 2),
        ("3020", "-0.11", "0.11", 3),
    ]
    assert {r["batch_id"] for r in hsn} == {first["batch_id"]}
    again = (await sent(ledger, FILE)).json()
    assert (again["applied"], again["batch_id"], again["rows_kept"]) == (False, None, 0)
    assert await _drilled(ledger, "HSN", 3) == hsn
    # RUN's pharmaceuticals corrected by hand: the outcome stands as one keyed row of its own.
    outcomes = (await ledger.client.get("/api/budget/outcomes?unit=RUN", headers=ledger.auth(*FINANCE))).json()
    pharma = next(o for o in outcomes["items"] if o["category"] == "pharmaceuticals")
    assert pharma["batch_id"] == first["batch_id"]
    corrected = await ledger.client.patch(
        f"/api/budget/outcomes/{pharma['id']}", headers=if_match(ledger.auth(*FINANCE), pharma), json={"amount": "13"}
    )
    assert corrected.status_code == 200, corrected.text
    run = {r["category"]: r for r in await _drilled(ledger, "RUN", 4)}
    assert (run["pharmaceuticals"]["source"], run["pharmaceuticals"]["amount"]) == ("keyed", "13.00")
    assert run["pharmaceuticals"]["batch_id"] is None
    # A new file changes HSN's personnel: its rows are now the new batch's, and only those.
    changed = FILE.replace("HSN;5020;2024-03;0,20", "HSN;5020;2024-03;1,20")
    later = (await sent(ledger, changed)).json()
    assert (later["updated"], later["rows_kept"]) == (1, 2)
    hsn = {(r["category"], r["account"]): r for r in await _drilled(ledger, "HSN", 3)}
    assert {k: r["batch_id"] for k, r in hsn.items()} == {
        ("revenue", "3010"): first["batch_id"],
        ("revenue", "3020"): first["batch_id"],
        ("personnel", "5010"): later["batch_id"],
        ("personnel", "5020"): later["batch_id"],
    }
    assert sum(Decimal(r["amount"]) for k, r in hsn.items() if k[0] == "personnel") == Decimal("2000001.30")


async def test_pages_of_imported_and_keyed_rows_read_as_the_whole_list_in_order_and_past_its_end(ledger):
    """Each branch of the list is read only as far as the page reaches: small pages at every offset give the
    list read whole, in its order, the keyed row among the imported ones; a page past the end still counts it."""
    await sent(ledger, FILE)
    headers = ledger.auth(*FINANCE)
    outcomes = (await ledger.client.get("/api/budget/outcomes?unit=HSN", headers=headers)).json()
    personnel = next(o for o in outcomes["items"] if o["category"] == "personnel")
    keyed = await ledger.client.patch(
        f"/api/budget/outcomes/{personnel['id']}", headers=if_match(headers, personnel), json={"amount": "7"}
    )
    assert keyed.status_code == 200, keyed.text
    path = "/api/budget/economy/region/ledger-rows?year=2024"
    whole = await all_rows(ledger, path, headers)
    order = [(r["unit_code"], r["month"], r["category"], r["row_id"] is None, r["row_id"] or 0) for r in whole]
    assert order == sorted(order)
    assert len(whole) >= 4
    assert [r["source"] for r in whole].count("keyed") == 1
    for limit in (1, 2, 3):
        paged = []
        for offset in range(0, len(whole), limit):
            page = (await ledger.client.get(f"{path}&limit={limit}&offset={offset}", headers=headers)).json()
            assert page["total"] == len(whole)
            paged += page["items"]
        assert paged == whole, limit
    past = (await ledger.client.get(f"{path}&limit=2&offset={len(whole) + 5}", headers=headers)).json()
    assert (past["items"], past["total"]) == ([], len(whole))
