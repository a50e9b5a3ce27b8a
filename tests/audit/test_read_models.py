"""Read models: one body's standing and the overview of all bodies, right and in a fixed number of statements."""

from sqlalchemy import event

from tests.audit.conftest import AUDITOR, decided_goal, etag, make_report

READER = ("r", "RUN:reader")


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *args, **kwargs):
        self.count += 1


async def _internal_control(stack, body, year, outcomes):
    editor, registrar = stack.auth("e", f"{body}:editor"), stack.auth("r", f"{body}:registrar")
    plan = (
        await stack.client.post(
            "/api/audit/internal-control/plans", headers=editor, json={"body_code": body, "year": year}
        )
    ).json()
    url = f"/api/audit/internal-control/plans/{plan['id']}"
    await stack.client.post(f"{url}/risks", headers=editor, json={"title": "Låg", "likelihood": 1, "consequence": 2})
    for n, _ in enumerate(outcomes):
        await stack.client.post(
            f"{url}/risks", headers=editor, json={"title": f"Hög {n}", "likelihood": 4, "consequence": 3}
        )
    plan = (await stack.client.get(url, headers=editor)).json()
    for risk in plan["risks"]:
        if risk["needs_control"]:
            await stack.client.post(
                f"/api/audit/internal-control/risks/{risk['id']}/controls",
                headers=editor,
                json={"control": "Kontroll", "method": "Stickprov", "frequency": "Årligen", "owner": "Chef"},
            )
    plan = (await stack.client.get(url, headers=editor)).json()  # the controls moved the plan's ETag
    decided = await stack.client.post(
        f"{url}/decide",
        headers={**registrar, **etag(plan)},
        json={"decided_by": body, "decided_on": f"{year}-02-01", "paragraph": "§ 5"},
    )
    assert decided.status_code == 200, decided.text
    controls = [c for r in decided.json()["risks"] for c in r["controls"]]
    for control, outcome in zip(controls, outcomes, strict=True):
        extra = {"description": "Avvikelse"} if outcome == "deviation" else {}
        await stack.client.post(
            f"/api/audit/internal-control/controls/{control['id']}/results",
            headers=editor,
            json={"outcome": outcome, "reported_on": f"{year}-09-15", **extra},
        )


async def _statement(stack, body, year, remark):
    await stack.client.post(
        "/api/audit/statements",
        headers=stack.auth(*AUDITOR),
        json={
            "year": year,
            "body_code": body,
            "discharge_recommended": True,
            "remark": remark,
            "remark_grounds": "Bristande styrning." if remark else None,
            "internal_control_sufficient": not remark,
        },
    )


async def test_a_bodys_status_shows_open_recommendations_actions_overdue_statement_and_control(audit):
    stack = audit.stack
    goal = await decided_goal(audit.stack)
    late = (await audit.act("RS", title="Sen", deadline_on="2022-06-30", goal_ids=[goal])).json()
    await audit.act("RS", title="Klar", deadline_on="2022-06-30", status="done", finished_on="2022-06-30")
    response = (await audit.respond("RS")).json()
    await audit.decide(response)
    await _statement(stack, "RS", 2020, remark=False)
    await _statement(stack, "RS", 2021, remark=True)
    await _internal_control(stack, "RS", 2022, ["no_deviation", "deviation"])
    status = (
        await stack.client.get("/api/audit/bodies/RS/status?as_of=2022-08-31", headers=stack.auth(*READER))
    ).json()
    assert status["as_of"] == "2022-08-31"
    [rec] = status["open_recommendations"]
    assert (rec["number"], rec["report_title"], rec["response_decided_on"]) == (
        1,
        "Granskning av investeringsprocessen",
        "2022-03-30",
    )
    assert [(a["title"], a["overdue"], a["goal_ids"]) for a in rec["actions"]] == [
        ("Klar", False, []),
        ("Sen", True, [goal]),
    ]
    assert status["overdue"]["responses"] == []
    assert [a["action_id"] for a in status["overdue"]["actions"]] == [late["id"]]
    assert (status["latest_statement"]["year"], status["latest_statement"]["remark"]) == (2021, True)
    control = status["internal_control"]
    assert (control["year"], control["risks"], control["controls"], control["results"], control["deviations"]) == (
        2022,
        3,
        2,
        2,
        1,
    )
    assert control["risks_by_colour"] == {"green": 1, "yellow": 0, "red": 2}
    assert control["results_colour"] == "red"


