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


async def _as_at(seeded, path, as_of):
    response = await seeded.client.get(f"/api/audit/{path}?as_of={as_of}", headers=seeded.auth("r", "RUN:reader"))
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_2022_control_plans_of_rs_hsn_and_run_are_scored_controlled_and_reported(seeded):
    headers = seeded.auth("r", "RUN:reader")
    plans = (await seeded.client.get("/api/audit/internal-control/plans?year=2022", headers=headers)).json()["items"]
    assert sorted(p["body_code"] for p in plans) == ["HSN", "RS", "RUN"]
    for summary in plans:
        plan = (await seeded.client.get(f"/api/audit/internal-control/plans/{summary['id']}", headers=headers)).json()
        assert (plan["status"], plan["uncontrolled_risks"]) == ("decided", 0)
        assert all(bool(r["controls"]) == r["needs_control"] for r in plan["risks"])
        assert all(len(c["results"]) == 1 for r in plan["risks"] for c in r["controls"])


async def test_the_overview_of_the_demo(seeded):
    overview = await _as_at(seeded, "overview", "2022-06-30")
    bodies = {b["body_code"]: b for b in overview["bodies"]}
    assert sorted(bodies) == ["HSN", "RS", "RUN"]
    # The T2 results speak for 31 August: in June the plans are decided but nothing is reported yet.
    assert (bodies["HSN"]["internal_control"]["results"], bodies["HSN"]["internal_control"]["results_colour"]) == (
        0,
        "grey",
    )
    assert bodies["RS"]["latest_statement"]["remark"] is True
    assert bodies["RS"]["overdue_actions"] == 2
    late = await _as_at(seeded, "overdue", "2022-06-30&body=RS")
    assert [a["title"][:20] for a in late["bodies"][0]["actions"]] == ["Förslag till fullmäk", "Se över Riktlinje fö"]
    at_t2 = {b["body_code"]: b for b in (await _as_at(seeded, "overview", "2022-08-31"))["bodies"]}
    assert {code: b["internal_control"]["results_colour"] for code, b in at_t2.items()} == {
        "HSN": "yellow",
        "RS": "yellow",
        "RUN": "yellow",
    }


async def test_the_boards_status_in_2018_lists_nothing_received_later(seeded):
    status = await _as_at(seeded, "bodies/RS/status", "2018-08-31")
    assert status["as_of"] == "2018-08-31"
    assert status["open_recommendations"] == []
    assert status["overdue"] == {"body_code": "RS", "responses": [], "actions": []}
    assert (status["latest_statement"], status["internal_control"]) == (None, None)
    assert (await _as_at(seeded, "overview", "2018-08-31"))["bodies"] == []


def _by_title(status):
    return {(r["report_title"], r["number"]): r for r in status["open_recommendations"]}, {
        a["title"]: a for r in status["open_recommendations"] for a in r["actions"]
    }


async def test_the_boards_status_at_each_period_end_shows_what_belonged_to_it(seeded):
    t2_2021 = await _as_at(seeded, "bodies/RS/status", "2021-08-31")
    recs, actions = _by_title(t2_2021)
    assert sorted(recs) == [("Granskning av intern kontroll", 1), ("Granskning av intern kontroll", 2)] + [
        ("Målstyrning för verksamheten", n) for n in (1, 2, 3)
    ]
    assert {r["latest_verdict"] for r in recs.values()} == {None}
    styrmodell = actions["Ta fram en styrmodell som får genomslag i politik och verksamhet"]
    assert (styrmodell["status"], styrmodell["finished_on"], styrmodell["latest_note"]) == ("in_progress", None, None)
    assert t2_2021["latest_statement"] is None

    t1 = await _as_at(seeded, "bodies/RS/status", "2022-04-30")
    recs, actions = _by_title(t1)
    assert ("Målstyrning för verksamheten", 2) not in recs, "closed by the auditors on 2022-04-12"
    assert ("Roller, ansvar och befogenheter", 1) in recs
    assert recs[("Granskning av intern kontroll", 1)]["latest_verdict"] == "not_addressed"
    plans_action = actions["Fastställ internkontrollplaner för 2022"]
    assert (plans_action["status"], plans_action["overdue"]) == ("in_progress", True)
    assert (t1["latest_statement"]["year"], t1["latest_statement"]["issued_on"]) == (2021, "2022-04-12")
    assert t1["internal_control"] is None, "the board decided its plan on 2022-05-18"

    t2 = await _as_at(seeded, "bodies/RS/status", "2022-08-31")
    _, actions = _by_title(t2)
    plans_action = actions["Fastställ internkontrollplaner för 2022"]
    assert (plans_action["status"], plans_action["finished_on"], plans_action["overdue"]) == (
        "done",
        "2022-05-18",
        False,
    )
    assert actions["Utvärdera styrmodellen och föreslå direktiv för en översyn"]["status"] == "in_progress"
    assert (t2["internal_control"]["decided_on"], t2["internal_control"]["results"]) == ("2022-05-18", 4)

    year_end = await _as_at(seeded, "bodies/RS/status", "2022-12-31")
    _, actions = _by_title(year_end)
    assert actions["Utvärdera styrmodellen och föreslå direktiv för en översyn"]["finished_on"] == "2022-10-12"
