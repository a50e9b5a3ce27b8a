"""Actions: the body's own, on its own recommendations, with deadline, status, notes, evidence and goals."""

import uuid

import pytest

from shared.asof import today_in_sweden
from tests.audit.conftest import AUDITOR, decided_goal, etag


async def test_an_action_holds_owner_deadline_evidence_and_goals(audit):
    goal = await decided_goal(audit.stack)
    created = await audit.act(
        "HSN",
        owner="Hälso- och sjukvårdsdirektör",
        deadline_on="2022-12-31",
        status="in_progress",
        evidence=[
            {"description": "Investeringsplan 2023–2027", "document_reference": "HSN/1815/2021"},
            {"description": "Protokoll", "url": "https://example.org/hsn/protokoll.pdf"},
        ],
        goal_ids=[goal, goal],
    )
    assert created.status_code == 201
    action = created.json()
    assert (action["owner"], action["deadline_on"], action["status"]) == (
        "Hälso- och sjukvårdsdirektör",
        "2022-12-31",
        "in_progress",
    )
    assert action["evidence"][0] == {
        "description": "Investeringsplan 2023–2027",
        "url": None,
        "document_reference": "HSN/1815/2021",
    }
    assert action["goal_ids"] == [goal]
    assert action["recommendation_ids"] == [audit.rec["HSN"]["id"]]


async def test_evidence_points_somewhere(audit):
    response = await audit.act("HSN", evidence=[{"description": "Något"}])
    assert response.status_code == 422


@pytest.mark.parametrize("deadline", ["2021-11-14", "2020-01-01"])
async def test_a_deadline_before_the_reports_date_is_422(audit, deadline):
    response = await audit.act("RS", deadline_on=deadline)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "deadline_on"]


async def test_the_deadline_rule_holds_on_change_too(audit):
    action = (await audit.act("RS", deadline_on="2021-11-15")).json()
    url = f"/api/audit/actions/{action['id']}"
    moved = await audit.stack.client.patch(
        url, headers={**audit.auth("RS:editor"), **etag(action)}, json={"deadline_on": "2021-06-30"}
    )
    assert moved.status_code == 422
    # Nor may the auditors move the report's date past an action's deadline.
    report_url = f"/api/audit/reports/{audit.report['id']}"
    later = await audit.stack.client.patch(
        report_url, headers={**audit.auth(*AUDITOR), **etag(audit.report)}, json={"received_on": "2021-12-01"}
    )
    assert later.status_code == 422


async def test_an_action_serves_several_recommendations_of_its_own_body_only(audit):
    extra = (
        await audit.stack.client.post(
            f"/api/audit/reports/{audit.report['id']}/recommendations",
            headers=audit.auth(*AUDITOR),
            json={"body_code": "RS", "text": "Uppdatera reglerna."},
        )
    ).json()
    action = (await audit.act("RS", recommendation_ids=[audit.rec["RS"]["id"], extra["id"]])).json()
    assert action["recommendation_ids"] == [audit.rec["RS"]["id"], extra["id"]]
    url = f"/api/audit/actions/{action['id']}"
    editor = audit.auth("RS:editor")
    foreign = await audit.stack.client.patch(
        url, headers={**editor, **etag(action)}, json={"recommendation_ids": [audit.rec["HSN"]["id"]]}
    )
    assert foreign.status_code == 422
    relinked = await audit.stack.client.patch(
        url, headers={**editor, **etag(action)}, json={"recommendation_ids": [extra["id"]]}
    )
    assert relinked.status_code == 200
    assert relinked.json()["recommendation_ids"] == [extra["id"]]
    listed = (await audit.stack.client.get(f"/api/audit/actions?recommendation={extra['id']}", headers=editor)).json()
    assert [a["id"] for a in listed["items"]] == [action["id"]]


async def test_changes_need_if_match_and_are_kept_in_history(audit):
    action = (await audit.act("RS")).json()
    url = f"/api/audit/actions/{action['id']}"
    editor = audit.auth("RS:editor")
    assert (await audit.stack.client.patch(url, headers=editor, json={"status": "done"})).status_code == 428
    assert (
        await audit.stack.client.patch(url, headers={**editor, "If-Match": '"9"'}, json={"status": "done"})
    ).status_code == 412
    assert (
        await audit.stack.client.patch(url, headers={**editor, **etag(action)}, json={"status": None})
    ).status_code == 422
    done = await audit.stack.client.patch(
        url,
        headers={**editor, **etag(action)},
        json={"status": "done", "evidence": [{"description": "Regler", "document_reference": "RS/804/2021"}]},
    )
    assert done.status_code == 200
    history = (await audit.stack.client.get(f"{url}/history", headers=audit.auth("HSN:reader"))).json()["items"]
    assert [h["action"] for h in history] == ["create", "update"]
    assert (history[1]["before"]["status"], history[1]["after"]["status"]) == ("planned", "done")


