"""Reports and recommendations are the auditors' text: complete, validated, and changed by auditors only."""

import pytest

from tests.audit.conftest import AUDITOR, REPORT, etag, make_report


async def test_a_report_keeps_everything_the_auditors_wrote(audit):
    report = (
        await audit.stack.client.get(f"/api/audit/reports/{audit.report['id']}", headers=audit.auth("RS:reader"))
    ).json()
    assert (report["title"], report["audit_year"], report["received_on"]) == (
        "Granskning av investeringsprocessen",
        2021,
        "2021-11-15",
    )
    assert report["document_url"] == REPORT["document_url"]
    assert report["recipients"] == [
        {"body_code": "HSN", "diary_number": "HSN/1815/2021"},
        {"body_code": "RS", "diary_number": "RS/804/2021"},
    ]
    assert [a["assessment"] for a in report["assessments"]] == ["limited", "largely"]
    assert [(r["number"], r["body_code"], r["status"]) for r in report["recommendations"]] == [
        (1, "RS", "open"),
        (2, "HSN", "open"),
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"received_on": None},
        {"assessments": [{"question": "Ändamålsenlig?", "assessment": "mostly"}]},
        {"document_url": "ftp://example.org/x.pdf"},
        {"audit_year": 1899},
        {"title": "x" * 301},
        {"recipients": []},
        {
            "recipients": [
                {"body_code": "RS", "diary_number": "RS/1/2020"},
                {"body_code": "RS", "diary_number": "RS/2/2020"},
            ]
        },
        {"received_on": "0001-01-01"},
    ],
)
async def test_bad_report_input_is_422(stack, change):
    response = await make_report(stack, **change, recommendations=[])
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_diary_number_pattern_is_the_regions_setting(stack):
    stack.apps["audit"].state.settings.diary_number_pattern = r"^[A-Z]{2,5} \d{4}-\d{1,6}$"
    try:
        assert (await make_report(stack, recommendations=[])).status_code == 422
        accepted = await make_report(
            stack, recipients=[{"body_code": "RS", "diary_number": "RS 2020-782"}], recommendations=[]
        )
        assert accepted.status_code == 201
    finally:
        stack.apps["audit"].state.settings.diary_number_pattern = r"^[A-ZÅÄÖ]{2,5}/\d{1,6}/\d{4}$"


@pytest.mark.parametrize("roles", [("RS:editor",), ("RS:registrar",), ("finance",), ("admin",)])
async def test_only_auditors_change_a_report(audit, roles):
    url = f"/api/audit/reports/{audit.report['id']}"
    response = await audit.stack.client.patch(
        url, headers={**audit.auth(*roles), **etag(audit.report)}, json={"title": "Ny"}
    )
    assert response.status_code == 403
    added = await audit.stack.client.post(
        f"{url}/recommendations", headers=audit.auth(*roles), json={"body_code": "RS", "text": "Gör mer."}
    )
    assert added.status_code == 403


async def test_an_auditor_changes_a_report_with_if_match_and_history(audit):
    url = f"/api/audit/reports/{audit.report['id']}"
    headers = audit.auth(*AUDITOR)
    assert (await audit.stack.client.patch(url, headers=headers, json={"summary": "Ny"})).status_code == 428
    stale = await audit.stack.client.patch(url, headers={**headers, "If-Match": '"99"'}, json={"summary": "Ny"})
    assert stale.status_code == 412
    changed = await audit.stack.client.patch(
        url,
        headers={**headers, **etag(audit.report)},
        json={"summary": "Ny sammanfattning", "assessments": [{"question": "Ändamålsenlig?", "assessment": "no"}]},
    )
    assert changed.status_code == 200
    assert changed.json()["assessments"] == [{"question": "Ändamålsenlig?", "assessment": "no"}]
    history = (await audit.stack.client.get(f"{url}/history", headers=audit.auth("RS:reader"))).json()["items"]
    assert [h["action"] for h in history] == ["create", "update"]
    assert history[1]["after"]["summary"] == "Ny sammanfattning"


async def test_recipients_change_but_keep_every_body_a_recommendation_is_addressed_to(audit):
    url = f"/api/audit/reports/{audit.report['id']}"
    headers = {**audit.auth(*AUDITOR), **etag(audit.report)}
    dropped = await audit.stack.client.patch(
        url, headers=headers, json={"recipients": [{"body_code": "RS", "diary_number": "RS/804/2021"}]}
    )
    assert dropped.status_code == 422
    bad = await audit.stack.client.patch(
        url, headers=headers, json={"recipients": [{"body_code": "RS", "diary_number": "RS-804-2021"}]}
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "recipients[0]", "diary_number"]
    moved = await audit.stack.client.patch(
        url,
        headers=headers,
        json={
            "recipients": [
                {"body_code": "RS", "diary_number": "RS/805/2021"},
                {"body_code": "HSN", "diary_number": "HSN/1815/2021"},
                {"body_code": "RUN", "diary_number": "RUN/12/2021"},
            ]
        },
    )
    assert moved.status_code == 200
    assert {r["body_code"]: r["diary_number"] for r in moved.json()["recipients"]} == {
        "HSN": "HSN/1815/2021",
        "RS": "RS/805/2021",
        "RUN": "RUN/12/2021",
    }


