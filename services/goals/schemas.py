"""Request and response shapes of the goals service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.goals.models import (
    ActivityStatus,
    AssignmentStatus,
    Colour,
    Direction,
    EditionStatus,
    Forecast,
    IndicatorSource,
    Lifecycle,
    PeriodKind,
    ReportingPeriod,
    ReportKind,
    ReportTopic,
)
from shared.auth.policy import UnitKind
from shared.decisions import DecisionIn, DecisionRead, UnitCode
from shared.fields import SOME_TEXT, Day, ExactValue, ExactValueRead, NonNegativeValue, YearKey
from shared.pagination import Page
from shared.people import OwnerIn, OwnerRead, ReporterIn, ReporterRead

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SOME_TEXT)]
ExternalCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=SOME_TEXT)]


class _Validity(BaseModel):
    valid_from: Day | None = None
    valid_to: Day | None = None

    @model_validator(mode="after")
    def _valid_to_after_from(self) -> Self:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to must not be before valid_from")
        return self


class UnitCreate(_Validity):
    """A new org unit. Every unit but the council has a parent."""

    model_config = ConfigDict(extra="forbid")

    code: UnitCode
    name: Name
    kind: UnitKind
    parent_code: UnitCode | None = None
    external_code: ExternalCode | None = None


class UnitUpdate(_Validity):
    """Fields to change; those left out stay as they are. The code never changes."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    kind: UnitKind | None = None
    parent_code: UnitCode | None = None
    external_code: ExternalCode | None = None


class UnitRead(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    external_code: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class TreeNode(BaseModel):
    code: str
    name: str
    kind: UnitKind
    parent_code: str | None


class OrgTree(BaseModel):
    """The whole org structure in one answer, parents before children."""

    units: list[TreeNode]


# --- shared pieces -----------------------------------------------------------------------------

Year = Annotated[int, Field(ge=1990, le=2100)]
Text = Annotated[str, StringConstraints(max_length=20000)]
UnitOfMeasure = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=SOME_TEXT)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=SOME_TEXT)]
Value = ExactValue


class PerspectiveCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
    name: Name
    # Bounded so an absurd number is a 422, not an integer the database cannot hold.
    sort_order: int = Field(default=0, ge=0, le=1_000_000)


class PerspectiveRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    sort_order: int


# --- plans and strategies -----------------------------------------------------------------------


class StrategyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Text | None = None


class PlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    vision: Text | None = None
    start_year: Year
    end_year: Year
    strategies: list[StrategyIn] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.end_year < self.start_year:
            raise ValueError("end_year must not be before start_year")
        return self


class PlanUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    vision: Text | None = None
    start_year: Year | None = None
    end_year: Year | None = None


class StrategyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    plan_id: uuid.UUID
    number: int
    title: str
    description: str | None


class PlanRead(BaseModel):
    id: uuid.UUID
    title: str
    vision: str | None
    start_year: int
    end_year: int
    status: Lifecycle
    decision: DecisionRead | None
    strategies: list[StrategyRead]
    version: int


# --- goals --------------------------------------------------------------------------------------

Sdg = Annotated[int, Field(ge=1, le=17)]


class GoalCreate(OwnerIn):
    """A new goal, saved as a draft. Below the council it must link upward before it can be decided."""

    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    title: Title
    description: Text | None = None
    perspective: Annotated[str, StringConstraints(max_length=32)] | None = None
    financial: bool = Field(default=False, description="A financial goal / sound financial management")
    sdgs: list[Sdg] = Field(default_factory=list, max_length=17, description="Agenda 2030 goals, 1–17")
    start_year: Year
    end_year: Year | None = None
    parent_goal_id: uuid.UUID | None = None
    parent_strategy_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError("end_year must not be before start_year")
        if self.parent_goal_id and self.parent_strategy_id:
            raise ValueError("link to a goal or to a strategy, not both")
        if len(set(self.sdgs)) != len(self.sdgs):
            raise ValueError("each Agenda 2030 goal once")
        return self


