"""The chain, the fulfilment summary and the quality report: right, and in a fixed number of statements."""

from sqlalchemy import event

BOARD = ("board", "RS:reader")


async def test_the_chain_nests_goals_under_strategies_and_their_parents(demo):
    chain = (
        await demo.stack.client.get("/api/goals/chain?year=2022&period=T2&unit=HSN", headers=demo.stack.auth(*BOARD))
    ).json()
    assert chain["plan"]["title"] == "Regionplan med budget 2022–2024"
    s1 = next(s for s in chain["strategies"] if s["number"] == 1)
    access_goal = next(g for g in s1["goals"] if g["title"].startswith("Vård i rätt tid"))
    assert [c["unit_code"] for c in access_goal["children"]] == ["HSF"]
    indicator = access_goal["indicators"][0]
    # As at 31 August: the T2 value and T1's before it, not the year's (77) measured after.
    assert (indicator["target"], indicator["latest"]["value"], indicator["previous"]["value"]) == ("80", "76", "74")
    assert (indicator["trend"], indicator["colour"], access_goal["colour"]) == ("improving", "yellow", "yellow")
    s4 = next(s for s in chain["strategies"] if s["number"] == 4)
    council_goal = s4["goals"][0]
    assert council_goal["unit_code"] == "RF"
    assert council_goal["children"][0]["unit_code"] == "HSN"
    # Other committees' goals are outside HSN's chain.
    s3 = next(s for s in chain["strategies"] if s["number"] == 3)
    assert s3["goals"] == []


def _goals_in(nodes: list[dict]) -> list[dict]:
    """Every goal of a chain's goal lists, their children included."""
    return [found for goal in nodes for found in [goal, *_goals_in(goal["children"])]]


async def test_the_chain_of_the_council_level_holds_the_councils_goals_and_the_strategies(demo):
    headers = demo.stack.auth(*BOARD)
    whole = (await demo.stack.client.get("/api/goals/chain?year=2022&period=T2", headers=headers)).json()
    council = (
        await demo.stack.client.get("/api/goals/chain?year=2022&period=T2&levels=council", headers=headers)
    ).json()
    goals = _goals_in([g for s in council["strategies"] for g in s["goals"]] + council["unlinked_goals"])
    assert goals
    assert {g["level"] for g in goals} == {"council"}
    whole_goals = _goals_in([g for s in whole["strategies"] for g in s["goals"]] + whole["unlinked_goals"])
    assert sorted(g["id"] for g in goals) == sorted(g["id"] for g in whole_goals if g["level"] == "council")
    assert [s["indicators"] for s in council["strategies"]] == [s["indicators"] for s in whole["strategies"]]
    committee_and_council = (
        await demo.stack.client.get(
            "/api/goals/chain?year=2022&period=T2&levels=council&levels=committee", headers=headers
        )
    ).json()
    levels = {g["level"] for s in committee_and_council["strategies"] for g in _goals_in(s["goals"])}
    assert levels == {"council", "committee"}


async def test_the_chain_shows_orphans_only_to_those_who_may_read_the_draft(demo):
    board = (await demo.stack.client.get("/api/goals/chain?year=2022", headers=demo.stack.auth(*BOARD))).json()
    assert [g["title"][:12] for g in board["unlinked_goals"]] == ["Digitalisera"]
    assert board["unlinked_goals"][0]["orphan"] is True
    other = (
        await demo.stack.client.get("/api/goals/chain?year=2022", headers=demo.stack.auth("r", "RUN:reader"))
    ).json()
    assert other["unlinked_goals"] == []


async def test_the_fulfilment_summary_counts_decided_goals_by_colour(demo):
    summary = (
        await demo.stack.client.get("/api/goals/fulfilment?year=2022&period=T2", headers=demo.stack.auth(*BOARD))
    ).json()
    # Red: sick leave, HSN's frame (−110 mnkr) and the council's result goal (1.02 % against 2 %), the
    # last two mirroring the budget service's T2 figures.
    assert summary["totals"] == {"green": 0, "yellow": 2, "red": 3, "grey": 2}
    rows = {(r["unit_code"], r["perspective"]): r for r in summary["rows"]}
    assert rows[("HSN", "employee")]["red"] == 1
    assert rows[("RUN", "citizen")]["grey"] == 1  # measured for the year only, not by August
    year_end = (
        await demo.stack.client.get(
            "/api/goals/fulfilment?year=2022&period=year&unit=RUN", headers=demo.stack.auth(*BOARD)
        )
    ).json()
    assert year_end["totals"]["green"] == 1
    assert year_end["unit_code"] == "RUN"


