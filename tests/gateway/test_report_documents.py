"""The Word and PDF documents hold everything the report's JSON holds: every section, every unit by its name,
every amount as money() prints it, every goal, indicator, grant and recommendation, every chart with its alt
text. The Word document is in Swedish with its properties, contents and page numbers; the PDF is tagged
(language, title, headings, tables, figures with alt text)."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pikepdf
import pytest
from docx import Document
from docx.oxml.ns import qn
from prometheus_client.parser import text_string_to_metric_families
from pypdf import PdfReader

from gateway.reports.documents.build import build
from gateway.reports.documents.charts import charts_for
from gateway.reports.documents.model import Document as ReportDocument
from gateway.reports.documents.pdf import render_pdf
from gateway.reports.documents.text import Language, MoneyScale, money, percent

BOARD = ("board", "RS:reader")
MNKR = MoneyScale.mnkr
REGION = "Region Jämtland Härjedalen"
REPORTS = [
    ("/api/reports/interim/2022/T2", "Delårsrapport 2 2022", "januari–augusti 2022"),
    ("/api/reports/annual/2022", "Årsredovisning 2022", "januari–december 2022"),
]
# The sections each part of the JSON calls for, by their Swedish titles.
SECTION_TITLES = [
    ("goals", "Måluppfyllelse"),
    ("economy", "Ekonomi"),
    ("economy.investments", "Investeringar och tioårsplan"),
    ("economy.grants", "Riktade statsbidrag"),
    ("audit", "Intern kontroll"),
    ("audit", "Revision och uppföljning"),
]


async def fetch(stack, path: str, report_format: str) -> bytes:
    separator = "&" if "?" in path else "?"
    response = await stack.client.get(f"{path}{separator}format={report_format}", headers=stack.auth(*BOARD))
    assert response.status_code == 200, response.text
    return response.content


def flat(text: str) -> str:
    """Any run of white space (line breaks in a table cell, thin and no-break spaces) as one space."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", text).strip()


