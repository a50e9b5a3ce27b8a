"""A trace's JSON (a recommendation's, a grant's or a risk's, as the API answers it) as a short document.

The same model as the reports (model.py), so html.py, word.py and pdf.py draw it unchanged: the item
itself, each step of the chain as a table (the response and its decision, the actions with their
status, deadline and whether overdue, the goals, the indicators with their values before and since,
target, colour and change), the flags as a list, and in words what is not shown or missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from gateway.reports.documents.build import COLOUR_TONES, with_unit
from gateway.reports.documents.model import (
    Block,
    BulletList,
    Cell,
    Column,
    ColumnKind,
    Document,
    Note,
    Paragraph,
    Section,
    Table,
    Tone,
)
from gateway.reports.documents.text import (
    DASH,
    LABELS,
    LANGUAGE_TAGS,
    Language,
    MoneyScale,
    label,
    money,
    named,
    unit_name,
)

NUMBER = ColumnKind.number
CHANGE_TONES = {"better": Tone.good, "worse": Tone.deviation, "unchanged": Tone.partly, "unknown": Tone.neutral}
# A title names the item; a long recommendation is cut where a word ends.
TITLE_CHARACTERS = 90


def _table(columns: Iterable[Column], rows: Iterable[Iterable[Cell]], **options: Any) -> Table:
    return Table(tuple(columns), tuple(tuple(row) for row in rows), **options)


def _pairs(t: dict[str, str], pairs: Iterable[tuple[str, Cell]]) -> Table:
    """A label–value table read down its first column."""
    rows = [(Cell(t.get(key, key)), value) for key, value in pairs]
    return _table([Column(t["trace.item"]), Column(t["value"])], rows, row_headers=True)


def _short(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= TITLE_CHARACTERS:
        return text
    return text[:TITLE_CHARACTERS].rsplit(" ", 1)[0] + " …"


def _text(value: Any) -> Cell:
    return Cell(DASH if value is None or value == "" else str(value))


def _yes_no(t: dict[str, str], value: bool, bad: bool = False) -> Cell:
    tone = (Tone.deviation if bad else Tone.good) if value else Tone.normal
    return Cell(t["yes"] if value else t["no"], tone)


def _status(t: dict[str, str], status: Any) -> Cell:
    """A status in words: the trace's own words for a goal's or a response's lifecycle, else the reports'."""
    return Cell(label(t, f"trace.status.{status}", label(t, f"status.{status}")) if status else DASH)


def _point(t: dict[str, str], point: dict[str, Any] | None, uom: str, baseline: bool = False) -> str:
    if not point:
        return DASH
    period = f"{point['period']}, {t['trace.baseline']}" if baseline else point["period"]
    return f"{with_unit(point.get('value'), uom)} ({period})"


def _goals(t: dict[str, str], data: dict[str, Any]) -> list[Block]:
    goals = data["goals"]
    if not goals:
        return [Paragraph(t["trace.goals.none"], Tone.deviation)]
    columns = [Column(t["goal"]), Column(t["unit"]), Column(t["status"])]
    rows = [[Cell(str(g["title"])), Cell(unit_name(data, g["unit_code"])), _status(t, g["status"])] for g in goals]
    return [_table(columns, rows)]


def _indicators(t: dict[str, str], indicators: list[dict[str, Any]]) -> list[Block]:
    """Each indicator with its value before and since, its target, its colour and how it changed."""
    if not indicators:
        return [Paragraph(t["trace.indicators.none"], Tone.deviation)]
    columns = [
        Column(t["indicator"]),
        Column(t["before"], NUMBER),
        Column(t["since"], NUMBER),
        Column(t["target"], NUMBER),
        Column(t["assessment"]),
        Column(t["trace.change"]),
    ]
    rows = []
    for indicator in indicators:
        uom = str(indicator.get("unit_of_measure") or "")
        since = indicator.get("since") or []
        latest = _point(t, since[-1] if since else None, uom)
        if len(since) > 1:
            latest += f"; {t['trace.values_since'].format(count=len(since))}"
        colour, change = str(indicator["colour"]), str(indicator["change"])
        rows.append(
            [
                Cell(f"{indicator['name']} ({indicator['unit_code']})"),
                Cell(_point(t, indicator.get("before"), uom, bool(indicator.get("before_is_baseline")))),
                Cell(latest),
                Cell(with_unit(indicator.get("target"), uom)),
                Cell(label(t, colour), COLOUR_TONES.get(colour, Tone.normal)),
                Cell(label(t, f"trace.change.{change}"), CHANGE_TONES.get(change, Tone.normal)),
            ]
        )
    return [_table(columns, rows)]


def _still_reason(indicator: dict[str, Any]) -> str:
    """Why an indicator counts as not moved, as trace.still_reason has it (from the JSON, in the reader's words)."""
    if indicator["change"] == "unchanged":
        return "unchanged"
    return "no_value_since" if not indicator.get("since") else "no_value_before"


def _flags(t: dict[str, str], data: dict[str, Any], names: dict[str, str]) -> list[Block]:
    """The flags as a list, in the reader's language: each names what it flags."""
    if not data["flags"]:
        return [Paragraph(t["trace.flags.none"], Tone.good)]
    indicators = {str(i["id"]): i for i in data.get("indicators", [])}
    items = []
    for flag in data["flags"]:
        name = names.get(str(flag["id"]), "")
        reason = ""
        if flag["kind"] == "indicator_not_moved" and str(flag["id"]) in indicators:
            reason = label(t, f"reason.{_still_reason(indicators[str(flag['id'])])}").lower()
        text = label(t, f"trace.flag.{flag['kind']}", flag["message"]).format(name=name, reason=reason)
        items.append(Paragraph(text, Tone.deviation))
    return [BulletList(tuple(items))]


def _shown(t: dict[str, str], data: dict[str, Any]) -> list[Block]:
    """What the reader does not see, said in words; and that the trace is whole where it is."""
    hidden = len(data.get("not_shown") or [])
    if hidden:
        return [Paragraph(t["trace.not_shown"].format(count=hidden), Tone.deviation)]
    return [Paragraph(t["trace.all_shown"])] if data["complete"] else []


def _compared(t: dict[str, str], day: Any, kind: str | None) -> Paragraph:
    if not day:
        return Paragraph(t["trace.compared_from.none"], Tone.deviation)
    return Paragraph(t["trace.compared_from"].format(day=day, kind=label(t, f"compared_from.{kind}", kind or "")))


def _recommendation(t: dict[str, str], data: dict[str, Any]) -> tuple[str, str, list[Section]]:
    rec = data["recommendation"]
    report = rec.get("report") or {}
    title = t["trace.recommendation"].format(number=rec["number"], text=_short(str(rec["text"])))
    about: list[Block] = [
        Paragraph(str(rec["text"])),
        _pairs(
            t,
            [
                ("audit_report", _text(report.get("title"))),
                ("body", Cell(named(data, rec["body_code"]))),
                ("status", _status(t, rec["status"])),
                ("trace.response_due", _text(rec.get("response_due_on"))),
                ("trace.closed_on", _text(rec.get("closed_on"))),
            ],
        ),
    ]
    if data.get("verdicts"):
        about.append(Paragraph(t["trace.verdicts"].format(count=len(data["verdicts"]))))
    response = data.get("response")
    answer: list[Block]
    if response is None:
        answer = [Paragraph(t["trace.no_response"], Tone.deviation)]
    else:
        decided = response.get("decided_on")
        answer = [
            _pairs(
                t,
                [
                    ("trace.response_status", _status(t, response["status"])),
                    ("response_decided", Cell(str(decided or DASH), Tone.normal if decided else Tone.deviation)),
                ],
            ),
            Paragraph(str(response["text"])),
        ]
    answer.append(_compared(t, data.get("decided_on"), data.get("decided_on_from")))
    actions = data["actions"]
    steps: list[Block]
    if not actions:
        steps = [Paragraph(t["trace.actions.none"], Tone.deviation)]
    else:
        columns = [
            Column(t["actions"]),
            Column(t["trace.owner"]),
            Column(t["status"]),
            Column(t["deadline"]),
            Column(t["overdue"].capitalize()),
            Column(t["trace.finished_on"]),
            Column(t["trace.linked"], NUMBER),
        ]
        rows = [
            [
                Cell(str(a["title"])),
                _text(a.get("owner")),
                _status(t, a["status"]),
                _text(a.get("deadline_on")),
                _yes_no(t, bool(a["overdue"]), bad=True),
                _text(a.get("finished_on")),
                Cell(
                    f"{len(a['goal_ids'])}/{len(a['indicator_ids'])}",
                    Tone.normal if a["indicator_ids"] else Tone.deviation,
                ),
            ]
            for a in actions
        ]
        steps = [_table(columns, rows)]
    names = {str(rec["id"]): title, **{str(a["id"]): str(a["title"]) for a in actions}}
    sections = [
        Section("recommendation", t["trace.the_recommendation"], tuple(about)),
        Section("response", t["trace.response"], tuple(answer)),
        Section("actions", t["actions"], tuple(steps)),
    ]
    return title, t["trace.period.recommendation"], sections + _ends(t, data, names)


def _grant(t: dict[str, str], data: dict[str, Any]) -> tuple[str, str, list[Section]]:
    grant = data["grant"]
    title = t["trace.grant"].format(name=grant["name"])
    years = f"{grant['first_year']}–{grant['last_year']}" if grant["last_year"] != grant["first_year"] else ""
    about: list[Block] = [
        _pairs(
            t,
            [
                ("trace.grantor", _text(grant["grantor"])),
                ("trace.years", Cell(years or str(grant["first_year"]))),
                ("trace.amount", Cell(money(grant["amount"], MoneyScale.tkr))),
                ("trace.used_total", Cell(money(grant["used_total"], MoneyScale.tkr))),
                ("trace.coordinator", Cell(f"{grant['coordinator']} ({unit_name(data, grant['coordinator_unit'])})")),
                ("reporting_deadline", _text(grant.get("reporting_deadline"))),
                ("trace.effect_reported", _text(grant.get("effect_reported"))),
            ],
        ),
        _compared(t, data["started_on"], "grant_start"),
    ]
    uses: list[Block]
    if not data["uses"]:
        uses = [Paragraph(t["trace.uses.none"])]
    else:
        columns = [Column(t["trace.years"]), Column(t["trace.used"], NUMBER), Column(t["trace.indicators"], NUMBER)]
        rows = [
            [Cell(str(u["year"])), Cell(money(u["used"], MoneyScale.tkr)), Cell(str(len(u["indicator_ids"])))]
            for u in data["uses"]
        ]
        uses = [_table(columns, rows)]
    sections = [
        Section("grant", title, tuple(about)),
        Section("uses", t["trace.uses"], tuple(uses)),
    ]
    return title, t["trace.period.grant"], sections + _ends(t, data, {str(grant["id"]): str(grant["name"])})


def _risk(t: dict[str, str], data: dict[str, Any]) -> tuple[str, str, list[Section]]:
    risk = data["risk"]
    title = t["trace.risk"].format(title=risk["title"])
    colour = str(risk["colour"])
    about: list[Block] = [Paragraph(str(risk["description"]))] if risk.get("description") else []
    about += [
        _pairs(
            t,
            [
                ("body", Cell(named(data, risk["body_code"]))),
                ("trace.years", Cell(str(risk["year"]))),
                ("trace.likelihood", Cell(str(risk["likelihood"]))),
                ("trace.consequence", Cell(str(risk["consequence"]))),
                ("trace.score", Cell(str(risk["score"]), COLOUR_TONES.get(colour, Tone.normal))),
                ("trace.needs_control", _yes_no(t, bool(risk["needs_control"]))),
                ("trace.plan_status", _status(t, risk["plan_status"])),
                ("trace.processes", _text(", ".join(risk["processes"]) or None)),
            ],
        ),
        _compared(t, data["compared_from"], "plan_decision" if risk.get("plan_decision") else "plan_year"),
    ]
    controls: list[Block]
    if not data["controls"]:
        controls = [Paragraph(t["trace.controls.none"], Tone.deviation if risk["needs_control"] else Tone.normal)]
    else:
        columns = [Column(t["trace.control"]), Column(t["trace.owner"]), Column(t["trace.latest_result"])]
        rows = []
        for control in data["controls"]:
            results = control.get("results") or []
            last = results[-1] if results else None
            result = Cell(DASH)
            if last:
                tone = COLOUR_TONES.get(str(last.get("colour")), Tone.normal)
                outcome = label(t, f"trace.outcome.{last.get('outcome')}")
                result = Cell(f"{outcome} ({last.get('period')}, {last.get('reported_on')})", tone)
            rows.append([Cell(str(control.get("control", ""))), _text(control.get("owner")), result])
        controls = [_table(columns, rows)]
    activities: list[Block]
    if not data["activities"]:
        activities = [Paragraph(t["trace.activities.none"])]
    else:
        columns = [
            Column(t["trace.activity"]),
            Column(t["unit"]),
            Column(t["trace.owner"]),
            Column(t["status"]),
            Column(t["trace.period_of"]),
        ]
        rows = [
            [
                Cell(str(a["title"])),
                Cell(unit_name(data, a["unit_code"])),
                _text(a.get("owner")),
                _status(t, a["status"]),
                Cell(f"{a.get('start_on') or DASH}–{a.get('end_on') or DASH}"),
            ]
            for a in data["activities"]
        ]
        activities = [_table(columns, rows)]
    sections = [
        Section("risk", title, tuple(about)),
        Section("controls", t["trace.controls"], tuple(controls)),
        Section("activities", t["trace.activities"], tuple(activities)),
    ]
    return title, t["trace.period.risk"], sections + _ends(t, data, {str(risk["id"]): str(risk["title"])})


def _ends(t: dict[str, str], data: dict[str, Any], names: dict[str, str]) -> list[Section]:
    """The end of every chain: the goals, the indicators, the flags and what is not shown."""
    names = {**names, **{str(i["id"]): str(i["name"]) for i in data["indicators"]}}
    return [
        Section("goals", t["goals"], tuple(_goals(t, data))),
        Section("indicators", t["trace.indicators"], tuple(_indicators(t, data["indicators"]))),
        Section("flags", t["trace.flags"], tuple(_flags(t, data, names) + _shown(t, data))),
    ]


KINDS: dict[str, Callable[[dict[str, str], dict[str, Any]], tuple[str, str, list[Section]]]] = {
    "recommendation": _recommendation,
    "grant": _grant,
    "risk": _risk,
}


def build_trace(kind: str, data: dict[str, Any], language: Language) -> Document:
    """A trace's JSON (kind: recommendation, grant or risk) as a document in the reader's language."""
    t = LABELS[language]
    title, period, sections = KINDS[kind](t, data)
    notes: tuple[Note, ...] = ()
    if data.get("missing"):
        lines = tuple(f"{m['section']} ({m['service']}): {m['reason']}" for m in data["missing"])
        notes = (Note(t["draft"], lines, Tone.deviation),)
    as_of = str(data["as_of"])
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return Document(
        language=LANGUAGE_TAGS[language],
        title=title,
        region=t["region"],
        period=period,
        as_of=as_of,
        subtitle=f"{period} · {t['as_of']} {as_of}",
        notes=notes,
        sections=tuple(sections),
        labels=t,
        created=created,
    )
