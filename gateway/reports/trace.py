"""The trace: one item followed through every link to the indicators that should show its effect.

A recommendation → the body's response (and its decision) → the actions on it → the goals and indicators
each action names; a grant → the goals it serves and the indicators it and its yearly uses name; a risk
of internal control → the goals and activities it threatens and those goals' indicators. Each
indicator comes with its values before the decision (or the grant's start) and since, its target and
colour. The board sees at a glance what has no action, which action moves no indicator, and which
indicator has not moved.

The services are asked with the caller's own rights, so each shows what the caller may read, in a fixed
number of requests whatever the trace holds, by id filters and never per row: for a recommendation the
audit service twice and the goals service twice, for a grant the budget service once and the goals
service twice, for a risk the audit service once and the goals service three times. A goal or indicator
named that the caller may not read, or that is gone, is listed as not shown; the goals service not
answering leaves the trace incomplete, not failed.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from gateway.openapi import ServiceAnswer, documented_as
from gateway.proxy import Proxy, SignedIn
from gateway.reports.documents.html import REPORT_CSP
from gateway.reports.documents.text import Language
from gateway.reports.documents.worker import DOCUMENTS
from gateway.reports.formats import DOCUMENT_CONTENT, DOCX, PDF, FormatQuery, ReportFormat
from gateway.reports.missing import MissingSection
from shared.asof import today_in_sweden
from shared.auth.access import ANY_ROLE, access, read_record
from shared.errors import DomainError, Forbidden, NotFound, Unauthorized, error_responses
from shared.exports import attachment

# The goals service answers pages of at most this many; an action names at most 50 of each.
PAGE = 500
# Parts of the audit service's answers a trace passes on as they came (and documents as such).
RECOMMENDATION = ServiceAnswer("audit", "/recommendations/{recommendation_id}")
DECISION = ServiceAnswer(RECOMMENDATION.service, RECOMMENDATION.path, ("response", "decision"))
VERDICTS = ServiceAnswer(RECOMMENDATION.service, RECOMMENDATION.path, ("verdicts",))
RISK = ServiceAnswer("audit", "/internal-control/risks/{risk_id}")
PLAN_DECISION = ServiceAnswer(RISK.service, RISK.path, ("plan_decision",))
CONTROLS = ServiceAnswer(RISK.service, RISK.path, ("controls",))


class FlagKind(StrEnum):
    recommendation_without_action = "recommendation_without_action"
    action_without_indicator = "action_without_indicator"
    indicator_not_moved = "indicator_not_moved"
    grant_without_goal = "grant_without_goal"
    grant_without_indicator = "grant_without_indicator"
    risk_without_goal = "risk_without_goal"


class Change(StrEnum):
    better = "better"
    worse = "worse"
    unchanged = "unchanged"
    unknown = "unknown"


class Flag(BaseModel):
    """Something the board should see: a link missing from the chain, or an indicator that has not moved."""

    kind: FlagKind
    id: uuid.UUID = Field(description="The recommendation, action or indicator flagged")
    message: str


class Point(BaseModel):
    period: str
    period_end: date
    value: str | None = Field(description="Exact, as a decimal string")


class TracedIndicator(BaseModel):
    id: uuid.UUID
    name: str
    unit_of_measure: str
    unit_code: str
    goal_id: uuid.UUID | None
    direction: str
    target: str | None = Field(description="The target of the latest value's year")
    colour: str = Field(description="green, yellow, red or grey: the latest value against that target")
    before: Point | None = Field(
        description="The last value of a period ended on or before the decision; else the indicator's baseline "
        "if its year is not after the decision's"
    )
    before_is_baseline: bool
    since: list[Point] = Field(description="The values of periods ended after the decision")
    latest: Point | None
    change: Change = Field(description="The latest value since the decision against the one before it")
    named_by: list[uuid.UUID] = Field(
        description="What names it: the actions; in a grant's trace the grant; in a risk's the risk, its activities "
        "or (an indicator) the goal it measures"
    )
    years: list[int] = Field(default_factory=list, description="In a grant's trace: the years whose use names it")


class TracedGoal(BaseModel):
    id: uuid.UUID
    title: str
    unit_code: str
    status: str
    named_by: list[uuid.UUID] = Field(
        description="What names it: the actions; in a grant's trace the grant; in a risk's the risk, its activities "
        "or (an indicator) the goal it measures"
    )


class TracedAction(BaseModel):
    id: uuid.UUID
    title: str
    body_code: str
    owner: str | None
    status: str
    deadline_on: date | None
    finished_on: date | None
    overdue: bool = Field(description="Past its deadline today and neither done nor cancelled")
    goal_ids: list[uuid.UUID]
    indicator_ids: list[uuid.UUID]


class TracedResponse(BaseModel):
    id: uuid.UUID
    status: str
    text: str
    decided_on: date | None
    decision: Annotated[dict[str, Any], documented_as(DECISION)] | None = Field(
        description="The body's decision on the response, once taken"
    )


class AuditReportBrief(BaseModel):
    """The audit report a recommendation is in, briefly."""

    id: uuid.UUID
    title: str
    audit_year: int
    received_on: date | None


class TracedRecommendation(BaseModel):
    id: uuid.UUID
    number: int
    body_code: str
    text: str
    status: str
    response_due_on: date | None
    closed_on: date | None
    report: AuditReportBrief | None = Field(description="The audit report, if the audit service gave it")


class RecommendationTrace(BaseModel):
    """One recommendation followed to the indicators its actions should move."""

    as_of: date = Field(description="Today in Swedish time: the day colours and overdue are judged")
    recommendation: TracedRecommendation
    response: TracedResponse | None
    decided_on: date | None = Field(
        description="The day values are compared from: the response's decision, else the report's arrival"
    )
    decided_on_from: str | None = Field(examples=["response_decision", "report_received"])
    actions: list[TracedAction]
    goals: list[TracedGoal]
    indicators: list[TracedIndicator]
    verdicts: Annotated[list[dict[str, Any]], documented_as(VERDICTS)] = Field(
        description="The auditors' follow-up verdicts on the recommendation"
    )
    not_shown: list[uuid.UUID] = Field(
        description="Goals and indicators an action names that the goals service does not show the caller"
    )
    flags: list[Flag]
    complete: bool = Field(description="Every service answered")
    missing: list[MissingSection]


class TracedGrant(BaseModel):
    id: uuid.UUID
    name: str
    grantor: str
    first_year: int
    last_year: int
    amount: str
    used_total: str
    coordinator_unit: str
    coordinator: str
    reporting_deadline: date | None
    effect_reported: str | None


class TracedUse(BaseModel):
    year: int
    used: str
    indicator_ids: list[uuid.UUID]


class GrantTrace(BaseModel):
    """One targeted state grant followed to the goals it serves and the indicators that show its effect."""

    as_of: date = Field(description="Today in Swedish time: the day colours are judged")
    grant: TracedGrant
    uses: list[TracedUse]
    started_on: date = Field(description="The day values are compared from: the grant's first year's start")
    goals: list[TracedGoal]
    indicators: list[TracedIndicator]
    not_shown: list[uuid.UUID] = Field(
        description="Goals and indicators the grant names that the goals service does not show the caller"
    )
    flags: list[Flag]
    complete: bool = Field(description="Every service answered")
    missing: list[MissingSection]


class TracedRisk(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    likelihood: int
    consequence: int
    score: int
    colour: str
    needs_control: bool
    body_code: str
    year: int
    processes: list[str] = Field(description="The region's processes the risk threatens, by name")
    plan_status: str
    plan_decision: Annotated[dict[str, Any], documented_as(PLAN_DECISION)] | None = Field(
        description="The decision on the risk's control plan, once taken"
    )


class TracedActivity(BaseModel):
    id: uuid.UUID
    title: str
    unit_code: str
    goal_id: uuid.UUID
    owner: str | None
    status: str
    start_on: date | None
    end_on: date | None


class RiskTrace(BaseModel):
    """One risk of internal control followed to the goals and activities it threatens and their indicators."""

    as_of: date = Field(description="Today in Swedish time: the day colours are judged")
    risk: TracedRisk
    controls: Annotated[list[dict[str, Any]], documented_as(CONTROLS)] = Field(
        description="Its controls with their results, as the plan has them"
    )
    compared_from: date = Field(description="Values are compared from the plan's decision, else its year's start")
    goals: list[TracedGoal]
    activities: list[TracedActivity]
    indicators: list[TracedIndicator] = Field(description="The indicators of the goals threatened")
    not_shown: list[uuid.UUID] = Field(
        description="Goals and activities the risk names that the goals service does not show the caller"
    )
    flags: list[Flag]
    complete: bool = Field(description="Every service answered")
    missing: list[MissingSection]


async def trace_reader(request: Request) -> SignedIn:
    """The signed-in caller, if they may read reports (any role, or read:decided); before the path is read."""
    proxy: Proxy = request.app.state.proxy
    caller = await proxy.signed_in_caller(request)
    if not caller.principal.reads_decided:
        raise Forbidden("Reports are read with a role, or the read:decided scope", required="read:decided")
    return caller


TraceReader = Annotated[SignedIn, Depends(trace_reader)]


class ServiceRefused(Exception):
    """The audit service answered the recommendation with something other than 200: passed on as it came."""

    def __init__(self, status: int, content: bytes, media_type: str) -> None:
        super().__init__(status)
        self.response = Response(content, status_code=status, media_type=media_type)


async def _get(proxy: Proxy, caller: SignedIn, service: str, path: str, query: dict[str, Any]) -> Any:
    """GET from a service as the caller; a refusal or failure raises ServiceRefused or a DomainError."""
    base = proxy.settings.service_urls()[service]
    headers = {"authorization": f"Bearer {caller.internal_token}", "accept": "application/json"}
    response = await proxy.send(service, "GET", f"{base}{path}", urlencode(query, doseq=True), headers)
    if response.status_code != 200:
        media_type = response.headers.get("content-type", "application/problem+json")
        raise ServiceRefused(response.status_code, response.content, media_type)
    return response.json()


async def _items(
    proxy: Proxy, caller: SignedIn, path: str, ids: list[str], section: str, missing: list[MissingSection]
) -> list[dict[str, Any]]:
    """One page of the goals service's records by id; what it cannot give is said in `missing`."""
    if not ids:
        return []
    try:
        found = await _get(proxy, caller, "goals", path, {"ids": ids, "limit": PAGE})
    except ServiceRefused as refused:
        reason = f"the goals service answered {refused.response.status_code}"
        missing.append(MissingSection(section=section, service="goals", reason=reason))
        return []
    except DomainError as failed:
        missing.append(MissingSection(section=section, service="goals", reason=failed.detail or failed.title))
        return []
    return list(found["items"])


