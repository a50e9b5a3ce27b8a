"""The follow-through section of the T2 and annual reports: the board sees at a glance which of the auditors'
recommendations have no action, which actions move no indicator, and which indicators have not moved.

As at the period's end, like every section: the recommendations open then (audit's `/follow-through`,
asked `as_of`), each action's status then, and of each indicator only the values of periods ended by
then. An indicator is judged as the trace judges it (trace.py): its last value before the decision on
the recommendation (the response's decision, else the report's arrival; its baseline where nothing
was measured before) against its latest value since. An indicator named by the actions of two
recommendations is judged once for each, from each one's decision.

The goals service is asked for the indicators named, with the caller's rights, in one request per 500
of them whatever the number of recommendations and actions; an indicator it does not show the caller
is counted as not shown, never judged or named.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from gateway.openapi import ServiceAnswer
from gateway.reports.trace import Change, Point, StillReason, _indicator, still_reason

FOLLOW_THROUGH = ServiceAnswer("audit", "/follow-through")
SERIES = ServiceAnswer("goals", "/indicators/series")
# The most ids one request to the goals service names (its page and its `ids` limit).
SERIES_PAGE = 500


class RecommendationRef(BaseModel):
    """A recommendation as a list names it: its audit report and number."""

    id: uuid.UUID
    body_code: str
    report_title: str
    number: int


class UnansweredRecommendation(RecommendationRef):
    """A recommendation open at the period's end that no action answers."""

    text: str
    report_received_on: date | None
    response_due_on: date | None
    response_decided_on: date | None = Field(description="The meeting that decided the response, if by as_of")


class UnlinkedAction(BaseModel):
    """An action on an open recommendation that names no indicator it should move."""

    id: uuid.UUID
    title: str
    body_code: str
    status: str = Field(description="As it stood at the period's end")
    goal_ids: list[uuid.UUID] = Field(description="The goals it names, if any: a goal alone shows no movement")
    answers: list[RecommendationRef] = Field(description="The open recommendations it answers")


class StillIndicator(BaseModel):
    """An indicator an action names that had not moved, by the period's end, since the decision on the
    recommendation the action answers."""

    id: uuid.UUID
    name: str
    unit_code: str
    unit_of_measure: str
    recommendation: RecommendationRef
    action_ids: list[uuid.UUID] = Field(description="The recommendation's actions that name it")
    compared_from: date | None = Field(
        description="The day values are compared from: the response's decision, else the report's arrival"
    )
    compared_from_kind: str | None = Field(examples=["response_decision", "report_received"])
    before: Point | None = Field(
        description="The last value of a period ended on or before that day; else the baseline if its year is not "
        "after it"
    )
    before_is_baseline: bool
    latest: Point | None = Field(description="The latest value of a period ended after that day and by as_of")
    change: Change
    reason: StillReason = Field(description="unchanged, no value since the decision, or none before it to compare")


class FollowThroughCounts(BaseModel):
    """What the section flags, counted."""

    recommendations: int = Field(description="Recommendations open at the period's end")
    without_action: int = Field(description="Of them, those no action answers")
    actions: int = Field(description="The actions on them, each counted once")
    without_indicator: int = Field(description="Of them, those that name no indicator")
    indicators: int = Field(
        description="Indicators the actions name and the caller may read, once per recommendation they answer"
    )
    not_moved: int = Field(description="Of them, those that had not moved since the recommendation's decision")
    not_shown: int = Field(
        description="Indicators named that the goals service does not show the caller, once per recommendation"
    )


class FollowThroughBody(FollowThroughCounts):
    """One body's counts: its recommendations and their indicators, and its own actions."""

    body_code: str


class FollowThroughSection(BaseModel):
    """Which recommendations open at the period's end have no action, which of their actions name no indicator,
    and which named indicators have not moved since the decision: counted for the report and per body, and
    listed."""

    as_of: date = Field(description="The date the section answers for: what belonged to it, nothing later")
    totals: FollowThroughCounts
    bodies: list[FollowThroughBody] = Field(description="Per body with open recommendations or actions on them")
    without_action: list[UnansweredRecommendation]
    without_indicator: list[UnlinkedAction]
    not_moved: list[StillIndicator]
    not_shown: list[uuid.UUID] = Field(description="The indicators named that the goals service does not show")
    indicators_judged: bool = Field(
        description="Whether the goals service answered: if not, no indicator is judged and the report says why"
    )


def named_indicators(answer: dict[str, Any]) -> list[str]:
    """Every indicator the open recommendations' actions name, once, in the order named."""
    named = (i for rec in answer["recommendations"] for a in rec["actions"] for i in a["indicator_ids"])
    return list(dict.fromkeys(str(i) for i in named))


def series_chunks(ids: list[str]) -> list[list[str]]:
    return [ids[start : start + SERIES_PAGE] for start in range(0, len(ids), SERIES_PAGE)]


