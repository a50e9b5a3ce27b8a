"""Reports that combine the three services: the interim reports T1 and T2, and the annual report.

The gateway asks every service at once, with the caller's own token (so each service applies its own
rules to what the caller may read) and its timeout. A service that does not answer leaves its
sections out, and the report says which and why instead of failing: such a report is a draft.

T1 centres on the economy and the employees (the employee perspective of the goals); T2 and the
annual report carry everything, the auditors' material included.
"""

from __future__ import annotations

import asyncio
import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from gateway.proxy import Proxy, SignedIn
from shared.errors import DomainError

# The month each follow-up runs to, and the day the auditors' material is read as of.
THROUGH_MONTH = {"T1": 4, "T2": 8, "year": 12}
EMPLOYEE_PERSPECTIVE = "employee"


class ReportPeriod(StrEnum):
    T1 = "T1"
    T2 = "T2"
    year = "year"


class MissingSection(BaseModel):
    section: str
    service: str
    reason: str = Field(description="Why it is missing: the service's answer, or that it did not answer")


class GoalsSection(BaseModel):
    """The goals service's view: fulfilment, how measurable the goals are, what to report to the council."""

    fulfilment: dict[str, Any] = Field(description="Goals by colour per unit and perspective (`/fulfilment`)")
    perspectives: dict[str, str] = Field(
        default_factory=dict, description="The region's perspectives, code to name, in their order"
    )
    quality: dict[str, Any] | None = Field(
        default=None, description="Measurable goals and orphans (`/quality`); not in T1"
    )
    report_to_council: list[dict[str, Any]] = Field(
        default_factory=list, description="Goals forecast as not met, to be reported to the council"
    )
    chain: dict[str, Any] | None = Field(
        default=None,
        description="Plan, strategies and goals with indicators, latest values and trends: for the region the "
        "council's goals (`/chain?levels=council`), for a unit its own chain (`/chain?unit=…`)",
    )
    assignments: list[dict[str, Any]] = Field(default_factory=list)


class EconomySection(BaseModel):
    """The budget service's view: frames, year-to-date outcome, forecasts, deviations, the result."""

    economy: dict[str, Any] = Field(description="Per unit and for the region (`/economy/region` or `/economy/units`)")
    investments: dict[str, Any] | None = Field(default=None, description="The investment plan, ten years on")
    grants: dict[str, Any] | None = Field(default=None, description="Targeted state grants and those with no goal")


class AuditSection(BaseModel):
    """The audit service's view: open recommendations and actions per body, overdue items, statements,
    internal control."""

    overview: dict[str, Any]


class AnalysisText(BaseModel):
    """A unit's analysis of one topic, written for this report in its edition (report production)."""

    unit_code: str
    topic: str = Field(examples=["economy"], description="goals, economy, employees or audit")
    text: str
    ready: bool


class EditionStamp(BaseModel):
    """The edition the report belongs to; once completed, who completed it, when, and from which data."""

    id: str
    status: str = Field(examples=["completed"], description="open or completed")
    completed_at: datetime | None = None
    completed_by: str | None = None
    completed_by_name: str | None = None
    data_versions: dict[str, str] | None = Field(
        default=None, description="Each service's change-feed position when the report was built"
    )


class Report(BaseModel):
    """A report as it stands now. `complete` is false when a section is missing; `missing` says why."""

    kind: str = Field(examples=["interim"])
    year: int
    period: ReportPeriod
    unit: str | None = Field(description="The unit the report is for, with the units below it; the region if null")
    generated_at: datetime
    complete: bool
    missing: list[MissingSection]
    goals: GoalsSection | None
    economy: EconomySection | None
    audit: AuditSection | None = Field(description="In T2 and the annual report")
    analysis: list[AnalysisText] = Field(
        default_factory=list, description="The units' analysis texts of the report's edition that the caller may read"
    )
    edition: EditionStamp | None = Field(default=None, description="The report's edition, if one is opened")


@dataclass(frozen=True)
class Ask:
    section: str
    service: str
    path: str
    query: str = ""


@dataclass(frozen=True)
class Answer:
    data: Any
    missing: MissingSection | None


def _reason(service: str, response_status: int, body: Any) -> str:
    detail = body.get("detail") if isinstance(body, dict) else None
    return f"the {service} service answered {response_status}" + (f": {detail}" if detail else "")


async def _ask(proxy: Proxy, caller: SignedIn, ask: Ask) -> Answer:
    base = proxy.settings.service_urls()[ask.service]
    headers = {"authorization": f"Bearer {caller.internal_token}", "accept": "application/json"}
    try:
        response = await proxy.send(ask.service, "GET", f"{base}{ask.path}", ask.query, headers)
    except DomainError as exc:
        return Answer(None, MissingSection(section=ask.section, service=ask.service, reason=exc.detail or exc.title))
    body = response.json() if "json" in response.headers.get("content-type", "") else None
    if response.status_code != 200:
        reason = _reason(ask.service, response.status_code, body)
        return Answer(None, MissingSection(section=ask.section, service=ask.service, reason=reason))
    return Answer(body, None)