async def test_the_body_status_shows_decided_material_only(audit):
    await audit.respond("RS")
    await audit.stack.client.post(
        "/api/audit/internal-control/plans", headers=audit.auth("RS:editor"), json={"body_code": "RS", "year": 2022}
    )
    status = (
        await audit.stack.client.get("/api/audit/bodies/RS/status?as_of=2022-07-01", headers=audit.auth("RS:editor"))
    ).json()
    assert status["open_recommendations"][0]["response_decided_on"] is None
    assert [r["number"] for r in status["overdue"]["responses"]] == [1]
    assert status["internal_control"] is None


async def test_a_closed_recommendation_leaves_the_bodys_open_list(audit):
    await audit.stack.client.post(
        f"/api/audit/recommendations/{audit.rec['HSN']['id']}/verdicts",
        headers={**audit.auth(*AUDITOR), **etag(audit.rec["HSN"])},
        json={"verdict": "addressed", "reviewed_on": "2023-03-01", "close": True},
    )
    await audit.stack.client.post(
        f"/api/audit/recommendations/{audit.rec['RS']['id']}/verdicts",
        headers=audit.auth(*AUDITOR),
        json={"verdict": "not_addressed", "reviewed_on": "2023-03-01"},
    )
    hsn = (await audit.stack.client.get("/api/audit/bodies/HSN/status", headers=audit.auth(*READER))).json()
    assert hsn["open_recommendations"] == []
    rs = (await audit.stack.client.get("/api/audit/bodies/RS/status", headers=audit.auth(*READER))).json()
    assert rs["open_recommendations"][0]["latest_verdict"] == "not_addressed"


async def test_the_overview_counts_every_body(audit):
    stack = audit.stack
    await audit.act("RS", deadline_on="2022-06-30")
    await audit.act("RS", deadline_on="2022-06-30", status="done", finished_on="2022-05-02")
    await audit.act("HSN", deadline_on="2023-06-30", status="in_progress")
    await _statement(stack, "HSN", 2021, remark=True)
    await _internal_control(stack, "HSN", 2022, ["no_deviation"])
    overview = (await stack.client.get("/api/audit/overview?as_of=2022-08-31", headers=stack.auth(*READER))).json()
    bodies = {b["body_code"]: b for b in overview["bodies"]}
    assert sorted(bodies) == ["HSN", "RS"]
    rs, hsn = bodies["RS"], bodies["HSN"]
    assert (rs["open_recommendations"], rs["overdue_responses"], rs["overdue_actions"]) == (1, 1, 1)
    assert rs["actions_by_status"] == {"planned": 1, "in_progress": 0, "done": 1, "cancelled": 0}
    assert (hsn["overdue_actions"], hsn["latest_statement"]["remark"]) == (0, True)
    assert hsn["internal_control"]["results_colour"] == "green"
    assert rs["internal_control"] is None


async def _statements(stack, path: str) -> int:
    counter = StatementCounter(stack.apps["audit"].state.engine)
    response = await stack.client.get(path, headers=stack.auth(*READER))
    assert response.status_code == 200
    return counter.count


