"""A grant and each year's use name the indicators that show their effect, checked with the goals service as the
caller: one it does not know, or does not show that caller, is refused with problem details naming the field."""

import uuid

from tests.budget.conftest import FINANCE, if_match
from tests.budget.test_grants import GRANT

HSN_EDITOR = ("hanna", "HSN:editor")


async def _indicator(stack, unit: str) -> str:
    """An indicator on a goal of `unit`, still a draft: only its own unit (and the region's roles) see it."""
    editor = stack.auth("e", f"{unit}:editor")
    goal = await stack.client.post(
        "/api/goals/goals", headers=editor, json={"unit_code": unit, "title": "Vård i rätt tid", "start_year": 2025}
    )
    assert goal.status_code == 201, goal.text
    body = {"goal_id": goal.json()["id"], "name": "Väntat högst 90 dagar", "unit_of_measure": "%"}
    created = await stack.client.post(
        "/api/goals/indicators", headers=editor, json={**body, "direction": "higher_is_better"}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _refused_at(response) -> list:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()["errors"][0]["loc"]


async def test_a_grant_and_a_years_use_name_the_indicators_of_their_effect_with_history(org):
    indicator, other = await _indicator(org, "HSN"), await _indicator(org, "HSN")
    editor = org.auth(*HSN_EDITOR)
    created = await org.client.post("/api/budget/grants", headers=editor, json={**GRANT, "indicator_ids": [indicator]})
    assert created.status_code == 201, created.text
    grant = created.json()
    assert grant["indicator_ids"] == [indicator]
    changed = await org.client.patch(
        f"/api/budget/grants/{grant['id']}", headers=if_match(editor, grant), json={"indicator_ids": [other, indicator]}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["indicator_ids"] == [other, indicator]
    history = (await org.client.get(f"/api/budget/grants/{grant['id']}/history", headers=editor)).json()["items"]
    assert (history[-1]["actor"], history[-1]["after"]["indicator_ids"]) == ("hanna", [other, indicator])

    use_url = f"/api/budget/grants/{grant['id']}/uses/2025"
    used = await org.client.put(use_url, headers=editor, json={"used": "1000.00", "indicator_ids": [other]})
    assert used.status_code == 200, used.text
    use = used.json()["used"][0]
    assert use["indicator_ids"] == [other]
    again = await org.client.put(use_url, headers=if_match(editor, use), json={"used": "1500.00"})
    assert again.json()["used"][0]["indicator_ids"] == [other], "left out, the year's indicators stay"
    use_history = (await org.client.get(f"{use_url}/history", headers=editor)).json()["items"]
    assert [h["after"]["indicator_ids"] for h in use_history] == [[other], [other]]


async def test_an_indicator_unknown_or_hidden_from_the_caller_is_refused(org):
    hidden = await _indicator(org, "RUN")
    editor = org.auth(*HSN_EDITOR)
    unknown = str(uuid.uuid4())
    create = await org.client.post("/api/budget/grants", headers=editor, json={**GRANT, "indicator_ids": [unknown]})
    assert _refused_at(create) == ["body", "indicator_ids[0]"]
    create = await org.client.post("/api/budget/grants", headers=editor, json={**GRANT, "indicator_ids": [hidden]})
    assert _refused_at(create) == ["body", "indicator_ids[0]"]
    grant = (await org.client.post("/api/budget/grants", headers=editor, json=GRANT)).json()
    patch = await org.client.patch(
        f"/api/budget/grants/{grant['id']}", headers=if_match(editor, grant), json={"indicator_ids": [hidden]}
    )
    assert _refused_at(patch) == ["body", "indicator_ids[0]"]
    use = await org.client.put(
        f"/api/budget/grants/{grant['id']}/uses/2025", headers=editor, json={"used": "1.00", "indicator_ids": [unknown]}
    )
    assert _refused_at(use) == ["body", "indicator_ids[0]"]
    # Finance reads every unit's drafts, so the same indicator is one it may link.
    finance = org.auth(*FINANCE)
    linked = await org.client.patch(
        f"/api/budget/grants/{grant['id']}", headers=if_match(finance, grant), json={"indicator_ids": [hidden]}
    )
    assert linked.status_code == 200, linked.text
