"""The year's follow-up: ledger outcomes, periodised budgets, forecasts by the unit's editors, closed years."""

from decimal import Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match

HSN_EDITOR = ("hsn.editor", "HSN:editor")


def _row(**fields):
    return {"unit_code": "HSN", "year": 2025, "month": 1, "category": "personnel", "amount": "100.00", **fields}


async def _add(stack, *rows, headers=None):
    return await stack.client.post(
        "/api/budget/outcomes", headers=headers or stack.auth(*FINANCE), json={"rows": list(rows)}
    )


async def _forecast(stack, headers, **fields):
    body = {
        "unit_code": "HSN",
        "year": 2025,
        "follow_up": "T1",
        "amount": "6250000000.00",
        "comment": "Hyrpersonal",
        **fields,
    }
    return await stack.client.post("/api/budget/forecasts", headers=headers, json=body)


async def test_finance_adds_ledger_rows_and_they_come_back_exact(org):
    rows = [_row(month=m, amount=f"{m}0000000.0{m}") for m in range(1, 10)] + [_row(category="revenue", amount="0.10")]
    response = await _add(org, *rows)
    assert response.status_code == 201
    assert response.json() == {"created": 10, "units": ["HSN"]}
    listed = (
        await org.client.get("/api/budget/outcomes?unit=HSN&year=2025&limit=500", headers=org.auth(*FINANCE))
    ).json()
    assert listed["total"] == 10
    assert sorted(Decimal(o["amount"]) for o in listed["items"]) == sorted(Decimal(r["amount"]) for r in rows)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("month", 13),
        ("month", 0),
        ("category", "travel"),
        ("amount", "1.005"),
        ("amount", 1.5),
        ("amount", "12,50"),
        ("year", 1999),
    ],
)
async def test_a_bad_ledger_row_is_422(org, field, value):
    response = await _add(org, _row(**{field: value}))
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][:4] == ["body", "rows", 0, field]


async def test_a_ledger_row_for_a_unit_that_does_not_exist_is_422(org):
    assert (await _add(org, _row(unit_code="NOPE"))).status_code == 422


async def test_a_ledger_row_twice_is_refused(org):
    assert (await _add(org, _row(), _row())).status_code == 422
    assert (await _add(org, _row())).status_code == 201
    assert (await _add(org, _row(month=2), _row())).status_code == 409
    listed = (await org.client.get("/api/budget/outcomes", headers=org.auth(*FINANCE))).json()
    assert listed["total"] == 1  # all or nothing: month 2 was not saved either


@pytest.mark.parametrize("roles", [("HSN:editor",), ("HSN:registrar",), ("auditor",), ("RS:reader",)])
async def test_only_finance_writes_outcomes(org, roles):
    await _add(org, _row())
    outcome = (await org.client.get("/api/budget/outcomes", headers=org.auth(*FINANCE))).json()["items"][0]
    headers = org.auth("x", *roles)
    assert (await _add(org, _row(month=3), headers=headers)).status_code == 403
    patch = await org.client.patch(
        f"/api/budget/outcomes/{outcome['id']}", headers=if_match(headers, outcome), json={"amount": "1"}
    )
    assert patch.status_code == 403


async def test_a_correction_needs_the_etag_and_is_kept_in_history(org):
    await _add(org, _row(amount="100.00"))
    headers = org.auth(*FINANCE)
    outcome = (await org.client.get("/api/budget/outcomes", headers=headers)).json()["items"][0]
    url = f"/api/budget/outcomes/{outcome['id']}"
    assert (await org.client.patch(url, headers=headers, json={"amount": "99.99"})).status_code == 428
    assert (
        await org.client.patch(url, headers=if_match(headers, outcome), json={"amount": "99.99"})
    ).status_code == 200
    assert (await org.client.patch(url, headers=if_match(headers, outcome), json={"amount": "1.00"})).status_code == 412
    history = (await org.client.get(f"{url}/history", headers=headers)).json()["items"]
    assert [(h["action"], (h["after"] or {}).get("amount")) for h in history] == [
        ("create", "100.00"),
        ("update", "99.99"),
    ]


async def test_a_units_outcomes_are_hidden_from_other_units(org):
    await _add(org, _row())
    outcome = (await org.client.get("/api/budget/outcomes", headers=org.auth(*FINANCE))).json()["items"][0]
    run_reader = org.auth("r", "RUN:reader")
    assert (await org.client.get("/api/budget/outcomes", headers=run_reader)).json()["total"] == 0
    assert (await org.client.get(f"/api/budget/outcomes/{outcome['id']}", headers=run_reader)).status_code == 404
    hsn_reader = org.auth("h", "HSN:reader")
    assert (await org.client.get(f"/api/budget/outcomes/{outcome['id']}", headers=hsn_reader)).status_code == 200


async def _frame(stack, amount="1200.00"):
    body = {"unit_code": "HSN", "year": 2025, "last_year_frame": amount}
    return (await stack.client.post("/api/budget/frames", headers=stack.auth(*FINANCE), json=body)).json()