@pytest.mark.parametrize("roles", [AUDITOR, ("auditor", "RS:editor"), ("RS:reader",), ("HSN:editor",), ("admin",)])
async def test_only_the_bodys_editors_write_its_actions_and_notes(audit, roles):
    assert (await audit.act("RS", roles=roles)).status_code == 403
    action = (await audit.act("RS")).json()
    url = f"/api/audit/actions/{action['id']}"
    headers = audit.auth(*roles)
    assert (
        await audit.stack.client.patch(url, headers={**headers, **etag(action)}, json={"status": "done"})
    ).status_code == 403
    note = await audit.stack.client.post(f"{url}/notes", headers=headers, json={"noted_on": "2022-01-10", "text": "x"})
    assert note.status_code == 403


async def test_progress_notes_are_dated_and_in_order(audit):
    action = (await audit.act("RS")).json()
    url = f"/api/audit/actions/{action['id']}/notes"
    editor = audit.auth("RS:editor")
    for day, text in (("2022-05-01", "Remiss ute."), ("2022-02-01", "Arbetet startat.")):
        assert (
            await audit.stack.client.post(url, headers=editor, json={"noted_on": day, "text": text})
        ).status_code == 201
    assert (
        await audit.stack.client.post(url, headers=editor, json={"noted_on": "2022-13-01", "text": "x"})
    ).status_code == 422
    again = (await audit.stack.client.get(f"/api/audit/actions/{action['id']}", headers=editor)).json()
    assert [n["text"] for n in again["progress_notes"]] == ["Arbetet startat.", "Remiss ute."]


async def test_a_goal_the_goals_service_does_not_show_is_422(audit):
    response = await audit.act("HSN", goal_ids=[str(uuid.uuid4())])
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "goal_ids"]
    created = (await audit.act("HSN")).json()
    changed = await audit.stack.client.patch(
        f"/api/audit/actions/{created['id']}",
        headers={**audit.auth("HSN:editor"), "If-Match": f'"{created["version"]}"'},
        json={"goal_ids": [str(uuid.uuid4())]},
    )
    assert changed.status_code == 422


async def test_goals_unreachable_is_503_not_500(audit):
    audit.stack.transport.down.add("goals")
    response = await audit.act("HSN", goal_ids=[str(uuid.uuid4())])
    assert response.status_code == 503
    assert response.json()["service"] == "goals"


async def test_a_progress_note_has_its_history(audit):
    action = (await audit.act("RS")).json()
    url = f"/api/audit/actions/{action['id']}/notes"
    note = await audit.stack.client.post(
        url, headers=audit.auth("RS:editor"), json={"noted_on": "2022-02-01", "text": "Arbetet startat."}
    )
    history = await audit.stack.client.get(f"{url}/{note.json()['id']}/history", headers=audit.auth("RUN:reader"))
    assert history.status_code == 200
    assert [(h["action"], h["after"]["text"]) for h in history.json()["items"]] == [("create", "Arbetet startat.")]
    other = (await audit.act("HSN")).json()
    elsewhere = f"/api/audit/actions/{other['id']}/notes/{note.json()['id']}/history"
    assert (await audit.stack.client.get(elsewhere, headers=audit.auth("RUN:reader"))).status_code == 404
    assert (
        await audit.stack.client.get(f"{url}/{uuid.uuid4()}/history", headers=audit.auth(*AUDITOR))
    ).status_code == 404


async def test_a_finished_action_has_the_day_it_was_finished(audit):
    done = (await audit.act("RS", status="done")).json()
    assert done["finished_on"] == today_in_sweden().isoformat()
    planned = (await audit.act("RS")).json()
    assert planned["finished_on"] is None
    url, editor = f"/api/audit/actions/{planned['id']}", audit.auth("RS:editor")
    cancelled = await audit.stack.client.patch(
        url, headers={**editor, **etag(planned)}, json={"status": "cancelled", "finished_on": "2022-01-10"}
    )
    assert cancelled.json()["finished_on"] == "2022-01-10"
    reopened = await audit.stack.client.patch(
        url, headers={**editor, **etag(cancelled.json())}, json={"status": "in_progress"}
    )
    assert reopened.json()["finished_on"] is None
    history = (await audit.stack.client.get(f"{url}/history", headers=editor)).json()["items"]
    assert [h["after"]["finished_on"] for h in history] == [None, "2022-01-10", None]


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "planned", "finished_on": "2022-01-10"},
        {"status": "done", "finished_on": "2999-01-01"},
        {"status": "done", "finished_on": "2021-11-01"},  # before the report arrived (2021-11-15)
    ],
)
async def test_a_finishing_day_that_cannot_be_is_422(audit, fields):
    response = await audit.act("RS", **fields)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "finished_on"]
