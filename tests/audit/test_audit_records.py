"""Audit reports, recommendations and actions: the auditors write theirs, the bodies write theirs."""

import pytest

REPORT = {
    "title": "Granskning av investeringsprocessen",
    "audit_year": 2021,
    "received_on": "2021-11-15",
    "assessments": [{"question": "Är styrningen tillräcklig?", "assessment": "limited"}],
    "recipients": [
        {"body_code": "RS", "diary_number": "RS/804/2021"},
        {"body_code": "HSN", "diary_number": "HSN/1815/2021"},
    ],
    "recommendations": [
        {"body_code": "RS", "text": "Inför en längre planeringshorisont för investeringar."},
        {"body_code": "HSN", "text": "Planera investeringarna minst fem år framåt.", "response_due_on": "2022-03-31"},
    ],
}


async def _create_report(stack, **changes):
    return await stack.client.post(
        "/api/audit/reports", headers=stack.auth("revisor", "auditor"), json={**REPORT, **changes}
    )


async def test_an_auditor_records_a_report_with_recommendations(stack):
    response = await _create_report(stack)
    assert response.status_code == 201
    body = response.json()
    assert [r["body_code"] for r in body["recommendations"]] == ["RS", "HSN"]
    recs = (await stack.client.get("/api/audit/recommendations?body=HSN", headers=stack.auth("r", "HSN:reader"))).json()
    assert recs["total"] == 1
    assert recs["items"][0]["response_due_on"] == "2022-03-31"


@pytest.mark.parametrize("roles", [("RS:registrar",), ("finance",), ("admin",)])
async def test_only_auditors_write_reports(stack, roles):
    response = await stack.client.post("/api/audit/reports", headers=stack.auth("x", *roles), json=REPORT)
    assert response.status_code == 403


@pytest.mark.parametrize("diary", ["RS-782-2020", "rs/782/2020", "RS/782/20", "RS//2020"])
async def test_a_diary_number_off_the_regions_pattern_is_422(stack, diary):
    response = await _create_report(stack, recipients=[{"body_code": "RS", "diary_number": diary}], recommendations=[])
    assert response.status_code == 422
    assert response.json()["field"] == "recipients[0].diary_number"


async def test_a_recommendation_to_a_body_the_report_is_not_sent_to_is_422(stack):
    response = await _create_report(stack, recommendations=[{"body_code": "RUN", "text": "x"}])
    assert response.status_code == 422


async def _report_and_recs(stack):
    body = (await _create_report(stack)).json()
    return {r["body_code"]: r["id"] for r in body["recommendations"]}


async def test_a_bodys_editor_records_actions_and_another_bodys_editor_is_refused(stack):
    recs = await _report_and_recs(stack)
    action = {
        "body_code": "HSN",
        "title": "Femårig investeringsplan",
        "owner": "Hälso- och sjukvårdsdirektör",
        "deadline_on": "2022-12-31",
        "recommendation_ids": [recs["HSN"]],
    }
    refused = await stack.client.post("/api/audit/actions", headers=stack.auth("e", "RS:editor"), json=action)
    assert refused.status_code == 403
    assert refused.json()["required"] == "HSN:editor"
    # An editor of HSN's administration is below HSN, so it does not reach up to HSN's own actions.
    assert (
        await stack.client.post("/api/audit/actions", headers=stack.auth("e", "HSF:editor"), json=action)
    ).status_code == 403
    created = await stack.client.post("/api/audit/actions", headers=stack.auth("e", "HSN:editor"), json=action)
    assert created.status_code == 201
    assert created.json()["recommendation_ids"] == [recs["HSN"]]


async def test_an_action_cannot_answer_another_bodys_recommendation(stack):
    recs = await _report_and_recs(stack)
    response = await stack.client.post(
        "/api/audit/actions",
        headers=stack.auth("e", "HSN:editor"),
        json={"body_code": "HSN", "title": "t", "recommendation_ids": [recs["RS"]]},
    )
    assert response.status_code == 422


async def test_auditors_do_not_write_actions(stack):
    recs = await _report_and_recs(stack)
    response = await stack.client.post(
        "/api/audit/actions",
        headers=stack.auth("a", "auditor"),
        json={"body_code": "RS", "title": "t", "recommendation_ids": [recs["RS"]]},
    )
    assert response.status_code == 403


async def test_progress_on_an_action_is_kept_with_who_and_when(seeded):
    editor = seeded.auth("stab", "RS:editor", name="Regionstaben")
    action = (await seeded.client.get("/api/audit/actions?body=RS&status=planned", headers=editor)).json()["items"][0]
    response = await seeded.client.patch(
        f"/api/audit/actions/{action['id']}",
        json={"status": "in_progress"},
        headers={**editor, "If-Match": f'"{action["version"]}"'},
    )
    assert response.status_code == 200
    assert response.json()["status"] == "in_progress"
    note = await seeded.client.post(
        f"/api/audit/actions/{action['id']}/notes",
        json={"noted_on": "2020-11-20", "text": "Förslag lämnat till fullmäktige i november."},
        headers=editor,
    )
    assert note.status_code == 201
    again = (await seeded.client.get(f"/api/audit/actions/{action['id']}", headers=editor)).json()
    assert [(n["noted_on"], n["text"][:7]) for n in again["progress_notes"]] == [("2020-11-20", "Förslag")]
    refused = await seeded.client.patch(
        f"/api/audit/actions/{action['id']}",
        json={"status": "done"},
        headers={**seeded.auth("h", "HSN:editor"), "If-Match": response.headers["etag"]},
    )
    assert refused.status_code == 403
    history = (await seeded.client.get(f"/api/audit/actions/{action['id']}/history", headers=editor)).json()
    assert [h["action"] for h in history["items"]] == ["create", "update"]
    assert history["items"][1]["after"]["status"] == "in_progress"