async def _report(
    proxy: Proxy, caller: SignedIn, report_id: str, missing: list[MissingSection]
) -> dict[str, Any] | None:
    """The recommendation's audit report, briefly; the trace stands without it."""
    try:
        report = await _get(proxy, caller, "audit", f"/reports/{report_id}", {})
    except (ServiceRefused, DomainError):
        missing.append(MissingSection(section="report", service="audit", reason="the audit report was not given"))
        return None
    return {k: report[k] for k in ("id", "title", "audit_year", "received_on") if k in report}


def _point(raw: dict[str, Any] | None) -> Point | None:
    if raw is None:
        return None
    return Point(period=raw["period"], period_end=raw["period_end"], value=raw["value"])


def _change(direction: str, before: Point | None, latest_since: Point | None) -> Change:
    if before is None or latest_since is None or before.value is None or latest_since.value is None:
        return Change.unknown
    difference = Decimal(latest_since.value) - Decimal(before.value)
    if difference == 0:
        return Change.unchanged
    higher = difference > 0
    return Change.better if higher == (direction == "higher_is_better") else Change.worse


def _baseline(raw: dict[str, Any], decided_on: date | None) -> Point | None:
    """The indicator's baseline, when it stood before the decision: a value to compare with where none was measured."""
    year, value = raw.get("baseline_year"), raw.get("baseline_value")
    if year is None or value is None or decided_on is None or year > decided_on.year:
        return None
    return Point(period=str(year), period_end=date(year, 12, 31), value=value)


