"""The trace as a document: the demo's Målstyrning recommendation drawn as HTML, Word and PDF holds its actions,
their status and deadlines, its indicators and its flags, as the report documents do; a grant's and a risk's trace
each in one format; an unknown format is refused, and JSON stays the default."""

from __future__ import annotations

import html
import io
import re

import pytest
from docx import Document

from gateway.reports.documents.text import LABELS, Language, figure
from tests.gateway.test_report_documents import flat, pdf_text, word_text
from tests.gateway.test_trace import FailingListings, _link, _recommendations

READER = ("bo", "RS:reader")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SV = LABELS[Language.sv]
UNLINKED = "Utbilda nämnderna i styrmodellen"


def html_text(content: bytes) -> str:
    return flat(html.unescape(re.sub(r"<[^>]+>", " ", content.decode())))


def as_text(report_format: str, content: bytes) -> str:
    if report_format == "html":
        return html_text(content)
    if report_format == "docx":
        return word_text(Document(io.BytesIO(content)))
    return pdf_text(content)


async def _unit_names(seeded, headers) -> dict[str, str]:
    units = (await seeded.client.get("/api/goals/units?limit=500", headers=headers)).json()["items"]
    return {u["code"]: u["name"] for u in units}


async def _malstyrning_with_a_flag(seeded) -> tuple[str, dict]:
    """The demo's first Målstyrning recommendation, with one more action that names no indicator: a flag."""
    headers = seeded.auth(*READER)
    first = (await _recommendations(seeded, headers))[0]
    added = await seeded.client.post(
        "/api/audit/actions",
        headers=seeded.auth("rs", "RS:editor"),
        json={"body_code": "RS", "title": UNLINKED, "recommendation_ids": [first["id"]], "deadline_on": "2023-03-31"},
    )
    assert added.status_code == 201, added.text
    path = f"/api/reports/trace/recommendations/{first['id']}"
    trace = (await seeded.client.get(path, headers=headers)).json()
    return path, trace


@pytest.mark.parametrize(
    ("report_format", "media_type"), [("html", "text/html"), ("docx", DOCX), ("pdf", "application/pdf")]
)
async def test_the_malstyrning_trace_as_a_document_holds_its_actions_indicators_and_flags(
    seeded, report_format, media_type
):
    path, trace = await _malstyrning_with_a_flag(seeded)
    assert trace["actions"]
    assert trace["indicators"]
    assert ("action_without_indicator", next(a["id"] for a in trace["actions"] if a["title"] == UNLINKED)) in {
        (f["kind"], f["id"]) for f in trace["flags"]
    }
    drawn = await seeded.client.get(f"{path}?format={report_format}", headers=seeded.auth(*READER))
    assert drawn.status_code == 200, drawn.text
    assert drawn.headers["content-type"].startswith(media_type)
    assert drawn.headers["x-report-complete"] == "true"
    if report_format == "html":
        assert "default-src 'none'" in drawn.headers["content-security-policy"]
    else:
        disposition = drawn.headers["content-disposition"]
        assert disposition.startswith("attachment")
        assert f"{trace['recommendation']['id']}.{report_format}" in disposition
    text = as_text(report_format, drawn.content)

    number = trace["recommendation"]["number"]
    assert f"Rekommendation {number}:" in text
    # Bodies and units by the names a reader knows, not only their codes.
    names = await _unit_names(seeded, seeded.auth(*READER))
    body = trace["recommendation"]["body_code"]
    assert flat(f"{names[body]} ({body})") in text
    for goal in trace["goals"]:
        assert flat(names[goal["unit_code"]]) in text
    for action in trace["actions"]:
        assert flat(action["title"]) in text
        if action["deadline_on"]:
            assert action["deadline_on"] in text
    overdue = [a for a in trace["actions"] if a["overdue"]]
    assert overdue, "the demo's actions are past their deadlines"
    assert "Försenat" in text
    assert "Svar och beslut" in text
    assert flat(trace["response"]["text"]) in text
    assert trace["response"]["decided_on"] in text
    for indicator in trace["indicators"]:
        assert flat(indicator["name"]) in text
        assert SV[indicator["colour"]] in text
        assert SV[f"trace.change.{indicator['change']}"] in text
        if indicator["target"] is not None:
            assert figure(indicator["target"]) in text
        if indicator["since"]:
            assert flat(figure(indicator["since"][-1]["value"])) in text
    for header in ("Före", "Senast sedan", "Målvärde", "Bedömning", "Förändring"):
        assert header in text
    assert "Att uppmärksamma" in text
    assert flat(f"{UNLINKED}: åtgärden är inte kopplad till någon indikator") in text
    for flag in trace["flags"]:
        if flag["kind"] == "indicator_not_moved":
            name = next(i["name"] for i in trace["indicators"] if i["id"] == flag["id"])
            assert flat(f"{name}:") in text
    assert "Allt som är kopplat visas." in text


