"""Investments: the yearly frame, projects with ten-year plans and their operating-cost consequences, the plan view."""

from decimal import Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match


def _plan(first=2025, years=10, per_year="1000000.00"):
    return [
        {
            "year": first + i,
            "planned": per_year,
            "depreciation": f"{(i + 1) * 20000}.00",
            "interest": "5000.50",
            "running_costs": "12000.00",
        }
        for i in range(years)
    ]


def _project(**fields):
    body = {
        "name": "Ny akutmottagning Östersund",
        "owner_unit": "HSN",
        "category": "buildings",
        "total": "10000000.00",
        "years": _plan(),
    }
    return {**body, **fields}


async def _create(stack, headers=None, **fields):
    return await stack.client.post(
        "/api/budget/investments", headers=headers or stack.auth(*FINANCE), json=_project(**fields)
    )


async def test_a_project_keeps_its_ten_year_plan_exactly(org):
    response = await _create(org)
    assert response.status_code == 201
    body = response.json()
    assert (body["first_year"], body["last_year"], len(body["years"])) == (2025, 2034, 10)
    assert body["years"][0] == {
        "year": 2025,
        "planned": "1000000.00",
        "outcome": "0.00",
        "depreciation": "20000.00",
        "interest": "5000.50",
        "running_costs": "12000.00",
    }
    read = await org.client.get(f"/api/budget/investments/{body['id']}", headers=org.auth("r", "RUN:reader"))
    assert read.json()["years"] == body["years"]


@pytest.mark.parametrize(
    "fields",
    [
        {"total": "9999999.99"},  # the plan does not add up to the total
        {"category": "boats"},
        {"owner_unit": "NOPE"},
        {"years": [*_plan(years=1), *_plan(years=1)]},  # a year twice
        {"years": _plan(first=1999, years=1, per_year="10000000.00")},
        {"total": "1.005"},
        {"name": ""},
    ],
)
async def test_a_bad_project_is_422(org, fields):
    assert (await _create(org, **fields)).status_code == 422


async def test_the_owner_units_editor_or_finance_write_a_project(org):
    assert (await _create(org, headers=org.auth("e", "HSN:editor"))).status_code == 201
    assert (await _create(org, headers=org.auth("e", "RUN:editor"))).status_code == 403
    assert (await _create(org, headers=org.auth("r", "HSN:reader"))).status_code == 403
    assert (await _create(org, headers=org.auth("a", "auditor"))).status_code == 403


async def test_replacing_the_plan_needs_the_etag_and_keeps_history(org):
    project = (await _create(org)).json()
    url = f"/api/budget/investments/{project['id']}/years"
    headers = org.auth("e", "HSN:editor")
    plan = {"total": "12000000.00", "years": _plan(years=12)}
    assert (await org.client.put(url, headers=headers, json=plan)).status_code == 428
    assert (
        await org.client.put(url, headers=if_match(org.auth("e", "RUN:editor"), project), json=plan)
    ).status_code == 403
    replaced = await org.client.put(url, headers=if_match(headers, project), json=plan)
    assert replaced.status_code == 200
    assert (replaced.json()["total"], replaced.json()["last_year"]) == ("12000000.00", 2036)
    assert (await org.client.put(url, headers=if_match(headers, project), json=plan)).status_code == 412
    history = (await org.client.get(f"/api/budget/investments/{project['id']}/history", headers=headers)).json()[
        "items"
    ]
    assert [h["action"] for h in history] == ["create", "update"]
    assert (history[-1]["before"]["total"], history[-1]["after"]["total"]) == ("10000000.00", "12000000.00")


async def test_a_status_change_needs_the_etag(org):
    project = (await _create(org)).json()
    url = f"/api/budget/investments/{project['id']}"
    headers = org.auth(*FINANCE)
    assert (await org.client.patch(url, headers=headers, json={"status": "approved"})).status_code == 428
    assert (
        await org.client.patch(url, headers=if_match(org.auth("r", "HSN:reader"), project), json={"status": "approved"})
    ).status_code == 403
    changed = await org.client.patch(url, headers=if_match(headers, project), json={"status": "approved"})
    assert changed.json()["status"] == "approved"