def part(report: dict[str, Any], key: str) -> Any:
    value: Any = report
    for step in key.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def walk_goals(goals: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for goal in goals:
        yield goal
        yield from walk_goals(goal.get("children") or [])


def expected(report: dict[str, Any]) -> list[tuple[str, str]]:
    """What a reader must find in the document, each with where in the JSON it comes from."""
    names = report["unit_names"]
    found = [("summary", "Sammanfattning")]
    found += [(key, title) for key, title in SECTION_TITLES if part(report, key)]
    goals, economy, audit = report["goals"], report["economy"], report["audit"]
    found += [(f"unit {r['unit_code']}", names[r["unit_code"]]) for r in goals["fulfilment"]["rows"]]
    found += [("perspective", name) for name in goals["perspectives"].values()]
    for item in goals["report_to_council"]:
        found += [("goal to the council", item["goal"]["title"]), ("the owner's analysis", item["analysis"])]
    chain = goals["chain"]
    found.append(("plan", chain["plan"]["title"]))
    for strategy in chain["strategies"]:
        found.append(("strategy", strategy["title"]))
        found += [("indicator", i["name"]) for i in strategy["indicators"]]
        for goal in walk_goals(strategy["goals"]):
            found.append(("council goal", goal["title"]))
            found += [("goal indicator", i["name"]) for i in goal["indicators"]]
    found += [("orphan", goal["title"]) for goal in goals["quality"]["orphans"]]
    found += [("assignment", a["title"]) for a in goals["assignments"]]
    for unit in [*economy["economy"]["units"], economy["economy"]["totals"]]:
        code = unit["unit_code"]
        if code in names:
            found.append((f"economy unit {code}", names[code]))
        for field in ("frame", "budget_ytd"):
            found.append((f"{code} {field}", money(unit[field], MNKR)))
        found.append((f"{code} outcome", money(unit["outcome_ytd"]["net_cost"], MNKR)))
        found.append((f"{code} forecast", money(unit["forecast"]["amount"], MNKR)))
        deviation = unit["forecast_deviation"]
        found.append((f"{code} deviation", f"{money(deviation['amount'], MNKR)} ({percent(deviation['percent'])})"))
        if unit.get("forecast", {}).get("comment"):
            found.append((f"{code} forecast comment", unit["forecast"]["comment"]))
    found.append(("the flag explained", "! = helårsprognosen avviker från ramen med mer än tröskeln"))
    result = economy["economy"]["result"]
    for field in ("result_forecast", "result_target", "result_ytd", "budgeted_result"):
        found.append((f"result {field}", money(result[field], MNKR)))
    if not result["result_target_met_forecast"] and not economy.get("accounts"):
        found.append(("a forecast below the result target, in words", "under resultatmålet"))
    found += _plan_period(economy["plan_period"])
    for year in economy["investments"]["years"]:
        found.append((f"investments {year['year']}", money(year["planned"], MNKR)))
    found.append(("investments in total", money(economy["investments"]["total_planned"], MNKR)))
    for grant in economy["grants"]["rows"]:
        found += [("grant", grant["name"]), ("grant amount", money(grant["amount"], MNKR))]
    found += [
        ("grant without a goal", f"Statsbidrag utan koppling till mål: {g['name']}")
        for g in economy["grants"]["without_goal"]
    ]
    for body in audit["overview"]["bodies"]:
        found.append((f"audit body {body['body_code']}", names[body["body_code"]]))
        statement = body.get("latest_statement") or {}
        if statement.get("remark"):
            found.append(("remark", statement["remark_grounds"]))
        if statement.get("internal_control_sufficient") is False:
            found.append(("internal control not sufficient", "Inte tillräcklig"))
    found += _accounts(economy.get("accounts"))
    found += _follow_through(report["follow_through"])
    found += [(f"draft: {m['section']}", f"{m['section']} ({m['service']})") for m in report["missing"]]
    return found


def _follow_through(section: dict[str, Any]) -> list[tuple[str, str]]:
    """The follow-through on the auditors' recommendations: its title and every item it flags."""
    assert section["without_indicator"], "the demo's actions other than Målstyrning's name no indicator"
    assert section["not_moved"], "the demo's forecast deviation has no value from before the decision"
    found = [("follow-through", "Uppföljning av revisionens rekommendationer")]
    found += [("recommendation with no action", f"{r['number']}. {r['text']}") for r in section["without_action"]]
    found += [("action with no indicator", a["title"]) for a in section["without_indicator"]]
    found += [("indicator not moved", s["name"]) for s in section["not_moved"]]
    found += [("why not moved", "Inget värde före beslutet att jämföra med") for s in section["not_moved"][:1]]
    return found


def _plan_period(period: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's year and its plan years as decided by the period's end, and the scenarios adopted by then."""
    found = [("plan period", "Budgetåret och planåren"), ("plan period as at", f"som beslutat per {period['as_of']}")]
    for year in period["years"]:
        resources = year["resources"]
        for key, amount in (("frames", year["frames"]), ("room", resources["room_for_frames"])):
            if amount is not None:
                found.append((f"plan year {year['year']} {key}", money(amount, MNKR)))
    assert period["adopted_scenarios"], "the demo's council adopted 2023's scenario in June 2022"
    for scenario in period["adopted_scenarios"]:
        found.append(("adopted scenario", f"Resursberäkningen för {scenario['year']} bygger på scenariot"))
        found.append(("adopted scenario's name", f"”{scenario['name']}”"))
        found.append(("adopted tax rate", f"skattesats {scenario['tax_rate'].replace('.', ',')} kr per 100 kr"))
        found.append(("adopted on", f"{scenario['decision']['decided_on']} {scenario['decision']['paragraph']}"))
    return found


def _accounts(accounts: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The annual report's accounts: each line of the income statement, the result against its target, the
    balance requirement reconciliation with each adjustment."""
    if not accounts:
        return []
    found = [("accounts", "Årets räkenskaper"), ("income statement", "Resultaträkning")]
    for key, line in accounts["income_statement"].items():
        amount = line["amount"] if isinstance(line, dict) else line
        found.append((f"income statement {key}", money(amount, MNKR)))
    target = accounts["result_target"]
    found += [("result target", money(target["target"], MNKR)), ("result percent", percent(target["result_percent"]))]
    if not target["met"]:
        found.append(
            ("the result target not met, in words", f"resultatmålet {money(target['target'], MNKR)} är inte nått")
        )
    balance = accounts["balance_requirement"]
    found.append(("balance requirement reconciliation", "Balanskravsutredning"))
    found.append(("balance requirement result", money(balance["balance_requirement_result"], MNKR)))
    for adjustment in [*balance["adjustments"], *balance["reserve"]]:
        found += [("adjustment", adjustment["description"]), ("adjustment effect", money(adjustment["effect"], MNKR))]
    return found


def word_text(document: Any) -> str:
    return flat(" ".join(node.text or "" for node in document.element.body.iter(qn("w:t"))))


def pdf_text(content: bytes) -> str:
    return flat(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages))


def struct_elements(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Dictionary]:
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR":
                if "/S" in kid:
                    yield kid
                stack.append(kid)


@pytest.mark.parametrize(("path", "title", "period"), REPORTS)
async def test_the_word_document_holds_every_section_and_figure_of_the_json(seeded, path, title, period):
    report = (await seeded.client.get(path, headers=seeded.auth(*BOARD))).json()
    document = Document(io.BytesIO(await fetch(seeded, path, "docx")))
    text = word_text(document)
    absent = [(where, what) for where, what in expected(report) if flat(what) not in text]
    assert absent == []
    charts = charts_for(report, MNKR, Language.sv)
    assert [shape._inline.docPr.get("descr") for shape in document.inline_shapes] == [c.alt for c in charts]
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == [f"Figur {n}. {chart.title}" for n, chart in enumerate(charts, start=1)]


@pytest.mark.parametrize(("path", "title", "period"), REPORTS)
async def test_the_pdf_holds_every_section_and_figure_of_the_json(seeded, path, title, period):
    report = (await seeded.client.get(path, headers=seeded.auth(*BOARD))).json()
    content = await fetch(seeded, path, "pdf")
    text = pdf_text(content)
    absent = [(where, what) for where, what in expected(report) if flat(what) not in text]
    assert absent == []
    charts = charts_for(report, MNKR, Language.sv)
    for number, chart in enumerate(charts, start=1):
        assert flat(f"Figur {number}. {chart.title}") in text
    with pikepdf.open(io.BytesIO(content)) as pdf:
        figures = [e for e in struct_elements(pdf) if e.S == "/Figure"]
        assert sorted(str(f.Alt) for f in figures) == sorted(c.alt for c in charts), "alt text on every figure"


@pytest.mark.parametrize(("path", "title", "period"), REPORTS)
async def test_the_html_page_holds_the_plan_years_and_the_adopted_scenario(seeded, path, title, period):
    report = (await seeded.client.get(path, headers=seeded.auth(*BOARD))).json()
    page = flat(html.unescape(re.sub(r"<[^>]+>", " ", (await fetch(seeded, path, "html")).decode())))
    absent = [(where, what) for where, what in _plan_period(report["economy"]["plan_period"]) if flat(what) not in page]
    assert absent == []


async def test_a_units_documents_hold_its_plan_years(seeded):
    path = "/api/reports/interim/2022/T2?unit=HSN"
    years = (await seeded.client.get(path, headers=seeded.auth(*BOARD))).json()["economy"]["plan_period"]["years"]
    frames = [money(y["frame"]["amount"], MNKR) for y in years if y["frame"]]
    assert frames, "HSN's 2022 and 2023 frames were decided by T2's end"
    text = word_text(Document(io.BytesIO(await fetch(seeded, path, "docx"))))
    assert "Budgetåret och planåren" in text
    assert [f for f in frames if flat(f) not in text] == []


async def test_the_word_document_is_swedish_with_cover_contents_and_page_numbers(seeded):
    report = (await seeded.client.get("/api/reports/interim/2022/T2", headers=seeded.auth(*BOARD))).json()
    document = Document(io.BytesIO(await fetch(seeded, "/api/reports/interim/2022/T2", "docx")))
    styles = document.styles.element
    default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert default.get(qn("w:val")) == "sv-SE"
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption", "List Bullet"):
        lang = document.styles[name].element.rPr.find(qn("w:lang"))
        assert lang.get(qn("w:val")) == "sv-SE", name
    assert "en-US" not in styles.xml
    assert "en-US" not in document.settings.element.xml  # the theme fonts' language too

    core = document.core_properties
    assert (core.title, core.author, core.language) == ("Delårsrapport 2 2022", REGION, "sv-SE")
    assert core.subject == "Delårsrapport 2 2022, januari–augusti 2022"
    # When the report was put together (the JSON and the document are two requests, seconds apart), in UTC
    # as Word keeps it: Swedish time taken for UTC would be an hour or two off.
    generated = datetime.fromisoformat(report["generated_at"]).astimezone(UTC).replace(tzinfo=None)
    assert abs((core.created.replace(tzinfo=None) - generated).total_seconds()) < 60

    cover = [p.text for p in document.paragraphs[:6]]
    assert cover[:4] == [REGION, "Delårsrapport 2 2022", "januari–augusti 2022", "Per 2022-08-31"]
    fields = [node.text.strip() for node in document.element.body.iter(qn("w:instrText"))]
    assert any(field.startswith('TOC \\o "1-3"') for field in fields), fields
    settings = document.settings.element.find(qn("w:updateFields"))
    assert settings is not None
    assert settings.get(qn("w:val")) == "true"
    section = document.sections[0]
    footer = [node.text.strip() for node in section.footer._element.iter(qn("w:instrText"))]
    assert footer == ["PAGE", "NUMPAGES"]
    assert "Sida" in section.footer.paragraphs[0].text
    assert section.header.paragraphs[0].text == f"Delårsrapport 2 2022 · {REGION}"
    assert section.different_first_page_header_footer  # the cover has none


def _document_metrics(stack) -> dict[tuple[str, str], float]:
    text = stack.apps["gateway"].state.observed.metrics.exposition().decode()
    return {
        (s.name, s.labels.get("format", "")): s.value
        for family in text_string_to_metric_families(text)
        if family.name.startswith("styr_document")
        for s in family.samples
    }


async def test_word_columns_fit_their_headers_and_the_drawing_shows_in_the_gateways_metrics(seeded):
    """A header's longest word fits its column at 9 pt: no 'Helårspr/ognos'. (One test for both, as
    each document drawn costs seconds: the worker's time, queue and memory after this one.)"""
    drawn = _document_metrics(seeded).get(("styr_document_drawing_seconds_count", "docx"), 0)
    document = Document(io.BytesIO(await fetch(seeded, "/api/reports/interim/2022/T2", "docx")))
    after = _document_metrics(seeded)
    assert after[("styr_document_drawing_seconds_count", "docx")] == drawn + 1
    assert after[("styr_document_drawing_seconds_sum", "docx")] > 0
    assert after[("styr_document_queue", "")] == 0
    assert after[("styr_document_worker_resident_bytes", "")] > 20 * 1024 * 1024  # matplotlib alone weighs more

    economy = next(t for t in document.tables if t.rows[0].cells[1].text == "Ram")
    widths = [cell.width.cm for cell in economy.rows[0].cells]
    assert len(set(widths)) > 1, "not equal widths"
    centimetres_per_character = 0.18  # 9 pt Calibri, bold, with room to spare
    for table in document.tables:
        for cell in table.rows[0].cells:
            word = max(cell.text.split(), key=len, default="")
            assert cell.width.cm >= len(word) * centimetres_per_character, (cell.text, cell.width.cm)


def drawn_by(content: bytes) -> str:
    with pikepdf.open(io.BytesIO(content)) as pdf:
        return str(pdf.docinfo["/Creator"])


def assert_tagged(content: bytes) -> None:
    """A tagged PDF in Swedish with its title, author and PDF/UA claim; headings, tables, lists, three figures."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert str(pdf.Root.Lang) == "sv-SE"
        assert bool(pdf.Root.MarkInfo.Marked)
        assert str(pdf.docinfo["/Title"]) == "Delårsrapport 2 2022"
        assert str(pdf.docinfo["/Author"]) == REGION
        assert str(pdf.docinfo["/Subject"]) == "Delårsrapport 2 2022, januari–augusti 2022"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
        tags = [str(e.S) for e in struct_elements(pdf)]
        assert tags.count("/H1") >= 1
        assert tags.count("/H2") >= 7  # the contents' title and one per section
        assert "/H3" in tags
        assert {"/Table", "/TH", "/TD", "/TR", "/L", "/LI"} <= set(tags)
        assert tags.count("/Figure") == 3
        assert all(str(figure.Alt) for figure in struct_elements(pdf) if figure.S == "/Figure")
    text = pdf_text(content)
    assert "Sida 2 av" in text  # the page numbers in the footers
    assert f"Delårsrapport 2 2022 {REGION}" in text  # the report and its region in the headers


async def test_the_pdf_is_tagged_with_language_title_headings_and_tables(seeded):
    response = await seeded.client.get("/api/reports/interim/2022/T2?format=pdf", headers=seeded.auth(*BOARD))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith('attachment; filename="interim-2022-T2.pdf"')
    assert response.headers["x-report-complete"] == "true"
    assert_tagged(response.content)


async def _document(stack) -> ReportDocument:
    report = (await stack.client.get("/api/reports/interim/2022/T2", headers=stack.auth(*BOARD))).json()
    return build(report, MNKR, Language.sv)


async def test_typst_draws_the_pdf_with_each_sections_page_in_its_contents(seeded):
    content = await fetch(seeded, "/api/reports/interim/2022/T2", "pdf")
    assert drawn_by(content).startswith("Typst")
    reader = PdfReader(io.BytesIO(content))
    contents = flat(reader.pages[1].extract_text())
    for title in ("Sammanfattning", "Måluppfyllelse", "Ekonomi", "Revision och uppföljning"):
        found = re.search(rf"{title}[ .]*(\d+)", contents)
        assert found, (title, contents)
        page = int(found.group(1))
        assert title in reader.pages[page - 1].extract_text(), (title, page)  # the number leads to it


async def test_no_text_of_the_report_is_read_as_typst_markup(seeded):
    """Names and texts reach the PDF as data, never as Typst code: markup, a function call, a closing bracket
    and a comment are printed as they were written."""
    document = await _document(seeded)
    hostile = '#panic("x") *bold* ] $x$ // comment <label> @ref \\'
    hostile_document = replace(
        document,
        region=hostile,
        sections=(replace(document.sections[0], title=f"Sammanfattning {hostile}"), *document.sections[1:]),
    )
    content = render_pdf(hostile_document, Language.sv)
    text = pdf_text(content)
    assert flat(f"Sammanfattning {hostile}") in text
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert str(pdf.docinfo["/Author"]) == hostile


async def test_the_english_pdf_says_so(seeded):
    content = await fetch(seeded, "/api/reports/annual/2022?unit=HSN&lang=en&money=tkr", "pdf")
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo["/Title"]) == "Annual report 2022"
        assert str(pdf.docinfo["/Author"]) == "Hälso- och sjukvårdsnämnden"
    text = pdf_text(content)
    assert flat("6\u202f200\u202f000,0 tkr") in text
    assert "Summary" in text
    assert "Audit and follow-up" in text


async def test_a_units_documents_show_each_recommendations_status(seeded):
    report = (await seeded.client.get("/api/reports/interim/2022/T2?unit=HSN", headers=seeded.auth(*BOARD))).json()
    recommendations = report["audit"]["overview"]["open_recommendations"]
    assert recommendations
    word = word_text(Document(io.BytesIO(await fetch(seeded, "/api/reports/interim/2022/T2?unit=HSN", "docx"))))
    pdf = pdf_text(await fetch(seeded, "/api/reports/interim/2022/T2?unit=HSN", "pdf"))
    verdicts = {None: "Ej bedömd", "addressed": "Åtgärdad", "partly_addressed": "Delvis åtgärdad"}
    verdicts["not_addressed"] = "Inte åtgärdad"
    for text in (word, pdf):
        for rec in recommendations:
            assert flat(f"{rec['number']}. {rec['text']}") in text
            assert verdicts[rec["latest_verdict"]] in text
            for action in rec["actions"]:
                assert flat(action["title"]) in text
        assert "Rekommendationer och åtgärder: Hälso- och sjukvårdsnämnden (HSN)" in text
        assert text.count("Öppen") >= len(recommendations)  # each one's status, in words
    for rec in recommendations:  # in Word's text each row reads in order: the recommendation, then its status
        assert flat(f"{rec['number']}. {rec['text']} Öppen") in word


async def test_the_regions_documents_list_every_open_recommendation_with_its_status(seeded):
    url = "/api/reports/annual/2022"
    report = (await seeded.client.get(url, headers=seeded.auth(*BOARD))).json()
    bodies = report["audit"]["overview"]["bodies"]
    assert all(len(body["recommendations"]) == body["open_recommendations"] for body in bodies)
    listed = [(body, rec) for body in bodies for rec in body["recommendations"]]
    assert listed
    word = word_text(Document(io.BytesIO(await fetch(seeded, url, "docx"))))
    pdf = pdf_text(await fetch(seeded, url, "pdf"))
    for text in (word, pdf):
        for body, rec in listed:
            assert f"Rekommendationer och åtgärder: {report['unit_names'][body['body_code']]}" in text
            assert flat(f"{rec['number']}. {rec['text']}") in text
    for _body, rec in listed:  # each row: the recommendation, its status, then when its response was decided
        decided = rec["response_decided_on"] or "–"
        assert flat(f"{rec['number']}. {rec['text']} Öppen {decided}") in word


async def test_a_completed_edition_is_frozen_in_pdf_too(seeded):
    from tests.gateway.test_report_production import complete, make_all_ready, open_edition

    edition = await make_all_ready(seeded, await open_edition(seeded))
    assert (await complete(seeded, edition)).status_code == 200
    url = f"/api/reports/editions/{edition['id']}?format=pdf"
    response = await seeded.client.get(url, headers=seeded.auth("rut", "HSN:registrar"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "HSF om employees: utvecklingen följer planen." in text
    assert "Fastställd" in text
