"""Charts in the reports, drawn with matplotlib from the report's JSON only: SVG in HTML and PDF, PNG in Word.

Three charts, where a reader would rather look than read: goal fulfilment by colour per unit
(stacked bars in the traffic-light colours), outcome and forecast against the frame per unit, and
the council's indicators against their targets (a few small multiples).

Deciding which charts a report calls for and with which numbers (`charts_for`) needs no matplotlib;
drawing does, and imports it only then, so a gateway that only answers JSON never loads it (it costs
tens of megabytes of resident memory). Drawing uses the object API (`Figure`), never pyplot, with
the Agg canvas, and one lock: matplotlib's font and text caches are shared by threads, and charts are
drawn in a worker thread off the event loop. The same chart gives the same bytes every time: a fixed
SVG hash salt and no dates in the metadata.
"""

from __future__ import annotations

import gc
import io
import re
import textwrap
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from gateway.reports.documents.text import LABELS, SCALES, Language, MoneyScale, swedish_number
from gateway.reports.documents.text import figure as measured

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Small multiples are for a glance, not a catalogue: the rest stay in the tables.
MAX_INDICATOR_PANELS = 6
PANEL_COLUMNS = 2
FIGURE_WIDTH_INCHES = 7.5
PNG_DPI = 150
FONT_SIZE = 9
SVG_HASH_SALT = "styr-report-charts"
COLOURS = ("green", "yellow", "red", "grey")
# The traffic-light colours as readers know them from the goal follow-up, dark enough to read on white.
TRAFFIC_LIGHTS = {"green": "#2da44e", "yellow": "#e3b341", "red": "#cf222e", "grey": "#afb8c1"}
FRAME_COLOUR, OUTCOME_COLOUR, FORECAST_COLOUR = "#8c959f", "#0969da", "#bc4c00"
TARGET_COLOUR, LINE_COLOUR = "#1a7f37", "#0969da"

_drawing = threading.Lock()


@dataclass(frozen=True)
class Series:
    """One named row of numbers, one per category; None where the report has no figure."""

    key: str
    label: str
    colour: str
    values: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class Panel:
    """One indicator of the small multiples: its values by period and its target."""

    name: str
    unit_of_measure: str
    periods: tuple[str, ...]
    values: tuple[Decimal, ...]
    target: Decimal | None


