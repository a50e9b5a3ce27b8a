"""Needs and budget dialogues: a committee's editors submit its needs for the plan period (with the goals they
serve, checked with the goals service), the dialogue is recorded, and the budget's answer ends up as a political
priority of the frame proposal the need fed, traceably."""

from decimal import Decimal

import pytest

from tests.budget.conftest import FINANCE, if_match

HSN_EDITOR = ("anna", "HSN:editor")
BOARD = ("board", "RS:reader")


def _amounts(year=2026, *amounts):
    return [{"year": year + i, "amount": a} for i, a in enumerate(amounts or ("10000000.00",) * 3)]


def _need(**change):
    return {
        "unit_code": "HSN",
        "year": 2026,
        "title": "Utökad barn- och ungdomspsykiatri",
        "justification": "Köerna växer",
        "priority": 1,
        "amounts": _amounts(2026, "10000000.00", "12000000.00", "12000000.00"),
        **change,
    }


async def _goal(stack, unit="HSN"):
    body = {"unit_code": unit, "title": f"Mål för {unit}", "start_year": 2026}
    made = await stack.client.post("/api/goals/goals", headers=stack.auth(*HSN_EDITOR), json=body)
    assert made.status_code == 201, made.text
    return made.json()["id"]


async def _submit(stack, body, who=HSN_EDITOR):
    return await stack.client.post("/api/budget/needs", headers=stack.auth(*who), json=body)


@pytest.fixture
async def proposal(org):
    """HSN's frame proposal for 2026, which its needs feed."""
    body = {"unit_code": "HSN", "year": 2026, "last_year_frame": "6000000000.00", "priorities": "5000000.00"}
    made = await org.client.post("/api/budget/frames", headers=org.auth(*FINANCE), json=body)
    assert made.status_code == 201, made.text
    return made.json()


async def test_a_committee_editor_submits_needs_for_its_own_committee_only(org):
    goal = await _goal(org)
    made = await _submit(org, _need(goal_ids=[goal]))
    assert made.status_code == 201, made.text
    need = made.json()
    assert (need["status"], need["goal_ids"], need["granted"]) == ("submitted", [goal], None)
    assert [a["amount"] for a in need["amounts"]] == ["10000000.00", "12000000.00", "12000000.00"]
    other = await _submit(org, _need(unit_code="RUN"))
    assert (other.status_code, other.json()["required"]) == (403, "RUN:editor")
    assert (await _submit(org, _need(), who=FINANCE)).status_code == 403
    hidden = await org.client.get(f"/api/budget/needs/{need['id']}", headers=org.auth("e", "RUN:editor"))
    assert hidden.status_code == 404
    listed = await org.client.get("/api/budget/needs?year=2026", headers=org.auth("e", "RUN:editor"))
    assert listed.json()["total"] == 0
    for reader in (BOARD, FINANCE, ("r", "HSN:reader")):
        got = await org.client.get("/api/budget/needs?year=2026", headers=org.auth(*reader))
        assert [n["id"] for n in got.json()["items"]] == [need["id"]], reader


@pytest.mark.parametrize(
    "change",
    [
        {"amounts": _amounts(2026)[:2]},
        {"amounts": _amounts(2027)},
        {"priority": 0},
        {"amounts": _amounts(2026, "-1.00", "1.00", "1.00")},
        {"justification": " "},
    ],
)
async def test_a_need_outside_its_plan_period_or_with_bad_figures_is_422(org, change):
    assert (await _submit(org, _need(**change))).status_code == 422


async def test_the_goals_a_need_serves_are_checked_with_the_goals_service(org):
    unknown = "00000000-0000-4000-8000-000000000000"
    refused = await _submit(org, _need(goal_ids=[unknown]))
    assert refused.status_code == 422
    assert "goal" in refused.json()["detail"]