def _asks(year: int, period: ReportPeriod, unit: str | None) -> list[Ask]:
    """What each section needs, from which service."""
    unit_query = f"&unit={unit}" if unit else ""
    goal_period = period.value
    follow_up = f"follow_up={period.value}" if period is not ReportPeriod.year else "month=12"
    economy_path = f"/economy/units/{unit}" if unit else "/economy/region"
    asks = [
        Ask("goals.fulfilment", "goals", "/fulfilment", f"year={year}&period={goal_period}{unit_query}"),
        Ask("goals.report_to_council", "goals", "/follow-ups/report-to-council", f"year={year}&limit=500"),
        Ask("goals.perspectives", "goals", "/perspectives", "limit=100"),
        Ask("economy.economy", "budget", economy_path, f"year={year}&{follow_up}"),
    ]
    if period is ReportPeriod.T1:
        return asks
    month = THROUGH_MONTH[period.value]
    as_of = date(year, month, calendar.monthrange(year, month)[1])
    audit_path = f"/bodies/{unit}/status" if unit else "/overview"
    return [
        *asks,
        Ask("goals.quality", "goals", "/quality", f"year={year}&detail=summary{unit_query}"),
        Ask("goals.chain", "goals", "/chain", f"year={year}&period={goal_period}{_chain_scope(unit)}"),
        Ask("goals.assignments", "goals", "/assignments", "limit=500"),
        Ask("economy.investments", "budget", "/investments/plan", f"from_year={year}"),
        Ask("economy.grants", "budget", "/grants/summary", f"year={year}"),
        Ask("audit.overview", "audit", audit_path, f"as_of={as_of.isoformat()}"),
    ]


def _chain_scope(unit: str | None) -> str:
    """A unit's report follows its own chain, from the plan down through the unit and those below it.
    The region's shows the plan, its strategies and the council's goals with their indicators; the
    committees' goals are summarised by the fulfilment table, as the issue asks, and the whole chain
    of a large region is some 9 MB that no one reads in a report."""
    return f"&unit={unit}" if unit else "&levels=council"


def _employee_only(fulfilment: dict[str, Any]) -> dict[str, Any]:
    """T1 carries the employee perspective of the goals, with the totals recounted for it."""
    rows = [r for r in fulfilment.get("rows", []) if r.get("perspective") == EMPLOYEE_PERSPECTIVE]
    totals = {colour: sum(r.get(colour, 0) for r in rows) for colour in ("green", "yellow", "red", "grey")}
    return {**fulfilment, "rows": rows, "totals": totals, "perspective": EMPLOYEE_PERSPECTIVE}


def _items(data: Any) -> list[dict[str, Any]]:
    return list(data.get("items", [])) if isinstance(data, dict) else []


async def build_report(
    proxy: Proxy, caller: SignedIn, kind: str, year: int, period: ReportPeriod, unit: str | None
) -> Report:
    """Ask the services at once and put their answers together; what does not come is listed as missing."""
    asks = [*_asks(year, period, unit), analysis_ask(kind, year, period, unit)]
    results = await asyncio.gather(*(_ask(proxy, caller, ask) for ask in asks))
    answers = dict(zip([ask.section for ask in asks], results, strict=True))
    got = {section: answer.data for section, answer in answers.items() if answer.missing is None}
    missing = [answer.missing for answer in answers.values() if answer.missing is not None]
    goals = None
    if "goals.fulfilment" in got:
        fulfilment = got["goals.fulfilment"]
        goals = GoalsSection(
            fulfilment=_employee_only(fulfilment) if period is ReportPeriod.T1 else fulfilment,
            perspectives={p["code"]: p["name"] for p in _items(got.get("goals.perspectives"))},
            quality=got.get("goals.quality"),
            report_to_council=_items(got.get("goals.report_to_council")),
            chain=got.get("goals.chain"),
            assignments=_items(got.get("goals.assignments")),
        )
    economy = None
    if "economy.economy" in got:
        economy = EconomySection(
            economy=got["economy.economy"], investments=got.get("economy.investments"), grants=got.get("economy.grants")
        )
    audit = AuditSection(overview=got["audit.overview"]) if "audit.overview" in got else None
    edition = next(iter(_items(got.get(ANALYSIS))), None)
    return Report(
        kind=kind,
        year=year,
        period=period,
        unit=unit,
        generated_at=datetime.now(UTC),
        complete=not missing,
        missing=missing,
        goals=goals,
        economy=economy,
        audit=audit,
        analysis=analysis_of(edition),
        edition=stamp_of(edition),
    )


ANALYSIS = "analysis"


def analysis_ask(kind: str, year: int, period: ReportPeriod, unit: str | None) -> Ask:
    """The report's edition in the goals service, with the analysis texts the caller may read."""
    scope = f"unit={unit}" if unit else "region=true"
    return Ask(ANALYSIS, "goals", "/report-editions", f"kind={kind}&year={year}&period={period.value}&{scope}")


def analysis_of(edition: dict[str, Any] | None) -> list[AnalysisText]:
    """The texts written so far; empty sections are left out of the report."""
    if edition is None:
        return []
    return [
        AnalysisText(unit_code=s["unit_code"], topic=s["topic"], text=s["text"], ready=s["ready"])
        for s in edition["sections"]
        if s["text"].strip()
    ]


def stamp_of(edition: dict[str, Any] | None) -> EditionStamp | None:
    if edition is None:
        return None
    return EditionStamp(
        id=str(edition["id"]),
        status=edition["status"],
        completed_at=edition["completed_at"],
        completed_by=edition["completed_by"],
        completed_by_name=edition["completed_by_name"],
        data_versions=edition["data_versions"],
    )