def _as_at(raw: dict[str, Any], as_of: date) -> dict[str, Any]:
    """The indicator as the goals service gives it, with only the values of periods ended by `as_of`."""
    measured = [p for p in raw["measurements"] if date.fromisoformat(str(p["period_end"])) <= as_of]
    valued = [p for p in measured if p["value"] is not None]
    return {**raw, "measurements": measured, "latest": valued[-1] if valued else None}


def _ref(rec: dict[str, Any]) -> RecommendationRef:
    return RecommendationRef(
        id=rec["id"], body_code=rec["body_code"], report_title=rec["report_title"], number=rec["number"]
    )


def _compared_from(rec: dict[str, Any]) -> tuple[date | None, str | None]:
    """As the trace: the response's decision by the period's end, else the report's arrival."""
    if rec.get("response_decided_on"):
        return date.fromisoformat(str(rec["response_decided_on"])), "response_decision"
    if rec.get("report_received_on"):
        return date.fromisoformat(str(rec["report_received_on"])), "report_received"
    return None, None


def _still_of(
    rec: dict[str, Any], series: dict[str, dict[str, Any]], as_of: date
) -> tuple[list[StillIndicator], int, set[str]]:
    """The recommendation's named indicators that have not moved; how many were judged; the ids not shown."""
    named: dict[str, list[uuid.UUID]] = defaultdict(list)
    for action in rec["actions"]:
        for indicator_id in action["indicator_ids"]:
            named[str(indicator_id)].append(uuid.UUID(str(action["id"])))
    compared_from, kind = _compared_from(rec)
    still, judged, hidden = [], 0, set()
    for indicator_id, action_ids in named.items():
        raw = series.get(indicator_id)
        if raw is None:
            hidden.add(indicator_id)
            continue
        judged += 1
        traced = _indicator(_as_at(raw, as_of), compared_from, action_ids)
        reason = still_reason(traced)
        if reason is None:
            continue
        still.append(
            StillIndicator(
                id=traced.id,
                name=traced.name,
                unit_code=traced.unit_code,
                unit_of_measure=traced.unit_of_measure,
                recommendation=_ref(rec),
                action_ids=action_ids,
                compared_from=compared_from,
                compared_from_kind=kind,
                before=traced.before,
                before_is_baseline=traced.before_is_baseline,
                latest=traced.since[-1] if traced.since else None,
                change=traced.change,
                reason=reason,
            )
        )
    return sorted(still, key=lambda s: (s.name, str(s.id))), judged, hidden


class _Tally:
    """Counts per body as the section is built."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FollowThroughCounts.model_fields, 0))

    def add(self, body: str, field: str, n: int = 1) -> None:
        self.counts[body][field] += n

    def bodies(self) -> list[FollowThroughBody]:
        return [FollowThroughBody(body_code=code, **self.counts[code]) for code in sorted(self.counts)]

    def totals(self) -> FollowThroughCounts:
        fields = FollowThroughCounts.model_fields
        return FollowThroughCounts(**{f: sum(c[f] for c in self.counts.values()) for f in fields})


def follow_through_section(
    answer: dict[str, Any], series: Iterable[dict[str, Any]] | None, as_of: date
) -> FollowThroughSection:
    """The section from the audit service's `/follow-through` answer and the goals service's series of the
    indicators named (None when it did not answer: then no indicator is judged)."""
    shown = {str(i["id"]): i for i in series or []}
    tally = _Tally()
    without_action: list[UnansweredRecommendation] = []
    unlinked: dict[str, UnlinkedAction] = {}
    counted_actions: set[str] = set()
    not_moved: list[StillIndicator] = []
    not_shown: dict[str, None] = {}
    for rec in answer["recommendations"]:
        body = rec["body_code"]
        tally.add(body, "recommendations")
        if not rec["actions"]:
            tally.add(body, "without_action")
            without_action.append(UnansweredRecommendation(**rec))
        for action in rec["actions"]:
            action_id = str(action["id"])
            if action_id not in counted_actions:
                counted_actions.add(action_id)
                tally.add(action["body_code"], "actions")
                if not action["indicator_ids"]:
                    tally.add(action["body_code"], "without_indicator")
            if not action["indicator_ids"]:
                found = unlinked.setdefault(
                    action_id,
                    UnlinkedAction(
                        id=action["id"],
                        title=action["title"],
                        body_code=action["body_code"],
                        status=action["status"],
                        goal_ids=action["goal_ids"],
                        answers=[],
                    ),
                )
                found.answers.append(_ref(rec))
        if series is None:
            continue
        still, judged, hidden = _still_of(rec, shown, as_of)
        tally.add(body, "indicators", judged)
        tally.add(body, "not_moved", len(still))
        tally.add(body, "not_shown", len(hidden))
        not_moved += still
        not_shown.update(dict.fromkeys(sorted(hidden)))
    return FollowThroughSection(
        as_of=as_of,
        totals=tally.totals(),
        bodies=tally.bodies(),
        without_action=without_action,
        without_indicator=list(unlinked.values()),
        not_moved=not_moved,
        not_shown=[uuid.UUID(i) for i in not_shown],
        indicators_judged=series is not None,
    )