async def test_the_months_of_a_periodised_budget_must_add_up_to_the_frame(org):
    await _frame(org, "1200.05")
    headers = org.auth(*FINANCE)
    url = "/api/budget/periodisations/HSN/2025"
    wrong = await org.client.put(url, headers=headers, json={"months": ["100.00"] * 12})
    assert wrong.status_code == 422
    months = ["100.00"] * 11 + ["100.05"]
    saved = await org.client.put(url, headers=headers, json={"months": months})
    assert saved.status_code == 200
    assert (saved.json()["months"], saved.json()["total"]) == (months, "1200.05")
    assert (await org.client.put(url, headers=headers, json={"months": months})).status_code == 428
    again = await org.client.put(
        url, headers=if_match(headers, saved.json()), json={"months": ["0.05"] + ["100.00"] * 11 + []}
    )
    assert again.status_code == 422
    replaced = await org.client.put(
        url, headers=if_match(headers, saved.json()), json={"months": ["200.05", *["90.91"] * 10, "90.90"]}
    )
    assert replaced.status_code == 200
    history = (await org.client.get(f"{url}/history", headers=headers)).json()["items"]
    assert [h["action"] for h in history] == ["create", "update"]


async def test_a_periodised_budget_needs_a_frame_and_twelve_months(org):
    headers = org.auth(*FINANCE)
    assert (
        await org.client.put("/api/budget/periodisations/HSN/2025", headers=headers, json={"months": ["0"] * 12})
    ).status_code == 422
    await _frame(org)
    assert (
        await org.client.put("/api/budget/periodisations/HSN/2025", headers=headers, json={"months": ["100"] * 13})
    ).status_code == 422


async def test_only_finance_periodises_and_only_the_unit_reads_it(org):
    await _frame(org)
    months = {"months": ["100.00"] * 12}
    refused = await org.client.put("/api/budget/periodisations/HSN/2025", headers=org.auth(*HSN_EDITOR), json=months)
    assert refused.status_code == 403
    assert (
        await org.client.put("/api/budget/periodisations/HSN/2025", headers=org.auth(*FINANCE), json=months)
    ).status_code == 200
    assert (
        await org.client.get("/api/budget/periodisations/HSN/2025", headers=org.auth("r", "RUN:reader"))
    ).status_code == 403
    assert (
        await org.client.get("/api/budget/periodisations/HSN/2025", headers=org.auth("r", "HSN:reader"))
    ).status_code == 200


async def test_a_units_editor_writes_its_forecasts_and_no_one_elses(org):
    editor = org.auth(*HSN_EDITOR)
    made = await _forecast(org, editor)
    assert made.status_code == 201
    assert made.json()["amount"] == "6250000000.00"
    assert (await _forecast(org, editor, unit_code="RUN")).status_code == 403
    assert (await _forecast(org, org.auth("r", "HSN:reader"), follow_up="T2")).status_code == 403
    run_editor = org.auth("run.editor", "RUN:editor")
    patch = await org.client.patch(
        f"/api/budget/forecasts/{made.json()['id']}", headers=if_match(run_editor, made.json()), json={"amount": "1.00"}
    )
    assert patch.status_code == 404  # RUN's editor does not see HSN's follow-up at all


async def test_a_forecast_change_needs_the_etag_and_keeps_history(org):
    editor = org.auth(*HSN_EDITOR)
    made = (await _forecast(org, editor)).json()
    url = f"/api/budget/forecasts/{made['id']}"
    assert (await org.client.patch(url, headers=editor, json={"amount": "1.00"})).status_code == 428
    changed = await org.client.patch(
        url, headers=if_match(editor, made), json={"amount": "6260000000.50", "comment": "Mer hyrpersonal"}
    )
    assert changed.json()["amount"] == "6260000000.50"
    assert (await org.client.patch(url, headers=if_match(editor, made), json={"amount": "1.00"})).status_code == 412
    history = (await org.client.get(f"{url}/history", headers=editor)).json()["items"]
    assert history[-1]["before"]["amount"] == "6250000000.00"
    assert (await _forecast(org, editor)).status_code == 409  # one forecast a unit and follow-up


@pytest.mark.parametrize(
    ("field", "value"), [("follow_up", "T4"), ("amount", "1.001"), ("unit_code", "hsn"), ("comment", "x" * 4001)]
)
async def test_a_bad_forecast_is_422(org, field, value):
    assert (await _forecast(org, org.auth(*HSN_EDITOR), **{field: value})).status_code == 422


async def test_a_closed_year_locks_its_forecasts_and_outcomes(org):
    editor = org.auth(*HSN_EDITOR)
    made = (await _forecast(org, editor)).json()
    await _add(org, _row())
    refused = await org.client.post(
        "/api/budget/closed-years", headers=editor, json={"year": 2025, "closed_on": "2026-02-15"}
    )
    assert refused.status_code == 403
    closed = await org.client.post(
        "/api/budget/closed-years", headers=org.auth(*FINANCE), json={"year": 2025, "closed_on": "2026-02-15"}
    )
    assert closed.status_code == 201
    late = await _forecast(org, editor, follow_up="T2")
    assert (late.status_code, late.json()["code"]) == (409, "locked")
    patch = await org.client.patch(
        f"/api/budget/forecasts/{made['id']}", headers=if_match(editor, made), json={"amount": "1.00"}
    )
    assert (patch.status_code, patch.json()["code"]) == (409, "locked")
    assert (await _add(org, _row(month=2))).status_code == 409
    assert (await _forecast(org, editor, year=2026)).status_code == 201
    again = await org.client.post(
        "/api/budget/closed-years", headers=org.auth(*FINANCE), json={"year": 2025, "closed_on": "2026-02-16"}
    )
    assert again.status_code == 409
    listed = (await org.client.get("/api/budget/closed-years", headers=editor)).json()
    assert [c["year"] for c in listed] == [2025]
