"""The report's JSON as a document: sections in the order a Swedish region's delårsrapport and
årsredovisning use, every text final, every deviation from goal or target said in words and toned.

The order: the board's summary (results against goals and the balance requirement, the result against
the result target, the units over the threshold); goals by perspective with the owners' analysis, the
council's chain, quality, assignments; economy (and the year's accounts); investments and the
ten-year plan; targeted state grants; internal control; audit and follow-up; the follow-through on the
auditors' recommendations (what has no action, no indicator, or has not moved); then any analysis text
not placed yet. A section is there when its part of the JSON is; a part the JSON lacks leaves its
section out (the draft note says why).

Each part of the JSON has one function here that turns it into blocks; a new part is a new function
in `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gateway.reports.documents.charts import Chart, charts_for
from gateway.reports.documents.model import (
    Block,
    BulletList,
    Cell,
    Column,
    ColumnKind,
    Document,
    Figure,
    Heading,
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
    count,
    decimal,
    figure,
    label,
    money,
    named,
    no_data_lines,
    percent,
    period_of,
    share,
    subtitle,
    title_of,
    unit_name,
)

COLOURS = ("green", "yellow", "red", "grey")
COLOUR_TONES = {"green": Tone.good, "yellow": Tone.partly, "red": Tone.deviation, "grey": Tone.neutral}
# The edition's analysis topics that belong to a perspective of the goals.
TOPIC_PERSPECTIVES = {"employees": "employee"}
NUMBER = ColumnKind.number


@dataclass
class Builder:
    """What building one document needs: the JSON, the labels, the money scale, and what is placed."""

    data: dict[str, Any]
    language: Language
    scale: MoneyScale
    charts: dict[str, Chart]
    t: dict[str, str] = field(init=False)
    figures_placed: int = 0
    texts_placed: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.t = LABELS[self.language]

    def money(self, value: Any) -> str:
        return money(value, self.scale)

    def named(self, code: str | None) -> str:
        return named(self.data, code)

    def figure(self, key: str) -> list[Block]:
        """The chart by its key, numbered in the order placed; nothing if the report does not call for it."""
        chart = self.charts.get(key)
        if chart is None:
            return []
        self.figures_placed += 1
        caption = f"{self.t['figure']} {self.figures_placed}. {chart.title}"
        return [Figure(chart, self.figures_placed, caption)]

    def texts(self, matches: Callable[[dict[str, Any]], bool], heading_level: int = 2) -> list[Block]:
        """The edition's analysis texts that `matches` picks and no section has placed yet."""
        blocks: list[Block] = []
        for index, text in enumerate(self.data.get("analysis", [])):
            if index in self.texts_placed or not matches(text):
                continue
            self.texts_placed.add(index)
            topic = label(self.t, f"topic.{text['topic']}")
            blocks.append(Heading(f"{self.t['analysis']}: {unit_name(self.data, text['unit_code'])} · {topic}", 3))
            blocks += [Paragraph(part.strip()) for part in str(text["text"]).split("\n\n") if part.strip()]
        return blocks

    def yes_no(self, value: Any, good: bool = True) -> Cell:
        """Ja/Nej, toned: a requirement met is good, not met a deviation; unknown is a dash."""
        if value is None:
            return Cell(DASH)
        met = bool(value) == good
        return Cell(self.t["yes"] if value else self.t["no"], Tone.good if met else Tone.deviation)


def _table(columns: Iterable[Column], rows: Iterable[Iterable[Cell]], **options: Any) -> Table:
    return Table(tuple(columns), tuple(tuple(row) for row in rows), **options)


def _pairs(b: Builder, pairs: Iterable[tuple[str, Cell]]) -> Table:
    """A label–value table: the label a row header, the value right-aligned."""
    rows = [(Cell(b.t[key] if key in b.t else key), value) for key, value in pairs]
    return _table([Column(b.t["figure_label"]), Column(b.t["value"], NUMBER)], rows, row_headers=True)


def _goals_part(data: dict[str, Any]) -> dict[str, Any] | None:
    goals = data.get("goals")
    return goals if isinstance(goals, dict) else None


def _economy_part(data: dict[str, Any], key: str) -> Any:
    economy = data.get("economy")
    return economy.get(key) if isinstance(economy, dict) else None


def _economy_units(economy: dict[str, Any]) -> list[dict[str, Any]]:
    """The region's units, or the one unit a unit's report is about."""
    return list(economy["units"]) if "units" in economy else [economy]