class GoalUpdate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode | None = None
    title: Title | None = None
    description: Text | None = None
    perspective: Annotated[str, StringConstraints(max_length=32)] | None = None
    financial: bool | None = None
    sdgs: list[Sdg] | None = Field(default=None, max_length=17)
    start_year: Year | None = None
    end_year: Year | None = None
    parent_goal_id: uuid.UUID | None = None
    parent_strategy_id: uuid.UUID | None = None


class GoalRead(OwnerRead):
    id: uuid.UUID
    unit_code: str
    level: UnitKind
    title: str
    description: str | None
    perspective: str | None
    financial: bool
    sdgs: list[int]
    start_year: int
    end_year: int | None
    status: Lifecycle
    parent_goal_id: uuid.UUID | None
    parent_strategy_id: uuid.UUID | None
    orphan: bool = Field(description="Below the council and linked to no goal or strategy of the level above")
    decision: DecisionRead | None
    version: int
    created_at: datetime
    updated_at: datetime


# --- indicators ---------------------------------------------------------------------------------


class IndicatorCreate(ReporterIn):
    """An indicator on a goal or on a strategy of the plan."""

    model_config = ConfigDict(extra="forbid")

    goal_id: uuid.UUID | None = None
    strategy_id: uuid.UUID | None = None
    name: Title
    unit_of_measure: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=SOME_TEXT)
    ]
    direction: Direction
    baseline_value: Value | None = None
    baseline_year: Year | None = None
    tolerance: NonNegativeValue = Decimal(0)
    source: IndicatorSource = IndicatorSource.manual
    kolada_kpi: Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{5}$")] | None = None
    kolada_area: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    external_code: ExternalCode | None = None
    targets: dict[YearKey, Value] = Field(default_factory=dict, description="Target value per year")

    @model_validator(mode="after")
    def _checks(self) -> Self:
        if (self.goal_id is None) == (self.strategy_id is None):
            raise ValueError("an indicator belongs to exactly one goal or one strategy")
        if (self.baseline_value is None) != (self.baseline_year is None):
            raise ValueError("a baseline has both a value and a year")
        if self.source is IndicatorSource.kolada and not self.kolada_kpi:
            raise ValueError("a Kolada indicator names its KPI id, e.g. N00002")
        if self.source is IndicatorSource.external and not self.external_code:
            raise ValueError("an imported indicator names its external code")
        return self


class IndicatorUpdate(ReporterIn):
    model_config = ConfigDict(extra="forbid")

    name: Title | None = None
    unit_of_measure: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=SOME_TEXT)] | None
    ) = None
    direction: Direction | None = None
    baseline_value: Value | None = None
    baseline_year: Year | None = None
    tolerance: NonNegativeValue | None = None
    source: IndicatorSource | None = None
    kolada_kpi: Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9]{5}$")] | None = None
    kolada_area: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    external_code: ExternalCode | None = None


class TargetsIn(BaseModel):
    """Target values per year; a year sent with null removes that year's target."""

    model_config = ConfigDict(extra="forbid")

    targets: dict[YearKey, Value | None]


class IndicatorRead(ReporterRead):
    id: uuid.UUID
    goal_id: uuid.UUID | None
    strategy_id: uuid.UUID | None
    name: str
    unit_of_measure: str
    direction: Direction
    baseline_value: ExactValueRead | None
    baseline_year: int | None
    tolerance: ExactValueRead
    source: IndicatorSource
    kolada_kpi: str | None
    kolada_area: str | None
    external_code: str | None
    targets: dict[int, ExactValueRead]
    version: int


class SeriesPoint(BaseModel):
    """A measured value with the day its period ended, so a reader can set it against a decision's date."""

    period: str
    period_kind: PeriodKind
    period_end: date = Field(description="The last day of the period measured")
    value: ExactValue | None
    value_women: ExactValue | None
    value_men: ExactValue | None


class IndicatorSeries(IndicatorRead):
    """An indicator with every value measured and where it stands today: what a decision's follow-through reads."""

    unit_code: str = Field(description="The unit of the goal it measures; the council's for a strategy")
    latest: SeriesPoint | None = Field(description="The value of the last period ended by today")
    latest_target: ExactValue | None = Field(description="The target of the latest value's year")
    colour: Colour = Field(description="The latest value against that target, by the goal-fulfilment rule")
    measurements: list[SeriesPoint] = Field(description="In the order of the periods' ends")