@dataclass(frozen=True)
class Chart:
    """What one chart shows, with the exact numbers from the report; drawing it is `svg` or `png`."""

    key: str
    title: str
    alt: str
    axis_label: str
    categories: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    panels: tuple[Panel, ...] = ()


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _field(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """data[a][b]…, or None where a step is missing or null."""
    value: Any = data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def fulfilment_chart(report: dict[str, Any], language: Language) -> Chart | None:
    """Goals by colour per unit, the perspectives added up; None when there are no goals to show."""
    goals = report.get("goals")
    rows = goals["fulfilment"].get("rows", []) if goals else []
    if not goals or not rows:
        return None
    t = c = LABELS[language]
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        unit = counts.setdefault(str(row["unit_code"]), dict.fromkeys(COLOURS, 0))
        for colour in COLOURS:
            unit[colour] += int(row.get(colour, 0))
    units = tuple(counts)
    series = tuple(
        Series(colour, t[colour], TRAFFIC_LIGHTS[colour], tuple(Decimal(counts[u][colour]) for u in units))
        for colour in COLOURS
    )
    perspective = goals["fulfilment"].get("perspective")
    title = c["fulfilment_title"]
    if perspective:
        title += f" – {goals.get('perspectives', {}).get(perspective, perspective)}"
    alt = "; ".join(f"{u}: " + ", ".join(f"{counts[u][k]} {t[k].lower()}" for k in COLOURS) for u in units)
    return Chart("fulfilment", title, f"{title}. {alt}.", c["fulfilment_axis"], units, series)


def economy_chart(report: dict[str, Any], scale: MoneyScale, language: Language) -> Chart | None:
    """Frame, outcome to date and full-year forecast per unit, in tkr or mnkr; None without economy."""
    economy = (report.get("economy") or {}).get("economy")
    if not economy:
        return None
    units = [u for u in economy.get("units", [economy]) if u.get("unit_code")]
    if not units:
        return None
    t = c = LABELS[language]
    divisor = SCALES[scale]

    def scaled(value: Any) -> Decimal | None:
        amount = _decimal(value)
        return None if amount is None else amount / divisor

    # Each bar: its key, the figure's place in a unit's economy (a field, or a field of a field), its colour.
    columns = (
        ("frame", ("frame",), FRAME_COLOUR),
        ("outcome_ytd", ("outcome_ytd", "net_cost"), OUTCOME_COLOUR),
        ("forecast", ("forecast", "amount"), FORECAST_COLOUR),
    )
    series = tuple(
        Series(key, t[key], colour, tuple(scaled(_field(unit, path)) for unit in units))
        for key, path, colour in columns
    )
    categories = tuple(str(u["unit_code"]) + (" !" if u.get("flagged") else "") for u in units)
    title = f"{c['economy_title']} ({scale.value})"

    def described(value: Decimal | None) -> str:
        return "–" if value is None else swedish_number(value, 1)

    alt = "; ".join(
        f"{u}: " + ", ".join(f"{s.label.lower()} {described(s.values[i])}" for s in series)
        for i, u in enumerate(categories)
    )
    return Chart("economy", title, f"{title}. {alt}.", scale.value, categories, series)


def _council_indicators(chain: dict[str, Any]) -> list[dict[str, Any]]:
    """The plan's own indicators (the council's), strategy by strategy."""
    return [indicator for strategy in chain.get("strategies", []) for indicator in strategy.get("indicators", [])]


def _points(indicator: dict[str, Any]) -> list[tuple[str, Decimal]]:
    """Baseline, previous and latest value, in that order, each period once."""
    points: list[tuple[str, Decimal]] = []
    candidates = [
        (indicator.get("baseline_year"), indicator.get("baseline_value")),
        *(
            ((indicator.get(k) or {}).get("period"), (indicator.get(k) or {}).get("value"))
            for k in ("previous", "latest")
        ),
    ]
    for period, value in candidates:
        if period is None or value is None or any(p == str(period) for p, _ in points):
            continue
        points.append((str(period), Decimal(str(value))))
    return points


def indicator_chart(report: dict[str, Any], language: Language) -> Chart | None:
    """The council's indicators that have a series (two periods or more) against their targets."""
    chain = (report.get("goals") or {}).get("chain")
    if not chain:
        return None
    c = LABELS[language]
    with_series = [(i, _points(i)) for i in _council_indicators(chain)]
    with_series = [(i, points) for i, points in with_series if len(points) >= 2]
    if not with_series:
        return None
    panels = tuple(
        Panel(
            name=str(indicator["name"]),
            unit_of_measure=str(indicator.get("unit_of_measure") or ""),
            periods=tuple(p for p, _ in points),
            values=tuple(v for _, v in points),
            target=_decimal(indicator.get("target")),
        )
        for indicator, points in with_series[:MAX_INDICATOR_PANELS]
    )
    title = c["indicators_title"]
    if len(with_series) > len(panels):
        title += f" ({c['shown_of'].format(shown=len(panels), total=len(with_series))})"
    alt = "; ".join(
        f"{p.name}: "
        + ", ".join(
            f"{period} {measured(v)} {p.unit_of_measure}".rstrip()
            for period, v in zip(p.periods, p.values, strict=True)
        )
        + (f", {c['target'].lower()} {measured(p.target)} {p.unit_of_measure}".rstrip() if p.target is not None else "")
        for p in panels
    )
    return Chart("indicators", title, f"{title}. {alt}.", "", panels=panels)


def charts_for(report: dict[str, Any], scale: MoneyScale, language: Language) -> list[Chart]:
    """The charts a report's JSON calls for, in the order the report shows them."""
    found = [
        fulfilment_chart(report, language),
        indicator_chart(report, language),
        economy_chart(report, scale, language),
    ]
    return [chart for chart in found if chart is not None]


# Drawing: everything below imports matplotlib, and only when called.


def axis_number(value: float, _position: Any = None) -> str:
    """A tick of an axis in Swedish format: 6200.0 → '6 200', 57.5 → '57,5'."""
    return measured(Decimal(str(round(float(value), 2))))


def _style(axes: Axes) -> None:
    from matplotlib.ticker import FuncFormatter

    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=FONT_SIZE)
    axes.grid(axis="x", color="#d0d7de", linewidth=0.6)
    axes.set_axisbelow(True)
    axes.xaxis.set_major_formatter(FuncFormatter(axis_number))