async def test_an_auditor_adds_and_rewrites_recommendations(audit):
    url = f"/api/audit/reports/{audit.report['id']}/recommendations"
    headers = audit.auth(*AUDITOR)
    elsewhere = await audit.stack.client.post(url, headers=headers, json={"body_code": "RUN", "text": "Gör mer."})
    assert elsewhere.status_code == 422
    added = await audit.stack.client.post(
        url,
        headers=headers,
        json={"body_code": "HSN", "text": "Följ upp investeringarna.", "response_due_on": "2022-04-30"},
    )
    assert added.status_code == 201
    assert added.json()["number"] == 3
    rec = added.json()
    rec_url = f"/api/audit/recommendations/{rec['id']}"
    refused = await audit.stack.client.patch(
        rec_url, headers={**audit.auth("HSN:editor"), **etag(rec)}, json={"text": "Mildare."}
    )
    assert refused.status_code == 403
    readdressed = await audit.stack.client.patch(rec_url, headers={**headers, **etag(rec)}, json={"body_code": "RUN"})
    assert readdressed.status_code == 422
    changed = await audit.stack.client.patch(rec_url, headers={**headers, **etag(rec)}, json={"text": "Skarpare."})
    assert changed.status_code == 200
    assert changed.json()["text"] == "Skarpare."
    history = (await audit.stack.client.get(f"{rec_url}/history", headers=headers)).json()["items"]
    assert [h["action"] for h in history] == ["create", "update"]


async def test_a_recommendation_with_actions_is_not_readdressed(audit):
    assert (await audit.act("HSN")).status_code == 201
    rec = audit.rec["HSN"]
    headers = {**audit.auth(*AUDITOR), **etag(rec)}
    response = await audit.stack.client.patch(
        f"/api/audit/recommendations/{rec['id']}", headers=headers, json={"body_code": "RS"}
    )
    assert response.status_code == 409


async def test_reports_are_listed_per_body_and_year(audit):
    await make_report(
        audit.stack,
        audit_year=2020,
        recipients=[{"body_code": "RUN", "diary_number": "RUN/9/2020"}],
        recommendations=[],
    )
    headers = audit.auth("RUN:reader")
    run = (await audit.stack.client.get("/api/audit/reports?body=RUN", headers=headers)).json()
    assert [r["audit_year"] for r in run["items"]] == [2020]
    both = (await audit.stack.client.get("/api/audit/reports?year=2021", headers=headers)).json()
    assert [r["title"] for r in both["items"]] == ["Granskning av investeringsprocessen"]


async def test_reading_needs_a_role(audit):
    response = await audit.stack.client.get(
        "/api/audit/reports", headers=audit.stack.auth("svc", client=True, scopes=["write:measurements"])
    )
    assert response.status_code == 403


async def test_a_recommendation_the_body_has_answered_cannot_be_readdressed(audit):
    assert (await audit.respond("RS")).status_code == 201
    rec_url = f"/api/audit/recommendations/{audit.rec['RS']['id']}"
    headers = audit.auth(*AUDITOR[1:], sub=AUDITOR[0])
    rec = (await audit.stack.client.get(rec_url, headers=headers)).json()
    moved = await audit.stack.client.patch(rec_url, headers={**headers, **etag(rec)}, json={"body_code": "HSN"})
    assert moved.status_code == 409
    assert "responded" in moved.json()["detail"]


async def test_the_recommendation_list_pages_filters_and_counts_past_its_end(audit):
    client, reader = audit.stack.client, audit.auth("RS:reader")
    url = f"/api/audit/recommendations?report={audit.report['id']}"
    whole = (await client.get(url, headers=reader)).json()
    assert [(r["number"], r["body_code"]) for r in whole["items"]] == [(1, "RS"), (2, "HSN")]
    assert (whole["total"], whole["limit"], whole["offset"]) == (2, 50, 0)
    assert set(whole["items"][0]) == {
        "id", "report_id", "number", "body_code", "text", "response_due_on", "status", "closed_on", "version"
    }  # fmt: skip
    second = (await client.get(f"{url}&limit=1&offset=1", headers=reader)).json()
    assert ([r["number"] for r in second["items"]], second["total"]) == ([2], 2)
    past_the_end = (await client.get(f"{url}&offset=5", headers=reader)).json()
    assert (past_the_end["items"], past_the_end["total"]) == ([], 2)
    hsn = (await client.get(f"{url}&body=HSN&status=open", headers=reader)).json()
    assert ([r["number"] for r in hsn["items"]], hsn["total"]) == ([2], 1)
    closed = (await client.get(f"{url}&status=closed", headers=reader)).json()
    assert (closed["items"], closed["total"]) == ([], 0)
