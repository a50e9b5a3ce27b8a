"""Responses: the addressed body's editors write them, its registrar decides them, and then they are locked."""

import pytest

from tests.audit.conftest import AUDITOR, etag


async def test_the_whole_round_through_the_gateway(audit):
    # The auditor made the report; the auditor cannot answer it.
    assert (await audit.respond("RS", roles=AUDITOR)).status_code == 403
    # RS's editor answers RS's recommendation and records an action; HSN's are refused.
    created = await audit.respond("RS")
    assert created.status_code == 201
    response = created.json()
    assert (response["status"], response["decision"]) == ("draft", None)
    assert (await audit.respond("HSN", roles=("RS:editor",))).status_code == 403
    assert (await audit.act("RS", deadline_on="2022-12-31")).status_code == 201
    assert (await audit.act("HSN", roles=("RS:editor",))).status_code == 403
    # RS's registrar decides it; then it is locked.
    decided = await audit.decide(response)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "decided"
    assert decided.json()["decision"] == {
        "decided_by": "RS",
        "decided_on": "2022-03-30",
        "paragraph": "§ 50",
        "diary_number": "RS/804/2021",
    }
    locked = await audit.stack.client.patch(
        f"/api/audit/responses/{response['id']}",
        headers={**audit.auth("RS:registrar"), "If-Match": decided.headers["etag"]},
        json={"text": "Omskrivet."},
    )
    assert locked.status_code == 409
    assert locked.json()["code"] == "locked"
    assert (await audit.decide(decided.json())).status_code == 409


async def test_a_response_to_another_bodys_recommendation_is_422(audit):
    response = await audit.respond("RS", rec_body="HSN")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "recommendation_id"]


async def test_an_auditor_who_also_holds_an_editor_role_does_not_write_responses(audit):
    assert (await audit.respond("RS", roles=("auditor", "RS:editor"))).status_code == 403


async def test_one_response_per_recommendation(audit):
    assert (await audit.respond("RS")).status_code == 201
    assert (await audit.respond("RS")).status_code == 409


@pytest.mark.parametrize(
    ("roles", "status"),
    [(("RS:editor",), 403), (("auditor",), 403), (("finance",), 403), (("HSN:registrar",), 404), (("admin",), 404)],
)
async def test_only_the_bodys_registrar_decides(audit, roles, status):
    """Those who may read the draft are refused (403); to the rest it does not exist (404)."""
    response = (await audit.respond("RS")).json()
    assert (await audit.decide(response, roles=roles)).status_code == status


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"decided_by": "HSN"}, "decided_by"),
        ({"diary_number": "RS-804-2021"}, "diary_number"),
        ({"paragraph": "femtio"}, "paragraph"),
        ({"decided_on": "2022-02-30"}, "decided_on"),
        ({"decided_on": "2021-11-14"}, "decided_on"),
    ],
)
async def test_a_bad_decision_is_422(audit, fields, field):
    response = (await audit.respond("RS")).json()
    refused = await audit.decide(response, **fields)
    assert refused.status_code == 422
    assert field in str(refused.json()["errors"][0]["loc"])


async def test_a_draft_response_is_hidden_from_other_bodies_until_decided(audit):
    response = (await audit.respond("RS")).json()
    url = f"/api/audit/responses/{response['id']}"
    for outsider in (("HSN:reader",), ("RUN:editor",)):
        assert (await audit.stack.client.get(url, headers=audit.auth(*outsider))).status_code == 404
    listed = (await audit.stack.client.get("/api/audit/responses", headers=audit.auth("HSN:reader"))).json()
    assert listed["total"] == 0
    rec = (
        await audit.stack.client.get(
            f"/api/audit/recommendations/{audit.rec['RS']['id']}", headers=audit.auth("HSN:reader")
        )
    ).json()
    assert rec["response"] is None
    for insider in (("RS:reader",), AUDITOR, ("finance",)):
        assert (await audit.stack.client.get(url, headers=audit.auth(*insider))).status_code == 200
    decided = (await audit.decide(response)).json()
    shown = await audit.stack.client.get(url, headers=audit.auth("HSN:reader"))
    assert shown.status_code == 200
    assert shown.json()["decision"]["paragraph"] == "§ 50"
    rec = (
        await audit.stack.client.get(
            f"/api/audit/recommendations/{audit.rec['RS']['id']}", headers=audit.auth("HSN:reader")
        )
    ).json()
    assert rec["response"]["id"] == decided["id"]
    # Outsiders see the history from the decision on, without the draft text.
    history = (await audit.stack.client.get(f"{url}/history", headers=audit.auth("HSN:reader"))).json()["items"]
    assert [h["action"] for h in history] == ["update"]
    assert history[0]["before"] is None


async def test_a_draft_is_changed_with_if_match_by_the_bodys_editor(audit):
    response = (await audit.respond("RS")).json()
    url = f"/api/audit/responses/{response['id']}"
    editor = audit.auth("RS:editor")
    assert (await audit.stack.client.patch(url, headers=editor, json={"text": "Nytt."})).status_code == 428
    assert (
        await audit.stack.client.patch(url, headers={**editor, "If-Match": '"7"'}, json={"text": "Nytt."})
    ).status_code == 412
    other = {**audit.auth("HSN:editor"), **etag(response)}
    assert (await audit.stack.client.patch(url, headers=other, json={"text": "Nytt."})).status_code == 404
    changed = await audit.stack.client.patch(url, headers={**editor, **etag(response)}, json={"text": "Nytt."})
    assert changed.status_code == 200
    assert changed.json()["text"] == "Nytt."
    history = (await audit.stack.client.get(f"{url}/history", headers=editor)).json()["items"]
    assert [h["action"] for h in history] == ["create", "update"]


async def test_an_editor_of_an_administration_under_the_body_does_not_answer_for_it(audit):
    assert (await audit.respond("HSN", roles=("HSF:editor",))).status_code == 403


async def test_a_hidden_draft_answers_404_whatever_the_body(audit):
    """The route's guard runs before the body is validated: a body the route would refuse does not
    tell a caller who may not read the draft that it exists (issue 20)."""
    draft = (await audit.respond("RS")).json()
    for body in ({"text": ""}, {"text": 42}, {"unknown": True}):
        response = await audit.stack.client.patch(
            f"/api/audit/responses/{draft['id']}",
            headers={**audit.auth("HSN:editor"), "If-Match": f'"{draft["version"]}"'},
            json=body,
        )
        assert response.status_code == 404, (body, response.text)
