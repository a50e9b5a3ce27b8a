"""The council's plan and strategies; assignments from the council and board; activities towards goals."""

from datetime import date, timedelta

RF_EDITOR, RF_REGISTRAR = ("rf.e", "RF:editor"), ("rf.r", "RF:registrar")
PLAN = {
    "title": "Regionplan med budget 2025–2027",
    "vision": "En region i balans",
    "start_year": 2025,
    "end_year": 2027,
    "strategies": [{"title": "Hälsa"}, {"title": "Kompetens"}],
}


async def test_the_council_prepares_and_decides_its_plan(seeded):
    client = seeded.client
    refused = await client.post("/api/goals/plans", json=PLAN, headers=seeded.auth("h", "HSN:editor"))
    assert refused.status_code == 403
    created = await client.post("/api/goals/plans", json=PLAN, headers=seeded.auth(*RF_EDITOR))
    assert created.status_code == 201
    plan = created.json()
    assert [s["number"] for s in plan["strategies"]] == [1, 2]
    added = await client.post(
        f"/api/goals/plans/{plan['id']}/strategies", json={"title": "Hållbarhet"}, headers=seeded.auth(*RF_EDITOR)
    )
    assert added.json()["number"] == 3
    # A draft plan is not public record: a committee reader does not see it.
    hidden = await client.get(f"/api/goals/plans/{plan['id']}", headers=seeded.auth("h", "HSN:reader"))
    assert hidden.status_code == 404
    decision = {"decided_by": "RF", "decided_on": "2024-06-19", "paragraph": "§ 70"}
    decided = await client.post(
        f"/api/goals/plans/{plan['id']}/decide",
        json=decision,
        headers={**seeded.auth(*RF_REGISTRAR), "If-Match": created.headers["etag"]},
    )
    assert decided.status_code == 200
    assert decided.json()["decision"]["paragraph"] == "§ 70"
    assert (
        await client.get(f"/api/goals/plans/{plan['id']}", headers=seeded.auth("h", "HSN:reader"))
    ).status_code == 200
    locked = await client.post(
        f"/api/goals/plans/{plan['id']}/strategies", json={"title": "Sent tillägg"}, headers=seeded.auth(*RF_EDITOR)
    )
    assert locked.status_code == 403


async def test_a_plan_ending_before_it_starts_is_422(seeded):
    response = await seeded.client.post(
        "/api/goals/plans", json={**PLAN, "end_year": 2020}, headers=seeded.auth(*RF_EDITOR)
    )
    assert response.status_code == 422


async def test_perspectives_are_the_regions_set(seeded):
    listed = (await seeded.client.get("/api/goals/perspectives", headers=seeded.auth("r", "HSN:reader"))).json()
    assert [p["code"] for p in listed["items"]] == ["citizen", "process", "employee", "economy"]
    fifth = {"code": "development", "name": "Utveckling och förnyelse", "sort_order": 5}
    assert (
        await seeded.client.post("/api/goals/perspectives", json=fifth, headers=seeded.auth("h", "HSN:registrar"))
    ).status_code == 403
    assert (
        await seeded.client.post("/api/goals/perspectives", json=fifth, headers=seeded.auth("a", "admin"))
    ).status_code == 201


async def test_assignments_from_the_board_to_a_committee(seeded):
    client = seeded.client
    body = {
        "issuer_code": "RS",
        "assignee_code": "HSN",
        "title": "Ta fram en plan för kompetensförsörjning",
        "deadline_on": str(date.today() - timedelta(days=1)),
    }
    assert (
        await client.post("/api/goals/assignments", json=body, headers=seeded.auth("h", "HSN:editor"))
    ).status_code == 403
    created = await client.post("/api/goals/assignments", json=body, headers=seeded.auth("rs", "RS:editor"))
    assert created.status_code == 201
    assignment = created.json()
    assert assignment["overdue"] is True
    assert assignment["status"] == "not_started"
    url = f"/api/goals/assignments/{assignment['id']}"
    hsn = seeded.auth("h", "HSN:editor")
    retitled = await client.patch(url, json={"title": "Annat"}, headers={**hsn, "If-Match": created.headers["etag"]})
    assert retitled.status_code == 403  # the text is the issuer's
    started = await client.patch(
        url, json={"status": "in_progress"}, headers={**hsn, "If-Match": created.headers["etag"]}
    )
    assert started.status_code == 200
    reported = await client.put(f"{url}/follow-ups/2024/T2", json={"text": "Arbetet pågår."}, headers=hsn)
    assert reported.json()["follow_ups"] == [{"year": 2024, "period": "T2", "text": "Arbetet pågår."}]
    done = await client.patch(url, json={"status": "done"}, headers={**hsn, "If-Match": started.headers["etag"]})
    assert done.json()["overdue"] is False