def _new_figure(height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(FIGURE_WIDTH_INCHES, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _draw_stacked(chart: Chart) -> Figure:
    from matplotlib.ticker import MaxNLocator

    figure = _new_figure(1.2 + 0.32 * len(chart.categories))
    axes = figure.add_subplot()
    _style(axes)
    positions = list(range(len(chart.categories)))
    left = [0.0] * len(positions)
    for series in chart.series:
        widths = [float(v or 0) for v in series.values]
        axes.barh(positions, widths, left=left, color=series.colour, label=series.label, height=0.65)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_yticks(positions, labels=list(chart.categories))
    axes.invert_yaxis()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(chart.axis_label, fontsize=FONT_SIZE)
    figure.legend(loc="outside lower center", ncols=len(chart.series), fontsize=FONT_SIZE, frameon=False)
    return figure


def _draw_grouped(chart: Chart) -> Figure:
    figure = _new_figure(1.2 + 0.55 * len(chart.categories))
    axes = figure.add_subplot()
    _style(axes)
    height = 0.8 / len(chart.series)
    for index, series in enumerate(chart.series):
        positions = [i + (index - (len(chart.series) - 1) / 2) * height for i in range(len(chart.categories))]
        widths = [float(v) if v is not None else 0.0 for v in series.values]
        axes.barh(positions, widths, height=height, color=series.colour, label=series.label)
    axes.set_yticks(range(len(chart.categories)), labels=list(chart.categories))
    axes.invert_yaxis()
    axes.set_xlabel(chart.axis_label, fontsize=FONT_SIZE)
    figure.legend(loc="outside lower center", ncols=len(chart.series), fontsize=FONT_SIZE, frameon=False)
    return figure


def _draw_panels(chart: Chart, language: Language) -> Figure:
    from matplotlib.ticker import FuncFormatter

    c = LABELS[language]
    rows = -(-len(chart.panels) // PANEL_COLUMNS)
    columns = min(PANEL_COLUMNS, len(chart.panels))
    figure = _new_figure(0.4 + 2.3 * rows)
    for index, panel in enumerate(chart.panels, start=1):
        axes = figure.add_subplot(rows, columns, index)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(labelsize=FONT_SIZE)
        axes.grid(axis="y", color="#d0d7de", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.yaxis.set_major_formatter(FuncFormatter(axis_number))
        positions = list(range(len(panel.periods)))
        axes.plot(positions, [float(v) for v in panel.values], marker="o", color=LINE_COLOUR, label=c["value"])
        if panel.target is not None:
            axes.axhline(float(panel.target), color=TARGET_COLOUR, linestyle="--", linewidth=1.2, label=c["target"])
        axes.set_xticks(positions, labels=list(panel.periods))
        axes.margins(x=0.15, y=0.25)
        axes.set_title(textwrap.fill(panel.name, 42), fontsize=FONT_SIZE, loc="left")
        axes.set_ylabel(panel.unit_of_measure, fontsize=FONT_SIZE)
        if index == 1:
            axes.legend(fontsize=FONT_SIZE - 1, frameon=False, loc="best")
    return figure


def draw(chart: Chart, language: Language) -> Figure:
    """The chart as a matplotlib figure on an Agg canvas (the caller saves it in the format it needs)."""
    if chart.panels:
        return _draw_panels(chart, language)
    if chart.key == "fulfilment":
        return _draw_stacked(chart)
    return _draw_grouped(chart)


def _save(chart: Chart, language: Language, image_format: str, **options: Any) -> bytes:
    import matplotlib

    out = io.BytesIO()
    with _drawing:
        # A constant, set before every drawing, so ids in the SVG do not change from run to run.
        matplotlib.rcParams["svg.hashsalt"] = SVG_HASH_SALT
        figure = draw(chart, language)
        figure.savefig(out, format=image_format, **options)
        del figure
        # A figure is a web of reference cycles that only the cycle collector frees; left to its own pace
        # it let a gateway grow by some 50 MB over a dozen reports, collected here it stays flat.
        gc.collect()
    return out.getvalue()


def png(chart: Chart, language: Language) -> bytes:
    """The chart as a PNG picture, for Word."""
    return _save(chart, language, "png", dpi=PNG_DPI, metadata={"Software": None})


_SVG_START = re.compile(r"<svg\b[^>]*>")
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL)
_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*(.+?)\s*$")


def _as_attributes(declarations: str) -> str:
    """`fill: #fff; stroke-width: 0.8` as SVG presentation attributes: `fill="#fff" stroke-width="0.8"`."""
    pairs = (_DECLARATION.match(d) for d in declarations.split(";") if d.strip())
    return " ".join(f'{m.group(1)}="{escape(m.group(2))}"' for m in pairs if m)


def without_inline_styles(text: str) -> str:
    """matplotlib's SVG with its styling as presentation attributes instead of CSS.

    The report page's Content-Security-Policy lets only the page's own stylesheet through (by its
    hash); `style` attributes and `<style>` elements in the charts would be blocked and every shape
    drawn black. Presentation attributes are not CSS and need no permission. The `<style>` element's
    defaults (`*{stroke-linejoin: round; …}`) move onto the root, from where they are inherited."""
    defaults = _STYLE_ELEMENT.search(text)
    text = _STYLE_ELEMENT.sub("", text)
    text = _STYLE_ATTRIBUTE.sub(lambda m: _as_attributes(m.group(1)), text)
    if defaults is not None:
        inner = defaults.group(1).strip()
        rules = inner[inner.find("{") + 1 : inner.rfind("}")]
        text = _SVG_START.sub(lambda m: m.group(0)[:-1] + " " + _as_attributes(rules) + ">", text, count=1)
    return text


def svg_picture(chart: Chart, language: Language) -> str:
    """The chart as an SVG file of its own, for the PDF (drawn as vectors, its styling as attributes)."""
    return without_inline_styles(_save(chart, language, "svg", metadata={"Date": None}).decode("utf-8"))


def svg(chart: Chart, language: Language) -> str:
    """The chart as an SVG element to put inline in HTML, with its title and description for screen readers."""
    text = svg_picture(chart, language)
    text = text[text.index("<svg") :]
    opening = _SVG_START.search(text)
    assert opening is not None  # matplotlib always writes one
    head = opening.group(0)[:-1] + f' role="img" aria-label="{escape(chart.title)}" class="chart-{chart.key}">'
    accessible = f"<title>{escape(chart.title)}</title><desc>{escape(chart.alt)}</desc>"
    return head + accessible + text[opening.end() :]


def series_of(chart: Chart, key: str) -> Sequence[Decimal | None]:
    """The numbers of one series of a chart, by its key (for checking a chart against its report)."""
    return next(s.values for s in chart.series if s.key == key)