def _indicator(
    raw: dict[str, Any], decided_on: date | None, by: list[uuid.UUID], years: list[int] | None = None
) -> TracedIndicator:
    measured = [p for p in raw["measurements"] if p["value"] is not None]
    cut = decided_on or date.min
    before = [p for p in measured if date.fromisoformat(p["period_end"]) <= cut]
    since = [_point(p) for p in measured if date.fromisoformat(p["period_end"]) > cut]
    before_point = _point(before[-1]) if before else _baseline(raw, decided_on)
    since_points = [p for p in since if p is not None]
    return TracedIndicator(
        id=raw["id"],
        name=raw["name"],
        unit_of_measure=raw["unit_of_measure"],
        unit_code=raw["unit_code"],
        goal_id=raw["goal_id"],
        direction=raw["direction"],
        target=raw["latest_target"],
        colour=raw["colour"],
        before=before_point,
        before_is_baseline=not before and before_point is not None,
        since=since_points,
        latest=_point(raw["latest"]),
        change=_change(raw["direction"], before_point, since_points[-1] if since_points else None),
        named_by=by,
        years=years or [],
    )


def _action(raw: dict[str, Any], today: date) -> TracedAction:
    deadline = date.fromisoformat(raw["deadline_on"]) if raw["deadline_on"] else None
    finished = raw["status"] in ("done", "cancelled")
    return TracedAction(
        id=raw["id"],
        title=raw["title"],
        body_code=raw["body_code"],
        owner=raw["owner"],
        status=raw["status"],
        deadline_on=deadline,
        finished_on=raw["finished_on"],
        overdue=bool(deadline and deadline < today and not finished),
        goal_ids=raw["goal_ids"],
        indicator_ids=raw.get("indicator_ids", []),
    )