class MeasurementIn(BaseModel):
    """A value for a period: `2024` (year), `2024-T2` (tertial) or `2024-03` (month)."""

    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, StringConstraints(max_length=10), Field(examples=["2024", "2024-T2", "2024-03"])]
    value: Value | None = Field(default=None, description="Total (T); null when the value is missing")
    value_women: Value | None = Field(default=None, description="Women (K)")
    value_men: Value | None = Field(default=None, description="Men (M)")
    comment: Text | None = None
    source: Annotated[str, StringConstraints(max_length=100)] | None = None


class MeasurementUpdate(BaseModel):
    """Fields to change; the period of a measurement never changes."""

    model_config = ConfigDict(extra="forbid")

    value: Value | None = None
    value_women: Value | None = None
    value_men: Value | None = None
    comment: Text | None = None
    source: Annotated[str, StringConstraints(max_length=100)] | None = None


class MeasurementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    indicator_id: uuid.UUID
    period: str
    period_kind: PeriodKind
    year: int
    value: ExactValue | None
    value_women: ExactValue | None
    value_men: ExactValue | None
    comment: str | None
    source: str | None
    version: int


# --- follow-up ----------------------------------------------------------------------------------


class FollowUpIn(BaseModel):
    """The goal owner's own assessment for a reporting period."""

    model_config = ConfigDict(extra="forbid")

    assessment: Colour | None = None
    analysis: Text | None = None
    forecast: Forecast | None = Field(default=None, description="Will the goal be met by year end?")


class IndicatorStatus(BaseModel):
    indicator_id: uuid.UUID
    name: str
    target: ExactValue | None
    value: ExactValue | None
    period: str | None
    colour: Colour


class FollowUpRead(BaseModel):
    goal_id: uuid.UUID
    year: int
    period: ReportingPeriod
    computed: Colour = Field(description="From the indicators; see the rule in the goals service documentation")
    indicators: list[IndicatorStatus]
    assessment: Colour | None
    analysis: str | None
    forecast: Forecast | None
    report_to_council: bool = Field(description="Forecast as not met: to be reported to the council")
    version: int | None


class ReportToCouncil(BaseModel):
    """A goal its owner forecasts as not met this year: the council must be told (001_…, 2021)."""

    goal: GoalRead
    period: ReportingPeriod = Field(description="The follow-up that forecast it: the latest ended by `as_of`")
    analysis: str | None


class ReportToCouncilPage(Page[ReportToCouncil]):
    as_of: date = Field(description="Follow-ups of periods ended, and goals decided, by this date")


# --- assignments and activities -----------------------------------------------------------------


class AssignmentCreate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    issuer_code: UnitCode
    assignee_code: UnitCode
    title: Title
    description: Text | None = None
    deadline_on: Day | None = None
    decision: DecisionIn | None = None
    recommendation_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Audit recommendations (audit service ids) it answers"
    )


class AssignmentUpdate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Text | None = None
    deadline_on: Day | None = None
    status: AssignmentStatus | None = None
    recommendation_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=50, description="Replaces the audit recommendations it answers"
    )


class AssignmentFollowUpIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(min_length=1, max_length=20000)]


class AssignmentFollowUpRead(BaseModel):
    year: int
    period: ReportingPeriod
    text: str


class AssignmentRead(OwnerRead):
    id: uuid.UUID
    issuer_code: str
    assignee_code: str
    title: str
    description: str | None
    deadline_on: date | None
    status: AssignmentStatus
    overdue: bool = Field(
        description="Past its deadline on `as_of` (today for one assignment) and not done or cancelled now"
    )
    decision: DecisionRead | None
    follow_ups: list[AssignmentFollowUpRead] = Field(
        description="In the list: those of periods ended by `as_of`; of one assignment: all"
    )
    latest_follow_up: AssignmentFollowUpRead | None = Field(
        description="The last of `follow_ups`: in a report, the text of its period if `year` and `period` match"
    )
    recommendation_ids: list[uuid.UUID] = Field(description="Audit recommendations (audit service ids) it answers")
    version: int


