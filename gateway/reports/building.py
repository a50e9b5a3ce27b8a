"""Reports that combine the three services: the interim reports T1 and T2, and the annual report.

The gateway asks every service at once, with the caller's own token (so each service applies its own
rules to what the caller may read) and its timeout. A service that does not answer leaves its
sections out, and the report says which and why instead of failing: such a report is a draft.

T1 centres on the economy and the employees (the employee perspective of the goals); T2 and the
annual report carry everything, the auditors' material included, and the annual report the year's
accounts.

A report speaks for its period's end (shared/asof.py): every service is asked `as_of` that date and
every section says the date it answers for. A section with nothing for the period says so in
`no_data`; a report whose goals, economy or accounts are empty for its period is not complete.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from gateway.openapi import ServiceAnswer, documented_as
from gateway.proxy import Proxy, SignedIn
from gateway.reports.follow_through import (
    FOLLOW_THROUGH,
    SERIES,
    SERIES_PAGE,
    FollowThroughSection,
    follow_through_section,
    named_indicators,
    series_chunks,
)
from gateway.reports.missing import MissingSection
from shared.asof import SWEDISH_TIME, in_swedish_time, period_end
from shared.errors import DomainError, NotFound

EMPLOYEE_PERSPECTIVE = "employee"
UNIT_ASK = "goals.unit"
FOLLOW_THROUGH_ASK = "follow_through"

# What the sections are made of: the services' answers, passed on as they came (and documented as such).
FULFILMENT = ServiceAnswer("goals", "/fulfilment")
REPORT_TO_COUNCIL = ServiceAnswer("goals", "/follow-ups/report-to-council", ("items",))
PERSPECTIVES = ServiceAnswer("goals", "/perspectives")
UNITS = ServiceAnswer("goals", "/units")
UNIT = ServiceAnswer("goals", "/units/{code}")
QUALITY = ServiceAnswer("goals", "/quality")
CHAIN = ServiceAnswer("goals", "/chain")
ASSIGNMENTS = ServiceAnswer("goals", "/assignments", ("items",))
REGION_ECONOMY = ServiceAnswer("budget", "/economy/region")
UNIT_ECONOMY = ServiceAnswer("budget", "/economy/units/{unit_code}")
ACCOUNTS = ServiceAnswer("budget", "/economy/region/accounts")
REGION_PLAN_PERIOD = ServiceAnswer("budget", "/economy/region/plan-period")
UNIT_PLAN_PERIOD = ServiceAnswer("budget", "/economy/units/{unit_code}/plan-period")
INVESTMENT_PLAN = ServiceAnswer("budget", "/investments/plan")
GRANTS = ServiceAnswer("budget", "/grants/summary")
AUDIT_OVERVIEW = ServiceAnswer("audit", "/overview")
BODY_STATUS = ServiceAnswer("audit", "/bodies/{body_code}/status")
EDITIONS = ServiceAnswer("goals", "/report-editions")


class UnknownUnit(NotFound):
    code = "unknown-unit"
    title = "No such org unit"


class ReportPeriod(StrEnum):
    T1 = "T1"
    T2 = "T2"
    year = "year"


class NoData(BaseModel):
    """A section with nothing for the report's period, said in words instead of an empty table."""

    section: str = Field(examples=["economy.accounts"])
    reason: str = Field(examples=["No ledger rows for 2021"])
    required: bool = Field(
        description="Whether the report needs this section to be complete (goals, economy, the annual accounts)"
    )


AS_OF_FIELD = Field(description="The date the section answers for: what belonged to it, nothing later")


class GoalsSection(BaseModel):
    """The goals service's view: fulfilment, how measurable the goals are, what to report to the council."""

    as_of: date = AS_OF_FIELD
    fulfilment: Annotated[dict[str, Any], documented_as(FULFILMENT)] = Field(
        description="Goals by colour per unit and perspective (`/fulfilment`); in T1 only the employee "
        "perspective's rows, with the totals counted for them and `perspective: employee`"
    )
    perspectives: dict[str, str] = Field(
        default_factory=dict, description="The region's perspectives, code to name, in their order"
    )
    quality: Annotated[dict[str, Any], documented_as(QUALITY)] | None = Field(
        default=None, description="Measurable goals and orphans (`/quality`); not in T1"
    )
    report_to_council: Annotated[list[dict[str, Any]], documented_as(REPORT_TO_COUNCIL)] = Field(
        default_factory=list, description="Goals forecast as not met, to be reported to the council"
    )
    chain: Annotated[dict[str, Any], documented_as(CHAIN)] | None = Field(
        default=None,
        description="Plan, strategies and goals with indicators, latest values and trends: for the region the "
        "council's goals (`/chain?levels=council`), for a unit its own chain (`/chain?unit=…`)",
    )
    assignments: Annotated[list[dict[str, Any]], documented_as(ASSIGNMENTS)] = Field(
        default_factory=list, description="The assignments as at the period's end (`/assignments`)"
    )


