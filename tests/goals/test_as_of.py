"""Each read model answers as at a date: what belonged to it, nothing typed in or decided after.

A year of its own (2023, a new committee TST): measurements of months after T1 and after T2, a goal
decided in September, follow-ups of T1 and T2, assignments decided before and after T2. Then the demo's
2022, whose T1, T2 and year values and T1 and T2 follow-ups differ.
"""

from dataclasses import dataclass

import pytest

BOARD = ("board", "RS:reader")
TST = ("tst", "TST:editor", "TST:registrar")
RS = ("rs", "RS:editor", "RS:registrar")
T1, T2, YEAR_END = "2023-04-30", "2023-08-31", "2023-12-31"


@dataclass
class Year:
    """The 2023 of committee TST: goal A decided before the year, goal B decided in September."""

    stack: object
    a: str
    b: str
    indicator: str
    early: str
    late: str

    async def get(self, path: str) -> dict:
        response = await self.stack.client.get(f"/api/goals{path}", headers=self.stack.auth(*BOARD))
        assert response.status_code == 200, response.text
        return response.json()


async def _post(stack, path: str, body: dict, who=TST, **headers: str) -> dict:
    response = await stack.client.post(f"/api/goals{path}", json=body, headers={**stack.auth(*who), **headers})
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _put(stack, path: str, body: dict, who=TST) -> None:
    response = await stack.client.put(f"/api/goals{path}", json=body, headers=stack.auth(*who))
    assert response.status_code == 200, response.text


async def _decided_goal(stack, strategy_id: str, title: str, decided_on: str, start_year: int = 2023) -> str:
    goal = await _post(
        stack,
        "/goals",
        {
            "unit_code": "TST",
            "title": title,
            "start_year": start_year,
            "end_year": 2023,
            "perspective": "citizen",
            "parent_strategy_id": strategy_id,
        },
    )
    decision = {"decided_by": "TST", "decided_on": decided_on, "paragraph": "§ 1"}
    await _post(stack, f"/goals/{goal['id']}/decide", decision, **{"If-Match": '"1"'})
    return str(goal["id"])


async def _assignment(stack, title: str, decided_on: str, follow_ups: dict[str, str]) -> str:
    body = {
        "issuer_code": "RS",
        "assignee_code": "TST",
        "title": title,
        "deadline_on": "2023-06-30",
        "decision": {"decided_by": "RS", "decided_on": decided_on, "paragraph": "§ 9", "diary_number": "RS/1/2023"},
    }
    assignment = await _post(stack, "/assignments", body, who=RS)
    for period, text in follow_ups.items():
        await _put(stack, f"/assignments/{assignment['id']}/follow-ups/2023/{period}", {"text": text})
    return str(assignment["id"])