def _named_by(actions: list[TracedAction], field: str) -> dict[str, list[uuid.UUID]]:
    """Each linked id (as text) with the actions that name it, in the actions' order."""
    named: dict[str, list[uuid.UUID]] = {}
    for action in actions:
        for linked in getattr(action, field):
            named.setdefault(str(linked), []).append(action.id)
    return named


def _decision_day(response: TracedResponse | None, report: dict[str, Any] | None) -> tuple[date | None, str | None]:
    if response is not None and response.decided_on is not None:
        return response.decided_on, "response_decision"
    if report is not None and report.get("received_on"):
        return date.fromisoformat(report["received_on"]), "report_received"
    return None, None


class StillReason(StrEnum):
    """Why an indicator counts as not moved since the decision."""

    unchanged = "unchanged"
    no_value_since = "no_value_since"
    no_value_before = "no_value_before"


STILL_WORDS = {
    StillReason.unchanged: "unchanged since the decision",
    StillReason.no_value_since: "no value since the decision",
    StillReason.no_value_before: "no value before the decision to compare",
}


def still_reason(indicator: TracedIndicator) -> StillReason | None:
    """Why the indicator has not moved since the decision: unchanged, or nothing to compare; None if it moved."""
    if indicator.change is Change.unchanged:
        return StillReason.unchanged
    if indicator.change is Change.unknown:
        return StillReason.no_value_since if not indicator.since else StillReason.no_value_before
    return None


def _still(indicators: list[TracedIndicator]) -> list[Flag]:
    """The indicators that have not moved since the decision: unchanged, or nothing to compare."""
    flags = []
    for indicator in indicators:
        reason = still_reason(indicator)
        if reason is not None:
            message = f"{indicator.name}: {STILL_WORDS[reason]}"
            flags.append(Flag(kind=FlagKind.indicator_not_moved, id=indicator.id, message=message))
    return flags


def _flags(rec_id: uuid.UUID, actions: list[TracedAction], indicators: list[TracedIndicator]) -> list[Flag]:
    flags = []
    if not actions:
        flags.append(Flag(kind=FlagKind.recommendation_without_action, id=rec_id, message="No action answers it"))
    for action in actions:
        if not action.indicator_ids:
            message = f"{action.title}: names no indicator it should move"
            flags.append(Flag(kind=FlagKind.action_without_indicator, id=action.id, message=message))
    return flags + _still(indicators)


