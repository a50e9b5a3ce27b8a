"""Follow-up review: the auditors' verdicts close recommendations; overdue items are listed per body."""

import pytest

from tests.audit.conftest import AUDITOR, etag, make_report


async def _verdict(audit, body="RS", roles=AUDITOR, headers=None, **fields):
    payload = {"verdict": "partly_addressed", "reviewed_on": "2023-04-01", "comment": "Arbetet pågår."}
    payload.update(fields)
    return await audit.stack.client.post(
        f"/api/audit/recommendations/{audit.rec[body]['id']}/verdicts",
        headers={**audit.auth(*roles), **(headers or {})},
        json=payload,
    )


@pytest.mark.parametrize("roles", [("RS:editor",), ("RS:registrar",), ("finance",), ("admin",)])
async def test_a_verdict_by_anyone_but_the_auditors_is_403(audit, roles):
    assert (await _verdict(audit, roles=roles)).status_code == 403
    verdict = (await _verdict(audit)).json()
    changed = await audit.stack.client.patch(
        f"/api/audit/verdicts/{verdict['id']}",
        headers={**audit.auth(*roles), **etag(verdict)},
        json={"comment": "Bra."},
    )
    assert changed.status_code == 403


async def test_a_recommendation_stays_open_until_the_auditors_close_it(audit):
    rec_url = f"/api/audit/recommendations/{audit.rec['RS']['id']}"
    await _verdict(audit, verdict="addressed")
    assert (await audit.stack.client.get(rec_url, headers=audit.auth("RS:reader"))).json()["status"] == "open"
    closing = await _verdict(
        audit, verdict="addressed", reviewed_on="2023-09-01", close=True, headers=etag(audit.rec["RS"])
    )
    assert closing.status_code == 201
    rec = (await audit.stack.client.get(rec_url, headers=audit.auth("RS:reader"))).json()
    assert (rec["status"], rec["closed_on"]) == ("closed", "2023-09-01")
    assert [v["verdict"] for v in rec["verdicts"]] == ["addressed", "addressed"]
    assert (await _verdict(audit)).status_code == 409
    # Closing goes through a verdict; reopening is the auditors' too.
    refused = await audit.stack.client.patch(
        rec_url, headers={**audit.auth("RS:editor"), **etag(rec)}, json={"status": "open"}
    )
    assert refused.status_code == 403
    reopened = await audit.stack.client.patch(
        rec_url, headers={**audit.auth(*AUDITOR), **etag(rec)}, json={"status": "open"}
    )
    assert reopened.status_code == 200
    assert (reopened.json()["status"], reopened.json()["closed_on"]) == ("open", None)
    direct = await audit.stack.client.patch(
        rec_url, headers={**audit.auth(*AUDITOR), "If-Match": reopened.headers["etag"]}, json={"status": "closed"}
    )
    assert direct.status_code == 422


async def test_a_verdict_is_changed_with_if_match_and_history(audit):
    verdict = (await _verdict(audit)).json()
    url = f"/api/audit/verdicts/{verdict['id']}"
    headers = audit.auth(*AUDITOR)
    assert (await audit.stack.client.patch(url, headers=headers, json={"verdict": "addressed"})).status_code == 428
    changed = await audit.stack.client.patch(url, headers={**headers, **etag(verdict)}, json={"verdict": "addressed"})
    assert changed.status_code == 200
    assert (
        await audit.stack.client.patch(url, headers={**headers, **etag(verdict)}, json={"comment": "x"})
    ).status_code == 412
    history = (await audit.stack.client.get(f"{url}/history", headers=audit.auth("RS:reader"))).json()["items"]
    assert [h["after"]["verdict"] for h in history] == ["partly_addressed", "addressed"]


@pytest.mark.parametrize("bad", [{"verdict": "fixed"}, {"reviewed_on": None}, {"reviewed_on": "3000-01-01"}])
async def test_a_bad_verdict_is_422(audit, bad):
    assert (await _verdict(audit, **bad)).status_code == 422


async def _overdue(audit, as_of, **params):
    query = "&".join([f"as_of={as_of}", *(f"{k}={v}" for k, v in params.items())])
    response = await audit.stack.client.get(f"/api/audit/overdue?{query}", headers=audit.auth("RUN:reader"))
    assert response.status_code == 200
    return {b["body_code"]: b for b in response.json()["bodies"]}


