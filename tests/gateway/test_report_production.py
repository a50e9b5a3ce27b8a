"""Report production: units write their analysis, mark it ready, a registrar completes the edition, and
the frozen report is fetched again, byte for byte, whatever happened to the data since."""

import io
import json
from typing import Any

from docx import Document

EDITOR = ("hanna", "HSN:editor")
REGISTRAR = ("rut", "HSN:registrar")
HSN_T2 = {"kind": "interim", "year": 2022, "period": "T2", "unit_code": "HSN"}


def if_match(headers: dict[str, str], record: dict[str, Any]) -> dict[str, str]:
    return {**headers, "If-Match": f'"{record["version"]}"'}


async def open_edition(stack, body=HSN_T2, roles=EDITOR) -> dict[str, Any]:
    response = await stack.client.post("/api/goals/report-editions", headers=stack.auth(*roles), json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def write(stack, section, roles=EDITOR, **changes):
    return await stack.client.patch(
        f"/api/goals/report-editions/{section['edition_id']}/sections/{section['id']}",
        headers=if_match(stack.auth(*roles), section),
        json=changes,
    )


async def edition_now(stack, edition, roles=REGISTRAR) -> dict[str, Any]:
    response = await stack.client.get(f"/api/goals/report-editions/{edition['id']}", headers=stack.auth(*roles))
    assert response.status_code == 200, response.text
    return response.json()


async def make_all_ready(stack, edition) -> dict[str, Any]:
    for section in edition["sections"]:
        text = f"{section['unit_code']} om {section['topic']}: utvecklingen följer planen."
        response = await write(stack, section, text=text, ready=True)
        assert response.status_code == 200, response.text
    return await edition_now(stack, edition)


async def complete(stack, edition, roles=REGISTRAR):
    return await stack.client.post(
        f"/api/reports/editions/{edition['id']}/completion", headers=if_match(stack.auth(*roles), edition)
    )


def first_indicator(node: Any) -> dict[str, Any] | None:
    """The first indicator anywhere in the report's chain."""
    if isinstance(node, dict):
        for indicator in node.get("indicators") or []:
            return dict(indicator)
        children = node.values()
    elif isinstance(node, list):
        children = node
    else:
        return None
    for child in children:
        found = first_indicator(child)
        if found:
            return found
    return None


async def change_every_service(stack, report: dict[str, Any]) -> None:
    """A new measurement, a month's outcome and an audit report: each service's data moves on."""
    indicator = first_indicator(report["goals"]["chain"])
    assert indicator is not None
    measured = await stack.client.post(
        f"/api/goals/indicators/{indicator['id']}/measurements",
        headers=stack.auth("m", "RF:editor", "HSN:editor"),
        json={"period": "2022-T2", "value": "4711"},
    )
    assert measured.status_code in (200, 201), measured.text
    finance = stack.auth("f", "finance")
    outcomes = await stack.client.get("/api/budget/outcomes?unit=HSN&year=2022&month=5", headers=finance)
    outcome = outcomes.json()["items"][0]
    corrected = await stack.client.patch(
        f"/api/budget/outcomes/{outcome['id']}", headers=if_match(finance, outcome), json={"amount": "1234567.89"}
    )
    assert corrected.status_code == 200, corrected.text
    audit_report = {
        "title": "Granskning av rapporteringen",
        "audit_year": 2022,
        "received_on": "2022-05-02",
        "summary": "Rapporteringen till fullmäktige.",
        "assessments": [{"question": "Är rapporteringen tillräcklig?", "assessment": "limited"}],
        "recipients": [{"body_code": "HSN", "diary_number": "HSN/1900/2022"}],
        "recommendations": [
            {"body_code": "HSN", "text": "Rapportera avvikelser tidigare.", "response_due_on": "2022-06-30"}
        ],
    }
    audited = await stack.client.post("/api/audit/reports", headers=stack.auth("a", "auditor"), json=audit_report)
    assert audited.status_code == 201, audited.text


async def test_a_completed_report_is_byte_for_byte_the_same_after_the_data_changed(seeded):
    edition = await make_all_ready(seeded, await open_edition(seeded))
    completed = await complete(seeded, edition)
    assert completed.status_code == 200, completed.text
    frozen = completed.content
    report = json.loads(frozen)
    assert report["complete"] is True
    assert report["edition"]["status"] == "completed"
    assert report["edition"]["completed_by"] == "rut"
    assert report["edition"]["completed_at"].endswith(("+01:00", "+02:00")), "people read Swedish time"
    assert set(report["edition"]["data_versions"]) == {"goals", "budget", "audit"}
    assert len(report["analysis"]) == len(edition["sections"]) == 8, "HSN and HSF, four topics each"

    await change_every_service(seeded, report)
    live = (await seeded.client.get("/api/reports/interim/2022/T2?unit=HSN", headers=seeded.auth(*REGISTRAR))).json()
    for section in ("goals", "economy", "audit"):
        assert live[section] != report[section], f"the {section} data must really have changed"

    again = await seeded.client.get(f"/api/reports/editions/{edition['id']}", headers=seeded.auth(*REGISTRAR))
    assert again.status_code == 200
    assert again.headers["content-type"] == "application/json"
    assert again.content == frozen
    # Any role reads a completed report, decided material being public record.
    other = await seeded.client.get(f"/api/reports/editions/{edition['id']}", headers=seeded.auth("b", "RUN:reader"))
    assert other.content == frozen

    url = f"/api/reports/editions/{edition['id']}"
    html = await seeded.client.get(f"{url}?format=html", headers=seeded.auth(*REGISTRAR))
    assert html.status_code == 200
    assert "HSF om employees: utvecklingen följer planen." in html.text
    docx = await seeded.client.get(f"{url}?format=docx", headers=seeded.auth(*REGISTRAR))
    assert docx.status_code == 200
    paragraphs = [p.text for p in Document(io.BytesIO(docx.content)).paragraphs]
    assert "HSN om economy: utvecklingen följer planen." in paragraphs


async def test_the_draft_report_shows_the_texts_written_so_far(seeded):
    edition = await open_edition(seeded)
    economy = next(s for s in edition["sections"] if (s["unit_code"], s["topic"]) == ("HSN", "economy"))
    assert (await write(seeded, economy, text="Underskottet beror på hyrpersonal.")).status_code == 200
    report = (await seeded.client.get("/api/reports/interim/2022/T2?unit=HSN", headers=seeded.auth(*EDITOR))).json()
    assert report["analysis"] == [
        {"unit_code": "HSN", "topic": "economy", "text": "Underskottet beror på hyrpersonal.", "ready": False}
    ]
    assert report["edition"]["status"] == "open"
    html = await seeded.client.get("/api/reports/interim/2022/T2?unit=HSN&format=html", headers=seeded.auth(*EDITOR))
    assert "Underskottet beror på hyrpersonal." in html.text
    # Another unit's reader sees neither the open edition nor its texts.
    other = seeded.auth("x", "RUN:reader")
    hidden = (await seeded.client.get("/api/reports/interim/2022/T2?unit=HSN", headers=other)).json()
    assert (hidden["analysis"], hidden["edition"]) == ([], None)


async def test_completion_refuses_while_a_section_is_not_ready(seeded):
    edition = await make_all_ready(seeded, await open_edition(seeded))
    audit = next(s for s in edition["sections"] if (s["unit_code"], s["topic"]) == ("HSF", "audit"))
    assert (await write(seeded, audit, ready=False)).status_code == 200
    refused = await complete(seeded, await edition_now(seeded, edition))
    assert refused.status_code == 409
    assert refused.json()["not_ready"] == ["HSF/audit"]
    assert "HSF/audit" in refused.json()["detail"]
    assert (await edition_now(seeded, edition))["status"] == "open"


async def test_completion_refuses_while_a_service_does_not_answer(seeded):
    edition = await make_all_ready(seeded, await open_edition(seeded))
    seeded.transport.down.add("audit")
    refused = await complete(seeded, edition)
    assert refused.status_code == 409, refused.text
    missing = refused.json()["missing"]
    assert any(m.startswith("audit.overview (audit)") for m in missing)
    assert any(m.startswith("data version (audit)") for m in missing)
    seeded.transport.down.clear()
    assert (await complete(seeded, edition)).status_code == 200


async def test_a_completed_edition_is_locked(seeded):
    edition = await make_all_ready(seeded, await open_edition(seeded))
    assert (await complete(seeded, edition)).status_code == 200
    edition = await edition_now(seeded, edition)
    section = edition["sections"][0]
    locked = await write(seeded, section, ready=False, text="Ändrat i efterhand.")
    assert (locked.status_code, locked.json()["code"]) == (409, "locked")
    again = await complete(seeded, edition)
    assert (again.status_code, again.json()["code"]) == (409, "locked")


async def test_who_may_write_and_complete(seeded):
    edition = await open_edition(seeded)
    section = edition["sections"][0]
    assert (await write(seeded, section, roles=("o", "RUN:editor"), text="x")).status_code == 404, "a draft"
    board = await write(seeded, section, roles=("o", "RS:editor"), text="x")
    assert (board.status_code, board.json()["required"]) == (403, "HSN:editor"), "the board reads it, but not its pen"
    refused = await write(seeded, section, roles=("o", "RS:reader"), text="x")
    assert refused.status_code == 403
    assert refused.json()["required"].startswith("editor")
    edition = await make_all_ready(seeded, edition)
    not_registrar = await complete(seeded, edition, roles=EDITOR)
    assert (not_registrar.status_code, not_registrar.json()["required"]) == (403, "HSN:registrar")
    reader = await complete(seeded, edition, roles=("r", "HSN:reader"))
    assert reader.status_code == 403
    # A registrar cannot store a report of their own making by calling the goals service directly.
    forged = await seeded.client.post(
        f"/api/goals/report-editions/{edition['id']}/completion",
        headers=if_match(seeded.auth(*REGISTRAR), edition),
        json={"report": "{}", "completed_at": "2022-09-01T00:00:00Z", "data_versions": {}, "section_versions": {}},
    )
    assert forged.status_code == 403
    assert (await edition_now(seeded, edition))["status"] == "open"


async def test_the_region_report_is_completed_by_the_boards_registrar(seeded):
    body = {"kind": "interim", "year": 2022, "period": "T1", "unit_code": None}
    refused = await seeded.client.post("/api/goals/report-editions", headers=seeded.auth(*EDITOR), json=body)
    assert refused.status_code == 403
    edition = await open_edition(seeded, body, roles=("s", "RS:editor"))
    assert {s["unit_code"] for s in edition["sections"]} == {"RS", "HSN", "RUN"}
    assert {s["topic"] for s in edition["sections"]} == {"economy", "employees"}, "T1"
    for section in edition["sections"]:
        writer = ("w", f"{section['unit_code']}:editor")
        assert (await write(seeded, section, roles=writer, text="Klart.", ready=True)).status_code == 200
    edition = await edition_now(seeded, edition, roles=("s", "RS:registrar"))
    assert (await complete(seeded, edition, roles=REGISTRAR)).status_code == 403
    completed = await complete(seeded, edition, roles=("s", "RS:registrar"))
    assert completed.status_code == 200, completed.text
    assert json.loads(completed.content)["unit"] is None


async def test_stale_if_match_and_history_of_a_text(seeded):
    edition = await open_edition(seeded)
    section = edition["sections"][0]
    first = await write(seeded, section, text="Första utkastet.")
    assert first.status_code == 200
    stale = await write(seeded, section, text="Skrivet på en gammal kopia.")
    assert stale.status_code == 412
    missing = await seeded.client.patch(
        f"/api/goals/report-editions/{edition['id']}/sections/{section['id']}",
        headers=seeded.auth(*EDITOR),
        json={"text": "utan If-Match"},
    )
    assert missing.status_code == 428
    second = await write(seeded, first.json(), text="Andra utkastet.", ready=True)
    assert second.status_code == 200
    rewrite = await write(seeded, second.json(), text="Ändrat fast klart.")
    assert rewrite.status_code == 409, "a ready text changes only with ready: false"
    history = await seeded.client.get(
        f"/api/goals/report-editions/{edition['id']}/sections/{section['id']}/history", headers=seeded.auth(*EDITOR)
    )
    entries = history.json()["items"]
    assert [e["action"] for e in entries] == ["create", "update", "update"]
    assert [e["after"]["text"] for e in entries] == ["", "Första utkastet.", "Andra utkastet."]
    assert entries[-1]["actor"] == "hanna"
    stale_completion = await complete(seeded, edition, roles=REGISTRAR)
    assert stale_completion.status_code in (409, 412)


async def test_bad_input_is_refused(seeded):
    await open_edition(seeded)
    duplicate = await seeded.client.post("/api/goals/report-editions", headers=seeded.auth(*EDITOR), json=HSN_T2)
    assert duplicate.status_code == 409
    wrong_period = {**HSN_T2, "kind": "annual"}
    bad = await seeded.client.post("/api/goals/report-editions", headers=seeded.auth(*EDITOR), json=wrong_period)
    assert bad.status_code == 422
    unknown = await seeded.client.post(
        "/api/goals/report-editions", headers=seeded.auth(*EDITOR), json={**HSN_T2, "unit_code": "HSF", "year": 1989}
    )
    assert unknown.status_code == 422
    council = {**HSN_T2, "unit_code": "RF"}
    region_by_name = await seeded.client.post(
        "/api/goals/report-editions", headers=seeded.auth("c", "RF:editor"), json=council
    )
    assert region_by_name.status_code == 422, "the region's report leaves the unit out"
    edition = await open_edition(seeded, {**HSN_T2, "period": "T1"})
    too_long = await write(seeded, edition["sections"][0], text="x" * 20001)
    assert too_long.status_code == 422


async def test_completion_refuses_a_report_with_nothing_for_its_period(seeded):
    empty_year = {"kind": "annual", "year": 2019, "period": "year", "unit_code": "HSN"}
    edition = await make_all_ready(seeded, await open_edition(seeded, empty_year))
    refused = await complete(seeded, edition)
    assert refused.status_code == 409, refused.text
    missing = refused.json()["missing"]
    assert any(m.startswith("goals.fulfilment (no data)") for m in missing)
    assert any(m.startswith("economy.economy (no data)") for m in missing)
    assert (await edition_now(seeded, edition))["status"] == "open"