async def trace_recommendation(proxy: Proxy, caller: SignedIn, recommendation_id: uuid.UUID) -> RecommendationTrace:
    """Four requests: the recommendation with its response, actions and verdicts, and its report (audit);
    the goals and the indicators its actions name (goals), the last three at once."""
    today = today_in_sweden()
    detail = await _get(proxy, caller, "audit", RECOMMENDATION.at(recommendation_id=str(recommendation_id)), {})
    actions = [_action(a, today) for a in detail["actions"]]
    goals_named, indicators_named = _named_by(actions, "goal_ids"), _named_by(actions, "indicator_ids")
    missing: list[MissingSection] = []
    report_brief, goals, indicators = await asyncio.gather(
        _report(proxy, caller, detail["report_id"], missing),
        _items(proxy, caller, "/goals", list(goals_named), "goals", missing),
        _items(proxy, caller, "/indicators/series", list(indicators_named), "indicators", missing),
    )
    response = detail["response"]
    traced_response = (
        TracedResponse(
            id=response["id"],
            status=response["status"],
            text=response["text"],
            decided_on=(response["decision"] or {}).get("decided_on"),
            decision=response["decision"],
        )
        if response
        else None
    )
    decided_on, decided_from = _decision_day(traced_response, report_brief)
    traced_indicators = [_indicator(i, decided_on, indicators_named[str(i["id"])]) for i in indicators]
    shown = {str(g["id"]) for g in goals} | {str(i["id"]) for i in indicators}
    asked = [] if any(m.service == "goals" for m in missing) else [*goals_named, *indicators_named]
    return RecommendationTrace(
        as_of=today,
        recommendation=TracedRecommendation(**{**detail, "report": report_brief}),
        response=traced_response,
        decided_on=decided_on,
        decided_on_from=decided_from,
        actions=actions,
        goals=[
            TracedGoal(
                id=g["id"],
                title=g["title"],
                unit_code=g["unit_code"],
                status=g["status"],
                named_by=goals_named[g["id"]],
            )
            for g in goals
        ],
        indicators=traced_indicators,
        verdicts=detail["verdicts"],
        not_shown=[uuid.UUID(i) for i in asked if i not in shown],
        flags=_flags(recommendation_id, actions, traced_indicators),
        complete=not missing,
        missing=missing,
    )


def _grant_flags(grant: TracedGrant, goal_links: int, indicator_ids: list[str]) -> list[Flag]:
    flags = []
    if not goal_links:
        flags.append(Flag(kind=FlagKind.grant_without_goal, id=grant.id, message=f"{grant.name}: serves no goal"))
    if not indicator_ids:
        message = f"{grant.name}: names no indicator that shows its effect"
        flags.append(Flag(kind=FlagKind.grant_without_indicator, id=grant.id, message=message))
    return flags


async def trace_grant(proxy: Proxy, caller: SignedIn, grant_id: uuid.UUID) -> GrantTrace:
    """Three requests: the grant with its goal links and uses (budget), then its goals and indicators (goals)."""
    today = today_in_sweden()
    raw = await _get(proxy, caller, "budget", f"/grants/{grant_id}", {})
    grant = TracedGrant(**{k: raw[k] for k in TracedGrant.model_fields})
    uses = [TracedUse(year=u["year"], used=u["used"], indicator_ids=u["indicator_ids"]) for u in raw["used"]]
    goal_ids = list(dict.fromkeys(str(g["goal_id"]) for g in raw["goals"] if g["goal_id"]))
    years_of: dict[str, list[int]] = {str(i): [] for i in raw["indicator_ids"]}
    for use in uses:
        for indicator_id in use.indicator_ids:
            years_of.setdefault(str(indicator_id), []).append(use.year)
    missing: list[MissingSection] = []
    goals, indicators = await asyncio.gather(
        _items(proxy, caller, "/goals", goal_ids, "goals", missing),
        _items(proxy, caller, "/indicators/series", list(years_of), "indicators", missing),
    )
    started_on = date(grant.first_year, 1, 1)
    by_grant = set(map(str, raw["indicator_ids"]))
    traced = [
        _indicator(
            i, date.fromordinal(started_on.toordinal() - 1), [grant.id] if i["id"] in by_grant else []
        ).model_copy(update={"years": years_of[i["id"]]})
        for i in indicators
    ]
    shown = {str(g["id"]) for g in goals} | {str(i["id"]) for i in indicators}
    asked = [] if missing else [*goal_ids, *years_of]
    return GrantTrace(
        as_of=today,
        grant=grant,
        uses=uses,
        started_on=started_on,
        goals=[
            TracedGoal(id=g["id"], title=g["title"], unit_code=g["unit_code"], status=g["status"], named_by=[grant.id])
            for g in goals
        ],
        indicators=traced,
        not_shown=[uuid.UUID(i) for i in asked if i not in shown],
        flags=_grant_flags(grant, len(raw["goals"]), list(years_of)) + _still(traced),
        complete=not missing,
        missing=missing,
    )


