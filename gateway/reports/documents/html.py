"""The document as one HTML page: the served page (with its Content-Security-Policy) and the print variant
that pdf.py draws.

The served page runs no script and loads nothing: its one stylesheet is inline and let through by its
hash alone, and its charts are inline SVG without CSS (charts.without_inline_styles), so a saved page
is whole. The print variant adds the print stylesheet (pages, cover, contents, page numbers) and shows
each chart as an image (PNG) with its full alt text, which the PDF's structure carries as the figure's /Alt.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from gateway.reports.documents.charts import png, svg
from gateway.reports.documents.model import Document, Figure
from gateway.reports.documents.text import Language

TEMPLATES = Path(__file__).parent / "templates"

REPORT_CSS = (TEMPLATES / "report.css").read_text(encoding="utf-8")
PRINT_CSS = (TEMPLATES / "print.css").read_text(encoding="utf-8")
_CSS_HASH = base64.b64encode(hashlib.sha256(REPORT_CSS.encode("utf-8")).digest()).decode("ascii")
REPORT_CSP = (
    f"default-src 'none'; style-src 'sha256-{_CSS_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]), undefined=StrictUndefined
)
ENVIRONMENT.filters["css_string"] = lambda text: css_string(str(text))


def css_string(text: str) -> Markup:
    """A text as a CSS string's content: each character that is not a letter, digit or space as a CSS escape,
    so that no quote, backslash or `</style>` in a region's or report's name can end the string or the style."""
    return Markup("".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text))


def _inline(figure: Figure, language: Language) -> Markup:
    return Markup(svg(figure.chart, language))


def _image(figure: Figure, language: Language) -> Markup:
    """The chart as an <img>, so that the PDF's figure carries the whole alt text. A PNG, as in Word: WeasyPrint
    draws matplotlib's SVG path by path, which cost the region's PDF some 0.6 s of its 3 s."""
    data = base64.b64encode(png(figure.chart, language)).decode("ascii")
    return Markup(f'<img src="data:image/png;base64,{data}" alt="{escape(figure.chart.alt)}">')


def render(document: Document, language: Language, *, for_print: bool = False) -> str:
    """The document as an HTML page; `for_print` for the variant drawn as PDF."""
    draw = _image if for_print else _inline
    template = ENVIRONMENT.get_template("report.html.j2")
    return template.render(
        doc=document,
        t=document.labels,
        figures={figure.number: draw(figure, language) for figure in document.figures()},
        css=Markup(REPORT_CSS),
        print_css=Markup(PRINT_CSS),
        for_print=for_print,
    )
