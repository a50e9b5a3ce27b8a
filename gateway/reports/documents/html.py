"""The document as one HTML page, served with its Content-Security-Policy.

The served page runs no script and loads nothing: its one stylesheet is inline and let through by its
hash alone, and its charts are inline SVG without CSS (charts.without_inline_styles), so a saved page
is whole.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from gateway.reports.documents.charts import svg
from gateway.reports.documents.model import Document, Figure
from gateway.reports.documents.text import Language

TEMPLATES = Path(__file__).parent / "templates"

REPORT_CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")
_CSS_HASH = base64.b64encode(hashlib.sha256(REPORT_CSS.encode("utf-8")).digest()).decode("ascii")
REPORT_CSP = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined
)


def _inline(figure: Figure, language: Language) -> Markup:
    return Markup(svg(figure.chart, language))


def render(document: Document, language: Language) -> str:
    """The document as an HTML page."""
    template = ENVIRONMENT.get_template("report.html.j2")
    return template.render(
        doc=document,
        t=document.labels,
        figures={figure.number: _inline(figure, language) for figure in document.figures()},
        css=Markup(REPORT_CSS),
    )
