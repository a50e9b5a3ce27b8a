"""The trace: the demo's Målstyrning recommendation followed through the API to its response, actions, goals and
indicators, with the gaps flagged, in a fixed number of requests to each service."""

import uuid
from collections import Counter
from datetime import date

import httpx

MALSTYRNING = "Målstyrning för verksamheten"


async def _recommendations(stack, headers) -> list[dict]:
    reports = (await stack.client.get("/api/audit/reports?limit=500", headers=headers)).json()["items"]
    report = next(r for r in reports if r["title"] == MALSTYRNING)
    found = await stack.client.get(f"/api/audit/recommendations?report={report['id']}", headers=headers)
    return sorted(found.json()["items"], key=lambda r: r["number"])


async def _goal_and_indicator(stack, headers, goal_title: str, indicator_name: str) -> tuple[dict, dict]:
    goals = (await stack.client.get("/api/goals/goals?limit=500", headers=headers)).json()["items"]
    goal = next(g for g in goals if g["title"].startswith(goal_title))
    indicators = (await stack.client.get(f"/api/goals/indicators?goal={goal['id']}", headers=headers)).json()
    return goal, next(i for i in indicators["items"] if i["name"].startswith(indicator_name))


async def _link(stack, action: dict, **links) -> dict:
    headers = {**stack.auth("rs", "RS:editor"), "If-Match": f'"{action["version"]}"'}
    changed = await stack.client.patch(f"/api/audit/actions/{action['id']}", headers=headers, json=links)
    assert changed.status_code == 200, changed.text
    return dict(changed.json())


class CountingTransport(httpx.AsyncBaseTransport):
    """The gateway's calls to the services for the trace, counted by service (signing in reads the org tree)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != "/units/tree":
            self.calls[request.url.host] += 1
        return await self.inner.handle_async_request(request)


class FailingListings(httpx.AsyncBaseTransport):
    """The goals service unreachable for its goals and indicators, as if it went down mid-trace."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "goals" and request.url.path.startswith(("/goals", "/indicators")):
            raise httpx.ConnectError("goals is down", request=request)
        return await self.inner.handle_async_request(request)


async def test_the_malstyrning_recommendation_is_followed_to_the_indicators_its_actions_should_move(seeded):
    """The demo links the Målstyrning report's actions to the goals and indicators they should move."""
    reader = seeded.auth("bo", "RS:reader")
    first = (await _recommendations(seeded, reader))[0]
    detail = (await seeded.client.get(f"/api/audit/recommendations/{first['id']}", headers=reader)).json()
    actions = {a["title"]: a for a in detail["actions"]}
    guideline = actions["Se över Riktlinje för budget"]
    goal, indicator = await _goal_and_indicator(seeded, reader, "Årets resultat ska uppgå", "Årets resultat i procent")
    assert (guideline["goal_ids"][0], guideline["indicator_ids"][0]) == (goal["id"], indicator["id"])

    traced = await seeded.client.get(f"/api/reports/trace/recommendations/{first['id']}", headers=reader)
    assert traced.status_code == 200, traced.text
    trace = traced.json()
    assert trace["complete"] is True
    assert trace["not_shown"] == []
    assert trace["recommendation"]["report"]["title"] == MALSTYRNING
    decided_on = detail["response"]["decision"]["decided_on"]
    assert (trace["response"]["decided_on"], trace["decided_on"], trace["decided_on_from"]) == (
        decided_on,
        decided_on,
        "response_decision",
    )
    assert {a["id"] for a in trace["actions"]} == {a["id"] for a in detail["actions"]}
    linked_goals = {g for a in detail["actions"] for g in a["goal_ids"]}
    linked_indicators = {i for a in detail["actions"] for i in a["indicator_ids"]}
    assert {g["id"] for g in trace["goals"]} == linked_goals
    assert {i["id"] for i in trace["indicators"]} == linked_indicators
    moved = next(i for i in trace["indicators"] if i["id"] == indicator["id"])
    assert (moved["goal_id"], moved["named_by"]) == (goal["id"], [guideline["id"]])
    measured = await seeded.client.get(f"/api/goals/indicators/{indicator['id']}/measurements", headers=reader)
    periods = [m["period"] for m in measured.json()["items"]]
    assert [p["period"] for p in moved["since"]] == periods, "every value of a period ended after the decision"
    assert all(date.fromisoformat(p["period_end"]) > date.fromisoformat(decided_on) for p in moved["since"])
    assert moved["before"]["value"] == indicator["baseline_value"]
    assert moved["before_is_baseline"] is True
    assert moved["target"] == indicator["targets"][str(date.fromisoformat(moved["latest"]["period_end"]).year)]
    assert moved["colour"] in {"green", "yellow", "red"}
    # The demo's result fell from the baseline: the indicator moved, the wrong way, and is not flagged as still.
    assert moved["change"] == "worse"
    assert moved["latest"]["value"] == moved["since"][-1]["value"]
    assert ("indicator_not_moved", indicator["id"]) not in {(f["kind"], f["id"]) for f in trace["flags"]}
    assert not [f for f in trace["flags"] if f["kind"] != "indicator_not_moved"], "every action names an indicator"


