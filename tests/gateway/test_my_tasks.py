"""`GET /api/me/tasks`: the caller's own tasks from the three services, soonest first, and what is missing.

The demo names Anna Andersson (`anna`, on HSN) as the owner of two of HSN's actions, an assignment, an
activity and a control, the reporter of an indicator, and the coordinator of a grant.
"""

from datetime import date, timedelta

from shared.asof import today_in_sweden

ANNA = ("anna", "HSN:editor")
AUDITOR = ("revisor", "auditor")


async def _tasks(stack, roles=ANNA, query: str = "", name: str | None = None) -> dict:
    response = await stack.client.get(f"/api/me/tasks{query}", headers=stack.auth(*roles, name=name))
    assert response.status_code == 200, response.text
    return response.json()


def _due(task: dict) -> date:
    return date.fromisoformat(task["due_on"])


async def test_a_person_sees_what_names_them_soonest_first(seeded):
    as_of, within = date(2022, 9, 1), 366
    tasks = await _tasks(seeded, query=f"?as_of={as_of}&within_days={within}")
    assert (tasks["as_of"], tasks["complete"], tasks["missing"]) == (str(as_of), True, [])
    items = tasks["items"]
    assert {t["kind"] for t in items} >= {"action", "assignment", "control_result", "grant_use"}
    assert {t["service"] for t in items} == {"goals", "budget", "audit"}
    dues = [_due(t) for t in items]
    assert dues == sorted(dues)
    assert all(due <= as_of + timedelta(days=within) for due in dues)
    assert all(t["overdue"] == (_due(t) < as_of) for t in items)
    for task in items:  # each link is the record to act on, readable by its owner through the gateway
        assert (await seeded.client.get(task["link"], headers=seeded.auth(*ANNA))).status_code == 200, task


async def test_today_the_demos_old_work_is_overdue_and_later_work_waits(seeded):
    items = (await _tasks(seeded))["items"]
    assert {"activity", "measurement"} <= {t["kind"] for t in items}
    assert all(t["overdue"] for t in items if _due(t) < today_in_sweden())
    soon = (await _tasks(seeded, query="?as_of=2023-01-15&within_days=0"))["items"]
    assert soon
    assert all(_due(t) < date(2023, 1, 15) and t["overdue"] for t in soon)


async def test_only_the_callers_own_tasks(seeded):
    others = (await _tasks(seeded, roles=("bo", "HSN:editor")))["items"]
    anna = (await _tasks(seeded))["items"]
    owned = {"action", "assignment", "activity", "measurement", "control_result", "grant_use"}
    assert [t for t in others if t["kind"] in owned] == []
    # What a body owes, not a person, its editors share: the same responses for both.
    assert [t for t in others if t["kind"] == "response"] == [t for t in anna if t["kind"] == "response"]
    reader = (await _tasks(seeded, roles=("r", "HSN:reader")))["items"]
    assert reader == []


async def test_a_response_due_is_a_task_of_the_bodys_editors_until_it_is_decided(seeded):
    report = {
        "title": "Granskning av väntetider",
        "audit_year": 2026,
        "received_on": "2026-01-15",
        "recipients": [{"body_code": "HSN", "diary_number": "HSN/1/2026"}],
        "recommendations": [{"body_code": "HSN", "text": "Följ upp väntetiderna.", "response_due_on": "2026-03-31"}],
    }
    made = await seeded.client.post("/api/audit/reports", headers=seeded.auth(*AUDITOR), json=report)
    assert made.status_code == 201, made.text
    rec = made.json()["recommendations"][0]
    link = f"/api/audit/recommendations/{rec['id']}"
    query = "?as_of=2026-03-01"
    due = [t for t in (await _tasks(seeded, roles=("h", "HSN:editor"), query=query))["items"] if t["link"] == link]
    assert [(t["kind"], t["due_on"], t["overdue"]) for t in due] == [("response", "2026-03-31", False)]
    below = await _tasks(seeded, roles=("pv", "PV:editor"), query=query)
    assert link not in {t["link"] for t in below["items"]}


async def test_a_service_that_does_not_answer_is_named_not_a_failure(seeded):
    seeded.transport.down.add("budget")
    tasks = await _tasks(seeded, query="?as_of=2022-09-01&within_days=366")
    assert tasks["complete"] is False
    assert [(m["section"], m["service"]) for m in tasks["missing"]] == [("tasks.budget", "budget")]
    assert {t["service"] for t in tasks["items"]} == {"goals", "audit"}


async def test_a_bad_horizon_is_a_problem_not_a_500(seeded):
    response = await seeded.client.get("/api/me/tasks?within_days=9999", headers=seeded.auth(*ANNA))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_report_section_is_its_writers_task_until_it_is_marked_ready(seeded):
    """A section names the person who writes it; it is in their tasks, undated (an edition keeps no deadline),
    until ready; naming someone else needs their name, and the history keeps who was named."""
    from tests.gateway.test_report_production import open_edition, write

    edition = await open_edition(seeded, roles=("hanna", "HSN:editor"))
    section = next(s for s in edition["sections"] if s["unit_code"] == "HSN" and s["topic"] == "goals")
    unnamed = await write(seeded, section, owner_subject="anna")
    assert unnamed.status_code == 422
    assert unnamed.json()["errors"][0]["loc"] == ["body", "owner_name"]
    named = await write(seeded, section, owner_subject="anna", owner_name="Anna Andersson")
    assert named.status_code == 200, named.text
    assert (named.json()["owner_subject"], named.json()["owner_name"]) == ("anna", "Anna Andersson")

    link = f"/api/goals/report-editions/{edition['id']}/sections/{section['id']}"
    [task] = [t for t in (await _tasks(seeded))["items"] if t["kind"] == "report_section"]
    assert (task["link"], task["due_on"], task["service"]) == (link, None, "goals")
    assert "HSN's goals text for the interim report 2022 T2" in task["title"]
    assert (await seeded.client.get(link, headers=seeded.auth(*ANNA))).status_code == 200
    assert not [t for t in (await _tasks(seeded, roles=("bo", "HSN:editor")))["items"] if t["kind"] == "report_section"]

    ready = await write(seeded, named.json(), roles=ANNA, text="Målen nås i huvudsak.", ready=True)
    assert ready.status_code == 200, ready.text
    assert not [t for t in (await _tasks(seeded))["items"] if t["kind"] == "report_section"]
    history = (await seeded.client.get(f"{link}/history", headers=seeded.auth(*ANNA))).json()["items"]
    assert any(h["after"].get("owner_subject") == "anna" for h in history)
