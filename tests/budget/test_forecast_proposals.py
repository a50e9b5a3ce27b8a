"""Forecast proposals: per account category, from the outcome so far and last year's monthly profile; an editor
accepts or adjusts each, and the proposal and the choice are both kept, both in history."""

from decimal import ROUND_HALF_UP, Decimal

from tests.budget.conftest import FINANCE, if_match

HSN_EDITOR = ("anna", "HSN:editor")
CENT = Decimal("0.01")


def _row(year, month, category, amount):
    return {"unit_code": "HSN", "year": year, "month": month, "category": category, "amount": amount}


async def _book(stack, rows):
    made = await stack.client.post("/api/budget/outcomes", headers=stack.auth(*FINANCE), json={"rows": rows})
    assert made.status_code in (200, 201), made.text


async def _propose(stack, who=HSN_EDITOR, **body):
    request = {"unit_code": "HSN", "year": 2026, "follow_up": "T1", **body}
    return await stack.client.post("/api/budget/forecast-proposals", headers=stack.auth(*who), json=request)


async def test_a_proposal_scales_the_outcome_so_far_by_last_years_profile(org):
    # Last year: personnel 10 a month in January–April, 20 a month after; this year 11 a month so far.
    last = [_row(2025, m, "personnel", "10000000.00" if m <= 4 else "20000000.00") for m in range(1, 13)]
    this = [_row(2026, m, "personnel", "11000000.00") for m in range(1, 6)]
    await _book(org, [*last, *this, _row(2026, 2, "revenue", "3000000.00")])
    response = await _propose(org)
    assert response.status_code == 200, response.text
    by_category = {p["category"]: p for p in response.json()}
    personnel = by_category["personnel"]
    so_far, last_so_far, last_total = Decimal(44_000_000), Decimal(40_000_000), Decimal(200_000_000)
    assert (personnel["outcome_so_far"], personnel["last_year_so_far"]) == (str(so_far.quantize(CENT)), "40000000.00")
    assert personnel["proposed"] == str((so_far * last_total / last_so_far).quantize(CENT, ROUND_HALF_UP))
    # No profile last year: the months' average over the whole year.
    assert by_category["revenue"]["proposed"] == str((Decimal(3_000_000) * 12 / 4).quantize(CENT))
    assert {p["status"] for p in response.json()} == {"proposed"}


async def test_an_editor_accepts_or_adjusts_and_both_stay_in_history(org):
    await _book(org, [_row(2026, m, "personnel", "11000000.00") for m in range(1, 5)])
    proposals = {p["category"]: p for p in (await _propose(org)).json()}
    editor = org.auth(*HSN_EDITOR)
    personnel, care = proposals["personnel"], proposals["purchased_care"]
    path = f"/api/budget/forecast-proposals/{personnel['id']}/choice"
    assert (await org.client.post(path, headers=editor, json={"accept": True})).status_code == 428
    both = {"accept": True, "amount": "1.00"}
    assert (await org.client.post(path, headers=if_match(editor, personnel), json=both)).status_code == 422
    accepted = await org.client.post(path, headers=if_match(editor, personnel), json={"accept": True})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["status"], accepted.json()["chosen"]) == ("accepted", personnel["proposed"])
    adjusted = await org.client.post(
        f"/api/budget/forecast-proposals/{care['id']}/choice",
        headers=if_match(editor, care),
        json={"amount": "5000000.00", "comment": "Avtal om regionsjukhusvård"},
    )
    assert adjusted.status_code == 200, adjusted.text
    body = adjusted.json()
    assert (body["status"], body["proposed"], body["chosen"]) == ("adjusted", care["proposed"], "5000000.00")
    history = await org.client.get(f"/api/budget/forecast-proposals/{care['id']}/history", headers=editor)
    entries = history.json()["items"]
    created = next(h for h in entries if h["action"] == "create")
    update = next(h for h in entries if h["action"] == "update")
    assert created["after"]["proposed"] == care["proposed"]
    assert (update["before"]["chosen"], update["after"]["chosen"]) == (None, "5000000.00")
    assert update["after"]["proposed"] == care["proposed"]
    # Proposing again refreshes only the proposals nobody has chosen on.
    await _book(org, [_row(2026, 4, "purchased_care", "1000000.00")])
    again = {p["category"]: p for p in (await _propose(org)).json()}
    assert again["purchased_care"]["chosen"] == "5000000.00"
    assert again["purchased_care"]["outcome_so_far"] == "0.00"


async def test_only_the_units_editors_propose_and_choose_and_others_see_nothing(org):
    refused = await _propose(org, who=("e", "RUN:editor"))
    assert (refused.status_code, refused.json()["required"]) == (403, "HSN:editor")
    made = (await _propose(org)).json()
    hidden = await org.client.get(
        f"/api/budget/forecast-proposals/{made[0]['id']}", headers=org.auth("e", "RUN:editor")
    )
    assert hidden.status_code == 404
    listed = await org.client.get("/api/budget/forecast-proposals", headers=org.auth("e", "RUN:editor"))
    assert listed.json()["total"] == 0
    assert (await _propose(org, follow_up="T3")).status_code == 409


async def test_the_demo_has_hsns_t2_proposals_one_accepted_one_adjusted(seeded):
    listed = await seeded.client.get(
        "/api/budget/forecast-proposals?unit=HSN&year=2022&follow_up=T2", headers=seeded.auth(*FINANCE)
    )
    statuses = {p["category"]: p["status"] for p in listed.json()["items"]}
    assert statuses["personnel"] == "accepted"
    assert statuses["purchased_care"] == "adjusted"
    assert list(statuses.values()).count("proposed") == len(statuses) - 2