async def test_a_recommendation_with_no_action_an_action_with_no_indicator_and_a_still_indicator_are_flagged(
    seeded,
):
    reader = seeded.auth("bo", "RS:reader")
    recommendations = await _recommendations(seeded, reader)
    auditor = seeded.auth("revisor", "auditor")
    added = await seeded.client.post(
        f"/api/audit/reports/{recommendations[0]['report_id']}/recommendations",
        headers=auditor,
        json={"body_code": "RS", "text": "Följ upp att målen får mätbara indikatorer."},
    )
    assert added.status_code == 201, added.text
    lonely = (
        await seeded.client.get(f"/api/reports/trace/recommendations/{added.json()['id']}", headers=reader)
    ).json()
    assert lonely["actions"] == []
    assert [(f["kind"], f["id"]) for f in lonely["flags"]] == [("recommendation_without_action", added.json()["id"])]

    second = recommendations[1]
    unlinked = await seeded.client.post(
        "/api/audit/actions",
        headers=seeded.auth("rs", "RS:editor"),
        json={"body_code": "RS", "title": "Utbilda nämnderna i styrmodellen", "recommendation_ids": [second["id"]]},
    )
    assert unlinked.status_code == 201, unlinked.text
    # An indicator with no baseline and no value before the decision cannot show a movement.
    _, still = await _goal_and_indicator(seeded, reader, "Nämndens verksamhet bedrivs", "Prognos för avvikelse")
    detail = (await seeded.client.get(f"/api/audit/recommendations/{second['id']}", headers=reader)).json()
    linked = next(a for a in detail["actions"] if a["id"] != unlinked.json()["id"])
    await _link(seeded, linked, indicator_ids=[still["id"]])
    trace = (await seeded.client.get(f"/api/reports/trace/recommendations/{second['id']}", headers=reader)).json()
    flags = {(f["kind"], f["id"]) for f in trace["flags"]}
    assert ("indicator_not_moved", still["id"]) in flags
    assert ("action_without_indicator", unlinked.json()["id"]) in flags
    assert [f["kind"] for f in trace["flags"]].count("action_without_indicator") == 1


async def test_a_goal_the_caller_may_not_read_is_not_shown_and_the_requests_do_not_grow_with_the_links(seeded):
    board = seeded.auth("rs", "RS:editor")
    first = (await _recommendations(seeded, board))[0]
    detail = (await seeded.client.get(f"/api/audit/recommendations/{first['id']}", headers=board)).json()
    goals = (await seeded.client.get("/api/goals/goals?limit=500", headers=board)).json()["items"]
    draft = next(g for g in goals if g["status"] == "draft")
    decided = [g for g in goals if g["status"] == "decided"]
    _, indicator = await _goal_and_indicator(seeded, board, "Årets resultat ska uppgå", "Årets resultat i procent")
    await _link(
        seeded,
        detail["actions"][0],
        goal_ids=[draft["id"], *(g["id"] for g in decided)],
        indicator_ids=[indicator["id"]],
    )

    counting = CountingTransport(seeded.transport)
    gateway = seeded.apps["gateway"]
    gateway.state.proxy.client._transport = counting
    outsider = seeded.auth("r", "RUN:reader")
    trace = (await seeded.client.get(f"/api/reports/trace/recommendations/{first['id']}", headers=outsider)).json()
    assert trace["not_shown"] == [draft["id"]]
    assert {g["id"] for g in trace["goals"]} == {g["id"] for g in decided}
    assert counting.calls == {"audit": 2, "goals": 2}, "one request per step, however many links"