async def test_the_quality_report_answers_how_measurable_hsns_goals_are(demo):
    report = (await demo.stack.client.get("/api/goals/quality?unit=HSN", headers=demo.stack.auth(*BOARD))).json()
    assert (report["goals"], report["measurable"], report["measurable_share"]) == (5, 4, "0.800")
    by_unit = {u["unit_code"]: u for u in report["units"]}
    assert by_unit["HSN"]["measurable_share"] == "0.750"
    assert by_unit["HSN"]["financial_goals"] == 1
    unmeasurable = [g for g in report["goal_checks"] if not g["measurable"]]
    assert [g["title"] for g in unmeasurable] == ["Stärkt patientsäkerhet"]
    assert unmeasurable[0]["checks"]["has_indicator"] is False
    assert unmeasurable[0]["checks"]["time_bound"] is False
    region = (await demo.stack.client.get("/api/goals/quality", headers=demo.stack.auth(*BOARD))).json()
    assert [o["unit_code"] for o in region["orphans"]] == ["RS"]


async def test_the_quality_summary_counts_as_the_full_report_without_each_goals_checks(demo):
    headers = demo.stack.auth(*BOARD)
    for query in ("unit=HSN", "year=2022", "year=2030"):
        full = (await demo.stack.client.get(f"/api/goals/quality?{query}", headers=headers)).json()
        summary = (await demo.stack.client.get(f"/api/goals/quality?{query}&detail=summary", headers=headers)).json()
        assert full["goal_checks"] is not None
        assert summary == {**full, "goal_checks": None}, query


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


async def _grow(demo, copies: int) -> None:
    """Add goals, each with an indicator, a target and a measurement, under HSN's first strategy."""
    headers = demo.stack.auth("e", "HSN:editor")
    for n in range(copies):
        goal = (
            await demo.stack.client.post(
                "/api/goals/goals",
                headers=headers,
                json={
                    "unit_code": "HSN",
                    "title": f"Mål {n}",
                    "start_year": 2022,
                    "end_year": 2024,
                    "perspective": "process",
                    "parent_strategy_id": demo.strategy(1)["id"],
                },
            )
        ).json()
        indicator = (
            await demo.stack.client.post(
                "/api/goals/indicators",
                headers=headers,
                json={
                    "goal_id": goal["id"],
                    "name": f"Mått {n}",
                    "unit_of_measure": "st",
                    "direction": "higher_is_better",
                    "targets": {"2022": "10"},
                },
            )
        ).json()
        await demo.stack.client.post(
            f"/api/goals/indicators/{indicator['id']}/measurements",
            headers=headers,
            json={"period": "2022-T2", "value": str(n)},
        )


async def _statements(demo, path: str) -> int:
    counter = StatementCounter(demo.stack.apps["goals"].state.engine)
    response = await demo.stack.client.get(path, headers=demo.stack.auth(*BOARD))
    assert response.status_code == 200
    return counter.count


async def test_the_number_of_statements_does_not_grow_with_the_goals(demo):
    paths = [
        "/api/goals/chain?year=2022&period=T2",
        "/api/goals/chain?year=2022&period=T2&levels=council",
        "/api/goals/fulfilment?year=2022&period=T2",
        "/api/goals/quality",
        "/api/goals/quality?detail=summary",
        "/api/goals/quality?year=2022&period=T2&detail=summary",
        "/api/goals/chain?year=2022&period=T2&levels=council&as_of=2022-06-15",
        "/api/goals/follow-ups/report-to-council?year=2022&period=T2",
        "/api/goals/assignments?as_of=2022-08-31",
        "/api/goals/goals?limit=100",
    ]
    before = {p: await _statements(demo, p) for p in paths}
    await _grow(demo, 6)
    after = {p: await _statements(demo, p) for p in paths}
    assert after == before


async def test_an_unknown_level_or_detail_is_a_422_naming_the_parameter(demo):
    headers = demo.stack.auth(*BOARD)
    for path, field in (
        ("/api/goals/chain?year=2022&period=T2&levels=parliament", "levels"),
        ("/api/goals/quality?detail=everything", "detail"),
    ):
        response = await demo.stack.client.get(path, headers=headers)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in str(response.json()["errors"])
