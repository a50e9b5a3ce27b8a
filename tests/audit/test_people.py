"""People on audit records: an action's, a risk's and a control's owner as a sign-in subject with a name."""

from tests.audit.conftest import etag


async def test_naming_yourself_takes_the_name_from_your_token(audit):
    headers = audit.stack.auth("anna", "RS:editor", name="Anna Andersson")
    payload = {
        "body_code": "RS",
        "title": "Rutin för investeringar",
        "owner": "Ekonomidirektör",
        "owner_subject": "anna",
        "owner_name": "Someone Else",
        "recommendation_ids": [audit.rec["RS"]["id"]],
    }
    created = await audit.stack.client.post("/api/audit/actions", headers=headers, json=payload)
    assert created.status_code == 201, created.text
    action = created.json()
    assert (action["owner"], action["owner_subject"], action["owner_name"]) == (
        "Ekonomidirektör",
        "anna",
        "Anna Andersson",
    )


async def test_naming_someone_else_needs_their_name(audit):
    nameless = await audit.act("RS", owner_subject="bo")
    assert nameless.status_code == 422
    assert nameless.json()["errors"][0]["loc"] == ["body", "owner_name"]
    named = await audit.act("RS", owner_subject="bo", owner_name="Bo Berg")
    assert (named.json()["owner_subject"], named.json()["owner_name"]) == ("bo", "Bo Berg")
    lone_name = await audit.act("RS", owner_name="Bo Berg")
    assert lone_name.status_code == 422


async def test_a_new_owner_is_a_write_with_if_match_and_history(audit):
    action = (await audit.act("RS", owner_subject="bo", owner_name="Bo Berg")).json()
    url = f"/api/audit/actions/{action['id']}"
    editor = audit.auth("RS:editor")
    change = {"owner_subject": "cecilia", "owner_name": "Cecilia Carlsson"}
    assert (await audit.stack.client.patch(url, headers=editor, json=change)).status_code == 428
    changed = await audit.stack.client.patch(url, headers={**editor, **etag(action)}, json=change)
    assert (changed.json()["owner_subject"], changed.json()["owner_name"]) == ("cecilia", "Cecilia Carlsson")
    # A change of something else keeps the person; only a new subject needs a name.
    kept = await audit.stack.client.patch(url, headers={**editor, **etag(changed.json())}, json={"title": "Ny rubrik"})
    assert (kept.json()["owner_subject"], kept.json()["owner_name"]) == ("cecilia", "Cecilia Carlsson")
    cleared = await audit.stack.client.patch(url, headers={**editor, **etag(kept.json())}, json={"owner_subject": None})
    assert (cleared.json()["owner_subject"], cleared.json()["owner_name"]) == (None, None)
    history = (await audit.stack.client.get(f"{url}/history", headers=audit.auth("RS:reader"))).json()["items"]
    assert (history[1]["before"]["owner_subject"], history[1]["after"]["owner_subject"]) == ("bo", "cecilia")
    assert history[1]["after"]["owner_name"] == "Cecilia Carlsson"


async def test_risks_and_controls_name_their_owners(audit):
    editor = audit.stack.auth("dan", "RS:editor", name="Dan Dahl")
    plan = (
        await audit.stack.client.post(
            "/api/audit/internal-control/plans", headers=editor, json={"body_code": "RS", "year": 2022}
        )
    ).json()
    risk_body = {"title": "Felaktiga utbetalningar", "likelihood": 4, "consequence": 4, "owner_subject": "dan"}
    with_risk = await audit.stack.client.post(
        f"/api/audit/internal-control/plans/{plan['id']}/risks", headers=editor, json=risk_body
    )
    assert with_risk.status_code == 201, with_risk.text
    risk = with_risk.json()["risks"][0]
    assert (risk["owner_subject"], risk["owner_name"]) == ("dan", "Dan Dahl")
    control_body = {
        "control": "Stickprov",
        "method": "Tio utbetalningar",
        "frequency": "Per tertial",
        "owner": "Controller",
        "owner_subject": "eva",
        "owner_name": "Eva Ek",
    }
    with_control = await audit.stack.client.post(
        f"/api/audit/internal-control/risks/{risk['id']}/controls", headers=editor, json=control_body
    )
    control = with_control.json()["risks"][0]["controls"][0]
    assert (control["owner"], control["owner_subject"], control["owner_name"]) == ("Controller", "eva", "Eva Ek")
