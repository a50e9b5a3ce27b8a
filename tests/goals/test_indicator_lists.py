"""GET /indicators: every indicator the caller may read, paged, by goal, strategy, Kolada KPI, unit and external
code, as a frontend setting up Kolada lists them (issue 15); drafts only to those who read their unit's drafts."""

import uuid

EDITOR = ("hsn.editor", "HSN:editor")
OTHER_EDITOR = ("run.editor", "RUN:editor")
KPI = "U00405"
CODE = "HSN-VACC-1"


async def _draft_indicators(demo) -> dict[str, dict]:
    """A draft goal of HSN with a Kolada indicator and an imported one: drafts, like their goal."""
    headers = demo.stack.auth(*EDITOR)
    goal = await demo.stack.client.post(
        "/api/goals/goals",
        json={"unit_code": "HSN", "title": "Fler vaccinerade", "start_year": 2023, "end_year": 2025},
        headers=headers,
    )
    assert goal.status_code == 201, goal.text
    common = {"goal_id": goal.json()["id"], "unit_of_measure": "%", "direction": "higher_is_better"}
    bodies = {
        "kolada": {**common, "name": "Vaccinationstäckning", "source": "kolada", "kolada_kpi": KPI},
        "external": {**common, "name": "Bokade vaccinationer", "source": "external", "external_code": CODE},
    }
    made = {}
    for key, body in bodies.items():
        response = await demo.stack.client.post("/api/goals/indicators", json=body, headers=headers)
        assert response.status_code == 201, response.text
        made[key] = response.json()
    return {**made, "goal": goal.json()}


async def _list(demo, query: str = "", who=EDITOR) -> dict:
    response = await demo.stack.client.get(f"/api/goals/indicators?limit=500{query}", headers=demo.stack.auth(*who))
    assert response.status_code == 200, response.text
    return response.json()


def _names(page: dict) -> list[str]:
    return [item["name"] for item in page["items"]]


async def test_without_a_filter_every_readable_indicator_is_listed_by_name_and_paged(demo):
    drafts = await _draft_indicators(demo)
    mine = await _list(demo)
    theirs = await _list(demo, who=OTHER_EDITOR)
    draft_ids = {drafts["kolada"]["id"], drafts["external"]["id"]}

    assert draft_ids <= {item["id"] for item in mine["items"]}
    assert not draft_ids & {item["id"] for item in theirs["items"]}  # another unit's drafts are as if absent
    assert mine["total"] == theirs["total"] + 2 == len(mine["items"])
    assert _names(mine) == sorted(_names(mine))
    assert mine["items"][0]["targets"] == {k: v for k, v in sorted(mine["items"][0]["targets"].items())}
    page = await demo.stack.client.get("/api/goals/indicators?limit=2&offset=2", headers=demo.stack.auth(*EDITOR))
    assert page.json() == {"items": mine["items"][2:4], "total": mine["total"], "limit": 2, "offset": 2}


async def test_the_filters_a_kolada_setup_needs_and_that_they_combine(demo):
    drafts = await _draft_indicators(demo)
    kolada, external = drafts["kolada"]["id"], drafts["external"]["id"]
    hsn = await _list(demo, "&unit=HSN")
    below = await _list(demo, "&unit=HSN&subtree=true")
    council = await _list(demo, "&unit=RF")
    strategy = demo.strategy(1)["id"]

    assert [i["id"] for i in (await _list(demo, f"&kolada_kpi={KPI}"))["items"]] == [kolada]
    assert [i["id"] for i in (await _list(demo, f"&external_code={CODE}"))["items"]] == [external]
    assert {i["id"] for i in (await _list(demo, f"&goal={drafts['goal']['id']}"))["items"]} == {kolada, external}
    assert {kolada, external} <= {i["id"] for i in hsn["items"]}
    assert set(_names(hsn)) < set(_names(below))  # HSF's, below HSN, only with subtree
    assert "Median väntetid till första besök" in set(_names(below)) - set(_names(hsn))
    # The council's indicators are its goals' and the plan's strategies'.
    assert {i["strategy_id"] for i in council["items"]} >= {strategy, None}
    assert [i["strategy_id"] for i in (await _list(demo, f"&strategy={strategy}"))["items"]] == [strategy]
    assert (await _list(demo, f"&unit=RUN&kolada_kpi={KPI}"))["items"] == []


async def test_a_filter_naming_nothing_gives_an_empty_page_or_a_422_on_the_query(demo):
    drafts = await _draft_indicators(demo)
    for query in (f"&goal={uuid.uuid4()}", "&kolada_kpi=N99999", "&external_code=NOPE", f"&strategy={uuid.uuid4()}"):
        assert await _list(demo, query) == {"items": [], "total": 0, "limit": 500, "offset": 0}, query
    # A draft goal hidden from the caller is as absent as one that does not exist.
    assert (await _list(demo, f"&goal={drafts['goal']['id']}", who=OTHER_EDITOR))["total"] == 0
    for query, name in (("unit=NOPE", "unit"), ("kolada_kpi=kpi", "kolada_kpi"), ("goal=x", "goal")):
        response = await demo.stack.client.get(f"/api/goals/indicators?{query}", headers=demo.stack.auth(*EDITOR))
        assert response.status_code == 422, query
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [error["loc"] for error in response.json()["errors"]] == [["query", name]], query