async def _grow(audit, start: int, copies: int) -> None:
    """More reports, recommendations, actions, statements and plans across more bodies."""
    for n in range(start, start + copies):
        body = f"B{n}"
        unit = {"code": body, "name": f"Nämnd {n}", "kind": "committee", "parent_code": "RF"}
        await audit.stack.client.post("/api/goals/units", headers=audit.auth("admin"), json=unit)
        report = (
            await make_report(
                audit.stack,
                recipients=[
                    {"body_code": "RS", "diary_number": f"RS/{n + 10}/2021"},
                    {"body_code": body, "diary_number": f"BB/{n}/2021"},
                ],
                recommendations=[{"body_code": "RS", "text": f"R{n}", "response_due_on": "2022-01-01"}],
            )
        ).json()
        rec = report["recommendations"][0]
        await audit.stack.client.post(
            "/api/audit/actions",
            headers=audit.auth("RS:editor"),
            json={"body_code": "RS", "title": f"A{n}", "deadline_on": "2022-02-01", "recommendation_ids": [rec["id"]]},
        )
        await _statement(audit.stack, body, 2021, remark=n % 2 == 0)
        await _internal_control(audit.stack, body, 2022, ["deviation"])


async def test_the_number_of_statements_does_not_grow_with_the_data(audit):
    await _grow(audit, 0, 1)
    paths = [
        "/api/audit/overview?as_of=2022-07-01",
        "/api/audit/bodies/RS/status?as_of=2022-07-01",
        "/api/audit/follow-through?as_of=2022-07-01",
        "/api/audit/follow-through?as_of=2022-07-01&body=RS",
    ]
    before = {p: await _statements(audit.stack, p) for p in paths}
    await _grow(audit, 1, 4)
    after = {p: await _statements(audit.stack, p) for p in paths}
    assert after == before, (before, after)
    assert max(before.values()) <= 10
    overview = (await audit.stack.client.get(paths[0], headers=audit.auth(*READER))).json()
    assert len(overview["bodies"]) == 2 + 5


async def test_read_models_need_a_role(audit):
    client_headers = audit.stack.auth("svc", client=True, scopes=["write:measurements"])
    for path in (
        "/api/audit/overview",
        "/api/audit/bodies/RS/status",
        "/api/audit/overdue",
        "/api/audit/follow-through",
    ):
        assert (await audit.stack.client.get(path, headers=client_headers)).status_code == 403


async def test_the_follow_through_lists_open_recommendations_with_their_actions_links_as_at_a_date(audit):
    """The investment report (received 2021-11-15) has one recommendation to RS and one to HSN; RS acts in
    two ways, finishing one after the date asked, HSN not at all."""
    stack = audit.stack
    goal = await decided_goal(stack)
    linked = (await audit.act("RS", title="Mål", goal_ids=[goal])).json()
    done = (await audit.act("RS", title="Klar senare", status="done", finished_on="2022-05-02")).json()
    at = "/api/audit/follow-through?as_of=2022-03-01"
    answer = (await stack.client.get(at, headers=stack.auth(*READER))).json()
    assert (answer["as_of"], answer["body_code"]) == ("2022-03-01", None)
    recs = {r["body_code"]: r for r in answer["recommendations"]}
    assert set(recs) == {"RS", "HSN"}
    assert recs["HSN"]["actions"] == []
    assert {a["id"]: (a["status"], a["goal_ids"], a["indicator_ids"]) for a in recs["RS"]["actions"]} == {
        linked["id"]: ("planned", [goal], []),
        done["id"]: ("in_progress", [], []),  # done only in May
    }
    assert recs["RS"]["report_received_on"] == "2021-11-15"
    only_hsn = (await stack.client.get(f"{at}&body=HSN", headers=stack.auth(*READER))).json()
    assert [r["body_code"] for r in only_hsn["recommendations"]] == ["HSN"]
    before = await stack.client.get("/api/audit/follow-through?as_of=2021-11-14", headers=stack.auth(*READER))
    assert before.json()["recommendations"] == [], "the report had not arrived"
    refused = await stack.client.get("/api/audit/follow-through?as_of=1800-01-01", headers=stack.auth(*READER))
    assert refused.status_code == 422