async def test_an_unknown_recommendation_is_404_and_goals_down_leaves_the_trace_incomplete(seeded):
    reader = seeded.auth("bo", "RS:reader")
    missing = await seeded.client.get(
        "/api/reports/trace/recommendations/00000000-0000-0000-0000-000000000000", headers=reader
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    first = (await _recommendations(seeded, reader))[0]
    detail = (await seeded.client.get(f"/api/audit/recommendations/{first['id']}", headers=reader)).json()
    goal, _ = await _goal_and_indicator(seeded, reader, "Årets resultat ska uppgå", "Årets resultat i procent")
    await _link(seeded, detail["actions"][0], goal_ids=[goal["id"]])
    # The goals service stops answering after the caller is signed in (which reads its org tree).
    seeded.apps["gateway"].state.proxy.client._transport = FailingListings(seeded.transport)
    trace = await seeded.client.get(f"/api/reports/trace/recommendations/{first['id']}", headers=reader)
    assert trace.status_code == 200
    assert (trace.json()["complete"], trace.json()["missing"][0]["service"]) == (False, "goals")
    assert trace.json()["not_shown"] == []


async def test_a_grant_is_followed_to_the_indicators_of_its_effect_from_its_first_year(seeded):
    reader = seeded.auth("bo", "RS:reader")
    grants = (await seeded.client.get("/api/budget/grants?limit=500", headers=reader)).json()["items"]
    with_goal = next(g for g in grants if g["goals"])
    traced = await seeded.client.get(f"/api/reports/trace/grants/{with_goal['id']}", headers=reader)
    assert traced.status_code == 200, traced.text
    trace = traced.json()
    assert (trace["complete"], trace["started_on"]) == (True, f"{with_goal['first_year']}-01-01")
    assert {i["id"] for i in trace["indicators"]} == set(with_goal["indicator_ids"])
    for indicator in trace["indicators"]:
        assert indicator["named_by"] == [with_goal["id"]]
        assert all(p["period_end"] >= trace["started_on"] for p in indicator["since"])
        assert indicator["before"] is None or indicator["before"]["period_end"] < trace["started_on"]
    assert not [f for f in trace["flags"] if f["kind"].startswith("grant_")]

    without_goal = next(g for g in grants if not g["goals"])
    flags = (await seeded.client.get(f"/api/reports/trace/grants/{without_goal['id']}", headers=reader)).json()
    assert ("grant_without_goal", without_goal["id"]) in {(f["kind"], f["id"]) for f in flags["flags"]}

    finance = seeded.auth("ekonom", "finance")
    bare = await seeded.client.post(
        "/api/budget/grants",
        headers=finance,
        json={
            "name": "Kömiljarden",
            "grantor": "SKR",
            "first_year": 2022,
            "last_year": 2022,
            "amount": "1000.00",
            "coordinator_unit": "HSN",
            "coordinator": "Karin",
        },
    )
    trace = (await seeded.client.get(f"/api/reports/trace/grants/{bare.json()['id']}", headers=reader)).json()
    assert {f["kind"] for f in trace["flags"]} == {"grant_without_goal", "grant_without_indicator"}
    assert (await seeded.client.get(f"/api/reports/trace/grants/{uuid.uuid4()}", headers=reader)).status_code == 404


async def test_a_risk_is_followed_to_the_goals_and_activities_it_threatens_and_their_indicators(seeded):
    editor = seeded.auth("e", "HSN:editor")
    plans = (await seeded.client.get("/api/audit/internal-control/plans?body=HSN", headers=editor)).json()["items"]
    plan = (await seeded.client.get(f"/api/audit/internal-control/plans/{plans[0]['id']}", headers=editor)).json()
    risk = next(r for r in plan["risks"] if r["goal_ids"])
    threatened = risk["goal_ids"][0]
    reader = seeded.auth("bo", "RS:reader")
    traced = await seeded.client.get(f"/api/reports/trace/risks/{risk['id']}", headers=reader)
    assert traced.status_code == 200, traced.text
    trace = traced.json()
    assert (trace["complete"], trace["risk"]["body_code"]) == (True, "HSN")
    assert trace["compared_from"] == plan["decision"]["decided_on"]
    assert [(g["id"], g["named_by"]) for g in trace["goals"]] == [(threatened, [risk["id"]])]
    measured = (await seeded.client.get(f"/api/goals/indicators?goal={threatened}", headers=reader)).json()
    assert {i["id"] for i in trace["indicators"]} == {i["id"] for i in measured["items"]}
    assert [c["id"] for c in trace["controls"]] == [c["id"] for c in risk["controls"]]
    assert not [f for f in trace["flags"] if f["kind"] == "risk_without_goal"]
    assert trace["risk"]["processes"] == risk["processes"]

    unlinked = next(r for r in plan["risks"] if not r["goal_ids"])
    flags = (await seeded.client.get(f"/api/reports/trace/risks/{unlinked['id']}", headers=reader)).json()["flags"]
    assert [(f["kind"], f["id"]) for f in flags] == [("risk_without_goal", unlinked["id"])]


async def test_a_risk_threatening_an_activity_reaches_the_activitys_goal_and_a_draft_plan_stays_its_bodys(seeded):
    editor = seeded.auth("e", "HSN:editor")
    activity = (await seeded.client.get("/api/goals/activities?unit=HSF", headers=editor)).json()["items"][0]
    plan = await seeded.client.post(
        "/api/audit/internal-control/plans", headers=editor, json={"body_code": "HSN", "year": 2023}
    )
    assert plan.status_code == 201, plan.text
    added = await seeded.client.post(
        f"/api/audit/internal-control/plans/{plan.json()['id']}/risks",
        headers=editor,
        json={
            "title": "Produktionsplaneringen stannar",
            "likelihood": 3,
            "consequence": 3,
            "activity_ids": [activity["id"]],
        },
    )
    assert added.status_code == 201, added.text
    risk = added.json()["risks"][0]
    trace = (await seeded.client.get(f"/api/reports/trace/risks/{risk['id']}", headers=editor)).json()
    assert [a["id"] for a in trace["activities"]] == [activity["id"]]
    assert [(g["id"], g["named_by"]) for g in trace["goals"]] == [(activity["goal_id"], [activity["id"]])]
    assert trace["compared_from"] == "2023-01-01", "a plan not yet decided compares from its year's start"
    outsider = seeded.auth("r", "RUN:reader")
    assert (await seeded.client.get(f"/api/reports/trace/risks/{risk['id']}", headers=outsider)).status_code == 404


async def test_a_demo_risk_names_the_processes_it_threatens_and_its_trace_shows_them(seeded):
    """The demo's HSN plan: contracts with private providers not followed up threaten two processes."""
    editor = seeded.auth("e", "HSN:editor")
    plans = (await seeded.client.get("/api/audit/internal-control/plans?body=HSN", headers=editor)).json()["items"]
    plan = (await seeded.client.get(f"/api/audit/internal-control/plans/{plans[0]['id']}", headers=editor)).json()
    risk = next(r for r in plan["risks"] if r["title"] == "Avtal med privata utförare följs inte upp")
    assert risk["processes"] == ["Inköp och upphandling", "Avtalsuppföljning"]
    trace = await seeded.client.get(f"/api/reports/trace/risks/{risk['id']}", headers=seeded.auth("bo", "RS:reader"))
    assert trace.json()["risk"]["processes"] == risk["processes"]
