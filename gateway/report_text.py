"""A report as a person reads it: HTML in Swedish (or English), numbers in Swedish format.

Money is shown in tkr or mnkr, computed from the exact amounts the services answer and rounded only
for display; percentages with one decimal; a space between thousands and a decimal comma.
"""

from __future__ import annotations

import base64
import hashlib
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from gateway.reports import Report

TEMPLATES = Path(__file__).parent / "templates"
NBSP_THIN = "\u202f"

# The page's one stylesheet, inline so that a saved page is whole, and let through by its hash alone:
# the report page runs no script, loads nothing, and its charts are inline SVG without CSS.
REPORT_CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")
_CSS_HASH = base64.b64encode(hashlib.sha256(REPORT_CSS.encode("utf-8")).digest()).decode("ascii")
REPORT_CSP = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


class MoneyScale(StrEnum):
    tkr = "tkr"
    mnkr = "mnkr"


class Language(StrEnum):
    sv = "sv"
    en = "en"


SCALES = {MoneyScale.tkr: Decimal(1_000), MoneyScale.mnkr: Decimal(1_000_000)}

LABELS: dict[Language, dict[str, str]] = {
    Language.sv: {
        "interim.T1": "Delårsrapport 1",
        "interim.T2": "Delårsrapport 2",
        "annual.year": "Årsredovisning",
        "region": "Regionen",
        "draft": "Utkast: uppgifter saknas",
        "as_of": "Per",
        "generated": "sammanställd",
        "no_data": "Inga uppgifter för perioden",
        "no_data.goals.fulfilment": "Inga mål följs upp för året.",
        "no_data.economy.economy": "Inga ramar eller utfall för året.",
        "no_data.economy.accounts": "Inga bokförda utfall för året: räkenskaperna kan inte redovisas.",
        "no_data.goals.report_to_council": "Inget mål bedöms inte nås.",
        "no_data.audit.overview": "Inget revisionsmaterial vid periodens slut.",
        "summary": "Sammanfattning",
        "fulfilment": "Måluppfyllelse",
        "unit": "Enhet",
        "perspective": "Perspektiv",
        "green": "Uppfyllt",
        "yellow": "Delvis uppfyllt",
        "red": "Ej uppfyllt",
        "grey": "Ej mätt",
        "total": "Totalt",
        "goals": "Mål",
        "quality": "Målens kvalitet",
        "measurable_share": "Andel mätbara mål",
        "orphans": "Mål utan koppling uppåt",
        "report_to_council": "Mål som inte bedöms nås (rapporteras till fullmäktige)",
        "economy": "Ekonomi",
        "frame": "Ram",
        "budget_ytd": "Budget hittills",
        "outcome_ytd": "Utfall hittills",
        "forecast": "Helårsprognos",
        "deviation": "Avvikelse mot ram",
        "flagged": "Över tröskeln",
        "result": "Regionens resultat",
        "result_forecast": "Prognos för årets resultat",
        "result_target": "Resultatmål",
        "balance_requirement": "Balanskravet uppfylls enligt prognosen",
        "yes": "Ja",
        "no": "Nej",
        "audit": "Revision",
        "body": "Organ",
        "open_recommendations": "Öppna rekommendationer",
        "overdue_actions": "Försenade åtgärder",
        "remark": "Anmärkning",
        "missing": "Saknas",
        "analysis": "Analys",
        "topic.goals": "Mål",
        "topic.economy": "Ekonomi",
        "topic.employees": "Medarbetare",
        "topic.audit": "Revision",
    },
    Language.en: {
        "interim.T1": "Interim report T1",
        "interim.T2": "Interim report T2",
        "annual.year": "Annual report",
        "region": "The region",
        "draft": "Draft: data is missing",
        "as_of": "As at",
        "generated": "compiled",
        "no_data": "No data for the period",
        "no_data.goals.fulfilment": "No goals are followed up for the year.",
        "no_data.economy.economy": "No frames or outcomes for the year.",
        "no_data.economy.accounts": "No ledger rows for the year: the accounts cannot be shown.",
        "no_data.goals.report_to_council": "No goal is forecast as not met.",
        "no_data.audit.overview": "No audit material at the period's end.",
        "summary": "Summary",
        "fulfilment": "Goal fulfilment",
        "unit": "Unit",
        "perspective": "Perspective",
        "green": "Achieved",
        "yellow": "Partly achieved",
        "red": "Not achieved",
        "grey": "Not measured",
        "total": "Total",
        "goals": "Goals",
        "quality": "Goal quality",
        "measurable_share": "Share of measurable goals",
        "orphans": "Goals with no upward link",
        "report_to_council": "Goals forecast as not met (reported to the council)",
        "economy": "Economy",
        "frame": "Frame",
        "budget_ytd": "Budget to date",
        "outcome_ytd": "Outcome to date",
        "forecast": "Full-year forecast",
        "deviation": "Deviation from frame",
        "flagged": "Over the threshold",
        "result": "The region's result",
        "result_forecast": "Forecast result for the year",
        "result_target": "Result target",
        "balance_requirement": "Balance requirement met by the forecast",
        "yes": "Yes",
        "no": "No",
        "audit": "Audit",
        "body": "Body",
        "open_recommendations": "Open recommendations",
        "overdue_actions": "Overdue actions",
        "remark": "Remark",
        "missing": "Missing",
        "analysis": "Analysis",
        "topic.goals": "Goals",
        "topic.economy": "Economy",
        "topic.employees": "Employees",
        "topic.audit": "Audit",
    },
}


