"""Accountability statements: the auditors' yearly word on each body, one per body and year."""

import pytest

from tests.audit.conftest import AUDITOR, etag

STATEMENT = {
    "year": 2021,
    "body_code": "HSN",
    "issued_on": "2022-04-12",
    "discharge_recommended": True,
    "remark": True,
    "remark_grounds": "Bristande styrning och ledning samt bristande måluppfyllelse.",
    "internal_control_sufficient": False,
    "diary_number": "RS/53/2022",
}


async def _create(stack, roles=AUDITOR, **changes):
    return await stack.client.post(
        "/api/audit/statements", headers=stack.auth("u", *roles), json={**STATEMENT, **changes}
    )


async def test_an_auditor_records_a_statement_with_a_remark_and_its_grounds(stack):
    created = await _create(stack)
    assert created.status_code == 201
    body = created.json()
    assert (body["discharge_recommended"], body["remark"], body["internal_control_sufficient"]) == (True, True, False)
    assert body["remark_grounds"].startswith("Bristande styrning")
    listed = (
        await stack.client.get("/api/audit/statements?body=HSN&year=2021", headers=stack.auth("r", "RUN:reader"))
    ).json()
    assert [s["id"] for s in listed["items"]] == [body["id"]]


@pytest.mark.parametrize("roles", [("HSN:editor",), ("HSN:registrar",), ("RS:registrar",), ("admin",), ("finance",)])
async def test_only_auditors_write_statements(stack, roles):
    assert (await _create(stack, roles=roles)).status_code == 403
    statement = (await _create(stack)).json()
    changed = await stack.client.patch(
        f"/api/audit/statements/{statement['id']}",
        headers={**stack.auth("u", *roles), **etag(statement)},
        json={"remark": False},
    )
    assert changed.status_code == 403


@pytest.mark.parametrize(
    "change",
    [{"remark_grounds": None}, {"diary_number": "RS 53 2022"}, {"year": 1999}, {"discharge_recommended": "kanske"}],
)
async def test_a_bad_statement_is_422(stack, change):
    assert (await _create(stack, **change)).status_code == 422


async def test_one_statement_per_body_and_year(stack):
    assert (await _create(stack)).status_code == 201
    assert (await _create(stack)).status_code == 409
    assert (await _create(stack, year=2022)).status_code == 201


async def test_a_statement_is_changed_with_if_match_and_keeps_its_history(stack):
    statement = (await _create(stack)).json()
    url = f"/api/audit/statements/{statement['id']}"
    headers = stack.auth("u", *AUDITOR)
    assert (await stack.client.patch(url, headers=headers, json={"remark": False})).status_code == 428
    # Withdrawing the grounds while the remark stands is refused.
    no_grounds = await stack.client.patch(url, headers={**headers, **etag(statement)}, json={"remark_grounds": None})
    assert no_grounds.status_code == 422
    changed = await stack.client.patch(
        url, headers={**headers, **etag(statement)}, json={"remark": False, "remark_grounds": None}
    )
    assert changed.status_code == 200
    assert (
        await stack.client.patch(url, headers={**headers, **etag(statement)}, json={"remark": True})
    ).status_code == 412
    history = (await stack.client.get(f"{url}/history", headers=stack.auth("r", "HSN:reader"))).json()["items"]
    assert [h["after"]["remark"] for h in history] == [True, False]


async def test_discharge_is_stated_or_explicitly_left_open_when_the_auditors_were_divided(stack):
    missing = {k: v for k, v in STATEMENT.items() if k != "discharge_recommended"}
    response = await stack.client.post("/api/audit/statements", headers=stack.auth("u", *AUDITOR), json=missing)
    assert response.status_code == 422
    divided = await _create(stack, discharge_recommended=None)
    assert divided.status_code == 201
    assert divided.json()["discharge_recommended"] is None
