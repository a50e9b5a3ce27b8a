"""Goals through the gateway: who may write, the upward link, the lifecycle and its lock."""

import pytest

HSN_EDITOR = ("hsn.editor", "HSN:editor")
HSN_REGISTRAR = ("hsn.registrar", "HSN:registrar")
DECISION = {"decided_by": "HSN", "decided_on": "2024-02-21", "paragraph": "§ 12", "diary_number": "HSN/55/2024"}


async def _create(stack, who=HSN_EDITOR, **body):
    payload = {
        "unit_code": "HSN",
        "title": "Ökad andel digitala vårdkontakter",
        "perspective": "citizen",
        "start_year": 2022,
        "end_year": 2024,
        **body,
    }
    return await stack.client.post("/api/goals/goals", json=payload, headers=stack.auth(*who))


async def test_an_hsn_editor_creates_and_edits_hsns_goals(demo):
    stack = demo.stack
    created = await _create(stack, parent_strategy_id=demo.strategy(1)["id"], sdgs=[3, 9], financial=False)
    assert created.status_code == 201, created.text
    goal = created.json()
    assert (goal["status"], goal["level"], goal["orphan"], goal["sdgs"]) == ("draft", "committee", False, [3, 9])
    changed = await stack.client.patch(
        f"/api/goals/goals/{goal['id']}",
        json={"title": "Fler digitala vårdkontakter"},
        headers={**stack.auth(*HSN_EDITOR), "If-Match": created.headers["etag"]},
    )
    assert changed.status_code == 200
    assert changed.json()["title"] == "Fler digitala vårdkontakter"


async def test_an_hsn_editor_is_refused_on_rs_goals(demo):
    response = await _create(demo.stack, unit_code="RS")
    assert response.status_code == 403
    assert response.json()["required"] == "RS:editor"
    rs_goal = demo.goal("Digitalisera")
    etag = f'"{rs_goal["version"]}"'
    patch = await demo.stack.client.patch(
        f"/api/goals/goals/{rs_goal['id']}",
        json={"title": "x"},
        headers={**demo.stack.auth(*HSN_EDITOR), "If-Match": etag},
    )
    assert patch.status_code == 404  # RS's draft does not exist for an HSN editor


async def test_a_reader_cannot_write(demo):
    response = await _create(demo.stack, who=("r", "HSN:reader"))
    assert response.status_code == 403


async def test_roles_reach_down_but_not_up(demo):
    stack = demo.stack
    parent = demo.goal("Vård i rätt tid")
    below = await _create(stack, unit_code="HSF", title="Kortare köer", parent_goal_id=parent["id"])
    assert below.status_code == 201  # an HSN editor edits its administration's goals
    up = await _create(stack, who=("hsf", "HSF:editor"), title="x")
    assert up.status_code == 403  # an administration's editor does not write the committee's