class AssignmentPage(Page[AssignmentRead]):
    """Assignments decided by `as_of` (and those with no decision recorded), with the follow-ups of
    periods ended by then. `status` is the status known today: no date is kept for a change of status."""

    as_of: date = Field(description="Assignments decided, and follow-ups of periods ended, by this date")
    status_known_on: date = Field(description="The day `status` is known for: today, whatever `as_of`")


class ActivityCreate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    goal_id: uuid.UUID
    title: Title
    owner: Annotated[str, StringConstraints(max_length=200)] | None = None
    start_on: Day | None = None
    end_on: Day | None = None
    status: ActivityStatus = ActivityStatus.planned
    recommendation_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Audit recommendations (audit service ids) it answers"
    )

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise ValueError("end_on must not be before start_on")
        return self


class ActivityUpdate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    owner: Annotated[str, StringConstraints(max_length=200)] | None = None
    start_on: Day | None = None
    end_on: Day | None = None
    status: ActivityStatus | None = None
    recommendation_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=50, description="Replaces the audit recommendations it answers"
    )


class ActivityRead(OwnerRead):
    id: uuid.UUID
    unit_code: str
    goal_id: uuid.UUID
    title: str
    owner: str | None
    start_on: date | None
    end_on: date | None
    status: ActivityStatus
    recommendation_ids: list[uuid.UUID] = Field(description="Audit recommendations (audit service ids) it answers")
    version: int


# --- read models --------------------------------------------------------------------------------


class Point(BaseModel):
    period: str
    value: ExactValue
    value_women: ExactValue | None
    value_men: ExactValue | None


class IndicatorSnapshot(BaseModel):
    """An indicator as a report shows it: target of the year, latest values, trend and colour."""

    id: uuid.UUID
    name: str
    unit_of_measure: str
    direction: Direction
    baseline_value: ExactValue | None
    baseline_year: int | None
    target: ExactValue | None = Field(description="Target for the year asked about")
    latest: Point | None = Field(description="The newest value of a period ended by `as_of`")
    previous: Point | None = Field(description="The value before `latest`, for the trend")
    trend: str | None = Field(description="improving, worsening or unchanged, from previous to latest")
    colour: Colour = Field(description="At the reporting period asked about")


class ChainGoal(BaseModel):
    id: uuid.UUID
    unit_code: str
    level: UnitKind
    title: str
    perspective: str | None
    financial: bool
    sdgs: list[int]
    status: Lifecycle
    start_year: int
    end_year: int | None
    orphan: bool
    colour: Colour
    indicators: list[IndicatorSnapshot]
    children: list[ChainGoal]


class ChainStrategy(BaseModel):
    id: uuid.UUID
    number: int
    title: str
    indicators: list[IndicatorSnapshot]
    goals: list[ChainGoal]


class ChainPlan(BaseModel):
    id: uuid.UUID
    title: str
    vision: str | None
    start_year: int
    end_year: int
    status: Lifecycle


class Chain(BaseModel):
    """The steering chain in one answer: plan → strategies → goals (nested down the units) → indicators."""

    unit_code: str | None
    year: int
    period: ReportingPeriod
    as_of: date = Field(description='The date answered as at: only what belonged to it (see README, "as at")')
    plan: ChainPlan | None
    strategies: list[ChainStrategy]
    unlinked_goals: list[ChainGoal] = Field(
        description="Goals at the top of the scope with no link to a strategy or goal shown here (orphans among them)"
    )


class FulfilmentRow(BaseModel):
    unit_code: str
    perspective: str | None
    green: int
    yellow: int
    red: int
    grey: int
    total: int


class FulfilmentSummary(BaseModel):
    """Decided goals by colour, per unit and perspective, for a reporting period."""

    unit_code: str | None
    year: int
    period: ReportingPeriod
    as_of: date = Field(description='The date answered as at: only what belonged to it (see README, "as at")')
    totals: dict[Colour, int]
    rows: list[FulfilmentRow]


class QualityChecks(BaseModel):
    has_indicator: bool
    has_target: bool = Field(description="An indicator has a target for a year the goal runs")
    has_baseline: bool
    time_bound: bool = Field(description="The goal has an end year")
    links_upward: bool = Field(description="Linked to a goal or strategy of the level above (council goals: true)")
    decided: bool = Field(description="Decided (or closed since)")