async def test_assignments_come_from_the_council_or_board_and_go_to_committees(seeded):
    for issuer, assignee in (("HSN", "RUN"), ("RS", "HSF"), ("RS", "RS")):
        response = await seeded.client.post(
            "/api/goals/assignments",
            json={"issuer_code": issuer, "assignee_code": assignee, "title": "x"},
            headers=seeded.auth("x", f"{issuer}:editor"),
        )
        assert response.status_code == 422, (issuer, assignee)


async def test_activities_serve_a_goal_of_their_unit_or_above(demo):
    client = demo.stack.client
    hsf = demo.stack.auth("hsf", "HSF:editor")
    goal = demo.goal("Vård i rätt tid")  # HSN's goal: above HSF
    ok = await client.post(
        "/api/goals/activities",
        json={"unit_code": "HSF", "goal_id": goal["id"], "title": "Utöka mottagningstider"},
        headers=hsf,
    )
    assert ok.status_code == 201
    other = await client.post(
        "/api/goals/activities",
        json={"unit_code": "HSF", "goal_id": demo.goal("Fler resor")["id"], "title": "x"},
        headers=hsf,
    )
    assert other.status_code == 422  # RUN's goal is not in HSF's chain
    committee = await client.post(
        "/api/goals/activities",
        json={"unit_code": "HSN", "goal_id": goal["id"], "title": "x"},
        headers=demo.stack.auth("h", "HSN:editor"),
    )
    assert committee.status_code == 422  # activities are the administrations' and units'
    listed = (await client.get(f"/api/goals/activities?goal={goal['id']}", headers=hsf)).json()
    assert {a["title"] for a in listed["items"]} == {"Utöka mottagningstider", "Digitala vårdbesök i primärvården"}


async def test_an_activity_towards_a_draft_one_may_not_read_is_refused_as_for_no_goal(demo):
    client = demo.stack.client
    draft = await client.post(
        "/api/goals/goals",
        json={"unit_code": "HSN", "title": "Nämndens utkast", "perspective": "citizen", "start_year": 2024},
        headers=demo.stack.auth("h", "HSN:editor"),
    )
    hsf = demo.stack.auth("hsf", "HSF:editor")  # reaches down from HSF, not up to HSN's drafts
    answers = []
    for goal_id in (draft.json()["id"], "00000000-0000-4000-8000-000000000000"):
        body = {"unit_code": "HSF", "goal_id": goal_id, "title": "x"}
        answers.append(await client.post("/api/goals/activities", json=body, headers=hsf))
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json()["errors"] == answers[1].json()["errors"]


async def test_assignments_with_no_deadline_come_last_on_every_database(seeded):
    rs = seeded.auth("rs", "RS:editor")
    for title, deadline in (("Utan slutdatum", None), ("Senare", "2031-06-30"), ("Tidigare", "2030-01-31")):
        body = {"issuer_code": "RS", "assignee_code": "HSN", "title": title, "deadline_on": deadline}
        assert (await seeded.client.post("/api/goals/assignments", json=body, headers=rs)).status_code == 201
    listed = (await seeded.client.get("/api/goals/assignments?limit=500", headers=rs)).json()["items"]
    ours = [a["title"] for a in listed if a["title"] in {"Utan slutdatum", "Senare", "Tidigare"}]
    assert ours == ["Tidigare", "Senare", "Utan slutdatum"]
    deadlines = [a["deadline_on"] for a in listed]
    assert None not in deadlines or deadlines.index(None) == len([d for d in deadlines if d is not None])