async def test_the_answer_becomes_a_political_priority_of_the_frame_proposal_it_fed(org, proposal):
    first = (await _submit(org, _need())).json()
    second = (await _submit(org, _need(title="Vårdplatser", priority=2))).json()
    finance = org.auth(*FINANCE)
    refused = await org.client.post(
        f"/api/budget/needs/{first['id']}/outcome",
        headers=if_match(org.auth(*HSN_EDITOR), first),
        json={"outcome": "granted"},
    )
    assert refused.status_code == 403
    granted = await org.client.post(
        f"/api/budget/needs/{first['id']}/outcome", headers=if_match(finance, first), json={"outcome": "granted"}
    )
    assert granted.status_code == 200, granted.text
    assert granted.json()["frame_id"] == proposal["id"]
    assert granted.json()["granted"] == first["amounts"]
    part = [{"year": 2026 + i, "amount": a} for i, a in enumerate(("4000000.00", "6000000.00", "6000000.00"))]
    too_much = [{**part[0], "amount": "10000000.01"}, *part[1:]]
    path = f"/api/budget/needs/{second['id']}/outcome"
    body = {"outcome": "partly_granted", "granted": too_much}
    assert (await org.client.post(path, headers=if_match(finance, second), json=body)).status_code == 422
    body = {"outcome": "partly_granted", "granted": part, "comment": "Sex platser först"}
    partly = await org.client.post(path, headers=if_match(finance, second), json=body)
    assert partly.status_code == 200, partly.text
    frame = (await org.client.get(f"/api/budget/frames/{proposal['id']}", headers=finance)).json()
    carried = Decimal("10000000.00") + Decimal("4000000.00")
    assert frame["priorities"] == str(Decimal(proposal["priorities"]) + carried)
    assert frame["amount"] == str(Decimal(proposal["amount"]) + carried)
    traced = (await org.client.get(f"/api/budget/needs?frame={proposal['id']}", headers=finance)).json()["items"]
    assert sorted(n["id"] for n in traced) == sorted([first["id"], second["id"]])
    # Answered again while the frame is a proposal: the priority moves by the difference, not twice.
    again = await org.client.post(path, headers=if_match(finance, partly.json()), json={"outcome": "not_granted"})
    assert again.status_code == 200, again.text
    frame = (await org.client.get(f"/api/budget/frames/{proposal['id']}", headers=finance)).json()
    assert frame["priorities"] == str(Decimal(proposal["priorities"]) + Decimal("10000000.00"))
    locked = await org.client.patch(
        f"/api/budget/needs/{first['id']}",
        headers=if_match(org.auth(*HSN_EDITOR), granted.json()),
        json={"priority": 3},
    )
    assert (locked.status_code, locked.json()["code"]) == (409, "locked")
    history = (await org.client.get(f"/api/budget/needs/{second['id']}/history", headers=finance)).json()["items"]
    statuses = [h["after"]["status"] for h in history if h["action"] == "update"]
    assert statuses == ["partly_granted", "not_granted"]


async def test_an_answer_needs_a_frame_proposal_to_carry_it(org):
    need = (await _submit(org, _need())).json()
    answered = await org.client.post(
        f"/api/budget/needs/{need['id']}/outcome",
        headers=if_match(org.auth(*FINANCE), need),
        json={"outcome": "granted"},
    )
    assert answered.status_code == 409


async def test_changing_a_need_needs_if_match_and_keeps_history(org):
    need = (await _submit(org, _need())).json()
    editor = org.auth(*HSN_EDITOR)
    path = f"/api/budget/needs/{need['id']}"
    assert (await org.client.patch(path, headers=editor, json={"priority": 2})).status_code == 428
    goal = await _goal(org)
    changed = await org.client.patch(path, headers=if_match(editor, need), json={"priority": 2, "goal_ids": [goal]})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["priority"], changed.json()["goal_ids"]) == (2, [goal])
    history = (await org.client.get(f"{path}/history", headers=editor)).json()["items"]
    update = next(h for h in history if h["action"] == "update")
    assert (update["before"]["priority"], update["after"]["priority"]) == (1, 2)
    assert (update["before"]["goals_revision"], update["after"]["goals_revision"]) == (0, 1)


async def test_a_budget_dialogue_is_recorded_with_when_who_and_what_was_agreed(org):
    body = {
        "unit_code": "HSN",
        "year": 2026,
        "held_on": "2025-03-12",
        "participants": "RS arbetsutskott; HSN presidium",
        "agreed": "BUP prioriteras",
    }
    assert (
        await org.client.post("/api/budget/dialogues", headers=org.auth("e", "RUN:editor"), json=body)
    ).status_code == 403
    made = await org.client.post("/api/budget/dialogues", headers=org.auth(*FINANCE), json=body)
    assert made.status_code == 201, made.text
    dialogue = made.json()
    path = f"/api/budget/dialogues/{dialogue['id']}"
    editor = org.auth(*HSN_EDITOR)
    changed = await org.client.patch(path, headers=if_match(editor, dialogue), json={"agreed": "BUP och vårdplatser"})
    assert changed.status_code == 200, changed.text
    history = (await org.client.get(f"{path}/history", headers=org.auth(*BOARD))).json()["items"]
    update = next(h for h in history if h["action"] == "update")
    assert (update["before"]["agreed"], update["after"]["agreed"]) == ("BUP prioriteras", "BUP och vårdplatser")
    assert (await org.client.get(path, headers=org.auth("e", "RUN:reader"))).status_code == 404


async def test_the_demo_traces_hsns_2023_priorities_to_its_answered_needs(seeded):
    finance = seeded.auth(*FINANCE)
    frames = (await seeded.client.get("/api/budget/frames?unit=HSN&year=2023", headers=finance)).json()["items"]
    (frame,) = [f for f in frames if f["status"] == "decided"]
    carried = (await seeded.client.get(f"/api/budget/needs?frame={frame['id']}", headers=finance)).json()["items"]
    assert {n["status"] for n in carried} == {"granted", "partly_granted", "not_granted"}
    assert sum(Decimal(n["granted"][0]["amount"]) for n in carried) == Decimal(frame["priorities"])
    dialogues = (await seeded.client.get("/api/budget/dialogues?unit=HSN&year=2023", headers=finance)).json()
    assert dialogues["total"] == 1
    waiting = (await seeded.client.get("/api/budget/needs?unit=HSN&year=2024", headers=finance)).json()["items"]
    assert [n["status"] for n in waiting] == ["submitted"]
