"""A change to a record the caller may not see answers 404 whatever its body, and to one they may read but
not change 403: the route's guard runs before the body is validated, so a body the route would refuse (422)
tells nobody that a hidden draft exists (issues 17 and 20)."""

import pytest

EDITOR = ("hsn.editor", "HSN:editor")
OTHER_UNITS_EDITOR = ("run.editor", "RUN:editor")
READER = ("hsn.reader", "HSN:reader")
BAD_GOAL_BODIES = [{"start_year": "twenty"}, {"sdgs": "three"}, {"title": ["a", "list"]}]
BAD_INDICATOR_BODIES = [{"tolerance": "a lot"}, {"direction": "sideways"}, {"name": {"not": "text"}}]


async def _draft_goal_with_indicator(demo) -> tuple[str, str]:
    stack = demo.stack
    goal = await stack.client.post(
        "/api/goals/goals",
        json={"unit_code": "HSN", "title": "Kortare väntetider", "start_year": 2024, "end_year": 2025},
        headers=stack.auth(*EDITOR),
    )
    assert goal.status_code == 201, goal.text
    indicator = await stack.client.post(
        "/api/goals/indicators",
        json={
            "goal_id": goal.json()["id"],
            "name": "Väntetid",
            "unit_of_measure": "dagar",
            "direction": "lower_is_better",
        },
        headers=stack.auth(*EDITOR),
    )
    assert indicator.status_code == 201, indicator.text
    return f"/api/goals/goals/{goal.json()['id']}", f"/api/goals/indicators/{indicator.json()['id']}"


async def _patch(demo, url: str, who: tuple[str, str], body: dict) -> int:
    headers = {**demo.stack.auth(*who), "If-Match": '"1"'}
    return (await demo.stack.client.patch(url, json=body, headers=headers)).status_code


@pytest.mark.parametrize(
    ("record", "bodies"), [("goal", BAD_GOAL_BODIES), ("indicator", BAD_INDICATOR_BODIES)], ids=["goal", "indicator"]
)
async def test_an_invalid_body_answers_404_for_a_hidden_draft_and_403_for_one_only_read(demo, record, bodies):
    goal_url, indicator_url = await _draft_goal_with_indicator(demo)
    url = goal_url if record == "goal" else indicator_url
    for body in bodies:
        assert await _patch(demo, url, EDITOR, body) == 422, body  # the body is refused where it is looked at
        assert await _patch(demo, url, OTHER_UNITS_EDITOR, body) == 404, body
        assert await _patch(demo, url, READER, body) == 403, body
