"""Request and response shapes of the audit service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from services.audit.models import (
    ActionStatus,
    ControlOutcome,
    Lifecycle,
    RecommendationStatus,
    ReportingPeriod,
    Verdict,
)
from shared.decisions import DecisionRead, DiaryNumber, UnitCode
from shared.fields import SOME_TEXT, Day
from shared.people import OwnerIn, OwnerRead

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300, pattern=SOME_TEXT)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000, pattern=SOME_TEXT)]
Frequency = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=SOME_TEXT)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=SOME_TEXT)]
Url = Annotated[str, StringConstraints(max_length=2000, pattern=rf"^https?://{SOME_TEXT}+$")]
Year = Annotated[int, Field(ge=2000, le=2100)]


class Colour(StrEnum):
    """The same scale as goal fulfilment: green, yellow, red, and grey for nothing to judge by."""

    green = "green"
    yellow = "yellow"
    red = "red"
    grey = "grey"


class Assessment(StrEnum):
    """The auditors' scale: yes / largely (till övervägande del) / to a limited extent / no."""

    yes = "yes"
    largely = "largely"
    limited = "limited"
    no = "no"


class QuestionAssessment(BaseModel):
    """The auditors' verdict on one question of the review, e.g. 'ändamålsenlig'."""

    model_config = ConfigDict(extra="forbid")

    question: Title
    assessment: Assessment


# --- reports and recommendations ----------------------------------------------------------------


class RecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode
    diary_number: DiaryNumber


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode
    text: LongText
    response_due_on: Day | None = None


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    audit_year: Year
    received_on: Day
    summary: LongText | None = None
    document_url: Url | None = None
    assessments: list[QuestionAssessment] = Field(default_factory=list, max_length=20)
    recipients: Annotated[list[RecipientIn], Field(min_length=1, max_length=50)]
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _one_diary_number_per_body(self) -> Self:
        bodies = [r.body_code for r in self.recipients]
        if len(bodies) != len(set(bodies)):
            raise ValueError("each body is addressed once, with its own diary number")
        return self


class ReportUpdate(BaseModel):
    """Fields to change; those left out stay. Recipients, when sent, replace the list."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    audit_year: Year | None = None
    received_on: Day | None = None
    summary: LongText | None = None
    document_url: Url | None = None
    assessments: list[QuestionAssessment] | None = Field(default=None, max_length=20)
    recipients: Annotated[list[RecipientIn], Field(min_length=1, max_length=50)] | None = None


class RecipientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    body_code: str
    diary_number: str


class RecommendationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    report_id: uuid.UUID
    number: int
    body_code: str
    text: str
    response_due_on: date | None
    status: RecommendationStatus
    closed_on: date | None
    version: int


class RecommendationUpdate(BaseModel):
    """The auditors' own text: what they ask, of whom, by when; `status: open` reopens a closed one."""

    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode | None = None
    text: LongText | None = None
    response_due_on: Day | None = None
    status: RecommendationStatus | None = None


class ReportSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    audit_year: int
    received_on: date | None
    version: int


class ReportRead(ReportSummary):
    summary: str | None
    document_url: str | None
    assessments: list[QuestionAssessment]
    recipients: list[RecipientRead]
    recommendations: list[RecommendationRead]
    created_at: datetime
    updated_at: datetime


# --- responses -----------------------------------------------------------------------------------


class ResponseCreate(BaseModel):
    """A body's answer to one recommendation addressed to it."""

    model_config = ConfigDict(extra="forbid")

    recommendation_id: uuid.UUID
    body_code: UnitCode = Field(description="The answering body; it must be the one the recommendation is addressed to")
    text: LongText


class ResponseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: LongText


class ResponseRead(BaseModel):
    id: uuid.UUID
    recommendation_id: uuid.UUID
    body_code: str
    text: str
    status: Lifecycle
    decision: DecisionRead | None
    version: int
    created_at: datetime
    updated_at: datetime


# --- actions -------------------------------------------------------------------------------------


def _pointing_somewhere(schema: dict[str, Any]) -> None:
    """The document says, as the server checks, that evidence names a link or a document (or both)."""
    schema["anyOf"] = [
        {"title": "A link", "required": ["url"], "properties": {"url": {"type": "string"}}},
        {
            "title": "A document",
            "required": ["document_reference"],
            "properties": {"document_reference": {"type": "string"}},
        },
    ]


