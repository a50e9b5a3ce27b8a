"""The combined reports: every section from its own service, read with the caller's rights; a service
that does not answer leaves a draft that says what is missing."""

import io

import pytest
from docx import Document

from gateway.reports.documents.text import MoneyScale, money

BOARD = ("board", "RS:reader")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def get(stack, path: str, roles=BOARD) -> dict:
    response = await stack.client.get(path, headers=stack.auth(*roles))
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_t2_report_carries_each_services_own_figures(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T2")
    assert (report["kind"], report["period"], report["complete"], report["missing"]) == ("interim", "T2", True, [])
    fulfilment = await get(seeded, "/api/goals/fulfilment?year=2022&period=T2")
    assert report["goals"]["fulfilment"] == fulfilment
    economy = await get(seeded, "/api/budget/economy/region?year=2022&follow_up=T2")
    assert report["economy"]["economy"]["result"] == economy["result"]
    assert report["economy"]["economy"]["flagged_units"] == ["HSN"]
    assert {b["body_code"] for b in report["audit"]["overview"]["bodies"]} >= {"RS", "HSN"}
    assert report["audit"]["overview"]["as_of"] == "2022-08-31"
    assert report["goals"]["quality"]["orphans"], "the orphan goals are shown, as the auditors asked"
    quality = await get(seeded, "/api/goals/quality?year=2022&period=T2")
    assert report["goals"]["quality"] == {**quality, "goal_checks": None}, "the counts, without each goal's checks"
    council = await get(seeded, "/api/goals/follow-ups/report-to-council?year=2022&limit=500")
    assert report["goals"]["report_to_council"] == council["items"]
    assert "Minskad sjukfrånvaro bland medarbetarna" in [g["goal"]["title"] for g in council["items"]]


def _chain_goals(chain: dict) -> list[dict]:
    """Every goal in a chain, nested ones included."""
    stack = [g for s in chain["strategies"] for g in s["goals"]] + chain["unlinked_goals"]
    found = []
    while stack:
        goal = stack.pop()
        found.append(goal)
        stack.extend(goal["children"])
    return found


async def test_the_regions_report_carries_the_councils_part_of_the_chain(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T2")
    chain = report["goals"]["chain"]
    goals = _chain_goals(chain)
    assert goals
    assert {g["unit_code"] for g in goals} == {"RF"}
    assert any(s["indicators"] for s in chain["strategies"]) or any(g["indicators"] for g in goals)
    council = await get(seeded, "/api/goals/chain?year=2022&period=T2&levels=council")
    assert chain == council
    whole = await get(seeded, "/api/goals/chain?year=2022&period=T2")
    assert {g["unit_code"] for g in _chain_goals(whole)} > {"RF"}, "the committees' goals are left to the fulfilment"


async def test_a_units_report_carries_that_units_chain(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T2?unit=HSN")
    codes = {g["unit_code"] for g in _chain_goals(report["goals"]["chain"])}
    assert "HSN" in codes
    assert codes <= {"RF", "HSN", "HSF", "PV", "SV"}
    assert report["goals"]["chain"] == await get(seeded, "/api/goals/chain?year=2022&period=T2&unit=HSN")


async def test_t1_carries_the_economy_and_the_employees_only(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T1")
    rows = report["goals"]["fulfilment"]["rows"]
    assert rows
    assert {r["perspective"] for r in rows} == {"employee"}
    assert sum(report["goals"]["fulfilment"]["totals"].values()) == sum(r["total"] for r in rows)
    assert report["economy"]["economy"]["through_month"] == 4
    assert (report["audit"], report["goals"]["quality"], report["goals"]["chain"]) == (None, None, None)


async def test_the_annual_report_runs_through_december(seeded):
    report = await get(seeded, "/api/reports/annual/2022")
    assert (report["kind"], report["period"]) == ("annual", "year")
    assert report["economy"]["economy"]["through_month"] == 12
    assert report["audit"]["overview"]["as_of"] == "2022-12-31"


async def test_a_report_for_one_unit(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T2?unit=HSN")
    assert report["unit"] == "HSN"
    assert report["economy"]["economy"]["unit_code"] == "HSN"
    assert report["audit"]["overview"]["body_code"] == "HSN"
    assert {r["unit_code"] for r in report["goals"]["fulfilment"]["rows"]} <= {"HSN", "HSF", "PV", "SV"}


async def test_a_service_that_does_not_answer_leaves_a_draft_that_says_so(seeded):
    seeded.transport.down.add("budget")
    report = await get(seeded, "/api/reports/interim/2022/T2")
    assert report["complete"] is False
    assert {(m["section"], m["service"]) for m in report["missing"]} == {
        ("economy.economy", "budget"),
        ("economy.plan_period", "budget"),
        ("economy.investments", "budget"),
        ("economy.grants", "budget"),
    }
    assert report["economy"] is None
    assert report["goals"]["fulfilment"]["totals"]
    assert report["audit"]["overview"]["bodies"]


async def test_each_section_shows_only_what_the_caller_may_read(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T2", roles=("h", "HSN:reader"))
    assert report["complete"] is False
    # The region's economy is the board's, the council's, the auditors' and finance's to read.
    assert [(m["section"], m["reason"]) for m in report["missing"]] == [
        ("economy.economy", "the budget service answered 403: Requires auditor"),
        ("economy.plan_period", "the budget service answered 403: Requires auditor"),
    ]
    own = await get(seeded, "/api/reports/interim/2022/T2?unit=HSN", roles=("h", "HSN:reader"))
    assert own["complete"] is True


@pytest.mark.parametrize("role", ["RF:reader", "RF:editor", "RF:registrar"])
@pytest.mark.parametrize("path", ["/api/reports/interim/2022/T2", "/api/reports/interim/2022/T2?unit=HSN"])
async def test_the_council_reads_every_report_complete(seeded, role, path):
    report = await get(seeded, path, roles=("fm", role))
    assert (report["complete"], report["missing"]) == (True, [])
    assert report["economy"]["economy"]


async def test_a_council_member_still_reads_no_drafts_and_writes_nothing(seeded):
    council = seeded.auth("fm", "RF:reader")
    frames = await seeded.client.get("/api/budget/frames/total?year=2022&status=proposal", headers=council)
    assert frames.status_code == 403
    outcomes = await seeded.client.post("/api/budget/forecasts", json={}, headers=council)
    assert outcomes.status_code == 403


async def test_a_report_speaks_for_its_periods_end_in_every_section(seeded):
    for path, as_of in [
        ("/api/reports/interim/2022/T1", "2022-04-30"),
        ("/api/reports/interim/2022/T2", "2022-08-31"),
        ("/api/reports/annual/2022", "2022-12-31"),
    ]:
        report = await get(seeded, path)
        assert report["as_of"] == as_of
        sections = [report["goals"], report["economy"], report["audit"]]
        assert all(s["as_of"] == as_of for s in sections if s is not None)
        assert report["generated_at"].endswith(("+01:00", "+02:00")), "people read Swedish time"


async def test_an_empty_year_says_so_and_is_not_complete(seeded):
    report = await get(seeded, "/api/reports/annual/2019")
    assert report["complete"] is False
    assert report["missing"] == []
    required = {n["section"] for n in report["no_data"] if n["required"]}
    assert {"goals.fulfilment", "economy.economy"} <= required


@pytest.mark.parametrize(
    "path",
    ["/api/reports/interim/2022/T3", "/api/reports/interim/1850/T1", "/api/reports/annual/2022?unit=hs%20n"],
)
async def test_a_bad_request_is_422(seeded, path):
    response = await seeded.client.get(path, headers=seeded.auth(*BOARD))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_the_report_has_a_published_schema(stack):
    document = await stack.document()
    operation = document["paths"]["/api/reports/interim/{year}/{period}"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Report"
    }
    assert {"goals", "economy", "audit", "missing", "complete"} <= set(
        document["components"]["schemas"]["Report"]["properties"]
    )
    assert operation["security"] == [{"bearerAuth": []}]
    documents = {"application/json", "text/html", DOCX, "application/pdf"}
    for path in (
        "/api/reports/interim/{year}/{period}",
        "/api/reports/annual/{year}",
        "/api/reports/editions/{edition_id}",
    ):
        assert set(document["paths"][path]["get"]["responses"]["200"]["content"]) == documents, path


async def test_the_html_report_reads_in_swedish_with_swedish_numbers(seeded):
    response = await seeded.client.get(
        "/api/reports/interim/2022/T2?format=html&money=mnkr", headers=seeded.auth(*BOARD)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>Delårsrapport 2 2022</title>" in page
    assert '<html lang="sv-SE">' in page
    for heading in ("Sammanfattning", "Måluppfyllelse", "Ekonomi", "Revision och uppföljning"):
        assert f"<h2>{heading}</h2>" in page
    assert "<h3>Målens kvalitet</h3>" in page
    assert "<td>Medarbetare</td>" in page  # the perspective's name, not its code
    assert "Hälso- och sjukvårdsnämnden (HSN) !" in page  # the unit's name, flagged
    assert "! = helårsprognosen avviker från ramen med mer än tröskeln 1,0 %" in page  # the flag, explained
    economy = (await get(seeded, "/api/reports/interim/2022/T2"))["economy"]["economy"]
    hsn = next(u for u in economy["units"] if u["unit_code"] == "HSN")
    # The frame in force on 31 August: the council revised it to 6 200 mnkr only in September.
    assert hsn["frame"] == "6180000000.00"
    assert "6\u202f180,0 mnkr" in page


async def test_english_and_thousands_on_request(seeded):
    response = await seeded.client.get(
        "/api/reports/annual/2022?format=html&money=tkr&lang=en", headers=seeded.auth(*BOARD)
    )
    assert "<title>Annual report 2022</title>" in response.text
    assert "6\u202f200\u202f000,0 tkr" in response.text


async def test_a_draft_says_in_the_page_what_is_missing(seeded):
    seeded.transport.down.add("audit")
    page = (await seeded.client.get("/api/reports/interim/2022/T2?format=html", headers=seeded.auth(*BOARD))).text
    assert "Utkast: uppgifter saknas" in page
    assert "audit.overview (audit)" in page


async def test_the_word_document_holds_the_same_figures_as_the_json(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T2")
    response = await seeded.client.get("/api/reports/interim/2022/T2?format=docx", headers=seeded.auth(*BOARD))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="interim-2022-T2.docx"')
    document = Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == [
        "Sammanfattning",
        "Måluppfyllelse",
        "Ekonomi",
        "Budgetåret och planåren",
        "Investeringar och tioårsplan",
        "Riktade statsbidrag",
        "Intern kontroll",
        "Revision och uppföljning",
        "Uppföljning av revisionens rekommendationer",
    ]
    subheadings = {p.text for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert {"Målens kvalitet", "Mål utan koppling uppåt", "Regionens resultat", "Uppdrag"} <= subheadings
    assert {"Åtgärder utan koppling till indikator", "Indikatorer som inte har rört sig sedan beslutet"} <= subheadings
    tables = {table.rows[0].cells[0].text + "/" + table.rows[0].cells[1].text: table for table in document.tables}
    fulfilment, economy = tables["Enhet/Perspektiv"], tables["Enhet/Ram"]
    totals = report["goals"]["fulfilment"]["totals"]
    assert [c.text for c in fulfilment.rows[-1].cells][2:6] == [
        str(totals[c]) for c in ("green", "yellow", "red", "grey")
    ]
    names = report["unit_names"]
    units = {row.cells[0].text.rstrip(" !"): [c.text for c in row.cells] for row in economy.rows[1:-1]}
    for unit in report["economy"]["economy"]["units"]:
        assert units[f"{names[unit['unit_code']]} ({unit['unit_code']})"][1] == money(unit["frame"], MoneyScale.mnkr)
    assert economy.rows[1].cells[0].text == "Hälso- och sjukvårdsnämnden (HSN) !"  # flagged over the threshold
    assert economy.rows[-1].cells[1].text == money(report["economy"]["economy"]["totals"]["frame"], MoneyScale.mnkr)


async def test_the_report_names_its_units(seeded):
    report = await get(seeded, "/api/reports/interim/2022/T2")
    assert report["unit_names"]["HSN"] == "Hälso- och sjukvårdsnämnden"
    assert {r["unit_code"] for r in report["goals"]["fulfilment"]["rows"]} <= set(report["unit_names"])


async def test_a_client_that_may_not_read_decided_material_is_refused_the_report(seeded):
    writer_only = seeded.auth("integration", client=True, scopes=["write:measurements"])
    response = await seeded.client.get("/api/reports/interim/2022/T2", headers=writer_only)
    assert response.status_code == 403
    assert response.json()["required"] == "read:decided"
    reader = seeded.auth("integration", client=True, scopes=["read:decided"])
    assert (await seeded.client.get("/api/reports/interim/2022/T2", headers=reader)).status_code == 200


async def test_a_caller_without_a_token_learns_nothing_of_the_requests_shape(seeded):
    for path in ("/api/reports/interim/1800/T9", "/api/reports/annual/abc"):
        response = await seeded.client.get(path)
        assert response.status_code == 401, path
