"""Indicators by id with every value and their colour today: what the trace reads. Those the caller may not read
are left out, as if absent."""


async def test_indicators_by_id_with_their_values_and_colour_leave_out_what_the_caller_may_not_read(seeded):
    board = seeded.auth("rs", "RS:editor")
    goals = (await seeded.client.get("/api/goals/goals?limit=500", headers=board)).json()["items"]
    decided = next(g for g in goals if g["status"] == "decided" and g["unit_code"] == "HSN")
    draft = next(g for g in goals if g["status"] == "draft" and g["unit_code"] == "RS")
    on_draft = await seeded.client.post(
        "/api/goals/indicators",
        headers=board,
        json={
            "goal_id": draft["id"],
            "name": "Digitala ärenden",
            "unit_of_measure": "%",
            "direction": "higher_is_better",
        },
    )
    assert on_draft.status_code == 201, on_draft.text
    listed = (await seeded.client.get(f"/api/goals/indicators?goal={decided['id']}", headers=board)).json()["items"]
    wanted = [i["id"] for i in listed] + [on_draft.json()["id"]]

    found = await seeded.client.get("/api/goals/indicators/series", params={"ids": wanted}, headers=board)
    assert found.status_code == 200, found.text
    assert {i["id"] for i in found.json()["items"]} == set(wanted)
    for item in found.json()["items"]:
        measured = await seeded.client.get(f"/api/goals/indicators/{item['id']}/measurements", headers=board)
        assert [p["period"] for p in item["measurements"]] == [m["period"] for m in measured.json()["items"]]
        assert item["unit_code"] == ("RS" if item["id"] == on_draft.json()["id"] else "HSN")
    assert {i["colour"] for i in found.json()["items"] if i["id"] == on_draft.json()["id"]} == {"grey"}

    outsider = seeded.auth("r", "RUN:reader")
    seen = await seeded.client.get("/api/goals/indicators/series", params={"ids": wanted}, headers=outsider)
    assert {i["id"] for i in seen.json()["items"]} == set(wanted) - {on_draft.json()["id"]}