class EconomySection(BaseModel):
    """The budget service's view: frames, year-to-date outcome, forecasts, deviations, the result."""

    as_of: date = AS_OF_FIELD
    economy: Annotated[dict[str, Any], documented_as(REGION_ECONOMY, UNIT_ECONOMY)] = Field(
        description="For the region with its units (`/economy/region`), or for the report's unit (`/economy/units`)"
    )
    plan_period: Annotated[dict[str, Any], documented_as(REGION_PLAN_PERIOD, UNIT_PLAN_PERIOD)] | None = Field(
        default=None,
        description="The report's year as the budget year and its two plan years, as decided by the period's end: "
        "the frames, investments and, for the region, the room of each year's resource calculation and the "
        "scenarios the council had adopted by then (`/economy/region/plan-period`, `/economy/units/…/plan-period`)",
    )
    accounts: Annotated[dict[str, Any], documented_as(ACCOUNTS)] | None = Field(
        default=None,
        description="The annual report's accounts: income statement from the ledger, the result against its "
        "target and the balance requirement reconciliation (`/economy/region/accounts`); only the region's "
        "annual report",
    )
    investments: Annotated[dict[str, Any], documented_as(INVESTMENT_PLAN)] | None = Field(
        default=None, description="The investment plan, ten years on"
    )
    grants: Annotated[dict[str, Any], documented_as(GRANTS)] | None = Field(
        default=None, description="Targeted state grants and those with no goal"
    )


class AuditSection(BaseModel):
    """The audit service's view: open recommendations and actions per body, overdue items, statements,
    internal control."""

    as_of: date = AS_OF_FIELD
    overview: Annotated[dict[str, Any], documented_as(AUDIT_OVERVIEW, BODY_STATUS)] = Field(
        description="Every body's state for the region (`/overview`), for a unit its own (`/bodies/…/status`)"
    )


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
    as_of: date = Field(description="The period's end the report speaks for: T1 30 April, T2 31 August, 31 December")
    generated_at: datetime = Field(description="When the report was put together, in Swedish time")
    complete: bool = Field(description="Every section came, and none the report needs is empty for the period")
    missing: list[MissingSection]
    no_data: list[NoData] = Field(
        default_factory=list, description="Sections with nothing for the period, each said in words"
    )
    goals: GoalsSection | None
    economy: EconomySection | None
    audit: AuditSection | None = Field(description="In T2 and the annual report")
    follow_through: FollowThroughSection | None = Field(
        default=None,
        description="In T2 and the annual report: the auditors' recommendations open at the period's end with no "
        "action, their actions that name no indicator, and the indicators named that have not moved since the "
        "decision",
    )
    analysis: list[AnalysisText] = Field(
        default_factory=list, description="The units' analysis texts of the report's edition that the caller may read"
    )
    unit_names: dict[str, str] = Field(
        default_factory=dict, description="The name of each org unit by its code, for the documents"
    )
    edition: EditionStamp | None = Field(default=None, description="The report's edition, if one is opened")


@dataclass(frozen=True)
class Ask:
    section: str
    service: str
    path: str
    query: str = ""

    @classmethod
    def of(cls, section: str, answer: ServiceAnswer, query: str = "", **parameters: str) -> Ask:
        """Ask for the answer the section is documented as (`documented_as`), at the path its parameters name."""
        return cls(section, answer.service, answer.at(**parameters), query)


@dataclass(frozen=True)
class Answer:
    data: Any
    missing: MissingSection | None
    status: int | None = None  # the service's HTTP status, when it answered


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
        missing = MissingSection(section=ask.section, service=ask.service, reason=reason)
        return Answer(None, missing, response.status_code)
    return Answer(body, None, response.status_code)


