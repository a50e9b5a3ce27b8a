"""Follow-up per goal and period: the computed colour, the owner's assessment, goals to report to the council."""

EDITOR = ("hsn.editor", "HSN:editor")


async def _follow_up(demo, goal, year, period, who=EDITOR):
    return await demo.stack.client.get(
        f"/api/goals/goals/{goal['id']}/follow-ups/{year}/{period}", headers=demo.stack.auth(*who)
    )


async def test_the_colour_follows_the_value_standing_at_each_period(demo):
    goal = demo.goal("Minskad sjukfrånvaro")  # lower is better: target 6.5, tolerance 0.5
    t1 = (await _follow_up(demo, goal, 2022, "T1")).json()
    assert (t1["computed"], t1["indicators"][0]["value"], t1["indicators"][0]["period"]) == ("red", "8.3", "2022-T1")
    t2 = (await _follow_up(demo, goal, 2022, "T2")).json()
    assert (t2["indicators"][0]["value"], t2["indicators"][0]["target"]) == ("7.8", "6.5")
    # Add a value within the tolerance for August: the tertial still outranks the month ending with it.
    indicator_id = t2["indicators"][0]["indicator_id"]
    await demo.stack.client.post(
        f"/api/goals/indicators/{indicator_id}/measurements",
        json={"period": "2022-08", "value": "6.9"},
        headers=demo.stack.auth(*EDITOR),
    )
    assert (await _follow_up(demo, goal, 2022, "T2")).json()["indicators"][0]["period"] == "2022-T2"
    await demo.stack.client.post(
        f"/api/goals/indicators/{indicator_id}/measurements",
        json={"period": "2022-05", "value": "6.9"},
        headers=demo.stack.auth(*EDITOR),
    )
    assert (await _follow_up(demo, goal, 2022, "T1")).json()["computed"] == "red"  # May is after T1


async def test_a_goal_without_measured_indicators_is_grey(demo):
    assert (await _follow_up(demo, demo.goal("Stärkt patientsäkerhet"), 2022, "T2")).json()["computed"] == "grey"


async def test_the_owner_writes_an_assessment_and_a_forecast(demo):
    goal = demo.goal("Vård i rätt tid")
    url = f"/api/goals/goals/{goal['id']}/follow-ups/2023/T1"
    body = {"assessment": "green", "forecast": "will_be_met", "analysis": "Tillgängligheten har ökat."}
    first = await demo.stack.client.put(url, json=body, headers=demo.stack.auth(*EDITOR))
    assert first.status_code == 200
    assert (first.json()["assessment"], first.json()["report_to_council"]) == ("green", False)
    without = await demo.stack.client.put(url, json=body, headers=demo.stack.auth(*EDITOR))
    assert without.status_code == 428  # there is one now: changing it needs its ETag
    reader = await demo.stack.client.put(url, json=body, headers=demo.stack.auth("r", "HSN:reader"))
    assert reader.status_code == 403


async def test_a_follow_up_for_a_year_outside_the_goal_is_422(demo):
    goal = demo.goal("Vård i rätt tid")
    response = await demo.stack.client.put(
        f"/api/goals/goals/{goal['id']}/follow-ups/2030/T1",
        json={"forecast": "uncertain"},
        headers=demo.stack.auth(*EDITOR),
    )
    assert response.status_code == 422


async def test_goals_forecast_as_not_met_are_listed_for_the_council_until_the_forecast_turns(demo):
    url = "/api/goals/follow-ups/report-to-council?year=2022"
    listed = (await demo.stack.client.get(url, headers=demo.stack.auth("rf", "RF:reader"))).json()
    titles = {i["goal"]["title"][:22] for i in listed["items"]}
    assert titles == {"Minskad sjukfrånvaro b", "Årets resultat ska upp"}
    goal = demo.goal("Minskad sjukfrånvaro")
    await demo.stack.client.put(
        f"/api/goals/goals/{goal['id']}/follow-ups/2022/year",
        json={"forecast": "will_be_met", "assessment": "yellow"},
        headers=demo.stack.auth(*EDITOR),
    )
    listed = (await demo.stack.client.get(url, headers=demo.stack.auth("rf", "RF:reader"))).json()
    assert {i["goal"]["id"] for i in listed["items"]} == {demo.goal("Årets resultat")["id"]}