async def trace_risk(proxy: Proxy, caller: SignedIn, risk_id: uuid.UUID) -> RiskTrace:
    """Four requests: the risk in its plan (audit); its activities, then the goals threatened directly or through
    them and those goals' indicators (goals)."""
    today = today_in_sweden()
    raw = await _get(proxy, caller, "audit", RISK.at(risk_id=str(risk_id)), {})
    risk = TracedRisk(**{k: raw[k] for k in TracedRisk.model_fields})
    missing: list[MissingSection] = []
    activity_ids = [str(a) for a in raw["activity_ids"]]
    activities = [
        TracedActivity(**{k: a[k] for k in TracedActivity.model_fields})
        for a in await _items(proxy, caller, "/activities", activity_ids, "activities", missing)
    ]
    named: dict[str, list[uuid.UUID]] = {str(g): [risk.id] for g in raw["goal_ids"]}
    for activity in activities:
        named.setdefault(str(activity.goal_id), []).append(activity.id)
    goals, indicators = await asyncio.gather(
        _items(proxy, caller, "/goals", list(named), "goals", missing),
        _goal_indicators(proxy, caller, list(named), missing),
    )
    decided = (raw["plan_decision"] or {}).get("decided_on")
    compared_from = date.fromisoformat(decided) if decided else date(risk.year, 1, 1)
    traced = [_indicator(i, compared_from, [uuid.UUID(str(i["goal_id"]))]) for i in indicators]
    shown = {str(g["id"]) for g in goals} | {str(a.id) for a in activities}
    asked = [] if missing else [*map(str, raw["goal_ids"]), *activity_ids]
    flags = (
        [] if named else [Flag(kind=FlagKind.risk_without_goal, id=risk.id, message=f"{risk.title}: threatens no goal")]
    )
    return RiskTrace(
        as_of=today,
        risk=risk,
        controls=raw["controls"],
        compared_from=compared_from,
        goals=[
            TracedGoal(
                id=g["id"], title=g["title"], unit_code=g["unit_code"], status=g["status"], named_by=named[str(g["id"])]
            )
            for g in goals
        ],
        activities=activities,
        indicators=traced,
        not_shown=[uuid.UUID(i) for i in dict.fromkeys(asked) if i not in shown],
        flags=flags + _still(traced),
        complete=not missing,
        missing=missing,
    )


async def _goal_indicators(
    proxy: Proxy, caller: SignedIn, goal_ids: list[str], missing: list[MissingSection]
) -> list[dict[str, Any]]:
    """The indicators of the goals named, with their values, in one request."""
    if not goal_ids:
        return []
    try:
        found = await _get(proxy, caller, "goals", "/indicators/series", {"goals": goal_ids, "limit": PAGE})
    except (ServiceRefused, DomainError):
        missing.append(MissingSection(section="indicators", service="goals", reason="the indicators were not given"))
        return []
    return list(found["items"])


Trace = TypeVar("Trace", RecommendationTrace, GrantTrace, RiskTrace)


async def _unit_names(proxy: Proxy, caller: SignedIn) -> dict[str, str]:
    """The units' names, for a drawn trace to name its bodies as a reader knows them; codes if not given."""
    try:
        units = await _get(proxy, caller, "goals", "/units", {"limit": PAGE})
    except (ServiceRefused, DomainError):
        return {}
    return {str(u["code"]): str(u["name"]) for u in units["items"]}