def _asks(year: int, period: ReportPeriod, unit: str | None, as_of: date) -> list[Ask]:
    """What each section needs, from which service, as at the period's end."""
    unit_query = f"&unit={unit}" if unit else ""
    at = f"as_of={as_of.isoformat()}"
    goal_period = period.value
    follow_up = "T3" if period is ReportPeriod.year else period.value
    economy = UNIT_ECONOMY if unit else REGION_ECONOMY
    plan_period = UNIT_PLAN_PERIOD if unit else REGION_PLAN_PERIOD
    asks = [
        Ask.of("goals.fulfilment", FULFILMENT, f"year={year}&period={goal_period}&{at}{unit_query}"),
        Ask.of("goals.report_to_council", REPORT_TO_COUNCIL, f"year={year}&{at}&limit=500"),
        Ask.of("goals.perspectives", PERSPECTIVES, "limit=100"),
        Ask.of("goals.units", UNITS, "limit=500"),
        Ask.of("economy.economy", economy, f"year={year}&follow_up={follow_up}&{at}", unit_code=unit or ""),
        Ask.of("economy.plan_period", plan_period, f"year={year}&{at}", unit_code=unit or ""),
    ]
    if unit is not None:
        asks.append(Ask.of(UNIT_ASK, UNIT, code=unit))
    if period is ReportPeriod.T1:
        return asks
    audit = BODY_STATUS if unit else AUDIT_OVERVIEW
    asks += [
        Ask.of("goals.quality", QUALITY, f"year={year}&detail=summary&{at}{unit_query}"),
        Ask.of("goals.chain", CHAIN, f"year={year}&period={goal_period}&{at}{_chain_scope(unit)}"),
        Ask.of("goals.assignments", ASSIGNMENTS, f"{at}&limit=500"),
        Ask.of("economy.investments", INVESTMENT_PLAN, f"from_year={year}&{at}"),
        Ask.of("economy.grants", GRANTS, f"year={year}&{at}"),
        Ask.of("audit.overview", audit, at, body_code=unit or ""),
        Ask.of(FOLLOW_THROUGH_ASK, FOLLOW_THROUGH, at + (f"&body={unit}" if unit else "")),
    ]
    if period is ReportPeriod.year and unit is None:
        asks.append(Ask.of("economy.accounts", ACCOUNTS, f"year={year}"))
    return asks


def _refuse_unknown_unit(unit: str | None, answer: Answer | None) -> None:
    """A report for a unit the goals service does not know is refused, not drawn as a draft of empty sections.

    If the goals service cannot answer, the unit cannot be judged: the report is drawn and lists what is missing.
    """
    if unit is not None and answer is not None and answer.status == 404:
        raise UnknownUnit(f"There is no org unit {unit}", unit=unit)


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
    as_of = period_end(year, period.value)
    asks = [*_asks(year, period, unit, as_of), analysis_ask(kind, year, period, unit)]
    results = await asyncio.gather(*(_ask(proxy, caller, ask) for ask in asks))
    answers = dict(zip([ask.section for ask in asks], results, strict=True))
    _refuse_unknown_unit(unit, answers.pop(UNIT_ASK, None))
    got = {section: answer.data for section, answer in answers.items() if answer.missing is None}
    missing = [answer.missing for answer in answers.values() if answer.missing is not None]
    missing += _answered_for_another_date(got, {ask.section: ask.service for ask in asks}, as_of)
    for wrong in missing:
        got.pop(wrong.section, None)
    goals = None
    if "goals.fulfilment" in got:
        fulfilment = got["goals.fulfilment"]
        goals = GoalsSection(
            as_of=as_of,
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
            as_of=as_of,
            economy=got["economy.economy"],
            plan_period=got.get("economy.plan_period"),
            accounts=got.get("economy.accounts"),
            investments=got.get("economy.investments"),
            grants=got.get("economy.grants"),
        )
    audit = AuditSection(as_of=as_of, overview=got["audit.overview"]) if "audit.overview" in got else None
    follow_through = None
    if FOLLOW_THROUGH_ASK in got:
        follow_through = await _follow_through(proxy, caller, got[FOLLOW_THROUGH_ASK], as_of, missing)
    no_data = _sections_without_data(got, year)
    edition = next(iter(_items(got.get(ANALYSIS))), None)
    return Report(
        kind=kind,
        year=year,
        period=period,
        unit=unit,
        as_of=as_of,
        generated_at=datetime.now(SWEDISH_TIME),
        complete=not missing and not any(n.required for n in no_data),
        missing=missing,
        no_data=no_data,
        goals=goals,
        economy=economy,
        audit=audit,
        follow_through=follow_through,
        analysis=analysis_of(edition),
        unit_names={u["code"]: u["name"] for u in _items(got.get("goals.units"))},
        edition=stamp_of(edition),
    )