@pytest.fixture
async def year(demo) -> Year:
    stack = demo.stack
    unit = {"code": "TST", "name": "Testnämnden", "kind": "committee", "parent_code": "RF"}
    await _post(stack, "/units", unit, who=("admin", "admin"))
    strategy = demo.strategy(3)["id"]
    # A runs 2022–2023: its 2022 target (60) would make 2023's 78 green; 2023's (80) makes it yellow.
    a = await _decided_goal(stack, strategy, "A: nöjdare invånare", "2021-12-14", start_year=2022)
    b = await _decided_goal(stack, strategy, "B: beslutat i september", "2023-09-20")
    indicator = await _post(
        stack,
        "/indicators",
        {
            "goal_id": a,
            "name": "Andel nöjda",
            "unit_of_measure": "%",
            "direction": "higher_is_better",
            "tolerance": "5",
            "targets": {"2022": "60", "2023": "80"},
        },
    )
    measurements = [
        {"period": "2022", "value": "70", "value_women": "72", "value_men": "68"},
        {"period": "2023-03", "value": "75"},
        {"period": "2023-T1", "value": "78", "value_women": "80", "value_men": "76"},
        {"period": "2023-06", "value": "79"},  # after T1
        {"period": "2023-T2", "value": "82", "value_women": "84", "value_men": "80"},
        {"period": "2023", "value": "85"},  # after T2
    ]
    for m in measurements:
        await _post(stack, f"/indicators/{indicator['id']}/measurements", m)
    follow_ups = {
        (a, "T1"): {"assessment": "yellow", "forecast": "will_not_be_met", "analysis": "Per april: nås inte"},
        (a, "T2"): {"assessment": "green", "forecast": "will_be_met", "analysis": "Per augusti: nås"},
        (b, "T2"): {"assessment": "red", "forecast": "will_not_be_met", "analysis": "B nås inte"},
    }
    for (goal, period), body in follow_ups.items():
        await _put(stack, f"/goals/{goal}/follow-ups/2023/{period}", body)
    early = await _assignment(stack, "Tidigt uppdrag", "2023-03-15", {"T1": "Påbörjat", "T2": "Halvvägs"})
    late = await _assignment(stack, "Sent uppdrag", "2023-09-20", {})
    return Year(stack, a, b, str(indicator["id"]), early, late)


def _goals(chain: dict) -> dict[str, dict]:
    def walk(goals: list[dict]) -> list[dict]:
        return [found for g in goals for found in [g, *walk(g["children"])]]

    tops = [g for s in chain["strategies"] for g in s["goals"]] + chain["unlinked_goals"]
    return {g["id"]: g for g in walk(tops)}


def _shown(indicator: dict) -> tuple:
    latest, previous = indicator["latest"], indicator["previous"]
    return (
        latest["period"],
        latest["value"],
        latest["value_women"],
        latest["value_men"],
        previous["period"] if previous else None,
        indicator["trend"],
        indicator["colour"],
    )


async def test_the_chain_shows_the_values_and_goals_of_each_date(year):
    at_t1 = await year.get("/chain?year=2023&period=T1&unit=TST")
    at_t2 = await year.get("/chain?year=2023&period=T2&unit=TST")
    at_end = await year.get("/chain?year=2023&period=year&unit=TST")
    assert (at_t1["as_of"], at_t2["as_of"], at_end["as_of"]) == (T1, T2, YEAR_END)
    goals_t1, goals_t2, goals_end = _goals(at_t1), _goals(at_t2), _goals(at_end)
    assert year.b not in goals_t1
    assert year.b not in goals_t2
    assert year.b in goals_end
    assert _shown(goals_t1[year.a]["indicators"][0]) == ("2023-T1", "78", "80", "76", "2023-03", "improving", "yellow")
    assert _shown(goals_t2[year.a]["indicators"][0]) == ("2023-T2", "82", "84", "80", "2023-06", "improving", "green")
    assert _shown(goals_end[year.a]["indicators"][0]) == ("2023", "85", None, None, "2023-T2", "improving", "green")


async def test_an_as_of_between_period_ends_counts_the_months_ended_by_then(year):
    mid_june = await year.get("/chain?year=2023&period=T2&unit=TST&as_of=2023-06-15")
    end_of_june = await year.get("/chain?year=2023&period=T2&unit=TST&as_of=2023-06-30")
    assert mid_june["as_of"] == "2023-06-15"
    # June had not ended on the 15th: the T1 value stands; on the 30th June's does.
    assert _shown(_goals(mid_june)[year.a]["indicators"][0])[:2] == ("2023-T1", "78")
    assert _shown(_goals(end_of_june)[year.a]["indicators"][0])[:2] == ("2023-06", "79")
    fulfilment = await year.get("/fulfilment?year=2023&period=T2&unit=TST&as_of=2023-06-15")
    assert (fulfilment["as_of"], fulfilment["totals"]["yellow"], fulfilment["totals"]["green"]) == ("2023-06-15", 1, 0)


