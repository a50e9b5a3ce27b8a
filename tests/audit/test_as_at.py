"""The read models as at a date, on a year (2023) in which things change after each period's end."""

import pytest

from tests.audit.conftest import AUDITOR, etag, make_report
from tests.audit.test_read_models import READER, _internal_control

T1, T2, YEAR_END = "2023-04-30", "2023-08-31", "2023-12-31"


async def _post(stack, path, roles, payload, headers=None):
    response = await stack.client.post(
        f"/api/audit/{path}", headers={**stack.auth("u", *roles), **(headers or {})}, json=payload
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


def _report(title, received_on, due):
    return {
        "title": title,
        "audit_year": 2023,
        "received_on": received_on,
        "recipients": [{"body_code": "RS", "diary_number": f"RS/{len(title)}/2023"}],
        "recommendations": [
            {"body_code": "RS", "text": f"{title}: gör något.", "response_due_on": due},
            {"body_code": "RS", "text": f"{title}: gör något mer.", "response_due_on": due},
        ],
    }


async def _statement(stack, year, issued_on, remark):
    await _post(
        stack,
        "statements",
        AUDITOR,
        {
            "year": year,
            "body_code": "RS",
            "issued_on": issued_on,
            "discharge_recommended": True,
            "remark": remark,
            "remark_grounds": "Bristande styrning." if remark else None,
            "internal_control_sufficient": True,
        },
    )


@pytest.fixture
async def year(stack):
    """Spring report A (received in February, answered in June, one recommendation closed in November),
    autumn report B (received in September); an action due in April and done in July, with a note in
    May; statements for 2022 (issued April 2023) and 2023 (issued April 2024); control plans of 2022 and
    2023 with T2 results."""
    spring = (await make_report(stack, **_report("Vår", "2023-02-01", "2023-03-31"))).json()
    await make_report(stack, **_report("Höst", "2023-09-15", "2023-11-30"))
    first, second = spring["recommendations"]
    answer = await _post(
        stack, "responses", ("RS:editor",), {"recommendation_id": first["id"], "body_code": "RS", "text": "Svar."}
    )
    await _post(
        stack,
        f"responses/{answer['id']}/decide",
        ("RS:registrar",),
        {"decided_by": "RS", "decided_on": "2023-06-01", "paragraph": "§ 70"},
        etag(answer),
    )
    verdict = {"verdict": "partly_addressed", "reviewed_on": "2023-10-01"}
    await _post(stack, f"recommendations/{first['id']}/verdicts", AUDITOR, verdict)
    closing = {"verdict": "addressed", "reviewed_on": "2023-11-01", "close": True}
    await _post(stack, f"recommendations/{second['id']}/verdicts", AUDITOR, closing, etag(second))
    action = await _post(
        stack,
        "actions",
        ("RS:editor",),
        {"body_code": "RS", "title": "Åtgärd", "deadline_on": "2023-04-15", "recommendation_ids": [first["id"]]},
    )
    await _post(stack, f"actions/{action['id']}/notes", ("RS:editor",), {"noted_on": "2023-05-10", "text": "Pågår."})
    done = await stack.client.patch(
        f"/api/audit/actions/{action['id']}",
        headers={**stack.auth("u", "RS:editor"), **etag(action)},
        json={"status": "done", "finished_on": "2023-07-01"},
    )
    assert done.status_code == 200, done.text
    await _statement(stack, 2022, "2023-04-12", remark=True)
    await _statement(stack, 2023, "2024-04-10", remark=False)
    await _internal_control(stack, "RS", 2022, ["no_deviation"])
    await _internal_control(stack, "RS", 2023, ["deviation", "no_deviation"])
    return stack


async def _get(stack, path, as_of):
    response = await stack.client.get(f"/api/audit/{path}?as_of={as_of}", headers=stack.auth(*READER))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["as_of"] == as_of
    return body


def _recommendations(status):
    return [
        (r["report_title"], r["number"], r["response_decided_on"], r["latest_verdict"])
        for r in status["open_recommendations"]
    ]


def _actions(status):
    return [
        (a["status"], a["finished_on"], a["overdue"], (a["latest_note"] or {}).get("noted_on"))
        for r in status["open_recommendations"]
        for a in r["actions"]
    ]


async def test_the_body_status_at_each_period_end(year):
    t1 = await _get(year, "bodies/RS/status", T1)
    assert _recommendations(t1) == [("Vår", 1, None, None), ("Vår", 2, None, None)]
    assert _actions(t1) == [("in_progress", None, True, None)]
    assert [r["number"] for r in t1["overdue"]["responses"]] == [1, 2]
    assert [a["status"] for a in t1["overdue"]["actions"]] == ["in_progress"]
    assert (t1["latest_statement"]["year"], t1["latest_statement"]["remark"]) == (2022, True)
    assert (t1["internal_control"]["year"], t1["internal_control"]["results"]) == (2023, 0)
    assert t1["internal_control"]["results_colour"] == "grey"

    t2 = await _get(year, "bodies/RS/status", T2)
    assert _recommendations(t2) == [("Vår", 1, "2023-06-01", None), ("Vår", 2, None, None)]
    assert _actions(t2) == [("done", "2023-07-01", False, "2023-05-10")]
    assert [r["number"] for r in t2["overdue"]["responses"]] == [2]
    assert t2["overdue"]["actions"] == []
    assert t2["latest_statement"]["year"] == 2022
    assert (t2["internal_control"]["results"], t2["internal_control"]["deviations"]) == (2, 1)

    end = await _get(year, "bodies/RS/status", YEAR_END)
    assert _recommendations(end) == [
        ("Höst", 1, None, None),
        ("Höst", 2, None, None),
        ("Vår", 1, "2023-06-01", "partly_addressed"),
    ]
    assert end["open_recommendations"][2]["latest_verdict_on"] == "2023-10-01"
    assert [(r["report_title"], r["number"]) for r in end["overdue"]["responses"]] == [("Höst", 1), ("Höst", 2)]
    assert end["latest_statement"]["year"] == 2022, "2023's statement is issued in April 2024"


async def test_the_overview_at_each_period_end(year):
    expected = {
        T1: {"open": 2, "closed": 0, "done": 0, "in_progress": 1, "late_responses": 2, "late_actions": 1, "results": 0},
        T2: {"open": 2, "closed": 0, "done": 1, "in_progress": 0, "late_responses": 1, "late_actions": 0, "results": 2},
        YEAR_END: {
            "open": 3,
            "closed": 1,
            "done": 1,
            "in_progress": 0,
            "late_responses": 2,
            "late_actions": 0,
            "results": 2,
        },
    }
    for as_of, counts in expected.items():
        [rs] = (await _get(year, "overview", as_of))["bodies"]
        got = {
            "open": rs["open_recommendations"],
            "closed": rs["closed_recommendations"],
            "done": rs["actions_by_status"]["done"],
            "in_progress": rs["actions_by_status"]["in_progress"],
            "late_responses": rs["overdue_responses"],
            "late_actions": rs["overdue_actions"],
            "results": rs["internal_control"]["results"],
        }
        assert got == counts, as_of
        assert (rs["latest_statement"]["year"], rs["internal_control"]["year"]) == (2022, 2023)


async def test_the_overdue_list_at_each_period_end(year):
    responses = {}
    for as_of in (T1, T2, YEAR_END):
        [rs] = (await _get(year, "overdue", as_of))["bodies"]
        responses[as_of] = [(r["report_title"], r["number"]) for r in rs["responses"]]
    assert responses == {
        T1: [("Vår", 1), ("Vår", 2)],
        T2: [("Vår", 2)],
        YEAR_END: [("Höst", 1), ("Höst", 2)],
    }


async def test_before_anything_arrived_or_was_decided_there_is_nothing(year):
    assert (await _get(year, "overview", "2023-01-31"))["bodies"] == []
    status = await _get(year, "bodies/RS/status", "2023-01-31")
    assert (status["open_recommendations"], status["overdue"]["responses"], status["overdue"]["actions"]) == (
        [],
        [],
        [],
    )
    assert (status["latest_statement"], status["internal_control"]) == (None, None)


async def test_an_undated_statement_counts_from_the_end_of_june_after_its_year(stack):
    await _statement(stack, 2022, None, remark=True)
    status = await _get(stack, "bodies/RS/status", "2023-06-29")
    assert status["latest_statement"] is None
    status = await _get(stack, "bodies/RS/status", "2023-06-30")
    assert (status["latest_statement"]["year"], status["latest_statement"]["issued_on"]) == (2022, None)


@pytest.mark.parametrize("path", ["overview", "overdue", "bodies/RS/status"])
@pytest.mark.parametrize("bad", ["2023-02-30", "yesterday", "0001-01-01", "2023-13-01"])
async def test_a_bad_as_of_is_a_422_problem(stack, path, bad):
    response = await stack.client.get(f"/api/audit/{path}?as_of={bad}", headers=stack.auth(*READER))
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "as_of" in response.text


async def test_the_overviews_open_recommendations_are_the_bodys_status_counted(year):
    for as_of in (T1, T2, YEAR_END):
        [rs] = (await _get(year, "overview", as_of))["bodies"]
        status = await _get(year, "bodies/RS/status", as_of)
        expected = [
            {
                "id": r["id"],
                "number": r["number"],
                "response_decided_on": r["response_decided_on"],
                "latest_verdict": r["latest_verdict"],
                "done": sum(a["status"] == "done" for a in r["actions"]),
                "actions": len(r["actions"]),
                "overdue": sum(a["overdue"] for a in r["actions"]),
            }
            for r in status["open_recommendations"]
        ]
        got = [
            {
                "id": r["id"],
                "number": r["number"],
                "response_decided_on": r["response_decided_on"],
                "latest_verdict": r["latest_verdict"],
                "done": r["actions_by_status"]["done"],
                "actions": sum(r["actions_by_status"].values()),
                "overdue": r["overdue_actions"],
            }
            for r in rs["recommendations"]
        ]
        assert got == expected, as_of
        assert len(got) == rs["open_recommendations"], as_of
    assert any(r["actions"] for r in expected), "the year's end has actions to count"