async def test_a_registrar_decides_and_the_goal_is_locked_for_editors(demo):
    stack = demo.stack
    goal = (await _create(stack, parent_strategy_id=demo.strategy(1)["id"])).json()
    refused = await stack.client.post(
        f"/api/goals/goals/{goal['id']}/decide", json=DECISION, headers={**stack.auth(*HSN_EDITOR), "If-Match": '"1"'}
    )
    assert refused.status_code == 403
    decided = await stack.client.post(
        f"/api/goals/goals/{goal['id']}/decide",
        json=DECISION,
        headers={**stack.auth(*HSN_REGISTRAR), "If-Match": '"1"'},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "decided"
    assert decided.json()["decision"] == {
        "decided_by": "HSN",
        "decided_on": "2024-02-21",
        "paragraph": "§ 12",
        "diary_number": "HSN/55/2024",
    }
    etag = decided.headers["etag"]
    locked = await stack.client.patch(
        f"/api/goals/goals/{goal['id']}",
        json={"title": "Ändrad"},
        headers={**stack.auth(*HSN_EDITOR), "If-Match": etag},
    )
    assert locked.status_code == 403
    assert locked.json()["required"] == "HSN:registrar"
    changed = await stack.client.patch(
        f"/api/goals/goals/{goal['id']}",
        json={"title": "Ändrad av sekreteraren"},
        headers={**stack.auth(*HSN_REGISTRAR), "If-Match": etag},
    )
    assert changed.status_code == 200
    history = (await stack.client.get(f"/api/goals/goals/{goal['id']}/history", headers=stack.auth(*HSN_EDITOR))).json()
    decided_version = history["items"][-1]["before"]
    assert decided_version["status"] == "decided"
    assert decided_version["title"] == goal["title"]
    assert history["items"][-1]["actor"] == "hsn.registrar"


async def test_a_decided_goal_can_be_closed_and_then_changes_no_more(demo):
    stack = demo.stack
    goal = demo.goal("Stärkt patientsäkerhet")
    closed = await stack.client.post(
        f"/api/goals/goals/{goal['id']}/close",
        headers={**stack.auth(*HSN_REGISTRAR), "If-Match": f'"{goal["version"]}"'},
    )
    assert closed.json()["status"] == "closed"
    again = await stack.client.patch(
        f"/api/goals/goals/{goal['id']}",
        json={"title": "x"},
        headers={**stack.auth(*HSN_REGISTRAR), "If-Match": closed.headers["etag"]},
    )
    assert again.status_code == 409
    assert again.json()["code"] == "locked"


async def test_closing_a_draft_one_may_not_read_answers_404_as_for_no_goal(demo):
    # RS's draft does not exist for an HSN registrar: closing it must not say otherwise with a 403.
    rs_draft = demo.goal("Digitalisera")
    for goal_id in (rs_draft["id"], "00000000-0000-4000-8000-000000000000"):
        response = await demo.stack.client.post(
            f"/api/goals/goals/{goal_id}/close", headers={**demo.stack.auth(*HSN_REGISTRAR), "If-Match": '"1"'}
        )
        assert response.status_code == 404, response.text


async def test_linking_to_a_draft_one_may_not_read_is_refused_as_for_no_goal(demo):
    council_draft = await demo.stack.client.post(
        "/api/goals/goals",
        json={"unit_code": "RF", "title": "Fullmäktiges utkast", "perspective": "citizen", "start_year": 2024},
        headers=demo.stack.auth("rf", "RF:editor"),
    )
    assert council_draft.status_code == 201, council_draft.text
    answers = [
        await _create(demo.stack, parent_goal_id=parent)
        for parent in (council_draft.json()["id"], "00000000-0000-4000-8000-000000000000")
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json()["errors"] == answers[1].json()["errors"]


async def test_a_draft_saves_without_a_link_but_cannot_be_decided_and_shows_as_orphan(demo):
    stack = demo.stack
    goal = (await _create(stack)).json()
    assert goal["orphan"] is True
    response = await stack.client.post(
        f"/api/goals/goals/{goal['id']}/decide",
        json=DECISION,
        headers={**stack.auth(*HSN_REGISTRAR), "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "parent_goal_id"
    orphans = (await stack.client.get("/api/goals/goals?orphans=true", headers=stack.auth("b", "RS:reader"))).json()
    assert {g["id"] for g in orphans["items"]} == {goal["id"], demo.goal("Digitalisera")["id"]}


async def test_a_link_to_a_goal_two_levels_up_is_refused(demo):
    response = await _create(demo.stack, unit_code="HSF", parent_goal_id=demo.goal("Årets resultat")["id"])
    assert response.status_code == 422
    assert "level directly above" in response.json()["detail"]


async def test_a_link_to_a_goal_of_the_same_level_is_refused(demo):
    response = await _create(demo.stack, parent_goal_id=demo.goal("Vård i rätt tid")["id"])
    assert response.status_code == 422


async def test_a_strategy_link_is_for_the_levels_just_below_the_council(demo):
    response = await _create(demo.stack, unit_code="HSF", parent_strategy_id=demo.strategy(1)["id"])
    assert response.status_code == 422
    assert response.json()["field"] == "parent_strategy_id"


async def test_a_cycle_in_the_chain_is_refused(demo):
    stack = demo.stack
    council_goal = demo.goal("Årets resultat")
    child = demo.goal("Nämndens verksamhet")
    assert child["parent_goal_id"] == council_goal["id"]
    response = await stack.client.patch(
        f"/api/goals/goals/{council_goal['id']}",
        json={"parent_goal_id": child["id"], "parent_strategy_id": None},
        headers={**stack.auth("rf", "RF:registrar"), "If-Match": f'"{council_goal["version"]}"'},
    )
    assert response.status_code == 422
    assert "cycle" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit_code": "NOPE"}, "unit_code"),
        ({"perspective": "happiness"}, "perspective"),
        ({"sdgs": [18]}, "sdgs"),
        ({"start_year": 2025, "end_year": 2024}, None),
        ({"title": ""}, "title"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
async def test_bad_goals_are_refused_with_the_field_named(seeded, body, field):
    stack = seeded
    response = await stack.client.post(
        "/api/goals/goals",
        json={"unit_code": "HSN", "title": "t", "start_year": 2024, **body},
        headers=stack.auth("admin-ish", "HSN:editor", "NOPE:editor"),
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    named = {problem.get("field")} | {str(part) for e in problem.get("errors") or [] for part in e["loc"]}
    if field:
        assert field in named


async def test_moving_a_goal_needs_rights_on_both_units(demo):
    stack = demo.stack
    goal = (await _create(stack, parent_strategy_id=demo.strategy(1)["id"])).json()
    headers = {**stack.auth(*HSN_EDITOR), "If-Match": f'"{goal["version"]}"'}
    refused = await stack.client.patch(f"/api/goals/goals/{goal['id']}", json={"unit_code": "RUN"}, headers=headers)
    assert refused.status_code == 403
    both = {**stack.auth("both", "HSN:editor", "RUN:editor"), "If-Match": f'"{goal["version"]}"'}
    moved = await stack.client.patch(f"/api/goals/goals/{goal['id']}", json={"unit_code": "RUN"}, headers=both)
    assert moved.status_code == 200
    assert moved.json()["unit_code"] == "RUN"


async def test_drafts_are_hidden_from_readers_of_other_units_and_shown_to_the_board(demo):
    stack = demo.stack
    draft = (await _create(stack)).json()
    for who, seen in (
        (("r", "RUN:reader"), False),
        (("h", "HSN:reader"), True),
        (("b", "RS:reader"), True),
        (("a", "auditor"), True),
        (("rf", "RF:reader"), False),
    ):
        single = await stack.client.get(f"/api/goals/goals/{draft['id']}", headers=stack.auth(*who))
        listed = (await stack.client.get("/api/goals/goals?unit=HSN", headers=stack.auth(*who))).json()["items"]
        assert (single.status_code == 200) is seen, who
        assert (draft["id"] in {g["id"] for g in listed}) is seen, who


async def test_list_filters(demo):
    headers = demo.stack.auth("b", "RS:reader")
    hsn_tree = (await demo.stack.client.get("/api/goals/goals?unit=HSN&subtree=true", headers=headers)).json()
    assert {g["unit_code"] for g in hsn_tree["items"]} == {"HSN", "HSF"}
    economy = (await demo.stack.client.get("/api/goals/goals?perspective=economy", headers=headers)).json()
    assert all(g["financial"] for g in economy["items"])
    assert economy["total"] == 2


async def test_moving_a_goal_with_goals_linked_under_it_is_refused_naming_them(demo):
    stack = demo.stack
    both = stack.auth("both", "HSN:editor", "RUN:editor")
    goal = (await _create(stack, parent_strategy_id=demo.strategy(1)["id"])).json()
    child = (await _create(stack, unit_code="HSF", parent_goal_id=goal["id"])).json()
    moved = await stack.client.patch(
        f"/api/goals/goals/{goal['id']}",
        json={"unit_code": "RUN"},
        headers={**both, "If-Match": f'"{goal["version"]}"'},
    )
    assert moved.status_code == 409, moved.text
    assert moved.json()["goals"] == [child["id"]]
    assert "HSF" in moved.json()["detail"]
    unchanged = await stack.client.get(f"/api/goals/goals/{goal['id']}", headers=both)
    assert (unchanged.json()["unit_code"], unchanged.json()["version"]) == ("HSN", goal["version"])
    edited = await stack.client.patch(
        f"/api/goals/goals/{child['id']}",
        json={"title": "Kortare väntetider i vården"},
        headers={**both, "If-Match": f'"{child["version"]}"'},
    )
    assert edited.status_code == 200, edited.text