class EvidenceIn(BaseModel):
    """What shows an action was carried out: a link, or a reference to a document (e.g. its diary number)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_pointing_somewhere)

    description: ShortText
    url: Url | None = None
    document_reference: ShortText | None = None

    @model_validator(mode="after")
    def _points_somewhere(self) -> Self:
        if self.url is None and self.document_reference is None:
            raise ValueError("evidence needs a url or a document_reference")
        return self


class ActionCreate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode
    title: Title
    description: LongText | None = None
    owner: ShortText | None = None
    deadline_on: Day | None = None
    status: ActionStatus = ActionStatus.planned
    finished_on: Day | None = Field(
        default=None,
        description="The day a done or cancelled action was finished; today (Swedish time) when it is left out",
    )
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=50)
    goal_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Goals in the goals service this action serves"
    )
    indicator_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Indicators in the goals service this action should move"
    )
    recommendation_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)]


class ActionUpdate(OwnerIn):
    """Fields to change; those left out stay. Lists, when sent, replace the stored ones."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: LongText | None = None
    owner: ShortText | None = None
    deadline_on: Day | None = None
    status: ActionStatus | None = None
    finished_on: Day | None = Field(
        default=None,
        description="The day a done or cancelled action was finished; "
        "today (Swedish time) when the action becomes done or cancelled without one",
    )
    evidence: list[EvidenceIn] | None = Field(default=None, max_length=50)
    goal_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    indicator_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    recommendation_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)] | None = None


class EvidenceRead(BaseModel):
    description: str
    url: str | None = None
    document_reference: str | None = None


class ProgressNoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    noted_on: Day
    text: LongText


class ProgressNoteRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    noted_on: date
    text: str
    version: int
    created_at: datetime


class ActionRead(OwnerRead):
    id: uuid.UUID
    body_code: str
    title: str
    description: str | None
    owner: str | None
    deadline_on: date | None
    status: ActionStatus
    finished_on: date | None = Field(description="The day it was done or cancelled; null while it is not")
    evidence: list[EvidenceRead]
    goal_ids: list[uuid.UUID]
    indicator_ids: list[uuid.UUID] = Field(description="Indicators in the goals service the action should move")
    recommendation_ids: list[uuid.UUID]
    progress_notes: list[ProgressNoteRead]
    version: int
    created_at: datetime
    updated_at: datetime


# --- follow-up review ----------------------------------------------------------------------------


class VerdictCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict
    reviewed_on: Day
    comment: LongText | None = None
    close: bool = Field(default=False, description="Close the recommendation with this verdict")


class VerdictUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    verdict: Verdict | None = None
    reviewed_on: Day | None = None
    comment: LongText | None = None


class VerdictRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    recommendation_id: uuid.UUID
    verdict: Verdict
    reviewed_on: date
    comment: str | None
    version: int
    created_at: datetime


class RecommendationDetail(RecommendationRead):
    """A recommendation with the body's response, its actions and the auditors' verdicts."""

    response: ResponseRead | None
    actions: list[ActionRead]
    verdicts: list[VerdictRead]


class OverdueResponse(BaseModel):
    recommendation_id: uuid.UUID
    report_id: uuid.UUID
    report_title: str
    number: int
    response_due_on: date


class OverdueAction(BaseModel):
    action_id: uuid.UUID
    title: str
    status: ActionStatus
    deadline_on: date
    owner: str | None


class BodyOverdue(BaseModel):
    body_code: str
    responses: list[OverdueResponse]
    actions: list[OverdueAction]


class OverdueList(BaseModel):
    """Responses past due and not decided, and actions past deadline and not done, per body."""

    as_of: date
    bodies: list[BodyOverdue]


# --- accountability --------------------------------------------------------------------------------


class StatementCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    body_code: UnitCode
    issued_on: Day | None = None
    discharge_recommended: bool | None = Field(
        description="Whether the auditors recommend discharge (ansvarsfrihet); null when they were divided"
    )
    remark: bool = Field(description="Whether the auditors direct a remark (anmärkning) at the body")
    remark_grounds: LongText | None = None
    internal_control_sufficient: bool
    summary: LongText | None = None
    diary_number: DiaryNumber | None = None


class StatementUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issued_on: Day | None = None
    discharge_recommended: bool | None = None
    remark: bool | None = None
    remark_grounds: LongText | None = None
    internal_control_sufficient: bool | None = None
    summary: LongText | None = None
    diary_number: DiaryNumber | None = None


class StatementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    year: int
    body_code: str
    issued_on: date | None
    discharge_recommended: bool | None
    remark: bool
    remark_grounds: str | None
    internal_control_sufficient: bool
    summary: str | None
    diary_number: str | None
    version: int
    created_at: datetime
    updated_at: datetime