async def test_the_fulfilment_counts_the_goals_decided_by_each_date_at_their_colour_then(year):
    totals = {}
    for period in ("T1", "T2", "year"):
        summary = await year.get(f"/fulfilment?year=2023&period={period}&unit=TST")
        totals[period] = {colour: n for colour, n in summary["totals"].items() if n}
    assert totals == {"T1": {"yellow": 1}, "T2": {"green": 1}, "year": {"green": 1, "grey": 1}}


async def test_the_quality_report_judges_the_goals_decided_by_the_date(year):
    at_t2 = await year.get("/quality?year=2023&unit=TST&period=T2&detail=summary")
    at_end = await year.get(f"/quality?year=2023&unit=TST&as_of={YEAR_END}&detail=summary")
    assert (at_t2["as_of"], at_t2["goals"], at_end["goals"]) == (T2, 1, 2)


async def test_the_council_is_told_of_the_follow_ups_of_periods_ended_by_the_date(year):
    async def listed(query: str) -> tuple[str, list[tuple[str, str]]]:
        page = await year.get(f"/follow-ups/report-to-council?year=2023&{query}")
        ours = [(item["goal"]["id"], item["period"]) for item in page["items"] if item["goal"]["unit_code"] == "TST"]
        return page["as_of"], ours

    assert await listed("period=T1") == (T1, [(year.a, "T1")])
    assert await listed("as_of=2023-06-15") == ("2023-06-15", [(year.a, "T1")])
    assert await listed("period=T2") == (T2, [])  # A met by T2; B not yet decided
    assert await listed("as_of=2023-09-30") == ("2023-09-30", [(year.b, "T2")])


async def test_assignments_are_those_decided_by_the_date_with_that_dates_follow_ups(year):
    async def listed(as_of: str) -> dict[str, dict]:
        page = await year.get(f"/assignments?assignee=TST&as_of={as_of}")
        assert page["as_of"] == as_of
        assert page["status_known_on"] > YEAR_END
        return {item["id"]: item for item in page["items"]}

    before = await listed("2023-03-01")
    at_t1, at_t2, at_end = await listed(T1), await listed(T2), await listed(YEAR_END)
    assert before == {}
    assert list(at_t1) == list(at_t2) == [year.early]
    assert set(at_end) == {year.early, year.late}
    early_t1, early_t2 = at_t1[year.early], at_t2[year.early]
    assert [f["period"] for f in early_t1["follow_ups"]] == ["T1"]
    assert (early_t1["latest_follow_up"]["text"], early_t1["overdue"]) == ("Påbörjat", False)
    assert (early_t2["latest_follow_up"]["text"], early_t2["overdue"]) == ("Halvvägs", True)


async def test_the_goals_export_is_as_at_the_period_end(year):
    response = await year.stack.client.get(
        "/api/goals/exports/goals?year=2023&period=T1&unit=TST&format=csv", headers=year.stack.auth(*BOARD)
    )
    assert response.status_code == 200
    assert f'filename="goals-2023-as-of-{T1}.csv"' in response.headers["content-disposition"]
    row = next(line for line in response.text.splitlines() if "Andel nöjda" in line)
    assert ",2023-T1,78,80,76,improving,yellow" in row
    assert "B: beslutat" not in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/chain?year=2023&period={p}&unit=TST",
        "/fulfilment?year=2023&period={p}&unit=TST",
        "/quality?year=2023&period={p}&unit=TST",
        "/follow-ups/report-to-council?year=2023&period={p}",
    ],
)
async def test_year_and_period_without_as_of_answer_as_at_the_periods_end(year, path):
    for period, end in (("T1", T1), ("T2", T2), ("year", YEAR_END)):
        default = await year.get(path.format(p=period))
        explicit = await year.get(path.format(p=period) + f"&as_of={end}")
        assert default == explicit
        assert default["as_of"] == end


