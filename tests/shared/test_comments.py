"""Comments beside a recommendation, an action, a goal and a report section: who may write and read them,
kept as written, in the change feed with their author."""

import pytest

AUDITOR = ("revisor", "auditor")
UNIT = "HSN"


async def _first(seeded, path, **where):
    items = (await seeded.client.get(path, headers=seeded.auth("setup", "admin"))).json()["items"]
    return next(i for i in items if all(i.get(k) == v for k, v in where.items()))


async def _comment(seeded, path, text, *roles, sub="anna", name="Anna Andersson"):
    headers = seeded.auth(sub, *roles, name=name)
    return await seeded.client.post(f"{path}/comments", headers=headers, json={"text": text})


async def test_the_auditors_and_the_body_discuss_a_recommendation_in_order(seeded):
    rec = await _first(seeded, f"/api/audit/recommendations?body={UNIT}&limit=500")
    path = f"/api/audit/recommendations/{rec['id']}"
    asked = await _comment(seeded, path, "Hur följs rutinen upp?", *AUDITOR[1:], sub="revisor", name="Rut Revisor")
    assert asked.status_code == 201, asked.text
    answered = await _comment(seeded, path, "Varje kvartal, i nämndens uppföljning.", f"{UNIT}:editor")
    assert answered.status_code == 201, answered.text
    listed = await seeded.client.get(f"{path}/comments", headers=seeded.auth("bo", "RS:reader"))
    assert listed.status_code == 200
    assert [(c["author"], c["author_name"], c["text"]) for c in listed.json()["items"]] == [
        ("revisor", "Rut Revisor", "Hur följs rutinen upp?"),
        ("anna", "Anna Andersson", "Varje kvartal, i nämndens uppföljning."),
    ]
    assert {c["record_kind"] for c in listed.json()["items"]} == {"recommendation"}


async def test_a_reader_and_another_bodys_editor_may_not_comment(seeded):
    action = await _first(seeded, f"/api/audit/actions?body={UNIT}&limit=500")
    path = f"/api/audit/actions/{action['id']}"
    for roles in (("RS:reader",), ("RUN:editor",)):
        refused = await _comment(seeded, path, "Jag vill också säga något.", *roles)
        assert refused.status_code == 403, (roles, refused.text)
        assert refused.headers["content-type"].startswith("application/problem+json")
    listed = await seeded.client.get(f"{path}/comments", headers=seeded.auth("bo", "RS:reader"))
    assert listed.json()["items"] == []


@pytest.mark.parametrize("text", ["", "   \n", "x" * 4001])
async def test_an_empty_or_overlong_comment_is_a_422_problem(seeded, text):
    action = await _first(seeded, f"/api/audit/actions?body={UNIT}&limit=500")
    refused = await _comment(seeded, f"/api/audit/actions/{action['id']}", text, f"{UNIT}:editor")
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"] == ["body", "text"]


async def test_a_comment_stays_as_written_and_the_feed_names_its_author(seeded):
    action = await _first(seeded, f"/api/audit/actions?body={UNIT}&limit=500")
    path = f"/api/audit/actions/{action['id']}"
    reader = seeded.auth("bo", "RS:reader")
    head = (await seeded.client.get("/api/audit/changes/head", headers=reader)).json()["position"]
    comment = (await _comment(seeded, path, "Klart enligt plan.", f"{UNIT}:editor")).json()
    editor = seeded.auth("anna", f"{UNIT}:editor")
    for method in ("PATCH", "PUT", "DELETE"):
        changed = await seeded.client.request(method, f"{path}/comments/{comment['id']}", headers=editor, json={})
        assert changed.status_code in (404, 405), (method, changed.status_code)
    feed = (await seeded.client.get(f"/api/audit/changes?after={head}", headers=reader)).json()["items"]
    created = [e for e in feed if e["entity_id"] == comment["id"]]
    assert [(e["action"], e["actor"], e["after"]["text"]) for e in created] == [
        ("create", "anna", "Klart enligt plan.")
    ]


async def test_a_draft_goals_comments_are_hidden_from_those_who_may_not_read_it(seeded):
    created = await seeded.client.post(
        "/api/goals/goals",
        headers=seeded.auth("anna", f"{UNIT}:editor"),
        json={"unit_code": UNIT, "title": "Kortare väntetider", "start_year": 2023, "end_year": 2026},
    )
    assert created.status_code == 201, created.text
    draft = created.json()
    path = f"/api/goals/goals/{draft['id']}"
    written = await _comment(seeded, path, "Målet behöver en indikator.", f"{UNIT}:editor")
    assert written.status_code == 201, written.text
    assert (await _comment(seeded, path, "Vi ser det.", "RUN:editor", sub="rune")).status_code == 404
    hidden = await seeded.client.get(f"{path}/comments", headers=seeded.auth("r", "RUN:reader"))
    assert hidden.status_code == 404
    own = await seeded.client.get(f"{path}/comments", headers=seeded.auth("h", f"{UNIT}:reader"))
    assert [c["text"] for c in own.json()["items"]] == ["Målet behöver en indikator."]


async def test_the_auditors_comment_on_a_decided_goal(seeded):
    goal = await _first(seeded, f"/api/goals/goals?unit={UNIT}&status=decided&limit=500")
    written = await _comment(seeded, f"/api/goals/goals/{goal['id']}", "Mätbart?", "auditor", sub="revisor")
    assert written.status_code == 201, written.text
    assert written.json()["record_kind"] == "goal"


async def test_a_sections_editors_comment_on_it_and_others_are_refused(seeded):
    edition = await seeded.client.post(
        "/api/goals/report-editions",
        headers=seeded.auth("e", "RS:editor"),
        json={"kind": "interim", "year": 2022, "period": "T2"},
    )
    assert edition.status_code == 201, edition.text
    section = next(s for s in edition.json()["sections"] if s["unit_code"] == UNIT)
    path = f"/api/goals/report-editions/{edition.json()['id']}/sections/{section['id']}"
    assert (await _comment(seeded, path, "Lägg till vårdköerna.", f"{UNIT}:editor")).status_code == 201
    assert (await _comment(seeded, path, "Och vi?", "RUN:editor")).status_code == 404
    listed = await seeded.client.get(f"{path}/comments", headers=seeded.auth("b", "RS:reader"))
    assert [c["record_kind"] for c in listed.json()["items"]] == ["report-section"]
