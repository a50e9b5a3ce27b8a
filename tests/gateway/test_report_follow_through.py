"""The T2 and annual reports' follow-through section: which recommendations open at the period's end have no
action, which of their actions name no indicator, and which named indicators have not moved since the decision,
as at the period's end. The expectations are read from the services' own records (audit reports,
recommendations, actions, the indicators' values), never from the section itself."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.gateway.test_report_documents import flat

BOARD = ("board", "RS:reader")
AUDITOR = ("revisor", "auditor")
HSN_READER = ("h", "HSN:reader")
T2, ANNUAL = "/api/reports/interim/2022/T2", "/api/reports/annual/2022"
REPORTS = [(T2, date(2022, 8, 31)), (ANNUAL, date(2022, 12, 31))]
TITLE = "Uppföljning av revisionens rekommendationer"


async def get(stack, path: str, roles=BOARD, **params: Any) -> Any:
    response = await stack.client.get(path, headers=stack.auth(*roles), params=params or None)
    assert response.status_code == 200, response.text
    return response.json()


async def open_recommendations(stack, as_of: date) -> list[dict[str, Any]]:
    """The recommendations of reports received by `as_of` and not closed by then, each with its report, its
    response's decision day (if by then) and its actions, from the audit service's own routes."""
    found = []
    for report in (await get(stack, "/api/audit/reports", limit=500))["items"]:
        if report["received_on"] is None or date.fromisoformat(report["received_on"]) > as_of:
            continue
        for rec in (await get(stack, "/api/audit/recommendations", report=report["id"], limit=500))["items"]:
            if rec["closed_on"] is not None and date.fromisoformat(rec["closed_on"]) <= as_of:
                continue
            detail = await get(stack, f"/api/audit/recommendations/{rec['id']}")
            decision = (detail["response"] or {}).get("decision") or {}
            decided = decision.get("decided_on")
            compared_from = decided if decided and date.fromisoformat(decided) <= as_of else report["received_on"]
            actions = (await get(stack, "/api/audit/actions", recommendation=rec["id"], limit=500))["items"]
            found.append({**rec, "report": report, "compared_from": compared_from, "actions": actions})
    return found


def not_moved(indicator: dict[str, Any], compared_from: str, as_of: date) -> bool:
    """Had the indicator not moved, by `as_of`, since `compared_from`: no value before it (nor a baseline of a
    year not after it), none since, or the latest since equal to the last before."""
    cut = date.fromisoformat(compared_from)
    values = [m for m in indicator["measurements"] if m["value"] is not None]
    before = [m["value"] for m in values if date.fromisoformat(m["period_end"]) <= cut]
    since = [m["value"] for m in values if cut < date.fromisoformat(m["period_end"]) <= as_of]
    if not before and indicator["baseline_year"] is not None and indicator["baseline_year"] <= cut.year:
        before = [indicator["baseline_value"]]
    return not before or not since or Decimal(since[-1]) == Decimal(before[-1])


async def expected(stack, as_of: date) -> dict[str, Any]:
    recs = await open_recommendations(stack, as_of)
    named = sorted({i for rec in recs for a in rec["actions"] for i in a["indicator_ids"]})
    series = {i["id"]: i for i in (await get(stack, "/api/goals/indicators/series", ids=named, limit=500))["items"]}
    still = {
        (indicator_id, rec["id"])
        for rec in recs
        for indicator_id in {i for a in rec["actions"] for i in a["indicator_ids"]}
        if not_moved(series[indicator_id], rec["compared_from"], as_of)
    }
    actions = {a["id"]: a for rec in recs for a in rec["actions"]}
    return {
        "recommendations": {r["id"] for r in recs},
        "without_action": {r["id"] for r in recs if not r["actions"]},
        "actions": set(actions),
        "without_indicator": {a for a, action in actions.items() if not action["indicator_ids"]},
        "pairs": sum(len({i for a in rec["actions"] for i in a["indicator_ids"]}) for rec in recs),
        "not_moved": still,
    }


def flagged(section: dict[str, Any]) -> dict[str, Any]:
    return {
        "without_action": {r["id"] for r in section["without_action"]},
        "without_indicator": {a["id"] for a in section["without_indicator"]},
        "not_moved": {(s["id"], s["recommendation"]["id"]) for s in section["not_moved"]},
    }


@pytest.mark.parametrize(("path", "as_of"), REPORTS)
async def test_the_demos_reports_flag_what_the_audit_and_goals_records_show_as_at_their_end(seeded, path, as_of):
    report = await get(seeded, path)
    assert report["complete"], report["missing"]
    section = report["follow_through"]
    assert section["as_of"] == as_of.isoformat()
    want = await expected(seeded, as_of)
    totals = section["totals"]
    assert totals == {
        "recommendations": len(want["recommendations"]),
        "without_action": len(want["without_action"]),
        "actions": len(want["actions"]),
        "without_indicator": len(want["without_indicator"]),
        "indicators": want["pairs"],
        "not_moved": len(want["not_moved"]),
        "not_shown": 0,
    }
    assert flagged(section) == {k: want[k] for k in ("without_action", "without_indicator", "not_moved")}
    assert {f: sum(b[f] for b in section["bodies"]) for f in totals} == totals
    # The demo's Målstyrning recommendations 1 and 3 are open (2 was closed in April 2022); their actions name
    # indicators, so none is flagged as naming none, and HSN's forecast deviation, first measured in 2022,
    # has no value from before the decision of March 2021 to compare with.
    malstyrning = [s for s in section["not_moved"] if s["recommendation"]["report_title"].startswith("Målstyrning")]
    assert {(s["name"], s["recommendation"]["number"], s["reason"]) for s in malstyrning} == {
        ("Prognos för avvikelse mot ram", 1, "no_value_before"),
        ("Prognos för avvikelse mot ram", 3, "no_value_before"),
    }
    assert all(s["compared_from"] == "2021-03-24" for s in malstyrning)
    assert all(date.fromisoformat(s["latest"]["period_end"]) <= as_of for s in section["not_moved"] if s["latest"])
    assert not [
        a
        for a in section["without_indicator"]
        if any(r["report_title"].startswith("Målstyrning") for r in a["answers"])
    ]
    assert totals["without_indicator"] == 10, "the demo's other actions name no indicator"


async def _report(stack, received_on: str, *texts: str) -> dict[str, Any]:
    body = {
        "title": f"Granskning mottagen {received_on}",
        "audit_year": 2022,
        "received_on": received_on,
        "summary": "Uppföljningens granskning.",
        "recipients": [{"body_code": "RUN", "diary_number": "RUN/1/2022"}],
        "recommendations": [{"body_code": "RUN", "text": text} for text in texts],
    }
    response = await stack.client.post("/api/audit/reports", headers=stack.auth(*AUDITOR), json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def _act(stack, rec: dict[str, Any], title: str, indicator_ids: list[str]) -> dict[str, Any]:
    response = await stack.client.post(
        "/api/audit/actions",
        headers=stack.auth("run", "RUN:editor"),
        json={"body_code": "RUN", "title": title, "recommendation_ids": [rec["id"]], "indicator_ids": indicator_ids},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_no_action_no_indicator_and_values_after_the_periods_end_as_at_each_report(seeded):
    """Added in June 2022: a recommendation with no action, one whose action names no indicator, and one whose
    action names RUN's public-transport indicator (measured 2021 and 2022, a year's value). Received in
    September: a recommendation with no action."""
    june = await _report(seeded, "2022-06-01", "Ingen åtgärd ännu.", "Åtgärd utan indikator.", "Åtgärd med indikator.")
    unanswered, unlinked_rec, linked_rec = june["recommendations"]
    september = await _report(seeded, "2022-09-15", "Mottagen efter T2.")
    late = september["recommendations"][0]
    unlinked = await _act(seeded, unlinked_rec, "Skriv en rutin", [])
    goals = (await get(seeded, "/api/goals/goals", limit=500))["items"]
    series = await get(seeded, "/api/goals/indicators/series", goals=[g["id"] for g in goals], limit=500)
    travel = next(i for i in series["items"] if i["name"].startswith("Resor med kollektivtrafik"))
    assert [(m["period"], m["value"]) for m in travel["measurements"]] == [("2021", "31"), ("2022", "34")]
    linked = await _act(seeded, linked_rec, "Öka turtätheten", [travel["id"]])

    t2 = (await get(seeded, T2))["follow_through"]
    annual = (await get(seeded, ANNUAL))["follow_through"]
    for section in (t2, annual):
        found = flagged(section)
        assert unanswered["id"] in found["without_action"]
        assert unlinked["id"] in found["without_indicator"]
        assert linked["id"] not in found["without_indicator"]
        assert linked_rec["id"] not in found["without_action"]
    # As at 31 August the September report had not arrived, and 2022's value (a period ending in December)
    # did not exist yet: nothing since the report's arrival to compare.
    assert late["id"] not in flagged(t2)["without_action"]
    assert late["id"] in flagged(annual)["without_action"]
    moved = [s for s in t2["not_moved"] if s["recommendation"]["id"] == linked_rec["id"]]
    assert [(s["id"], s["reason"], s["compared_from"], s["before"]["value"], s["latest"]) for s in moved] == [
        (travel["id"], "no_value_since", "2022-06-01", "31", None)
    ]
    assert not [s for s in annual["not_moved"] if s["recommendation"]["id"] == linked_rec["id"]]
    run = {b["body_code"]: b for b in t2["bodies"]}["RUN"]
    assert run == {
        "body_code": "RUN",
        "recommendations": 3,
        "without_action": 1,
        "actions": 2,
        "without_indicator": 1,
        "indicators": 1,
        "not_moved": 1,
        "not_shown": 0,
    }
    # A unit's report follows its own body only.
    assert (await get(seeded, f"{T2}?unit=RUN"))["follow_through"]["bodies"] == [run]
    assert unanswered["id"] not in flagged((await get(seeded, f"{T2}?unit=HSN"))["follow_through"])["without_action"]

    page = flat(
        html.unescape(
            re.sub(r"<[^>]+>", " ", (await seeded.client.get(f"{T2}?format=html", headers=seeded.auth(*BOARD))).text)
        )
    )
    for text in (
        TITLE,
        "Rekommendationer utan åtgärd",
        "1. Ingen åtgärd ännu.",
        "Skriv en rutin",
        "Indikatorer som inte har rört sig sedan beslutet",
        "Inget värde sedan beslutet",
    ):
        assert flat(text) in page, text
    assert "Mottagen efter T2." not in page


async def test_t1_has_no_follow_through_and_the_section_is_typed_in_the_openapi_document(seeded):
    assert (await get(seeded, "/api/reports/interim/2022/T1"))["follow_through"] is None
    doc = await seeded.document()
    schemas = doc["components"]["schemas"]
    report = schemas["Report"]["properties"]["follow_through"]
    assert {"$ref": "#/components/schemas/FollowThroughSection"} in report["anyOf"]
    section = schemas["FollowThroughSection"]["properties"]
    for name in ("without_action", "without_indicator", "not_moved"):
        assert section[name]["items"]["$ref"].startswith("#/components/schemas/"), name
    assert schemas["StillIndicator"]["properties"]["before"]["anyOf"][0]["$ref"] == "#/components/schemas/Point"
    assert "/api/audit/follow-through" in doc["paths"]


async def test_an_indicator_the_reader_may_not_read_is_counted_as_not_shown_and_never_named(seeded):
    """RUN's draft goal and its indicator are read by RUN's own people (and the board above it), not by a reader
    of HSN, a committee beside it."""
    run = seeded.auth("run", "RUN:editor")
    goal = await seeded.client.post(
        "/api/goals/goals",
        headers=run,
        json={"unit_code": "RUN", "title": "Utkast till mål", "start_year": 2022, "end_year": 2024},
    )
    assert goal.status_code == 201, goal.text
    indicator = await seeded.client.post(
        "/api/goals/indicators",
        headers=run,
        json={
            "goal_id": goal.json()["id"],
            "name": "Hemlig indikator i utkast",
            "unit_of_measure": "st",
            "direction": "higher_is_better",
        },
    )
    assert indicator.status_code == 201, indicator.text
    rec = (await _report(seeded, "2022-06-01", "Följ upp utkastet."))["recommendations"][0]
    await _act(seeded, rec, "Mät i utkastet", [indicator.json()["id"]])

    board = (await get(seeded, T2, roles=HSN_READER))["follow_through"]
    assert board["not_shown"] == [indicator.json()["id"]]
    assert {b["body_code"]: b for b in board["bodies"]}["RUN"]["not_shown"] == 1
    assert indicator.json()["id"] not in {s["id"] for s in board["not_moved"]}
    page = (await seeded.client.get(f"{T2}?format=html", headers=seeded.auth(*HSN_READER))).text
    assert "Hemlig indikator" not in page
    assert "1 kopplade indikatorer visas inte med läsarens behörighet" in flat(
        html.unescape(re.sub(r"<[^>]+>", " ", page))
    )

    own = (await get(seeded, f"{T2}?unit=RUN", roles=("run", "RUN:editor")))["follow_through"]
    assert own["not_shown"] == []
    assert [(s["name"], s["reason"]) for s in own["not_moved"]] == [("Hemlig indikator i utkast", "no_value_since")]


async def test_a_service_down_leaves_the_section_out_or_unjudged_and_the_report_says_why(seeded, monkeypatch):
    sent = seeded.transport.handle_async_request

    async def series_fails(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/indicators/series":
            raise httpx.ConnectError("the goals service is down", request=request)
        return await sent(request)

    monkeypatch.setattr(seeded.transport, "handle_async_request", series_fails)
    report = await get(seeded, T2)
    section = report["follow_through"]
    assert (section["indicators_judged"], section["not_moved"], section["totals"]["indicators"]) == (False, [], 0)
    assert section["without_indicator"], "what the audit service gives still stands"
    assert ("follow_through.indicators", "goals") in {(m["section"], m["service"]) for m in report["missing"]}
    assert not report["complete"]
    monkeypatch.undo()
    seeded.transport.down.add("audit")
    report = await get(seeded, T2)
    assert report["follow_through"] is None
    assert ("follow_through", "audit") in {(m["section"], m["service"]) for m in report["missing"]}