async def _follow_through(
    proxy: Proxy, caller: SignedIn, answer: dict[str, Any], as_of: date, missing: list[MissingSection]
) -> FollowThroughSection:
    """The follow-through section: the indicators the audit service's answer names are asked of the goals
    service with the caller's rights, 500 a request, all at once; if it does not answer, none is judged."""
    section = f"{FOLLOW_THROUGH_ASK}.indicators"
    asks = [
        Ask.of(section, SERIES, urlencode({"ids": ids, "limit": SERIES_PAGE}, doseq=True))
        for ids in series_chunks(named_indicators(answer))
    ]
    answers = await asyncio.gather(*(_ask(proxy, caller, ask) for ask in asks))
    failed = [a.missing for a in answers if a.missing is not None]
    missing += failed[:1]
    series = None if failed else [item for a in answers for item in _items(a.data)]
    return follow_through_section(answer, series, as_of)


def _answered_for_another_date(got: dict[str, Any], services: dict[str, str], as_of: date) -> list[MissingSection]:
    """A service that says it answered as at another date than asked cannot stand in this report."""
    wrong = []
    for section, data in got.items():
        said = data.get("as_of") if isinstance(data, dict) else None
        if said is not None and said != as_of.isoformat():
            service = services[section]
            reason = f"the {service} service answered as at {said}, not {as_of.isoformat()}"
            wrong.append(MissingSection(section=section, service=service, reason=reason))
    return wrong


def _sections_without_data(got: dict[str, Any], year: int) -> list[NoData]:
    """The sections that came but hold nothing for the period; goals, economy and accounts are required."""
    found = []
    fulfilment = got.get("goals.fulfilment")
    if fulfilment is not None and not fulfilment.get("rows"):
        found.append(NoData(section="goals.fulfilment", reason=f"No goals followed up for {year}", required=True))
    economy = got.get("economy.economy")
    if economy is not None and not _has_economy(economy):
        found.append(NoData(section="economy.economy", reason=f"No frames or outcomes for {year}", required=True))
    accounts = got.get("economy.accounts")
    if accounts is not None and not accounts.get("has_data", True):
        found.append(NoData(section="economy.accounts", reason=f"No ledger rows for {year}", required=True))
    if "goals.report_to_council" in got and not _items(got["goals.report_to_council"]):
        found.append(NoData(section="goals.report_to_council", reason="No goal forecast as not met", required=False))
    overview = got.get("audit.overview")
    if isinstance(overview, dict) and "bodies" in overview and not overview["bodies"]:
        found.append(NoData(section="audit.overview", reason="No audit material by the period's end", required=False))
    return found


def _has_economy(economy: dict[str, Any]) -> bool:
    """A unit's or the region's economy with a frame or an outcome; the region's lists its units."""
    units = economy["units"] if "units" in economy else [economy]
    return any(u.get("frame") is not None or _has_outcome(u) for u in units)


def _has_outcome(unit: dict[str, Any]) -> bool:
    outcome = unit.get("outcome_ytd") or {}
    return any(Decimal(str(v)) != 0 for k, v in outcome.items() if k not in ("costs", "net_cost") and v is not None)


ANALYSIS = "analysis"


def analysis_ask(kind: str, year: int, period: ReportPeriod, unit: str | None) -> Ask:
    """The report's edition in the goals service, with the analysis texts the caller may read."""
    scope = f"unit={unit}" if unit else "region=true"
    return Ask.of(ANALYSIS, EDITIONS, f"kind={kind}&year={year}&period={period.value}&{scope}")


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
        completed_at=_in_swedish_time(edition["completed_at"]),
        completed_by=edition["completed_by"],
        completed_by_name=edition["completed_by_name"],
        data_versions=edition["data_versions"],
    )


def _in_swedish_time(moment: str | None) -> datetime | None:
    return in_swedish_time(datetime.fromisoformat(moment)) if moment else None