def _audit_bodies(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each body of the audit overview: the region's list, or the one body of a unit's report."""
    audit = data.get("audit")
    overview = audit.get("overview") if isinstance(audit, dict) else None
    if not isinstance(overview, dict):
        return []
    if "bodies" in overview:
        return list(overview["bodies"])
    return [overview] if overview.get("body_code") else []


# The summary -----------------------------------------------------------------------------------


def summary(b: Builder) -> list[Block]:
    """The board's summary: goals, result against target and balance requirement, flagged units, audit."""
    blocks: list[Block] = []
    blocks += _goals_summary(b)
    blocks += _result_summary(b)
    blocks += _flagged_summary(b)
    blocks += _audit_summary(b)
    blocks += _follow_through_summary(b)
    return blocks


def _goals_summary(b: Builder) -> list[Block]:
    goals = _goals_part(b.data)
    if goals is None or not goals["fulfilment"].get("rows"):
        return []
    totals = goals["fulfilment"]["totals"]
    text = b.t["summary.goals"].format(total=sum(totals[c] for c in COLOURS), **{c: totals[c] for c in COLOURS})
    blocks: list[Block] = []
    if b.data["period"] == "T1":
        blocks.append(Paragraph(b.t["summary.goals.t1"]))
    blocks.append(Paragraph(text, Tone.deviation if totals["red"] else Tone.normal))
    council = goals.get("report_to_council") or []
    if council:
        blocks.append(Paragraph(b.t["summary.council"].format(count=len(council)), Tone.deviation))
    return blocks


def _result_summary(b: Builder) -> list[Block]:
    """The result against its target and the balance requirement: from the year's accounts where the report
    has them (the annual report), else from the forecast."""
    accounts = _accounts_summary(b)
    if accounts:
        return accounts
    economy = _economy_part(b.data, "economy")
    result = economy.get("result") if isinstance(economy, dict) else None
    blocks: list[Block] = []
    if result:
        forecast, target = decimal(result.get("result_forecast")), decimal(result.get("result_target"))
        below = result.get("result_target_met_forecast") is False or (
            forecast is not None and target is not None and forecast < target
        )
        rows = [
            ("result_forecast", Cell(b.money(forecast), Tone.deviation if below else Tone.good)),
            ("result_target", Cell(b.money(target))),
            ("balance_requirement", b.yes_no(result.get("balance_requirement_met_forecast"))),
        ]
        blocks.append(_pairs(b, rows))
        if forecast is not None and target is not None:
            words = {"forecast": b.money(forecast), "target": b.money(target), "gap": b.money(target - forecast)}
            key = "summary.below_target" if below else "summary.meets_target"
            blocks.append(Paragraph(b.t[key].format(**words), Tone.deviation if below else Tone.good))
        met = result.get("balance_requirement_met_forecast")
        if met is not None:
            key = "summary.balance_met" if met else "summary.balance_not_met"
            blocks.append(Paragraph(b.t[key], Tone.good if met else Tone.deviation))
    return blocks


def _accounts_summary(b: Builder) -> list[Block]:
    accounts = _economy_part(b.data, "accounts")
    if not isinstance(accounts, dict) or not accounts.get("has_data", True):
        return []
    target = accounts.get("result_target") or {}
    statement = accounts.get("income_statement") or {}
    balance = accounts.get("balance_requirement") or {}
    result, goal = decimal(statement.get("result")), decimal(target.get("target"))
    rows = [
        ("year_result", Cell(b.money(result), Tone.good if target.get("met") else Tone.deviation)),
        ("result_target", Cell(b.money(goal))),
        ("balance_requirement_result", Cell(b.money(balance.get("balance_requirement_result")))),
        ("balance_met", b.yes_no(balance.get("met"))),
    ]
    blocks: list[Block] = [_pairs(b, rows)]
    if target and statement:
        met = bool(target.get("met"))
        text = b.t["summary.accounts_result"].format(
            result=b.money(statement.get("result")),
            target=b.money(target.get("target")),
            met=b.t["met"] if met else b.t["not_met"],
        )
        blocks.append(Paragraph(text, Tone.good if met else Tone.deviation))
    if balance:
        met = bool(balance.get("met"))
        text = b.t["summary.accounts_balance"].format(
            result=b.money(balance.get("balance_requirement_result")),
            met=b.t["fulfilled"] if met else b.t["not_fulfilled"],
        )
        blocks.append(Paragraph(text, Tone.good if met else Tone.deviation))
    return blocks


def _deviation_text(b: Builder, unit: dict[str, Any]) -> str:
    deviation = unit.get("forecast_deviation") or {}
    return f"{b.money(deviation.get('amount'))} ({percent(deviation.get('percent'))})"


def _flagged_summary(b: Builder) -> list[Block]:
    economy = _economy_part(b.data, "economy")
    if not isinstance(economy, dict):
        return []
    threshold = percent(economy.get("threshold_percent"))
    if "units" not in economy:
        if not economy.get("flagged"):
            return []
        text = b.t["summary.unit_flagged"].format(threshold=threshold, deviation=_deviation_text(b, economy))
        return [Paragraph(text, Tone.deviation)]
    flagged = [u for u in economy["units"] if u.get("flagged")]
    if not flagged:
        return []
    units = "; ".join(f"{b.named(u['unit_code'])} {_deviation_text(b, u)}" for u in flagged)
    return [Paragraph(b.t["summary.flagged"].format(threshold=threshold, units=units), Tone.deviation)]


def _audit_summary(b: Builder) -> list[Block]:
    blocks: list[Block] = []
    statements = [(body, body.get("latest_statement") or {}) for body in _audit_bodies(b.data)]
    remarks = [f"{unit_name(b.data, body['body_code'])} ({s['year']})" for body, s in statements if s.get("remark")]
    if remarks:
        blocks.append(Paragraph(b.t["summary.remarks"].format(bodies=", ".join(remarks)), Tone.deviation))
    weak = [
        f"{unit_name(b.data, body['body_code'])} ({s['year']})"
        for body, s in statements
        if s.get("internal_control_sufficient") is False
    ]
    if weak:
        blocks.append(Paragraph(b.t["summary.control"].format(bodies=", ".join(weak)), Tone.deviation))
    return blocks


# Goals -----------------------------------------------------------------------------------------


def goals(b: Builder) -> list[Block]:
    """Fulfilment, goals by perspective with the owners' analysis, the chain, quality, assignments."""
    part = _goals_part(b.data)
    if part is None:
        return []
    blocks: list[Block] = [*b.texts(lambda text: text["topic"] == "goals")]
    blocks += _fulfilment(b, part)
    blocks += _perspectives(b, part)
    blocks += _chain(b, part)
    blocks += _quality(b, part)
    blocks += _assignments(b, part)
    return blocks


def _perspective_name(part: dict[str, Any], code: str | None) -> str:
    return str(part["perspectives"].get(code, code)) if code else DASH


def _colour_cells(counts: dict[str, Any]) -> list[Cell]:
    return [Cell(str(counts.get(c, 0)), COLOUR_TONES[c] if counts.get(c) else Tone.normal) for c in COLOURS]


def _fulfilment(b: Builder, part: dict[str, Any]) -> list[Block]:
    fulfilment = part["fulfilment"]
    rows = fulfilment.get("rows", [])
    if not rows:
        return []
    columns = [Column(b.t["unit"]), Column(b.t["perspective"]), *(Column(b.t[c], NUMBER) for c in COLOURS)]
    columns.append(Column(b.t["total"], NUMBER))
    body = [
        [
            Cell(b.named(r["unit_code"])),
            Cell(_perspective_name(part, r["perspective"])),
            *_colour_cells(r),
            Cell(str(r["total"])),
        ]
        for r in rows
    ]
    totals = fulfilment["totals"]
    footer = ((Cell(b.t["total"]), Cell(""), *_colour_cells(totals), Cell(str(sum(totals[c] for c in COLOURS)))),)
    return [_table(columns, body, footer=footer), *b.figure("fulfilment")]


def _perspective_codes(part: dict[str, Any]) -> list[str | None]:
    """The region's perspectives in their order, then any a row or a goal names that the list lacks."""
    codes: list[str | None] = list(part["perspectives"])
    seen = [r.get("perspective") for r in part["fulfilment"].get("rows", [])]
    seen += [(item.get("goal") or {}).get("perspective") for item in part.get("report_to_council") or []]
    codes += [code for code in dict.fromkeys(seen) if code not in codes]
    return codes


def _perspectives(b: Builder, part: dict[str, Any]) -> list[Block]:
    """Per perspective: its goals by colour, the goals reported to the council with the owners' analysis,
    and the edition's texts on its topic."""
    blocks: list[Block] = []
    rows = part["fulfilment"].get("rows", [])
    items = part.get("report_to_council") or []
    for code in _perspective_codes(part):
        counts = {c: sum(r.get(c, 0) for r in rows if r.get("perspective") == code) for c in COLOURS}
        own = [item for item in items if (item.get("goal") or {}).get("perspective") == code]
        topics = [topic for topic, perspective in TOPIC_PERSPECTIVES.items() if perspective == code]
        texts = b.texts(lambda text, topics=topics: text["topic"] in topics)  # type: ignore[misc]
        if not any(counts.values()) and not own and not texts:
            continue
        if not blocks:
            blocks.append(Heading(b.t["perspectives"], 2))
        blocks.append(Heading(_perspective_name(part, code) if code else b.t["other"], 3))
        if any(counts.values()):
            words = " · ".join(f"{b.t[c]} {counts[c]}" for c in COLOURS)
            blocks.append(Paragraph(words, Tone.deviation if counts["red"] else Tone.normal))
        for item in own:
            goal = item["goal"]
            heading = f"{b.t['report_to_council_short']}: {goal['title']} ({unit_name(b.data, goal.get('unit_code'))})"
            blocks.append(Paragraph(heading, Tone.deviation, strong=True))
            if item.get("analysis"):
                blocks.append(Paragraph(str(item["analysis"])))
        blocks += texts
    return blocks


def with_unit(value: Any, unit_of_measure: str) -> str:
    """A figure as the documents print it, with its unit of measure when it has one: "12,5 %"."""
    text = figure(value)
    return text if text == DASH or not unit_of_measure else f"{text} {unit_of_measure}"


def _indicator_row(b: Builder, indicator: dict[str, Any], goal: str | None = None) -> list[Cell]:
    uom = str(indicator.get("unit_of_measure") or "")
    latest = indicator.get("latest") or {}
    baseline = with_unit(indicator.get("baseline_value"), uom)
    if indicator.get("baseline_year") and baseline != DASH:
        baseline += f" ({indicator['baseline_year']})"
    value = with_unit(latest.get("value"), uom)
    if latest.get("period") and value != DASH:
        value += f" ({latest['period']})"
    colour = indicator.get("colour")
    trend = indicator.get("trend")
    cells = [Cell(goal)] if goal is not None else []
    cells += [
        Cell(str(indicator["name"])),
        Cell(baseline),
        Cell(value, COLOUR_TONES.get(str(colour), Tone.normal)),
        Cell(with_unit(indicator.get("target"), uom)),
        Cell(label(b.t, f"trend.{trend}") if trend else DASH),
        Cell(label(b.t, str(colour)) if colour else DASH, COLOUR_TONES.get(str(colour), Tone.normal)),
    ]
    return cells


def _indicator_columns(b: Builder, with_goal: bool = False) -> list[Column]:
    columns = [Column(b.t["goal"])] if with_goal else []
    return [
        *columns,
        Column(b.t["indicator"]),
        Column(b.t["baseline"], NUMBER),
        Column(b.t["latest"], NUMBER),
        Column(b.t["target"], NUMBER),
        Column(b.t["trend"]),
        Column(b.t["assessment"]),
    ]


def _walk(goals: Iterable[dict[str, Any]], depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    for goal in goals:
        yield depth, goal
        yield from _walk(goal.get("children") or [], depth + 1)


def _goal_blocks(b: Builder, goals: list[dict[str, Any]]) -> list[Block]:
    """The goals, nested ones indented, each with its owner and its colour; then their indicators."""
    walked = list(_walk(goals))
    if not walked:
        return []
    items = []
    for depth, goal in walked:
        colour = goal.get("colour")
        assessed = f" – {label(b.t, str(colour))}" if colour else ""
        text = f"{'– ' * depth}{goal['title']} ({unit_name(b.data, goal.get('unit_code'))}){assessed}"
        items.append(Paragraph(text, COLOUR_TONES.get(str(colour), Tone.normal)))
    blocks: list[Block] = [BulletList(tuple(items))]
    rows = [_indicator_row(b, i, str(goal["title"])) for _, goal in walked for i in goal.get("indicators") or []]
    if rows:
        blocks += [Paragraph(b.t["goal_indicators"], strong=True), _table(_indicator_columns(b, True), rows)]
    return blocks


def _chain(b: Builder, part: dict[str, Any]) -> list[Block]:
    chain = part.get("chain")
    if not chain:
        return []
    blocks: list[Block] = [Heading(b.t["chain.unit" if b.data["unit"] else "chain.region"], 2)]
    plan = chain.get("plan")
    if plan:
        title = str(plan["title"])
        if plan.get("start_year") and str(plan["start_year"]) not in title:
            title += f" ({plan['start_year']}–{plan.get('end_year') or ''})".replace("–)", ")")
        blocks.append(Paragraph(f"{b.t['plan']}: {title}", strong=True))
        if plan.get("vision"):
            blocks.append(Paragraph(f"{b.t['vision']}: {plan['vision']}"))
    for strategy in chain.get("strategies", []):
        blocks.append(Heading(f"{b.t['strategy']} {strategy.get('number', '')}. {strategy['title']}", 3))
        if strategy.get("indicators"):
            rows = [_indicator_row(b, indicator) for indicator in strategy["indicators"]]
            blocks.append(_table(_indicator_columns(b), rows))
        blocks += _goal_blocks(b, strategy.get("goals") or [])
    if chain.get("unlinked_goals"):
        blocks.append(Heading(b.t["unlinked_goals"], 3))
        blocks += _goal_blocks(b, chain["unlinked_goals"])
    return blocks + b.figure("indicators")


def _quality(b: Builder, part: dict[str, Any]) -> list[Block]:
    quality = part.get("quality")
    if not quality:
        return []
    share_text = f"{b.t['measurable_share']}: {share(quality['measurable_share'])}"
    blocks: list[Block] = [
        Heading(b.t["quality"], 2),
        Paragraph(f"{share_text} ({quality['measurable']} / {quality['goals']})"),
    ]
    units = quality.get("units") or []
    if units:
        columns = [
            Column(b.t["unit"]),
            Column(b.t["goals"], NUMBER),
            Column(b.t["measurable"], NUMBER),
            Column(b.t["share"], NUMBER),
            Column(b.t["financial_goals"], NUMBER),
            Column(b.t["orphans_count"], NUMBER),
        ]
        rows = [
            [
                Cell(b.named(u["unit_code"])),
                Cell(count(u.get("goals"))),
                Cell(count(u.get("measurable"))),
                Cell(share(u.get("measurable_share"))),
                Cell(count(u.get("financial_goals"))),
                Cell(count(u.get("orphans")), Tone.deviation if u.get("orphans") else Tone.normal),
            ]
            for u in units
        ]
        blocks.append(_table(columns, rows))
    if quality.get("orphans"):
        blocks.append(Heading(b.t["orphans"], 3))
        orphans = (Paragraph(f"{unit_name(b.data, g['unit_code'])}: {g['title']}") for g in quality["orphans"])
        blocks.append(BulletList(tuple(orphans)))
    return blocks


def _assignments(b: Builder, part: dict[str, Any]) -> list[Block]:
    assignments = part.get("assignments") or []
    if not assignments:
        return []
    columns = [
        Column(b.t["assignment"]),
        Column(b.t["issuer_assignee"]),
        Column(b.t["deadline"]),
        Column(b.t["status"]),
        Column(b.t["latest_follow_up"]),
    ]
    rows = []
    for item in assignments:
        status = label(b.t, f"status.{item.get('status')}")
        overdue = bool(item.get("overdue"))
        follow_ups = item.get("follow_ups") or []
        latest = follow_ups[-1] if follow_ups else None
        rows.append(
            [
                Cell(str(item["title"])),
                Cell(f"{unit_name(b.data, item.get('issuer_code'))} → {unit_name(b.data, item.get('assignee_code'))}"),
                Cell(str(item.get("deadline_on") or DASH)),
                Cell(f"{status}, {b.t['overdue']}" if overdue else status, Tone.deviation if overdue else Tone.normal),
                Cell(f"{latest['year']} {latest['period']}: {latest['text']}" if latest else DASH),
            ]
        )
    return [Heading(b.t["assignments"], 2), _table(columns, rows)]


# Economy ---------------------------------------------------------------------------------------


def economy(b: Builder) -> list[Block]:
    """Frames, outcome and forecast per unit with the flag explained, the result, the year's accounts."""
    economy = _economy_part(b.data, "economy")
    blocks: list[Block] = []
    if isinstance(economy, dict):
        blocks += _units_economy(b, economy)
        blocks += _forecast_comments(b, economy)
        blocks += _result(b, economy.get("result"))
    blocks += _accounts(b)
    blocks += b.texts(lambda text: text["topic"] == "economy")
    return blocks


def _economy_row(b: Builder, unit: dict[str, Any], name: str) -> list[Cell]:
    flagged = bool(unit.get("flagged"))
    tone = Tone.deviation if flagged else Tone.normal
    return [
        Cell(name + (" !" if flagged else ""), tone),
        Cell(b.money(unit.get("frame"))),
        Cell(b.money(unit.get("budget_ytd"))),
        Cell(b.money((unit.get("outcome_ytd") or {}).get("net_cost"))),
        Cell(b.money((unit.get("forecast") or {}).get("amount"))),
        Cell(_deviation_text(b, unit), tone),
    ]


def _units_economy(b: Builder, economy: dict[str, Any]) -> list[Block]:
    units = [u for u in _economy_units(economy) if u.get("unit_code")]
    if not units:
        return []
    columns = [Column(b.t["unit"])] + [
        Column(b.t[key], NUMBER) for key in ("frame", "budget_ytd", "outcome_ytd", "forecast", "deviation")
    ]
    rows = [_economy_row(b, unit, b.named(unit["unit_code"])) for unit in units]
    totals = economy.get("totals")
    footer = (tuple(_economy_row(b, totals, b.t["total"])),) if isinstance(totals, dict) else ()
    threshold = percent(economy.get("threshold_percent"))
    return [
        Paragraph(b.t["flag_explained"].format(threshold=threshold)),
        _table(columns, rows, footer=footer),
        *b.figure("economy"),
    ]


def _forecast_comments(b: Builder, economy: dict[str, Any]) -> list[Block]:
    comments = [
        Paragraph(
            f"{b.named(u['unit_code'])}: {u['forecast']['comment']}",
            Tone.deviation if u.get("flagged") else Tone.normal,
        )
        for u in _economy_units(economy)
        if u.get("unit_code") and (u.get("forecast") or {}).get("comment")
    ]
    return [Heading(b.t["forecast_comments"], 2), BulletList(tuple(comments))] if comments else []


def _result(b: Builder, result: dict[str, Any] | None) -> list[Block]:
    if not result:
        return []
    forecast, target = decimal(result.get("result_forecast")), decimal(result.get("result_target"))
    ytd, target_ytd = decimal(result.get("result_ytd")), decimal(result.get("result_target_ytd"))

    def against(value: Decimal | None, goal: Decimal | None) -> Cell:
        tone = Tone.normal if value is None or goal is None else (Tone.good if value >= goal else Tone.deviation)
        return Cell(b.money(value), tone)

    # Each row: its label, the field of the result it shows, and the cell; a field the result lacks is left out.
    rows = [
        ("budgeted_result", "budgeted_result", Cell(b.money(result.get("budgeted_result")))),
        ("result_ytd", "result_ytd", against(ytd, target_ytd)),
        ("result_target_ytd", "result_target_ytd", Cell(b.money(target_ytd))),
        ("balance_requirement_ytd", "balance_requirement_met_ytd", b.yes_no(result.get("balance_requirement_met_ytd"))),
        ("result_forecast", "result_forecast", against(forecast, target)),
        ("result_target", "result_target", Cell(b.money(target))),
        (
            "result_target_met_forecast",
            "result_target_met_forecast",
            b.yes_no(result.get("result_target_met_forecast")),
        ),
        (
            "balance_requirement",
            "balance_requirement_met_forecast",
            b.yes_no(result.get("balance_requirement_met_forecast")),
        ),
    ]
    return [Heading(b.t["result"], 2), _pairs(b, [(key, cell) for key, source, cell in rows if source in result])]


INCOME_STATEMENT = (
    ("operating_revenue", False),
    ("operating_costs", False),
    ("depreciation", False),
    ("net_operating_cost", True),
    ("tax_revenue", False),
    ("general_grants", False),
    ("operating_result", True),
    ("financial_income", False),
    ("financial_costs", False),
    ("result", True),
)


def _line_amount(line: Any) -> Any:
    """An income statement line: an amount, or an object with its amount and the accounts it sums."""
    return line.get("amount") if isinstance(line, dict) else line


def _accounts(b: Builder) -> list[Block]:
    accounts = _economy_part(b.data, "accounts")
    if not isinstance(accounts, dict) or not accounts.get("has_data", True):
        return []
    blocks: list[Block] = [Heading(b.t["accounts"], 2)]
    # The service's note is in English and says why something may change or is missing; a year not yet
    # closed is said in the reader's language instead.
    if accounts.get("closed") is False:
        blocks.append(Paragraph(b.t["accounts_open"], Tone.deviation))
    elif accounts.get("note"):
        blocks.append(Paragraph(str(accounts["note"])))
    statement = accounts.get("income_statement")
    if statement:
        known = [(key, subtotal) for key, subtotal in INCOME_STATEMENT if key in statement]
        known += [(key, False) for key in statement if key not in dict(INCOME_STATEMENT)]
        rows = [
            (
                Cell(b.t["year_result"] if key == "result" else label(b.t, key)),
                Cell(b.money(_line_amount(statement[key]))),
            )
            for key, _ in known
        ]
        columns = [Column(b.t["line"]), Column(b.t["amount"], NUMBER)]
        blocks += [Heading(b.t["income_statement"], 3), _table(columns, rows, row_headers=True)]
    blocks += _result_target(b, accounts.get("result_target"))
    blocks += _balance_requirement(b, accounts.get("balance_requirement"))
    return blocks


def _result_target(b: Builder, target: dict[str, Any] | None) -> list[Block]:
    if not target:
        return []
    rows = [
        ("taxes_and_general_grants", Cell(b.money(target.get("taxes_and_general_grants")))),
        ("target_percent", Cell(percent(target.get("target_percent")))),
        ("result_target", Cell(b.money(target.get("target")))),
        ("result_percent", Cell(percent(target.get("result_percent")))),
        ("target_met", b.yes_no(target.get("met"))),
    ]
    return [Heading(b.t["result_against_target"], 3), _pairs(b, rows)]


def _adjustment_rows(b: Builder, items: Iterable[dict[str, Any]]) -> list[tuple[str, Cell]]:
    """The balance requirement's adjustments, each with its description and its effect on the result (a
    realisation gain of 6,4 mnkr takes 6,4 mnkr off it)."""
    rows = []
    for item in items:
        name = item.get("description") or item.get("kind") or b.t["other"]
        rows.append((f"  {name}", Cell(b.money(item.get("effect", item.get("amount"))))))
    return rows


def _balance_requirement(b: Builder, balance: dict[str, Any] | None) -> list[Block]:
    if not balance:
        return []
    rows = [("year_result", Cell(b.money(balance.get("result"))))]
    rows += _adjustment_rows(b, balance.get("adjustments") or [])
    rows.append(("result_after_adjustments", Cell(b.money(balance.get("result_after_adjustments")))))
    rows += _adjustment_rows(b, balance.get("reserve") or [])
    result = decimal(balance.get("balance_requirement_result"))
    tone = Tone.normal if result is None else (Tone.good if result >= 0 else Tone.deviation)
    rows.append(("balance_requirement_result", Cell(b.money(result), tone)))
    rows.append(("balance_met", b.yes_no(balance.get("met"))))
    blocks: list[Block] = [Heading(b.t["balance_reconciliation"], 3), _pairs(b, rows)]
    deficits = balance.get("deficits_to_restore") or []
    if deficits:
        lines = (
            Paragraph(
                f"{d['year']}: {b.money(d.get('remaining'))} ({b.t['restore_by']} {d.get('restore_by')})",
                Tone.deviation,
            )
            for d in deficits
        )
        blocks += [Paragraph(b.t["deficits_to_restore"], strong=True), BulletList(tuple(lines))]
    return blocks


# The budget year and its plan years ------------------------------------------------------------


def plan_period(b: Builder) -> list[Block]:
    """The report's year and its two plan years as decided by the period's end: for the region the frames against
    the room of each year's resource calculation and the scenarios the council had adopted; for a unit its frames."""
    period = _economy_part(b.data, "plan_period")
    years = period.get("years") if isinstance(period, dict) else None
    if not years:
        return []
    note = b.t["plan_period_note"].format(
        year=period["year"], first=years[1]["year"], last=years[-1]["year"], as_of=period.get("as_of") or DASH
    )
    if "units" in period:
        return [Paragraph(note), *_adopted_scenarios(b, period), _region_plan_years(b, years)]
    return [Paragraph(note), _unit_plan_years(b, years)]


def _adopted_scenarios(b: Builder, period: dict[str, Any]) -> list[Block]:
    adopted = period.get("adopted_scenarios") or []
    if not adopted:
        return [Paragraph(b.t["no_adopted_scenario"].format(as_of=period.get("as_of") or DASH))]
    return [
        Paragraph(
            b.t["adopted_scenario"].format(
                year=s["year"],
                name=s["name"],
                tax_rate=figure(s["tax_rate"]),
                body=b.named(s["decision"]["decided_by"]),
                decided_on=s["decision"]["decided_on"],
                paragraph=s["decision"]["paragraph"],
            )
        )
        for s in adopted
    ]


def _region_plan_years(b: Builder, years: list[dict[str, Any]]) -> Table:
    keys = ("frames", "investment_costs", "room_for_frames", "margin", "planned_investments", "tax_rate")
    columns = [Column(b.t["year"])] + [Column(b.t[key], NUMBER) for key in keys]
    rows = []
    for year in years:
        resources = year.get("resources") or {}
        margin = decimal(resources.get("margin"))
        rows.append(
            [
                Cell(str(year["year"])),
                Cell(b.money(year.get("frames"))),
                Cell(b.money(year.get("investment_costs_in_frames"))),
                Cell(b.money(resources.get("room_for_frames"))),
                Cell(b.money(margin), Tone.deviation if margin is not None and margin < 0 else Tone.normal),
                Cell(b.money((year.get("investments") or {}).get("planned"))),
                Cell(figure(resources.get("tax_rate"))),
            ]
        )
    return _table(columns, rows)


def _unit_plan_years(b: Builder, years: list[dict[str, Any]]) -> Table:
    keys = ("frame", "frame_status", "investment_costs", "change_from_previous", "planned_investments")
    columns = [Column(b.t["year"])] + [
        Column(b.t[key], ColumnKind.text if key == "frame_status" else NUMBER) for key in keys
    ]
    rows = []
    for year in years:
        frame = year.get("frame") or {}
        rows.append(
            [
                Cell(str(year["year"])),
                Cell(b.money(frame.get("amount"))),
                Cell(label(b.t, f"frame_status.{frame['status']}") if frame else DASH),
                Cell(b.money(frame.get("investment_costs"))),
                Cell(b.money(frame.get("difference"))),
                Cell(b.money((year.get("investments") or {}).get("planned"))),
            ]
        )
    return _table(columns, rows)


# Investments and grants ------------------------------------------------------------------------


def investments(b: Builder) -> list[Block]:
    """The investment plan year by year, the years beyond the plan period marked, and by category."""
    plan = _economy_part(b.data, "investments")
    years = plan.get("years") if isinstance(plan, dict) else None
    if not years:
        return []
    within = [y["year"] for y in years if not y.get("beyond_plan_period")]
    blocks: list[Block] = []
    if within:
        blocks.append(Paragraph(b.t["investments_note"].format(first=min(within), last=max(within))))
    columns = [Column(b.t["year"])] + [
        Column(b.t[key], NUMBER)
        for key in ("frame", "planned", "frame_margin", "outcome", "operating_consequences", "projects")
    ]
    rows = []
    for year in years:
        margin = decimal(year.get("frame_margin"))
        rows.append(
            [
                Cell(f"{year['year']}{' *' if year.get('beyond_plan_period') else ''}"),
                Cell(b.money(year.get("frame"))),
                Cell(b.money(year.get("planned"))),
                Cell(b.money(margin), Tone.deviation if margin is not None and margin < 0 else Tone.normal),
                Cell(b.money(year.get("outcome"))),
                Cell(b.money(year.get("operating_consequences"))),
                Cell(count(year.get("projects"))),
            ]
        )
    blocks.append(_table(columns, rows))
    if plan.get("total_planned") is not None:
        blocks.append(Paragraph(b.t["total_planned"].format(amount=b.money(plan["total_planned"]))))
    categories = list(dict.fromkeys(k for y in years for k in (y.get("planned_by_category") or {})))
    if categories:
        columns = [Column(b.t["year"])] + [Column(label(b.t, f"category.{c}"), NUMBER) for c in categories]
        rows = [
            [Cell(str(y["year"]))] + [Cell(b.money((y.get("planned_by_category") or {}).get(c))) for c in categories]
            for y in years
        ]
        blocks += [Heading(b.t["by_category"], 2), _table(columns, rows)]
    return blocks


def grants(b: Builder) -> list[Block]:
    """The targeted state grants, those with no goal marked and named."""
    summary = _economy_part(b.data, "grants")
    if not isinstance(summary, dict):
        return []
    blocks: list[Block] = [
        Paragraph(
            b.t["grants_summary"].format(
                count=count(summary.get("grants")),
                amount=b.money(summary.get("amount")),
                used=b.money(summary.get("used_in_year")),
            )
        )
    ]
    rows = summary.get("rows") or []
    if rows:
        columns = [
            Column(b.t["grant"]),
            Column(b.t["grantor"]),
            Column(b.t["amount"], NUMBER),
            Column(b.t["used_total"], NUMBER),
            Column(b.t["linked_goals"], NUMBER),
            Column(b.t["reporting_deadline"]),
        ]
        body = []
        for grant in rows:
            no_goal = not grant.get("goals")
            goals_cell = Cell(f"0 ({b.t['no_goal']})", Tone.deviation) if no_goal else Cell(str(grant["goals"]))
            body.append(
                [
                    Cell(str(grant["name"]), Tone.deviation if no_goal else Tone.normal),
                    Cell(str(grant.get("grantor") or DASH)),
                    Cell(b.money(grant.get("amount"))),
                    Cell(b.money(grant.get("used_total"))),
                    goals_cell,
                    Cell(str(grant.get("reporting_deadline") or DASH)),
                ]
            )
        blocks.append(_table(columns, body))
    without = summary.get("without_goal") or []
    if without:
        names = ", ".join(f"{g['name']} ({b.money(g.get('amount'))})" for g in without)
        blocks.append(Paragraph(b.t["without_goal"].format(grants=names), Tone.deviation))
    return blocks


# Internal control and audit --------------------------------------------------------------------


def internal_control(b: Builder) -> list[Block]:
    """Each body's internal control in the year, and the auditors' judgement in their latest statement."""
    bodies = [body for body in _audit_bodies(b.data) if body.get("internal_control") or body.get("latest_statement")]
    if not bodies:
        return []
    columns = [
        Column(b.t["body"]),
        Column(b.t["year"]),
        Column(b.t["risks"], NUMBER),
        Column(b.t["controls"], NUMBER),
        Column(b.t["results"], NUMBER),
        Column(b.t["deviations"], NUMBER),
        Column(b.t["assessment"]),
        Column(b.t["statement_control"]),
    ]
    rows = []
    weak = []
    for body in bodies:
        control = body.get("internal_control") or {}
        statement = body.get("latest_statement") or {}
        by_colour = control.get("risks_by_colour") or {}
        risks = f"{count(control.get('risks'))} ({'/'.join(str(by_colour.get(c, 0)) for c in COLOURS[:3])})"
        colour = control.get("results_colour")
        sufficient = statement.get("internal_control_sufficient")
        if sufficient is False:
            weak.append(f"{unit_name(b.data, body['body_code'])} ({statement.get('year')})")
        judged = DASH
        if sufficient is not None:
            judged = f"{b.t['control_sufficient' if sufficient else 'control_insufficient']} ({statement.get('year')})"
        rows.append(
            [
                Cell(b.named(body["body_code"])),
                Cell(count(control.get("year"))),
                Cell(risks if control else DASH),
                Cell(count(control.get("controls"))),
                Cell(count(control.get("results"))),
                Cell(count(control.get("deviations")), Tone.deviation if control.get("deviations") else Tone.normal),
                Cell(label(b.t, str(colour)) if colour else DASH, COLOUR_TONES.get(str(colour), Tone.normal)),
                Cell(judged, Tone.deviation if sufficient is False else Tone.normal),
            ]
        )
    blocks: list[Block] = [_table(columns, rows)]
    if weak:
        blocks.append(Paragraph(b.t["control_not_sufficient"].format(bodies=", ".join(weak)), Tone.deviation))
    return blocks


def _actions_by_status(b: Builder, counts: dict[str, Any] | None) -> str:
    if not counts:
        return DASH
    return ", ".join(f"{label(b.t, f'status.{s}').lower()} {n}" for s, n in counts.items() if n) or "0"


def audit(b: Builder) -> list[Block]:
    """Each body's recommendations and actions, what is overdue, the auditors' latest statement; then, where
    the JSON lists them, each recommendation with its status and its actions."""
    bodies = _audit_bodies(b.data)
    if not bodies:
        return b.texts(lambda text: text["topic"] == "audit") if b.data.get("audit") else []
    columns = [
        Column(b.t["body"]),
        Column(b.t["open_recommendations"], NUMBER),
        Column(b.t["closed_recommendations"], NUMBER),
        Column(b.t["actions"]),
        Column(b.t["overdue_responses"], NUMBER),
        Column(b.t["overdue_actions"], NUMBER),
        Column(b.t["remark"]),
    ]
    rows = []
    for body in bodies:
        statement = body.get("latest_statement") or {}
        remark = (
            f"{statement['year']}: {statement.get('remark_grounds') or b.t['yes']}" if statement.get("remark") else DASH
        )
        found = body.get("overdue")
        overdue: dict[str, Any] = found if isinstance(found, dict) else {}
        overdue_responses = body.get("overdue_responses", len(overdue.get("responses") or []))
        overdue_actions = body.get("overdue_actions", len(overdue.get("actions") or []))
        open_recs = body.get("open_recommendations")
        rows.append(
            [
                Cell(b.named(body["body_code"])),
                Cell(str(len(open_recs)) if isinstance(open_recs, list) else count(open_recs)),
                Cell(count(body.get("closed_recommendations"))),
                Cell(_actions_by_status(b, body.get("actions_by_status"))),
                Cell(count(overdue_responses), Tone.deviation if overdue_responses else Tone.normal),
                Cell(count(overdue_actions), Tone.deviation if overdue_actions else Tone.normal),
                Cell(remark, Tone.deviation if statement.get("remark") else Tone.normal),
            ]
        )
    blocks: list[Block] = [_table(columns, rows)]
    for body in bodies:
        blocks += _recommendations(b, body)
    return blocks + b.texts(lambda text: text["topic"] == "audit")


def _action_text(b: Builder, action: dict[str, Any]) -> str:
    """'Utveckla produktionsstyrningen (pågår, försenat, 2023-06-30)'."""
    status = label(b.t, f"status.{action.get('status')}").lower()
    overdue = [b.t["overdue"]] if action.get("overdue") else []
    deadline = [str(action["deadline_on"])] if action.get("deadline_on") else []
    return f"{action['title']} ({', '.join([status, *overdue, *deadline])})"


def _actions_of(b: Builder, rec: dict[str, Any]) -> tuple[str, bool]:
    """A recommendation's actions in words, and whether any is overdue: each action where a body's status lists
    them, or counted by status where the region's overview does."""
    if isinstance(rec.get("actions_by_status"), dict):
        late = int(rec.get("overdue_actions") or 0)
        counted = _actions_by_status(b, rec["actions_by_status"])
        text = f"{counted}; {b.t['overdue'].lower()} {late}" if late else counted
        return (DASH if counted == "0" else text), late > 0
    actions = rec.get("actions") or []
    return "; ".join(_action_text(b, action) for action in actions), any(a.get("overdue") for a in actions)


def _recommendations(b: Builder, body: dict[str, Any]) -> list[Block]:
    """A body's recommendations with their status, the auditors' verdict and the actions taken."""
    found = body.get("recommendations")
    if not isinstance(found, list):
        found = body.get("open_recommendations")
    if not isinstance(found, list) or not found:
        return []
    columns = [
        Column(b.t["audit_report"]),
        Column(b.t["recommendation"]),
        Column(b.t["status"]),
        Column(b.t["response_decided"]),
        Column(b.t["verdict"]),
        Column(b.t["actions"]),
    ]
    rows = []
    for rec in found:
        verdict = rec.get("latest_verdict")
        action_text, late = _actions_of(b, rec)
        status = rec.get("status") or "open"  # both lists the services give hold the open recommendations
        rows.append(
            [
                Cell(str(rec.get("report_title") or DASH)),
                Cell(f"{rec['number']}. {rec.get('text', '')}" if rec.get("number") else str(rec.get("text", ""))),
                Cell(label(b.t, f"status.{status}") if status else DASH),
                Cell(
                    str(rec.get("response_decided_on") or DASH),
                    Tone.normal if rec.get("response_decided_on") else Tone.deviation,
                ),
                Cell(
                    label(b.t, f"verdict.{verdict or 'none'}"),
                    {"addressed": Tone.good, "not_addressed": Tone.deviation}.get(str(verdict), Tone.normal),
                ),
                Cell(action_text or DASH, Tone.deviation if late else Tone.normal),
            ]
        )
    heading = f"{b.t['recommendations']}: {b.named(body['body_code'])}"
    return [Heading(heading, 2), _table(columns, rows)]


# Follow-through on the auditors' recommendations ----------------------------------------------------

FOLLOW_THROUGH_COUNTS = (
    "recommendations",
    "without_action",
    "actions",
    "without_indicator",
    "indicators",
    "not_moved",
)
# The counts that flag something: shown in red when not zero.
FLAGGING = {"without_action", "without_indicator", "not_moved"}


def _follow_through_part(data: dict[str, Any]) -> dict[str, Any] | None:
    part = data.get("follow_through")
    return part if isinstance(part, dict) else None


def _follow_through_summary(b: Builder) -> list[Block]:
    part = _follow_through_part(b.data)
    if part is None or not part["totals"]["recommendations"]:
        return []
    totals = part["totals"]
    flagged = any(totals[key] for key in FLAGGING)
    return [Paragraph(b.t["summary.follow_through"].format(**totals), Tone.deviation if flagged else Tone.good)]


def _recommendation_ref(rec: dict[str, Any]) -> str:
    return f"{rec['report_title']}, {rec['number']}"


def _point_text(point: dict[str, Any] | None, unit_of_measure: str) -> str:
    if not point:
        return DASH
    return f"{with_unit(point.get('value'), unit_of_measure)} ({point['period']})"


def follow_through(b: Builder) -> list[Block]:
    """The board's view of the follow-through: per body, the recommendations with no action, the actions linked to
    no indicator and the linked indicators that have not moved since the decision; then each listed."""
    part = _follow_through_part(b.data)
    if part is None:
        return []
    totals = part["totals"]
    flagged = any(totals[key] for key in FLAGGING)
    blocks: list[Block] = [
        Paragraph(
            b.t["follow_through.intro"].format(**totals),
            Tone.deviation if flagged else Tone.normal,
        )
    ]
    if part["bodies"]:
        headers = ("open_recommendations", "without_action", "actions", "without_indicator")
        columns = [
            Column(b.t["body"]),
            *(Column(b.t[key], NUMBER) for key in headers),
            Column(b.t["linked_indicators"], NUMBER),
            Column(b.t["not_moved"], NUMBER),
        ]

        def cells(counts: dict[str, Any]) -> list[Cell]:
            return [
                Cell(str(counts[key]), Tone.deviation if key in FLAGGING and counts[key] else Tone.normal)
                for key in FOLLOW_THROUGH_COUNTS
            ]

        rows = [[Cell(b.named(body["body_code"])), *cells(body)] for body in part["bodies"]]
        footer = ((Cell(b.t["total"]), *cells(totals)),) if len(part["bodies"]) > 1 else ()
        blocks.append(_table(columns, rows, footer=footer))
    blocks += _without_action(b, part)
    blocks += _without_indicator(b, part)
    blocks += _not_moved(b, part)
    return blocks


def _without_action(b: Builder, part: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading(b.t["follow_through.without_action"], 2)]
    found = part["without_action"]
    if not found:
        return [*blocks, Paragraph(b.t["follow_through.without_action.none"], Tone.good)]
    columns = [Column(b.t["body"]), Column(b.t["audit_report"]), Column(b.t["recommendation"])]
    columns.append(Column(b.t["response_decided"]))
    rows = [
        [
            Cell(b.named(rec["body_code"])),
            Cell(str(rec["report_title"])),
            Cell(f"{rec['number']}. {rec['text']}", Tone.deviation),
            Cell(str(rec.get("response_decided_on") or DASH)),
        ]
        for rec in found
    ]
    return [*blocks, _table(columns, rows)]


def _without_indicator(b: Builder, part: dict[str, Any]) -> list[Block]:
    """Per body, its actions that name no indicator, each with its status, in one paragraph: a region's report may
    list thousands, and a table row each would weigh more than the rest of the document."""
    blocks: list[Block] = [Heading(b.t["follow_through.without_indicator"], 2)]
    found = part["without_indicator"]
    if not found:
        return [*blocks, Paragraph(b.t["follow_through.without_indicator.none"], Tone.good)]
    by_body: dict[str, list[str]] = {}
    for action in found:
        status = label(b.t, f"status.{action['status']}").lower()
        if action.get("goal_ids"):
            status += f", {b.t['goals_only']}"
        by_body.setdefault(str(action["body_code"]), []).append(f"{action['title']} ({status})")
    for code, actions in by_body.items():
        blocks.append(Paragraph(f"{b.named(code)} ({len(actions)})", strong=True))
        blocks.append(Paragraph("; ".join(actions), Tone.deviation))
    return blocks


def _not_moved(b: Builder, part: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading(b.t["follow_through.not_moved"], 2)]
    if not part.get("indicators_judged", True):
        return [*blocks, Paragraph(b.t["follow_through.not_judged"], Tone.deviation)]
    found = part["not_moved"]
    if not found:
        blocks.append(Paragraph(b.t["follow_through.not_moved.none"], Tone.good))
    else:
        columns = [
            Column(b.t["indicator"]),
            Column(b.t["recommendation"]),
            Column(b.t["compared_from"]),
            Column(b.t["before"], NUMBER),
            Column(b.t["since"], NUMBER),
            Column(b.t["reason"]),
        ]
        rows = []
        for still in found:
            uom = str(still.get("unit_of_measure") or "")
            compared = str(still.get("compared_from") or DASH)
            if still.get("compared_from_kind"):
                compared += f" ({label(b.t, 'compared_from.' + still['compared_from_kind'])})"
            rows.append(
                [
                    Cell(f"{still['name']} ({unit_name(b.data, still['unit_code'])})"),
                    Cell(_recommendation_ref(still["recommendation"])),
                    Cell(compared),
                    Cell(_point_text(still.get("before"), uom)),
                    Cell(_point_text(still.get("latest"), uom)),
                    Cell(label(b.t, f"reason.{still['reason']}"), Tone.deviation),
                ]
            )
        blocks.append(_table(columns, rows))
    hidden = len(part.get("not_shown") or [])
    if hidden:
        blocks.append(Paragraph(b.t["follow_through.not_shown"].format(count=hidden)))
    return blocks


def unplaced_analysis(b: Builder) -> list[Block]:
    """The analysis texts no section took: a topic the sections do not know, or a section not in the report."""
    return b.texts(lambda _text: True)


# The sections in the order of the report, each with the key of the JSON it draws from and its title.
SECTIONS: tuple[tuple[str, str, Callable[[Builder], list[Block]]], ...] = (
    ("summary", "summary", summary),
    ("goals", "fulfilment", goals),
    ("economy", "economy", economy),
    ("economy.plan_period", "plan_period", plan_period),
    ("economy.investments", "investments", investments),
    ("economy.grants", "grants", grants),
    ("audit.internal_control", "internal_control", internal_control),
    ("audit", "audit", audit),
    ("follow_through", "follow_through", follow_through),
    ("analysis", "analysis_unplaced", unplaced_analysis),
)


def _section_as_of(data: dict[str, Any], key: str) -> str | None:
    part = data.get(key.partition(".")[0])
    return str(part["as_of"]) if isinstance(part, dict) and part.get("as_of") else None


def region_name(data: dict[str, Any], t: dict[str, str]) -> str:
    """Who publishes the region's report: the region's own name where the report has it (a unit named
    'Region …', or the plan's vision opening with it), else 'Regionen'."""
    if data.get("region_name"):
        return str(data["region_name"])
    for name in data.get("unit_names", {}).values():
        if str(name).startswith("Region "):
            return str(name)
    plan = ((data.get("goals") or {}).get("chain") or {}).get("plan") or {}
    vision = str(plan.get("vision") or "")
    if vision.startswith("Region "):
        return vision.split(" – ")[0].split(",")[0].strip()
    return t["region"]


def _notes(data: dict[str, Any], t: dict[str, str]) -> tuple[Note, ...]:
    notes = []
    if data.get("missing"):
        lines = tuple(f"{m['section']} ({m['service']}): {m['reason']}" for m in data["missing"])
        notes.append(Note(t["draft"], lines, Tone.deviation))
    if data.get("no_data"):
        notes.append(Note(t["no_data"], tuple(no_data_lines(data, t))))
    return tuple(notes)


def _stamp(data: dict[str, Any], t: dict[str, str]) -> str:
    edition = data.get("edition") or {}
    if edition.get("status") != "completed" or not edition.get("completed_at"):
        return ""
    at = str(edition["completed_at"])[:16].replace("T", " ")
    return " · " + t["completed"].format(at=at, by=edition.get("completed_by_name") or edition.get("completed_by"))


def build(data: dict[str, Any], scale: MoneyScale, language: Language) -> Document:
    """The report's JSON (as the API answers it) as a document, in the reader's language and money scale."""
    t = LABELS[language]
    builder = Builder(data, language, scale, {chart.key: chart for chart in charts_for(data, scale, language)})
    sections = []
    for key, title, make in SECTIONS:
        blocks = make(builder)
        if blocks:
            sections.append(Section(key, t[title], tuple(blocks), _section_as_of(data, key)))
    region = region_name(data, t)
    return Document(
        language=LANGUAGE_TAGS[language],
        title=title_of(data, t),
        region=unit_name(data, data["unit"]) if data.get("unit") else region,
        period=period_of(data, t),
        as_of=str(data["as_of"]),
        subtitle=subtitle(data, t, region) + _stamp(data, t),
        notes=_notes(data, t),
        sections=tuple(sections),
        labels=t,
        created=str(data["generated_at"]),
    )