async def in_format(
    trace: Trace,
    kind: str,
    item_id: uuid.UUID,
    report_format: ReportFormat,
    lang: Language,
    proxy: Proxy,
    caller: SignedIn,
) -> Trace | Response:
    """The trace as JSON (as it is), or drawn as the reports are: one short HTML page, Word document or PDF,
    its units named as the caller reads them in the goals service."""
    if report_format is ReportFormat.json:
        return trace
    headers = {"X-Report-Complete": "true" if trace.complete else "false"}
    if trace.missing:
        headers["X-Report-Missing"] = ", ".join(f"{m.section} ({m.service})" for m in trace.missing)
    data = {**trace.model_dump(mode="json"), "unit_names": await _unit_names(proxy, caller)}
    drawn = await DOCUMENTS.trace(report_format.value, kind, data, lang)
    if report_format is ReportFormat.html:
        return HTMLResponse(drawn, headers={"Content-Security-Policy": REPORT_CSP, **headers})
    name = f"trace-{kind}-{item_id}.{report_format.value}"
    return Response(
        drawn,
        media_type=DOCX if report_format is ReportFormat.docx else PDF,
        headers={"Content-Disposition": attachment(name), **headers},
    )


def trace_router() -> APIRouter:
    """Follow-through reports: an item followed through every link, read with the caller's own rights."""
    router = APIRouter(prefix="/api/reports/trace", tags=["reports"])
    rule = access(ANY_ROLE.noting("each step shows what the caller may read in its service"))

    @router.get(
        "/recommendations/{recommendation_id}",
        operation_id="get_recommendation_trace",
        summary="A recommendation followed to its response, actions, goals and indicators, with what is missing",
        response_model=RecommendationTrace,
        responses={**DOCUMENT_CONTENT, **error_responses(Unauthorized, Forbidden, NotFound)},
        **rule,
    )
    async def recommendation_trace(
        caller: TraceReader,
        request: Request,
        recommendation_id: Annotated[uuid.UUID, Path(description="The recommendation's id in the audit service")],
        report_format: FormatQuery = ReportFormat.json,
        lang: Language = Language.sv,
    ) -> RecommendationTrace | Response:
        try:
            trace = await trace_recommendation(request.app.state.proxy, caller, recommendation_id)
        except ServiceRefused as refused:
            return refused.response
        return await in_format(
            trace, "recommendation", recommendation_id, report_format, lang, request.app.state.proxy, caller
        )

    @router.get(
        "/grants/{grant_id}",
        operation_id="get_grant_trace",
        summary="A targeted state grant followed to its goals and the indicators that show its effect",
        response_model=GrantTrace,
        responses={**DOCUMENT_CONTENT, **error_responses(Unauthorized, Forbidden, NotFound)},
        **rule,
    )
    async def grant_trace(
        caller: TraceReader,
        request: Request,
        grant_id: Annotated[uuid.UUID, Path(description="The grant's id in the budget service")],
        report_format: FormatQuery = ReportFormat.json,
        lang: Language = Language.sv,
    ) -> GrantTrace | Response:
        try:
            trace = await trace_grant(request.app.state.proxy, caller, grant_id)
        except ServiceRefused as refused:
            return refused.response
        return await in_format(trace, "grant", grant_id, report_format, lang, request.app.state.proxy, caller)

    @router.get(
        "/risks/{risk_id}",
        operation_id="get_risk_trace",
        summary="A risk of internal control followed to the goals and activities it threatens and their indicators",
        response_model=RiskTrace,
        responses={**DOCUMENT_CONTENT, **error_responses(Unauthorized, Forbidden, NotFound)},
        # A draft plan's risks are its body's, as the audit service reads them (it enforces the same rule).
        **access(read_record("the record's body").noting("each step shows what the caller may read in its service")),
    )
    async def risk_trace(
        caller: TraceReader,
        request: Request,
        risk_id: Annotated[uuid.UUID, Path(description="The risk's id in the audit service")],
        report_format: FormatQuery = ReportFormat.json,
        lang: Language = Language.sv,
    ) -> RiskTrace | Response:
        try:
            trace = await trace_risk(request.app.state.proxy, caller, risk_id)
        except ServiceRefused as refused:
            return refused.response
        return await in_format(trace, "risk", risk_id, report_format, lang, request.app.state.proxy, caller)

    return router
