"""A report as a Word document, for the people who edit the final text (python-docx).

The same figures and labels as the HTML page, from the same JSON: headings per section, tables with
the numbers in Swedish format, and the draft's missing sections at the top.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from gateway.charts import CHART_LABELS, Chart, charts_for, png
from gateway.report_text import LABELS, Language, MoneyScale, money, no_data_lines, percent, share, subtitle
from gateway.reports import Report

COLOURS = ("green", "yellow", "red", "grey")
CHART_WIDTH = Cm(16)


class Figures:
    """The charts the report calls for, numbered in the order the document shows them."""

    def __init__(self, charts: Sequence[Chart], language: Language) -> None:
        self.numbered = {chart.key: (number, chart) for number, chart in enumerate(charts, start=1)}
        self.language = language

    def calls_for(self, key: str) -> bool:
        return key in self.numbered

    def add(self, document: DocumentObject, key: str) -> None:
        """The chart as a picture with its alt text, and its caption below it; nothing if not called for."""
        if key not in self.numbered:
            return
        number, chart = self.numbered[key]
        shape = document.add_picture(io.BytesIO(png(chart, self.language)), width=CHART_WIDTH)
        # Word reads the alt text from the drawing's docPr (title and descr), as screen readers do.
        shape._inline.docPr.set("title", chart.title)
        shape._inline.docPr.set("descr", chart.alt)
        document.add_paragraph(f"{CHART_LABELS[self.language]['figure']} {number}. {chart.title}", style="Caption")


def _table(document: DocumentObject, header: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int) -> None:
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Light List Accent 1"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if index >= numeric_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _bullets(document: DocumentObject, lines: Iterable[str]) -> None:
    """One bullet paragraph a line. The style is looked up once: given by name, python-docx searches
    the document's styles again for every paragraph (half the Word time with a region's 200 orphans)."""
    bullet = document.styles["List Bullet"]
    for line in lines:
        document.add_paragraph(line, style=bullet)


def _perspective(goals: dict[str, Any], code: str | None) -> str:
    return str(goals["perspectives"].get(code, code)) if code else "–"


def _goals(document: DocumentObject, goals: dict[str, Any], t: dict[str, str], figures: Figures) -> None:
    fulfilment = goals["fulfilment"]
    document.add_heading(t["fulfilment"], level=1)
    document.add_paragraph(f"{t['as_of']} {goals['as_of']}")
    rows = [
        [r["unit_code"], _perspective(goals, r["perspective"]), *(str(r[c]) for c in COLOURS), str(r["total"])]
        for r in fulfilment["rows"]
    ]
    totals = fulfilment["totals"]
    rows.append([t["total"], "", *(str(totals[c]) for c in COLOURS), str(sum(totals[c] for c in COLOURS))])
    _table(document, [t["unit"], t["perspective"], *(t[c] for c in COLOURS), t["total"]], rows, numeric_from=2)
    figures.add(document, "fulfilment")
    quality = goals.get("quality")
    if quality:
        document.add_heading(t["quality"], level=1)
        counts = f"({quality['measurable']} / {quality['goals']})"
        document.add_paragraph(f"{t['measurable_share']}: {share(quality['measurable_share'])} {counts}")
        if quality["orphans"]:
            document.add_heading(t["orphans"], level=2)
            _bullets(document, (f"{goal['unit_code']}: {goal['title']}" for goal in quality["orphans"]))
    if goals["report_to_council"]:
        document.add_heading(t["report_to_council"], level=2)
        _bullets(
            document, (f"{item['goal']['unit_code']}: {item['goal']['title']}" for item in goals["report_to_council"])
        )
    if figures.calls_for("indicators"):
        document.add_heading(CHART_LABELS[figures.language]["indicators_heading"], level=2)
        figures.add(document, "indicators")


def _economy(
    document: DocumentObject, section: dict[str, Any], t: dict[str, str], scale: MoneyScale, figures: Figures
) -> None:
    economy = section["economy"]
    document.add_heading(t["economy"], level=1)
    document.add_paragraph(f"{t['as_of']} {section['as_of']}")
    units = economy.get("units", [economy])
    rows = []
    for unit in units:
        forecast = unit.get("forecast") or {}
        deviation = unit.get("forecast_deviation") or {}
        rows.append(
            [
                unit["unit_code"] + (" !" if unit.get("flagged") else ""),
                money(unit.get("frame"), scale),
                money(unit.get("budget_ytd"), scale),
                money((unit.get("outcome_ytd") or {}).get("net_cost"), scale),
                money(forecast.get("amount"), scale),
                f"{money(deviation.get('amount'), scale)} ({percent(deviation.get('percent'))})",
            ]
        )
    header = [t["unit"], t["frame"], t["budget_ytd"], t["outcome_ytd"], t["forecast"], t["deviation"]]
    _table(document, header, rows, numeric_from=1)
    figures.add(document, "economy")
    result = economy.get("result")
    if result:
        document.add_heading(t["result"], level=2)
        _table(
            document,
            [t["result_forecast"], t["result_target"], t["balance_requirement"]],
            [
                [
                    money(result["result_forecast"], scale),
                    money(result["result_target"], scale),
                    t["yes"] if result["balance_requirement_met_forecast"] else t["no"],
                ]
            ],
            numeric_from=0,
        )


def _audit(document: DocumentObject, section: dict[str, Any], t: dict[str, str]) -> None:
    overview = section["overview"]
    if "bodies" not in overview:
        return
    document.add_heading(t["audit"], level=1)
    document.add_paragraph(f"{t['as_of']} {section['as_of']}")
    rows = []
    for body in overview["bodies"]:
        statement = body.get("latest_statement") or {}
        remark = f"{statement['year']}: {statement['remark_grounds']}" if statement.get("remark") else "–"
        rows.append([body["body_code"], str(body["open_recommendations"]), str(body["overdue_actions"]), remark])
    _table(document, [t["body"], t["open_recommendations"], t["overdue_actions"], t["remark"]], rows, numeric_from=1)


def _analysis(document: DocumentObject, analysis: list[dict[str, Any]], t: dict[str, str]) -> None:
    """The units' analysis texts, one heading per unit and topic, the text as written."""
    document.add_heading(t["analysis"], level=1)
    for text in analysis:
        document.add_heading(f"{text['unit_code']} · {t['topic.' + text['topic']]}", level=2)
        for paragraph in text["text"].split("\n\n"):
            document.add_paragraph(paragraph)


def render_docx(report: Report, scale: MoneyScale, language: Language) -> bytes:
    """The report as a .docx file."""
    t = LABELS[language]
    data = report.model_dump(mode="json")
    figures = Figures(charts_for(data, scale, language), language)
    document = Document()
    document.add_heading(f"{t[f'{report.kind}.{report.period.value}']} {report.year}", level=0)
    document.add_paragraph(subtitle(data, t))
    if report.missing:
        document.add_paragraph(t["draft"]).runs[0].bold = True
        _bullets(document, (f"{m.section} ({m.service}): {m.reason}" for m in report.missing))
    if report.no_data:
        document.add_paragraph(t["no_data"]).runs[0].bold = True
        _bullets(document, no_data_lines(data, t))
    if data["goals"]:
        _goals(document, data["goals"], t, figures)
    if data["economy"]:
        _economy(document, data["economy"], t, scale, figures)
    if data["audit"]:
        _audit(document, data["audit"], t)
    if data["analysis"]:
        _analysis(document, data["analysis"], t)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
