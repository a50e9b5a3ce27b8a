"""An assignment or an activity names the audit recommendations it answers, checked with the audit service as the
caller: one it does not know is refused with problem details naming the field; each change is in the history."""

import uuid


def _if_match(headers: dict[str, str], record: dict) -> dict[str, str]:
    return {**headers, "If-Match": f'"{record["version"]}"'}


async def _recommendation(stack, body: str) -> str:
    found = await stack.client.get(f"/api/audit/recommendations?body={body}", headers=stack.auth("a", "auditor"))
    return str(found.json()["items"][0]["id"])


async def test_an_assignment_names_the_recommendation_it_answers_with_history(seeded):
    recommendation = await _recommendation(seeded, "RS")
    reader = seeded.auth("r", "RS:reader")
    assignment = (await seeded.client.get("/api/goals/assignments?limit=500", headers=reader)).json()["items"][0]
    issuer = seeded.auth("ingrid", f"{assignment['issuer_code']}:editor")
    changed = await seeded.client.patch(
        f"/api/goals/assignments/{assignment['id']}",
        headers=_if_match(issuer, assignment),
        json={"recommendation_ids": [recommendation, recommendation]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["recommendation_ids"] == [recommendation]
    history = (await seeded.client.get(f"/api/goals/assignments/{assignment['id']}/history", headers=reader)).json()[
        "items"
    ]
    assert (history[-1]["actor"], history[-1]["after"]["recommendation_ids"]) == ("ingrid", [recommendation])


async def test_an_activity_answers_a_recommendation_and_an_unknown_one_is_refused(seeded):
    recommendation = await _recommendation(seeded, "HSN")
    reader = seeded.auth("r", "HSN:reader")
    activity = (await seeded.client.get("/api/goals/activities?limit=500", headers=reader)).json()["items"][0]
    editor = seeded.auth("e", f"{activity['unit_code']}:editor")
    unknown = str(uuid.uuid4())
    refused = await seeded.client.patch(
        f"/api/goals/activities/{activity['id']}",
        headers=_if_match(editor, activity),
        json={"recommendation_ids": [recommendation, unknown]},
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["loc"] == ["body", "recommendation_ids[1]"]
    created = await seeded.client.post(
        "/api/goals/activities",
        headers=editor,
        json={
            "unit_code": activity["unit_code"],
            "goal_id": activity["goal_id"],
            "title": "Ny rutin för uppföljning",
            "recommendation_ids": [recommendation],
        },
    )
    assert created.status_code == 201, created.text
    assert created.json()["recommendation_ids"] == [recommendation]
    refused = await seeded.client.post(
        "/api/goals/activities",
        headers=editor,
        json={**{k: created.json()[k] for k in ("unit_code", "goal_id", "title")}, "recommendation_ids": [unknown]},
    )
    assert refused.json()["errors"][0]["loc"] == ["body", "recommendation_ids[0]"]


async def test_audit_unreachable_is_503_not_500(seeded):
    activity = (await seeded.client.get("/api/goals/activities", headers=seeded.auth("r", "HSN:reader"))).json()
    activity = activity["items"][0]
    seeded.transport.down.add("audit")
    response = await seeded.client.patch(
        f"/api/goals/activities/{activity['id']}",
        headers=_if_match(seeded.auth("e", f"{activity['unit_code']}:editor"), activity),
        json={"recommendation_ids": [str(uuid.uuid4())]},
    )
    assert response.status_code == 503
    assert response.json()["service"] == "audit"