async def test_only_finance_sets_the_investment_frame(org):
    body = {"year": 2025, "amount": "450000000.00"}
    assert (
        await org.client.post("/api/budget/investment-frames", headers=org.auth("e", "HSN:editor"), json=body)
    ).status_code == 403
    made = await org.client.post("/api/budget/investment-frames", headers=org.auth(*FINANCE), json=body)
    assert made.status_code == 201
    assert (
        await org.client.post("/api/budget/investment-frames", headers=org.auth(*FINANCE), json=body)
    ).status_code == 409
    url = "/api/budget/investment-frames/2025"
    assert (await org.client.patch(url, headers=org.auth(*FINANCE), json={"amount": "1"})).status_code == 428
    changed = await org.client.patch(
        url, headers=if_match(org.auth(*FINANCE), made.json()), json={"amount": "460000000.00"}
    )
    assert changed.json()["amount"] == "460000000.00"
    assert len((await org.client.get(f"{url}/history", headers=org.auth(*FINANCE))).json()["items"]) == 2


async def test_the_plan_shows_the_years_beyond_the_plan_period_and_the_consequences(org):
    headers = org.auth(*FINANCE)
    await org.client.post("/api/budget/investment-frames", headers=headers, json={"year": 2025, "amount": "1500000.00"})
    await _create(org)
    await _create(
        org,
        name="Datortomograf",
        category="medical_equipment",
        total="3000000.03",
        years=_plan(years=3, per_year="1000000.01"),
    )
    await _create(org, name="Inställt", status="cancelled")
    plan = (
        await org.client.get(
            "/api/budget/investments/plan?from_year=2025&years=12&plan_period_years=3",
            headers=org.auth("r", "RUN:reader"),
        )
    ).json()
    assert [y["year"] for y in plan["years"]] == list(range(2025, 2037))
    assert [y["beyond_plan_period"] for y in plan["years"][:4]] == [False, False, False, True]
    first = plan["years"][0]
    assert (first["frame"], first["planned"], first["frame_margin"]) == ("1500000.00", "2000000.01", "-500000.01")
    assert first["planned_by_category"]["medical_equipment"] == "1000000.01"
    assert first["operating_consequences"] == str(Decimal("40000.00") + Decimal("10001.00") + Decimal("24000.00"))
    assert first["projects"] == 2  # the cancelled one does not count
    assert plan["years"][9]["planned"] == "1000000.00"
    assert plan["years"][11]["planned"] == "0.00"
    assert plan["total_planned"] == "13000000.03"


async def test_a_years_history_follows_it_across_replaced_plans(org):
    project = (await _create(org)).json()
    url = f"/api/budget/investments/{project['id']}"
    headers = org.auth("e", "HSN:editor")
    years = _plan()
    years[0]["planned"] = "1500000.00"
    years[1]["planned"] = "500000.00"
    replaced = await org.client.put(f"{url}/years", headers=if_match(headers, project), json={"years": years})
    assert replaced.status_code == 200
    history = await org.client.get(f"{url}/years/2025/history", headers=org.auth("r", "RUN:reader"))
    assert history.status_code == 200
    entries = history.json()["items"]
    assert [h["action"] for h in entries] == ["create", "delete", "create"]
    assert [(h["after"] or h["before"])["planned"] for h in entries] == ["1000000.00", "1000000.00", "1500000.00"]
    assert {(h["after"] or h["before"])["year"] for h in entries} == {2025}
    assert (await org.client.get(f"{url}/years/2040/history", headers=headers)).status_code == 404
    other = (await _create(org, name="Ny vårdcentral")).json()
    assert (await org.client.get(f"/api/budget/investments/{other['id']}/years/2025/history", headers=headers)).json()[
        "total"
    ] == 1


async def test_the_plan_as_at_a_date_shows_outcomes_only_of_the_years_ended_by_then(org):
    plan = _plan(years=2)
    plan[0]["outcome"] = "950000.00"  # the full-year outcome of 2025, typed in after the year
    assert (await _create(org, total="2000000.00", years=plan)).status_code == 201
    headers = org.auth("r", "RS:reader")
    answers = {}
    for as_of in ("2025-08-31", "2025-12-31"):
        body = (
            await org.client.get(f"/api/budget/investments/plan?from_year=2025&as_of={as_of}", headers=headers)
        ).json()
        answers[as_of] = (body["as_of"], [y["outcome"] for y in body["years"][:2]], body["years"][0]["planned"])
    assert answers == {
        "2025-08-31": ("2025-08-31", [None, None], "1000000.00"),
        "2025-12-31": ("2025-12-31", ["950000.00", None], "1000000.00"),
    }