class GoalQuality(BaseModel):
    goal_id: uuid.UUID
    unit_code: str
    title: str
    status: Lifecycle
    financial: bool
    checks: QualityChecks
    measurable: bool = Field(description="Has an indicator with a target")


class GoalRef(BaseModel):
    id: uuid.UUID
    unit_code: str
    title: str


class UnitQuality(BaseModel):
    unit_code: str
    goals: int
    measurable: int
    measurable_share: Decimal = Field(description="measurable / goals, 0–1, three decimals")
    financial_goals: int
    orphans: int


class QualityReport(BaseModel):
    """How measurable the goals are, and which have no link upward: what the auditors ask (001_…)."""

    unit_code: str | None
    year: int | None
    as_of: date = Field(description='The date answered as at: only what belonged to it (see README, "as at")')
    goals: int
    measurable: int
    measurable_share: Decimal
    orphans: list[GoalRef]
    units: list[UnitQuality]
    goal_checks: list[GoalQuality] | None = Field(description="Each goal's checks; null with `detail=summary`")


class QualityDetail(StrEnum):
    """How much of the quality report to answer: the counts and orphans alone, or each goal's checks too."""

    summary = "summary"
    goals = "goals"


AnalysisText = Annotated[str, StringConstraints(max_length=20000)]


def _period_by_kind(schema: dict[str, Any]) -> None:
    """The document says which periods go with which kind, as the server checks: T1 or T2 for an interim report,
    `year` for the annual report (a client then cannot build a body the server refuses for it)."""
    schema["oneOf"] = [
        {"title": "Interim report", "properties": {"kind": {"const": "interim"}, "period": {"enum": ["T1", "T2"]}}},
        {"title": "Annual report", "properties": {"kind": {"const": "annual"}, "period": {"const": "year"}}},
    ]


class ReportEditionCreate(BaseModel):
    """Open the production of one report: for a unit and the units below it, or the region."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_period_by_kind)

    kind: ReportKind
    year: Annotated[int, Field(ge=1990, le=2100)]
    period: ReportingPeriod = Field(description="T1 or T2 for an interim report, `year` for the annual report")
    unit_code: UnitCode | None = Field(default=None, description="The unit the report is for; the region if null")

    @model_validator(mode="after")
    def _period_fits_kind(self) -> Self:
        if (self.kind is ReportKind.annual) != (self.period is ReportingPeriod.year):
            raise ValueError("an interim report is for T1 or T2, the annual report for `year`")
        return self


class ReportSectionUpdate(OwnerIn):
    """New analysis text, or the ready flag; a ready section's text changes only with `ready: false`. The owner is
    the person who writes it: the section is in their tasks until it is marked ready."""

    model_config = ConfigDict(extra="forbid")

    text: AnalysisText | None = None
    ready: bool | None = None


class ReportSectionRead(OwnerRead):
    id: uuid.UUID
    edition_id: uuid.UUID
    unit_code: str
    topic: ReportTopic
    text: str
    ready: bool
    version: int


class ReportEditionRead(BaseModel):
    """An edition with the sections the caller may read; `registrar_unit` is whose registrar completes it."""

    id: uuid.UUID
    kind: ReportKind
    year: int
    period: ReportingPeriod
    unit_code: str | None
    registrar_unit: str
    status: EditionStatus
    completed_at: datetime | None
    completed_by: str | None
    completed_by_name: str | None
    data_versions: dict[str, str] | None
    sections: list[ReportSectionRead]
    version: int


class ReportCompletion(BaseModel):
    """What the gateway sends to freeze an edition: the report's JSON text and what it was built from."""

    model_config = ConfigDict(extra="forbid")

    report: Annotated[str, StringConstraints(min_length=2)] = Field(
        description="The report as the exact JSON text to keep"
    )
    completed_at: AwareDatetime
    data_versions: dict[
        Annotated[str, StringConstraints(max_length=16)], Annotated[str, StringConstraints(max_length=64)]
    ]
    section_versions: dict[uuid.UUID, int] = Field(
        description="The version of every section whose text is in the report; a section changed since is a 409"
    )