@pytest.mark.parametrize(
    "path",
    [
        "/chain?year=2022",
        "/fulfilment?year=2022&period=T2",
        "/quality?year=2022",
        "/follow-ups/report-to-council?year=2022",
        "/assignments",
        "/exports/goals?year=2022",
    ],
)
@pytest.mark.parametrize("bad", ["2022-02-30", "31 augusti", "2022-8-31x"])
async def test_a_bad_as_of_is_a_422_problem_naming_it(seeded, path, bad):
    separator = "&" if "?" in path else "?"
    response = await seeded.client.get(f"/api/goals{path}{separator}as_of={bad}", headers=seeded.auth(*BOARD))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "as_of" in str(response.json()["errors"])


async def test_a_period_without_a_year_is_a_422_for_the_quality_report(seeded):
    response = await seeded.client.get("/api/goals/quality?period=T2", headers=seeded.auth(*BOARD))
    assert response.status_code == 422
    assert response.json()["field"] == "period"


# --- the demo's 2022 -----------------------------------------------------------------------------


async def _demo(seeded, path: str) -> dict:
    response = await seeded.client.get(f"/api/goals{path}", headers=seeded.auth(*BOARD))
    assert response.status_code == 200, response.text
    return response.json()


def _indicator(chain: dict, name: str) -> dict:
    return next(i for g in _goals(chain).values() for i in g["indicators"] if i["name"] == name)


async def test_the_demo_chain_of_2022_shows_each_periods_values(seeded):
    shown = {}
    for period in ("T1", "T2", "year"):
        chain = await _demo(seeded, f"/chain?year=2022&period={period}&unit=HSN")
        sick_leave = _indicator(chain, "Sjukfrånvaro")
        shown[period] = (
            _indicator(chain, "Andel patienter som fått första besök inom 90 dagar")["latest"]["value"],
            sick_leave["latest"]["value_women"],
            sick_leave["previous"]["period"],
        )
    assert shown == {"T1": ("74", "8.8", "2021"), "T2": ("76", "8.2", "2022-T1"), "year": ("77", None, "2022-T2")}


async def test_the_demo_reports_to_the_council_at_t2_what_was_forecast_then(seeded):
    at_t1 = await _demo(seeded, "/follow-ups/report-to-council?year=2022&period=T1")
    at_t2 = await _demo(seeded, "/follow-ups/report-to-council?year=2022&period=T2")
    assert at_t1["items"] == []
    assert sorted((i["goal"]["unit_code"], i["period"]) for i in at_t2["items"]) == [("HSN", "T2"), ("RF", "T2")]


async def test_the_demo_assignment_carries_the_follow_up_of_the_date(seeded):
    def texts(page: dict) -> dict[str, str | None]:
        return {
            i["title"][:20]: (i["latest_follow_up"]["period"] if i["latest_follow_up"] else None) for i in page["items"]
        }

    before = texts(await _demo(seeded, "/assignments?as_of=2022-03-01"))
    at_t1 = texts(await _demo(seeded, "/assignments?as_of=2022-04-30"))
    at_t2 = texts(await _demo(seeded, "/assignments?as_of=2022-08-31"))
    # The council's 2018 assignment has no decision date recorded: it is listed at every date.
    assert before == {"Se över reglerna för": "year"}
    assert at_t1 == {"Se över reglerna för": "year", "Utöka planeringshori": "T1"}
    assert at_t2 == {"Se över reglerna för": "year", "Utöka planeringshori": "T2"}


async def test_a_chain_before_the_plan_was_decided_has_no_plan(seeded):
    chain = await _demo(seeded, "/chain?year=2022&as_of=2021-06-15&levels=council")
    assert chain["plan"] is None
    assert _goals(chain) == {}
    decided = await _demo(seeded, "/chain?year=2022&as_of=2021-06-16&levels=council")
    assert decided["plan"]["title"] == "Regionplan med budget 2022–2024"
