"""Links from the audit service to what the goals service owns: the indicators an action should move, the goals
and activities a risk threatens. The goals service checks each id as the caller; what it does not know, or does
not show that caller, is refused with problem details naming the field."""

import uuid

from tests.audit.conftest import decided_goal, etag


async def draft_goal(stack, unit: str) -> str:
    """A goal still a draft of `unit`: hidden from editors of other committees."""
    goal = await stack.client.post(
        "/api/goals/goals",
        headers=stack.auth("g", f"{unit}:editor"),
        json={"unit_code": unit, "title": f"Utkast {unit}", "start_year": 2022},
    )
    assert goal.status_code == 201, goal.text
    return str(goal.json()["id"])


async def indicator_on(stack, goal_id: str, unit: str = "RF") -> str:
    created = await stack.client.post(
        "/api/goals/indicators",
        headers=stack.auth("g", f"{unit}:editor", f"{unit}:registrar"),
        json={"goal_id": goal_id, "name": "Andel i tid", "unit_of_measure": "%", "direction": "higher_is_better"},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def refused_field(response) -> list:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()["errors"][0]["loc"]


async def test_an_action_names_the_indicators_it_should_move_and_its_history_keeps_them(audit):
    goal = await decided_goal(audit.stack)
    first, second = await indicator_on(audit.stack, goal), await indicator_on(audit.stack, goal)
    created = await audit.act("HSN", goal_ids=[goal], indicator_ids=[first, first])
    assert created.status_code == 201, created.text
    action = created.json()
    assert action["indicator_ids"] == [first]
    changed = await audit.stack.client.patch(
        f"/api/audit/actions/{action['id']}",
        headers={**audit.auth("HSN:editor", sub="hanna"), **etag(action)},
        json={"indicator_ids": [first, second]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["indicator_ids"] == [first, second]
    history = (
        await audit.stack.client.get(f"/api/audit/actions/{action['id']}/history", headers=audit.auth("RS:reader"))
    ).json()["items"]
    last = history[-1]
    assert (last["action"], last["actor"]) == ("update", "hanna")
    assert (last["before"]["indicator_ids"], last["after"]["indicator_ids"]) == ([first], [first, second])


async def test_an_indicator_the_goals_service_does_not_know_or_hides_is_refused(audit):
    hidden = await indicator_on(audit.stack, await draft_goal(audit.stack, "RUN"), unit="RUN")
    goal = await decided_goal(audit.stack)
    known = await indicator_on(audit.stack, goal)
    assert refused_field(await audit.act("HSN", indicator_ids=[known, str(uuid.uuid4())])) == [
        "body",
        "indicator_ids[1]",
    ]
    assert refused_field(await audit.act("HSN", indicator_ids=[hidden])) == ["body", "indicator_ids[0]"]
    action = (await audit.act("HSN")).json()
    changed = await audit.stack.client.patch(
        f"/api/audit/actions/{action['id']}",
        headers={**audit.auth("HSN:editor"), **etag(action)},
        json={"indicator_ids": [hidden]},
    )
    assert refused_field(changed) == ["body", "indicator_ids[0]"]


async def _plan(stack) -> dict:
    created = await stack.client.post(
        "/api/audit/internal-control/plans",
        headers=stack.auth("e", "HSN:editor"),
        json={"body_code": "HSN", "year": 2022},
    )
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _activity(stack, goal_id: str) -> str:
    """An activity of HSN's administration (activities are planned by administrations) towards `goal_id`."""
    unit = {"code": "HSF", "name": "Hälso- och sjukvårdsförvaltningen", "kind": "administration", "parent_code": "HSN"}
    assert (await stack.client.post("/api/goals/units", headers=stack.auth("a", "admin"), json=unit)).status_code == 201
    created = await stack.client.post(
        "/api/goals/activities",
        headers=stack.auth("g", "HSN:editor"),
        json={"unit_code": "HSF", "goal_id": goal_id, "title": "Kompetensförsörjningsplan"},
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def test_a_risk_names_the_goals_and_activities_it_threatens(audit):
    stack = audit.stack
    goal = await decided_goal(stack)
    activity = await _activity(stack, goal)
    plan = await _plan(stack)
    editor = stack.auth("e", "HSN:editor")
    added = await stack.client.post(
        f"/api/audit/internal-control/plans/{plan['id']}/risks",
        headers=editor,
        json={"title": "Brist på sjuksköterskor", "likelihood": 3, "consequence": 3, "goal_ids": [goal]},
    )
    assert added.status_code == 201, added.text
    risk = added.json()["risks"][0]
    assert (risk["goal_ids"], risk["activity_ids"]) == ([goal], [])
    changed = await stack.client.patch(
        f"/api/audit/internal-control/risks/{risk['id']}",
        headers={**editor, **etag(risk)},
        json={"activity_ids": [activity]},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["risks"][0]["activity_ids"] == [activity]
    history = (
        await stack.client.get(f"/api/audit/internal-control/risks/{risk['id']}/history", headers=editor)
    ).json()["items"]
    assert history[-1]["after"]["activity_ids"] == [activity]


async def test_a_risk_on_a_goal_or_activity_not_shown_to_the_caller_is_refused(audit):
    stack = audit.stack
    hidden_goal = await draft_goal(stack, "RUN")
    plan = await _plan(stack)
    url = f"/api/audit/internal-control/plans/{plan['id']}/risks"
    editor = stack.auth("e", "HSN:editor")
    for field, ids in (
        ("goal_ids", [hidden_goal]),
        ("goal_ids", [str(uuid.uuid4())]),
        ("activity_ids", [str(uuid.uuid4())]),
    ):
        body = {"title": "Risk", "likelihood": 2, "consequence": 2, field: ids}
        assert refused_field(await stack.client.post(url, headers=editor, json=body)) == ["body", f"{field}[0]"]


async def test_a_risk_names_the_processes_it_threatens_each_once_and_its_history_keeps_them(audit):
    """No service keeps a register of processes, so a risk names them; blank names and null are refused."""
    stack = audit.stack
    plan = await _plan(stack)
    editor = stack.auth("e", "HSN:editor")
    url = f"/api/audit/internal-control/plans/{plan['id']}/risks"
    body = {"title": "Avtal följs inte upp", "likelihood": 2, "consequence": 4}
    added = await stack.client.post(url, headers=editor, json={**body, "processes": [" Inköp ", "Inköp", "Avtal"]})
    assert added.status_code == 201, added.text
    risk = added.json()["risks"][0]
    assert risk["processes"] == ["Inköp", "Avtal"]
    assert refused_field(await stack.client.post(url, headers=editor, json={**body, "processes": ["  "]})) == [
        "body",
        "processes",
        0,
    ]
    risk_url = f"/api/audit/internal-control/risks/{risk['id']}"
    emptied = await stack.client.patch(risk_url, headers={**editor, **etag(risk)}, json={"processes": None})
    assert refused_field(emptied) == ["body", "processes"]
    changed = await stack.client.patch(risk_url, headers={**editor, **etag(risk)}, json={"processes": ["Löner"]})
    assert changed.status_code == 200, changed.text
    assert (await stack.client.get(risk_url, headers=editor)).json()["processes"] == ["Löner"]
    history = (await stack.client.get(f"{risk_url}/history", headers=editor)).json()["items"]
    assert (history[-1]["before"]["processes"], history[-1]["after"]["processes"]) == (["Inköp", "Avtal"], ["Löner"])