async def test_the_trace_document_is_in_english_when_asked(seeded):
    path, trace = await _malstyrning_with_a_flag(seeded)
    drawn = await seeded.client.get(f"{path}?format=html&lang=en", headers=seeded.auth(*READER))
    text = html_text(drawn.content)
    assert f"Recommendation {trace['recommendation']['number']}:" in text
    assert flat(f"{UNLINKED}: the action is linked to no indicator") in text
    assert "Rekommendation" not in text.replace(trace["recommendation"]["text"], "")
    assert '<html lang="en-GB">' in drawn.text


async def test_a_grant_trace_as_word_and_a_risk_trace_as_pdf(seeded):
    headers = seeded.auth(*READER)
    grants = (await seeded.client.get("/api/budget/grants?limit=500", headers=headers)).json()["items"]
    grant = next(g for g in grants if g["goals"] and g["indicator_ids"])
    path = f"/api/reports/trace/grants/{grant['id']}"
    trace = (await seeded.client.get(path, headers=headers)).json()
    drawn = await seeded.client.get(f"{path}?format=docx", headers=headers)
    assert (drawn.status_code, drawn.headers["content-type"]) == (200, DOCX)
    text = as_text("docx", drawn.content)
    assert flat(f"Statsbidrag: {grant['name']}") in text
    assert trace["indicators"]
    for indicator in trace["indicators"]:
        assert flat(indicator["name"]) in text
    for goal in trace["goals"]:
        assert flat(goal["title"]) in text
    names = await _unit_names(seeded, headers)
    assert flat(f"{grant['coordinator']} ({names[grant['coordinator_unit']]})") in text

    editor = seeded.auth("e", "HSN:editor")
    plans = (await seeded.client.get("/api/audit/internal-control/plans?body=HSN", headers=editor)).json()["items"]
    plan = (await seeded.client.get(f"/api/audit/internal-control/plans/{plans[0]['id']}", headers=editor)).json()
    risk = next(r for r in plan["risks"] if r["goal_ids"])
    path = f"/api/reports/trace/risks/{risk['id']}"
    trace = (await seeded.client.get(path, headers=headers)).json()
    drawn = await seeded.client.get(f"{path}?format=pdf", headers=headers)
    assert (drawn.status_code, drawn.headers["content-type"]) == (200, "application/pdf")
    text = as_text("pdf", drawn.content)
    assert flat(f"Risk: {risk['title']}") in text
    assert flat(f"{names['HSN']} (HSN)") in text
    assert risk["processes"], "the demo's HSN risk on a goal names the budget process"
    for process in risk["processes"]:
        assert flat(process) in text
    for control in risk["controls"]:
        assert flat(control["control"]) in text
    for goal in trace["goals"]:
        assert flat(goal["title"]) in text
    for indicator in trace["indicators"]:
        assert flat(indicator["name"]) in text


async def test_an_unknown_format_is_422_and_json_stays_the_default(seeded):
    headers = seeded.auth(*READER)
    first = (await _recommendations(seeded, headers))[0]
    path = f"/api/reports/trace/recommendations/{first['id']}"
    refused = await seeded.client.get(f"{path}?format=odt", headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    plain = await seeded.client.get(path, headers=headers)
    as_json = await seeded.client.get(f"{path}?format=json", headers=headers)
    assert plain.headers["content-type"].startswith("application/json")
    assert plain.json()["recommendation"]["id"] == as_json.json()["recommendation"]["id"] == first["id"]
    unsigned = await seeded.client.get(f"{path}?format=odt")
    assert unsigned.status_code == 401, "no token: nothing learnt about the request's shape"
    gone = await seeded.client.get(
        "/api/reports/trace/recommendations/00000000-0000-0000-0000-000000000000?format=pdf", headers=headers
    )
    assert gone.status_code == 404


async def test_what_is_missing_or_not_shown_is_said_in_words(seeded):
    """The goals service down leaves the document a draft that says so; a goal the reader may not read is counted."""
    board = seeded.auth("rs", "RS:editor")
    first = (await _recommendations(seeded, board))[0]
    detail = (await seeded.client.get(f"/api/audit/recommendations/{first['id']}", headers=board)).json()
    goals = (await seeded.client.get("/api/goals/goals?limit=500", headers=board)).json()["items"]
    draft = next(g for g in goals if g["status"] == "draft")
    await _link(seeded, detail["actions"][0], goal_ids=[draft["id"]])
    path = f"/api/reports/trace/recommendations/{first['id']}?format=html"
    hidden = await seeded.client.get(path, headers=seeded.auth("r", "RUN:reader"))
    assert hidden.status_code == 200, hidden.text
    assert flat(SV["trace.not_shown"].format(count=1)) in html_text(hidden.content)

    seeded.apps["gateway"].state.proxy.client._transport = FailingListings(seeded.transport)
    down = await seeded.client.get(path, headers=seeded.auth(*READER))
    assert down.status_code == 200, down.text
    assert down.headers["x-report-complete"] == "false"
    assert "goals (goals)" in down.headers["x-report-missing"]
    text = html_text(down.content)
    assert SV["draft"] in text
    assert "goals (goals):" in text
