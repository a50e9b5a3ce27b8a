"""The demo data: the audits the region knows, their answers and decisions, statements and internal control."""

REPORTS = {
    "RS/782/2020": ("Målstyrning för verksamheten", 3),
    "RS/100/2022": ("Ekonomistyrning med fokus på budgetprocessen och resursfördelning", 2),
    "RS/804/2021": ("Granskning av investeringsprocessen", 2),
    "RS/224/2022": ("Roller, ansvar och befogenheter", 1),
    "RS/653/2020": ("Granskning av intern kontroll", 2),
}


async def _report(seeded, title):
    headers = seeded.auth("r", "RUN:reader")
    reports = (await seeded.client.get("/api/audit/reports", headers=headers)).json()["items"]
    summary = next(r for r in reports if r["title"] == title)
    return (await seeded.client.get(f"/api/audit/reports/{summary['id']}", headers=headers)).json()


async def test_the_five_audits_are_there_with_their_diary_numbers(seeded):
    for diary, (title, recommendations) in REPORTS.items():
        report = await _report(seeded, title)
        assert diary in {r["diary_number"] for r in report["recipients"]}
        assert len(report["recommendations"]) == recommendations
    budget = await _report(seeded, "Ekonomistyrning med fokus på budgetprocessen och resursfördelning")
    assert {r["body_code"]: r["diary_number"] for r in budget["recipients"]} == {
        "RS": "RS/100/2022",
        "HSN": "HSN/147/2022",
    }


async def test_the_audit_of_goal_steering_has_the_boards_decision_and_the_four_actions(seeded):
    headers = seeded.auth("r", "RUN:reader")
    report = await _report(seeded, "Målstyrning för verksamheten")
    assert [a["assessment"] for a in report["assessments"]] == ["limited", "largely", "largely"]
    actions: dict[str, dict] = {}
    for rec in report["recommendations"]:
        detail = (await seeded.client.get(f"/api/audit/recommendations/{rec['id']}", headers=headers)).json()
        decision = detail["response"]["decision"]
        assert (decision["decided_by"], decision["decided_on"], decision["paragraph"]) == ("RS", "2021-03-24", "§ 50")
        actions.update({a["id"]: a for a in detail["actions"]})
    assert len(actions) == 4
    assert all(a["owner"] == "Regiondirektör" for a in actions.values())


async def test_the_answers_carry_the_decisions_the_evaluation_names(seeded):
    headers = seeded.auth("r", "RUN:reader")
    decided = (await seeded.client.get("/api/audit/responses?status=decided&limit=100", headers=headers)).json()[
        "items"
    ]
    references = {
        (r["decision"]["decided_by"], r["decision"]["decided_on"], r["decision"]["paragraph"]) for r in decided
    }
    assert references == {
        ("RS", "2021-03-24", "§ 50"),
        ("RS", "2022-05-04", "§ 91"),
        ("HSN", "2022-05-30", "§ 66"),
        ("RS", "2022-03-30", "§ 50"),
        ("HSN", "2022-03-16", "§ 34"),
        ("RS", "2022-06-01", "§ 121"),
    }


async def test_the_2021_statements_direct_remarks_at_the_board_and_hsn(seeded):
    headers = seeded.auth("r", "RUN:reader")
    statements = (await seeded.client.get("/api/audit/statements?year=2021", headers=headers)).json()["items"]
    assert {s["body_code"] for s in statements} == {"RS", "HSN"}
    for statement in statements:
        assert (statement["remark"], statement["internal_control_sufficient"]) == (True, False)
        assert "måluppfyllelse" in statement["remark_grounds"]


async def test_hsns_internal_control_plan_is_scored_and_reported_with_t2(seeded):
    headers = seeded.auth("r", "RUN:reader")
    plans = (await seeded.client.get("/api/audit/internal-control/plans?body=HSN", headers=headers)).json()["items"]
    plan = (await seeded.client.get(f"/api/audit/internal-control/plans/{plans[0]['id']}", headers=headers)).json()
    assert (plan["year"], plan["status"], plan["uncontrolled_risks"]) == (2022, "decided", 0)
    assert [(r["score"], r["colour"], len(r["controls"])) for r in plan["risks"]] == [
        (16, "red", 1),
        (9, "red", 1),
        (8, "yellow", 1),
        (6, "yellow", 1),
        (4, "yellow", 0),
        (2, "green", 0),
    ]
    results = [res["colour"] for r in plan["risks"] for c in r["controls"] for res in c["results"]]
    assert results == ["red", "yellow", "yellow", "green"]
    assert plan["results_colour"] == "yellow"


async def test_the_overview_of_the_demo(seeded):
    overview = (
        await seeded.client.get("/api/audit/overview?as_of=2022-06-30", headers=seeded.auth("r", "RUN:reader"))
    ).json()
    bodies = {b["body_code"]: b for b in overview["bodies"]}
    assert sorted(bodies) == ["HSN", "RS"]
    assert bodies["HSN"]["internal_control"]["results_colour"] == "yellow"
    assert bodies["RS"]["latest_statement"]["remark"] is True
    assert bodies["RS"]["overdue_actions"] == 2
    late = (
        await seeded.client.get("/api/audit/overdue?as_of=2022-06-30&body=RS", headers=seeded.auth("r", "RUN:reader"))
    ).json()
    assert [a["title"][:20] for a in late["bodies"][0]["actions"]] == ["Förslag till fullmäk", "Se över Riktlinje fö"]
