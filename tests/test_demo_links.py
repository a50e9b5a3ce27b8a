"""The demo data links across the services: the Målstyrning report's four actions to the goals and indicators
they should move, a risk of each control plan to a goal, each grant to the indicators of its effect; every id
named is one the goals service knows."""


async def _known(seeded, headers, path: str, ids: set[str]) -> set[str]:
    found = await seeded.client.get(path, params={"ids": sorted(ids), "limit": 500}, headers=headers)
    assert found.status_code == 200, found.text
    return {item["id"] for item in found.json()["items"]}


async def test_the_demo_links_actions_risks_and_grants_to_goals_and_indicators_the_goals_service_knows(seeded):
    board = seeded.auth("bo", "RS:reader", "finance")
    reports = (await seeded.client.get("/api/audit/reports", headers=board)).json()["items"]
    malstyrning = next(r for r in reports if r["title"] == "Målstyrning för verksamheten")
    recs = (await seeded.client.get(f"/api/audit/recommendations?report={malstyrning['id']}", headers=board)).json()
    actions = {}
    for rec in recs["items"]:
        listed = await seeded.client.get(f"/api/audit/actions?recommendation={rec['id']}", headers=board)
        actions.update({a["id"]: a for a in listed.json()["items"]})
    assert len(actions) == 4
    assert all(a["goal_ids"] and a["indicator_ids"] for a in actions.values())

    plans = (await seeded.client.get("/api/audit/internal-control/plans?limit=500", headers=board)).json()["items"]
    risk_goals = set()
    for plan in plans:
        risks = (await seeded.client.get(f"/api/audit/internal-control/plans/{plan['id']}", headers=board)).json()
        linked = [r for r in risks["risks"] if r["goal_ids"]]
        assert linked, f"{plan['body_code']} {plan['year']}: no risk linked to a goal"
        risk_goals.update(g for r in linked for g in r["goal_ids"])

    grants = (await seeded.client.get("/api/budget/grants?limit=500", headers=board)).json()["items"]
    assert grants
    assert all(g["indicator_ids"] for g in grants)

    goals = risk_goals | {g for a in actions.values() for g in a["goal_ids"]}
    indicators = {i for a in actions.values() for i in a["indicator_ids"]} | {
        i for g in grants for i in g["indicator_ids"]
    }
    assert await _known(seeded, board, "/api/goals/goals", goals) == goals
    assert await _known(seeded, board, "/api/goals/indicators/series", indicators) == indicators