# --- internal control --------------------------------------------------------------------------------


class RiskBand(BaseModel):
    colour: Colour
    from_score: int
    to_score: int


class RiskMatrix(BaseModel):
    """The region's one scale: likelihood and consequence 1..scale_max, score = their product."""

    scale_max: int
    bands: list[RiskBand]
    control_threshold: int


class ControlPlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode
    year: Year


# A step on the region's one scale, 1..scale_max (AUDIT_RISK_SCALE_MAX, at most 10); the app's document
# names the configured maximum (services.audit.app), the rules refuse a step above it.
RISK_SCALE_LIMIT = 10
RiskScore = Annotated[
    int,
    Field(
        ge=1,
        le=RISK_SCALE_LIMIT,
        description="A step on the region's risk scale, 1 to its `scale_max` (GET /internal-control/risk-matrix)",
    ),
]


def _each_once(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))


# The processes a risk threatens, by name (no service keeps a register of processes); each kept once, in order.
Processes = Annotated[list[ShortText], AfterValidator(_each_once)]
PROCESSES = "The region's processes the risk threatens, by name, e.g. `Inköp och upphandling` (each kept once)"


class RiskIn(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: LongText | None = None
    likelihood: RiskScore
    consequence: RiskScore
    goal_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Goals in the goals service the risk threatens"
    )
    activity_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Activities in the goals service the risk threatens"
    )
    processes: Processes = Field(default_factory=list, max_length=20, description=PROCESSES)


class RiskUpdate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: LongText | None = None
    likelihood: RiskScore | None = None
    consequence: RiskScore | None = None
    goal_ids: list[uuid.UUID] | None = Field(default=None, max_length=50, description="Replaces the linked goals")
    activity_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=50, description="Replaces the linked activities"
    )
    processes: Processes | None = Field(default=None, max_length=20, description="Replaces the processes named")


class ControlIn(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    control: LongText
    method: LongText
    frequency: Frequency
    owner: ShortText


class ControlUpdate(OwnerIn):
    model_config = ConfigDict(extra="forbid")

    control: LongText | None = None
    method: LongText | None = None
    frequency: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=SOME_TEXT)] | None
    ) = None
    owner: ShortText | None = None


class ControlResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    period: ReportingPeriod = ReportingPeriod.T2
    outcome: ControlOutcome
    description: LongText | None = None
    action: LongText | None = Field(default=None, description="What is done about a deviation")
    reported_on: Day

    @model_validator(mode="after")
    def _deviation_is_described(self) -> Self:
        if self.outcome is ControlOutcome.deviation and self.description is None:
            raise ValueError("a deviation needs a description")
        return self


class ControlResultRead(BaseModel):
    id: uuid.UUID
    control_id: uuid.UUID
    period: ReportingPeriod
    outcome: ControlOutcome
    description: str | None
    action: str | None
    reported_on: date
    colour: Colour
    version: int


class ControlRead(OwnerRead):
    id: uuid.UUID
    risk_id: uuid.UUID
    control: str
    method: str
    frequency: str
    owner: str
    results: list[ControlResultRead]
    version: int


class RiskRead(OwnerRead):
    id: uuid.UUID
    plan_id: uuid.UUID
    title: str
    description: str | None
    likelihood: int
    consequence: int
    score: int
    colour: Colour
    needs_control: bool
    goal_ids: list[uuid.UUID] = Field(description="Goals in the goals service the risk threatens")
    activity_ids: list[uuid.UUID] = Field(description="Activities in the goals service the risk threatens")
    processes: list[str] = Field(description=PROCESSES)
    controls: list[ControlRead]
    version: int


class ControlPlanRead(BaseModel):
    id: uuid.UUID
    body_code: str
    year: int
    status: Lifecycle
    decision: DecisionRead | None
    risks: list[RiskRead]
    uncontrolled_risks: int = Field(description="Risks at or above the threshold that have no control yet")
    results_colour: Colour = Field(description="The results of the period, coloured by the goal-fulfilment rule")
    version: int
    created_at: datetime
    updated_at: datetime


class RiskInPlan(RiskRead):
    """A risk with the plan it belongs to: the body, the year and the plan's decision."""

    body_code: str
    year: int
    plan_status: Lifecycle
    plan_decision: DecisionRead | None


class ControlPlanSummary(BaseModel):
    id: uuid.UUID
    body_code: str
    year: int
    status: Lifecycle
    version: int


# --- read models -----------------------------------------------------------------------------------


class NoteBrief(BaseModel):
    noted_on: date
    text: str