async def test_overdue_responses_and_actions_are_listed_per_body(audit):
    late = (await audit.act("RS", title="Sen åtgärd", deadline_on="2022-06-30")).json()
    await audit.act("RS", title="Klar åtgärd", deadline_on="2022-06-30", status="done", finished_on="2022-06-20")
    await audit.act("HSN", title="Ännu inte sen", deadline_on="2022-12-31")
    assert await _overdue(audit, "2022-03-31") == {}
    bodies = await _overdue(audit, "2022-07-01")
    assert [r["number"] for r in bodies["RS"]["responses"]] == [1]
    assert [r["number"] for r in bodies["HSN"]["responses"]] == [2]
    assert [a["title"] for a in bodies["RS"]["actions"]] == ["Sen åtgärd"]
    assert bodies["HSN"]["actions"] == []
    assert list(await _overdue(audit, "2022-07-01", body="HSN")) == ["HSN"]
    # A decided response is no longer overdue; a draft still is.
    response = (await audit.respond("RS")).json()
    assert [r["number"] for r in (await _overdue(audit, "2022-07-01"))["RS"]["responses"]] == [1]
    await audit.decide(response)
    cancelled = await audit.stack.client.patch(
        f"/api/audit/actions/{late['id']}",
        headers={**audit.auth("RS:editor"), **etag(late)},
        json={"status": "cancelled", "finished_on": "2022-07-15"},
    )
    assert cancelled.status_code == 200
    # Cancelled after the date it was overdue at: still overdue as at that date, no longer after.
    assert [a["title"] for a in (await _overdue(audit, "2022-07-01"))["RS"]["actions"]] == ["Sen åtgärd"]
    assert "RS" not in await _overdue(audit, "2022-07-15")


async def test_a_closed_recommendation_is_not_overdue(audit):
    await _verdict(audit, body="HSN", verdict="addressed", close=True, headers=etag(audit.rec["HSN"]))
    assert "HSN" not in await _overdue(audit, "2023-04-01")
    # Closed on 2023-04-01, it was still open, and its response overdue, the summer before.
    assert [r["number"] for r in (await _overdue(audit, "2022-07-01"))["HSN"]["responses"]] == [2]


async def test_overdue_defaults_to_today_and_refuses_bad_dates(audit):
    await make_report(
        audit.stack,
        recipients=[{"body_code": "RUN", "diary_number": "RUN/1/2021"}],
        recommendations=[{"body_code": "RUN", "text": "Gör något.", "response_due_on": "2022-01-31"}],
    )
    today = await audit.stack.client.get("/api/audit/overdue", headers=audit.auth("RUN:reader"))
    assert "RUN" in {b["body_code"] for b in today.json()["bodies"]}
    bad = await audit.stack.client.get("/api/audit/overdue?as_of=0001-01-01", headers=audit.auth("RUN:reader"))
    assert bad.status_code == 422


async def test_a_closing_verdict_needs_the_recommendations_etag(audit):
    rec = audit.rec["RS"]
    assert (await _verdict(audit, close=True)).status_code == 428
    changed = await audit.stack.client.patch(
        f"/api/audit/recommendations/{rec['id']}",
        headers={**audit.auth(*AUDITOR), **etag(rec)},
        json={"text": "Inför en tioårig planeringshorisont."},
    )
    assert changed.status_code == 200
    # Closing from a read made before the text changed would close what the auditor has not seen.
    assert (await _verdict(audit, close=True, headers=etag(rec))).status_code == 412
    assert (await _verdict(audit, close=True, headers=etag(changed.json()))).status_code == 201
    # A verdict that leaves the recommendation open changes only itself, so it needs no If-Match.
    assert (await _verdict(audit, body="HSN")).status_code == 201


async def test_a_verdict_of_a_closed_recommendation_changes_only_after_reopening(audit):
    rec_url = f"/api/audit/recommendations/{audit.rec['RS']['id']}"
    closing = await _verdict(audit, verdict="addressed", close=True, headers=etag(audit.rec["RS"]))
    verdict_url = f"/api/audit/verdicts/{closing.json()['id']}"
    headers = audit.auth(*AUDITOR)
    refused = await audit.stack.client.patch(
        verdict_url, headers={**headers, **etag(closing.json())}, json={"verdict": "not_addressed"}
    )
    assert refused.status_code == 409
    rec = (await audit.stack.client.get(rec_url, headers=headers)).json()
    assert (rec["status"], [v["verdict"] for v in rec["verdicts"]]) == ("closed", ["addressed"])
    reopened = await audit.stack.client.patch(rec_url, headers={**headers, **etag(rec)}, json={"status": "open"})
    assert reopened.status_code == 200
    changed = await audit.stack.client.patch(
        verdict_url, headers={**headers, **etag(closing.json())}, json={"verdict": "not_addressed"}
    )
    assert changed.status_code == 200
    assert changed.json()["verdict"] == "not_addressed"