def swedish_number(value: Decimal, decimals: int) -> str:
    """1234567.891 with one decimal → '1 234 567,9' (thin no-break spaces between thousands)."""
    step = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    sign = "−" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):f}".partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    text = NBSP_THIN.join(groups)
    return sign + text + ("," + fraction if fraction else "")


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any, scale: MoneyScale) -> str:
    amount = _decimal(value)
    if amount is None:
        return "–"
    return f"{swedish_number(amount / SCALES[scale], 1)} {scale.value}"


def percent(value: Any) -> str:
    number = _decimal(value)
    return "–" if number is None else f"{swedish_number(number, 1)} %"


def share(value: Any) -> str:
    number = _decimal(value)
    return "–" if number is None else f"{swedish_number(number * 100, 0)} %"


def subtitle(data: dict[str, Any], t: dict[str, str]) -> str:
    """Whose report, the date it speaks for, and when it was put together in Swedish time (as stored)."""
    compiled = str(data["generated_at"])[:16].replace("T", " ")
    return f"{data['unit'] or t['region']} · {t['as_of']} {data['as_of']} · {t['generated']} {compiled}"


def no_data_lines(data: dict[str, Any], t: dict[str, str]) -> list[str]:
    """Each section with nothing for the period, in the reader's language."""
    return [t.get(f"no_data.{n['section']}", n["reason"]) for n in data.get("no_data", [])]


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined
    )
    environment.filters["percent"] = percent
    environment.filters["share"] = share
    return environment


ENVIRONMENT = _environment()


def render_html(report: Report, scale: MoneyScale, language: Language) -> str:
    """The report as one HTML page, every figure taken from the same JSON the API answers."""
    # Imported here: the charts use this module's labels and number format.
    from gateway.charts import CHART_LABELS, html_figures

    labels = LABELS[language]
    data = report.model_dump(mode="json")
    template = ENVIRONMENT.get_template("report.html.j2")
    return template.render(
        report=data,
        charts={key: Markup(figure) for key, figure in html_figures(data, scale, language).items()},
        title=f"{labels[f'{report.kind}.{report.period.value}']} {report.year}",
        t={**labels, **CHART_LABELS[language]},
        money=lambda value: money(value, scale),
        subtitle=subtitle(data, labels),
        css=Markup(REPORT_CSS),
        no_data=no_data_lines(data, labels),
        language=language.value,
    )