class ActionBrief(BaseModel):
    id: uuid.UUID
    title: str
    status: ActionStatus = Field(description="As it stood on as_of: one finished later reads in_progress")
    deadline_on: date | None
    finished_on: date | None = Field(description="The day it was done or cancelled, if on or before as_of")
    overdue: bool = Field(description="Past its deadline on as_of and not finished by then")
    latest_note: NoteBrief | None = Field(description="The newest progress note noted on or before as_of")
    goal_ids: list[uuid.UUID] = Field(description="The goals (in the goals service) the action should move")


# A recommendation's facts as every read model as at a date gives them (services.audit.rules.readmodels maps them
# once, `_recommendation_fields`); its own docstring would be every subclass's description.
class RecommendationFacts(BaseModel):
    id: uuid.UUID
    report_id: uuid.UUID
    report_title: str
    report_received_on: date | None
    number: int
    text: str
    response_due_on: date | None
    response_decided_on: date | None = Field(description="The meeting that decided the response, if by as_of")


class OpenRecommendation(RecommendationFacts):
    latest_verdict: Verdict | None = Field(description="The auditors' newest verdict reviewed on or before as_of")
    latest_verdict_on: date | None
    actions: list[ActionBrief]


class StatementBrief(BaseModel):
    year: int
    issued_on: date | None
    discharge_recommended: bool | None
    remark: bool
    remark_grounds: str | None
    internal_control_sufficient: bool


class InternalControlBrief(BaseModel):
    """The body's control plan of as_of's year decided by then, with the results of the follow-ups ended by
    then (T2's from 31 August; the year's, which replace them, from 31 December)."""

    year: int
    decided_on: date | None
    risks: int
    risks_by_colour: dict[Colour, int]
    controls: int
    results: int = Field(description="Controls with a result of a follow-up ended by as_of (the year's over T2's)")
    deviations: int
    results_colour: Colour


class BodyStatus(BaseModel):
    """Everything about one body's audit standing as at `as_of`, in one answer (decided material only)."""

    body_code: str
    as_of: date
    open_recommendations: list[OpenRecommendation] = Field(
        description="Recommendations of reports received by as_of and not closed by then"
    )
    overdue: BodyOverdue
    latest_statement: StatementBrief | None = Field(description="The newest statement issued on or before as_of")
    internal_control: InternalControlBrief | None


class RecommendationBrief(RecommendationFacts):
    """An open recommendation as the region's overview lists it: its response, the auditors' newest verdict, and
    its actions counted (a body's status, `/bodies/{code}/status`, lists each action)."""

    latest_verdict: Verdict | None = Field(description="The auditors' newest verdict reviewed on or before as_of")
    latest_verdict_on: date | None
    actions_by_status: dict[ActionStatus, int] = Field(description="Its actions by their status as at as_of")
    overdue_actions: int = Field(description="Its actions past their deadline and not finished by as_of")


class BodyOverview(BaseModel):
    body_code: str
    open_recommendations: int
    closed_recommendations: int
    actions_by_status: dict[ActionStatus, int]
    overdue_responses: int
    overdue_actions: int
    latest_statement: StatementBrief | None
    internal_control: InternalControlBrief | None
    recommendations: list[RecommendationBrief] = Field(
        description="Its open recommendations as at as_of, newest audit year first (the closed are counted only)"
    )


class Overview(BaseModel):
    """Every body's audit standing as at `as_of`, counted."""

    as_of: date
    bodies: list[BodyOverview]


class LinkedAction(BaseModel):
    """An action as the follow-through reads it: its status then and what it should move."""

    id: uuid.UUID
    title: str
    body_code: str
    status: ActionStatus = Field(description="As it stood on as_of: one finished later reads in_progress")
    goal_ids: list[uuid.UUID] = Field(description="The goals (in the goals service) the action should move")
    indicator_ids: list[uuid.UUID] = Field(description="The indicators (in the goals service) it should move")


class FollowedRecommendation(RecommendationFacts):
    """An open recommendation with the day its effect is judged from and the actions that answer it."""

    body_code: str
    actions: list[LinkedAction] = Field(description="Its actions, by deadline; empty when none answers it")


class FollowThrough(BaseModel):
    """The recommendations open as at `as_of`, each with its actions and the goals and indicators they should
    move: what the reports' follow-through section reads (decided material only)."""

    as_of: date
    body_code: str | None = Field(description="The one body asked for; every body's if null")
    recommendations: list[FollowedRecommendation] = Field(
        description="Recommendations of reports received by as_of and not closed by then, newest audit year first"
    )
