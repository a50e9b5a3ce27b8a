"""Tables of the goals service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.auth.policy import UnitKind
from shared.comments import CommentColumns
from shared.db import Tracked, new_metadata
from shared.history import HistoryEntryColumns
from shared.people import OwnerColumns
from shared.types import Quantity, UTCDateTime


class Base(DeclarativeBase):
    metadata = new_metadata()


class HistoryEntry(HistoryEntryColumns, Base):
    __tablename__ = "history_entry"


class OrgUnit(Tracked, Base):
    """A body or part of the organisation: council, board, committee, administration, unit, company."""

    __tablename__ = "org_unit"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(Enum(UnitKind, native_enum=False, length=32))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    external_code: Mapped[str | None] = mapped_column(String(64))


class Lifecycle(StrEnum):
    draft = "draft"
    decided = "decided"
    closed = "closed"


class Direction(StrEnum):
    higher_is_better = "higher_is_better"
    lower_is_better = "lower_is_better"


class IndicatorSource(StrEnum):
    manual = "manual"
    kolada = "kolada"
    external = "external"


class PeriodKind(StrEnum):
    year = "year"
    tertial = "tertial"
    month = "month"


class ReportingPeriod(StrEnum):
    """The follow-ups of the year: interim reports T1 (Jan–Apr) and T2 (Jan–Aug), and the annual report."""

    T1 = "T1"
    T2 = "T2"
    year = "year"


class Forecast(StrEnum):
    will_be_met = "will_be_met"
    uncertain = "uncertain"
    will_not_be_met = "will_not_be_met"


class Colour(StrEnum):
    green = "green"
    yellow = "yellow"
    red = "red"
    grey = "grey"


class AssignmentStatus(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class ActivityStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


def _enum(cls: type[StrEnum], length: int = 24) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class DecisionColumns:
    """A decision reference: which body decided, at which meeting, under which paragraph and case."""

    decided_by: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None]
    decision_paragraph: Mapped[str | None] = mapped_column(String(16))
    diary_number: Mapped[str | None] = mapped_column(String(32))


class Perspective(Tracked, Base):
    """A balanced-scorecard perspective; the set is the region's own (four by default)."""

    __tablename__ = "perspective"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)


class Plan(DecisionColumns, Tracked, Base):
    """The council's plan (regionplan med budget) for a period of years, with vision and strategies."""

    __tablename__ = "plan"
    __draft_states__ = frozenset({Lifecycle.draft.value})

    title: Mapped[str] = mapped_column(String(300))
    vision: Mapped[str | None] = mapped_column(Text)
    start_year: Mapped[int]
    end_year: Mapped[int]
    status: Mapped[Lifecycle] = mapped_column(_enum(Lifecycle), default=Lifecycle.draft)


class Strategy(Tracked, Base):
    __tablename__ = "strategy"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)


class Goal(OwnerColumns, DecisionColumns, Tracked, Base):
    """A desired future state, owned by one unit, linked to a goal or strategy of the level above."""

    __tablename__ = "goal"
    __draft_states__ = frozenset({Lifecycle.draft.value})

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    perspective_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("perspective.id"), index=True)
    financial: Mapped[bool] = mapped_column(default=False)
    sdgs: Mapped[list[int]] = mapped_column(JSON, default=list)
    start_year: Mapped[int]
    end_year: Mapped[int | None]
    status: Mapped[Lifecycle] = mapped_column(_enum(Lifecycle), default=Lifecycle.draft, index=True)
    parent_goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("goal.id"), index=True)
    parent_strategy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("strategy.id"), index=True)


class Indicator(Tracked, Base):
    """A measure of a goal or a strategy, with a direction, a baseline and targets per year."""

    __tablename__ = "indicator"

    goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    strategy_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("strategy.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    unit_of_measure: Mapped[str] = mapped_column(String(40))
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    baseline_value: Mapped[Decimal | None] = mapped_column(Quantity())
    baseline_year: Mapped[int | None]
    tolerance: Mapped[Decimal] = mapped_column(Quantity(), default=Decimal(0))
    source: Mapped[IndicatorSource] = mapped_column(_enum(IndicatorSource), default=IndicatorSource.manual)
    kolada_kpi: Mapped[str | None] = mapped_column(String(6))
    kolada_area: Mapped[str | None] = mapped_column(String(8))
    external_code: Mapped[str | None] = mapped_column(String(64), index=True)
    # Who reports the measurements (shared/people.py): the one `/me/tasks` asks for the next value.
    reporter_subject: Mapped[str | None] = mapped_column(String(200), index=True)
    reporter_name: Mapped[str | None] = mapped_column(String(200))


class IndicatorTarget(Tracked, Base):
    __tablename__ = "indicator_target"
    __table_args__ = (UniqueConstraint("indicator_id", "year"),)

    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    value: Mapped[Decimal] = mapped_column(Quantity())


class Measurement(Tracked, Base):
    """A measured value for one period, with the split by gender where given (T/K/M as in Kolada)."""

    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("indicator_id", "period"),
        # The value standing at a period: an ordered LIMIT 1 per indicator (rules/values.py).
        Index("ix_measurement_indicator_year_end", "indicator_id", "year", "period_end_month"),
    )

    indicator_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    period_kind: Mapped[PeriodKind] = mapped_column(_enum(PeriodKind, 8))
    year: Mapped[int] = mapped_column(index=True)
    period_end_month: Mapped[int]
    value: Mapped[Decimal | None] = mapped_column(Quantity())
    value_women: Mapped[Decimal | None] = mapped_column(Quantity())
    value_men: Mapped[Decimal | None] = mapped_column(Quantity())
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(100))


class GoalFollowUp(Tracked, Base):
    """The owner's own assessment of a goal for a reporting period, with analysis and year-end forecast."""

    __tablename__ = "goal_follow_up"
    __table_args__ = (UniqueConstraint("goal_id", "year", "period"),)

    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    period: Mapped[ReportingPeriod] = mapped_column(_enum(ReportingPeriod, 8))
    assessment: Mapped[Colour | None] = mapped_column(_enum(Colour, 8))
    analysis: Mapped[str | None] = mapped_column(Text)
    forecast: Mapped[Forecast | None] = mapped_column(_enum(Forecast))


class Assignment(OwnerColumns, DecisionColumns, Tracked, Base):
    """An order (uppdrag) from the council or the board to a committee."""

    __tablename__ = "assignment"

    issuer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    assignee_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    deadline_on: Mapped[date | None]
    status: Mapped[AssignmentStatus] = mapped_column(_enum(AssignmentStatus), default=AssignmentStatus.not_started)
    # Audit recommendations (in the audit service, by id) the assignment answers; checked with it on write.
    recommendation_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class AssignmentFollowUp(Tracked, Base):
    __tablename__ = "assignment_follow_up"
    __table_args__ = (UniqueConstraint("assignment_id", "year", "period"),)

    assignment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    period: Mapped[ReportingPeriod] = mapped_column(_enum(ReportingPeriod, 8))
    text: Mapped[str] = mapped_column(Text)


class Activity(OwnerColumns, Tracked, Base):
    """What an administration or unit does to reach a goal (aktivitet, förändringsinsats)."""

    __tablename__ = "activity"

    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    goal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    # The role in words ("Verksamhetschef"); the person is owner_subject and owner_name.
    owner: Mapped[str | None] = mapped_column(String(200))
    start_on: Mapped[date | None]
    end_on: Mapped[date | None]
    status: Mapped[ActivityStatus] = mapped_column(_enum(ActivityStatus), default=ActivityStatus.planned)
    # Audit recommendations (in the audit service, by id) the activity answers; checked with it on write.
    recommendation_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class ReportKind(StrEnum):
    interim = "interim"
    annual = "annual"


class ReportTopic(StrEnum):
    """What a unit writes an analysis of; T1 has economy and employees, T2 and the annual report all four."""

    goals = "goals"
    economy = "economy"
    employees = "employees"
    audit = "audit"


class EditionStatus(StrEnum):
    open = "open"
    completed = "completed"


class ReportEdition(Tracked, Base):
    """One report in production: kind, year, period and scope (a unit, or the region when unit_id is null)."""

    __tablename__ = "report_edition"
    __draft_states__ = frozenset({EditionStatus.open.value})

    # "interim/2024/T2/<unit id or region>": one edition per report, which a NULL unit_id cannot make unique.
    scope_key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind, 8))
    year: Mapped[int]
    period: Mapped[ReportingPeriod] = mapped_column(_enum(ReportingPeriod, 8))
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    status: Mapped[EditionStatus] = mapped_column(_enum(EditionStatus, 12), default=EditionStatus.open)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(200))
    completed_by_name: Mapped[str | None] = mapped_column(String(200))
    data_versions: Mapped[dict[str, str] | None] = mapped_column(JSON)


class Comment(CommentColumns, Tracked, Base):
    """A comment on a goal or a report section (shared/comments.py)."""

    __tablename__ = "comment"


class ReportSection(OwnerColumns, Tracked, Base):
    """A unit's analysis of one topic in an edition, and whether the unit has marked it ready; its owner is the
    person who writes it (shared/people.py), asked in their tasks until it is ready."""

    __tablename__ = "report_section"
    __table_args__ = (UniqueConstraint("edition_id", "unit_id", "topic"),)

    edition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report_edition.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("org_unit.id"), index=True)
    topic: Mapped[ReportTopic] = mapped_column(_enum(ReportTopic, 12))
    sort_order: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    ready: Mapped[bool] = mapped_column(default=False)


class ReportSnapshot(Base):
    """The completed report's JSON exactly as it was frozen; written once, never changed.

    Not a Tracked record: it never changes, and copying megabytes into history would only double it.
    """

    __tablename__ = "report_snapshot"

    edition_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("report_edition.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderClaim(Base):
    """A reminder claimed by the reminder job, then sent or failed (shared/reminders.py).

    Not a Tracked record: it is the job's bookkeeping, written on every run, not a decision anyone made.
    """

    __tablename__ = "reminder_claim"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    lead: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    link: Mapped[str | None] = mapped_column(String(500))
    due_on: Mapped[date | None]
    # The day its point was reached (shared/reminders.py: reached_on); null on claims made before it was kept,
    # which are pruned by when they were written instead.
    reached_on: Mapped[date | None] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(16))
    lease_until: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=1)
    error: Mapped[str | None] = mapped_column(String(1000))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderPruning(Base):
    """How far the claims have been pruned: one row. A reminder reached before `kept_since` is never claimed
    again (its claim may be gone); it only moves forward (shared/reminders.py)."""

    __tablename__ = "reminder_pruning"

    id: Mapped[int] = mapped_column(primary_key=True)
    kept_since: Mapped[date]
    pruned_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReminderSetting(Tracked, Base):
    """A person's own reminder settings: whether they want any, and where e-mail goes."""

    __tablename__ = "reminder_setting"

    subject: Mapped[str] = mapped_column(String(200), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    email: Mapped[str | None] = mapped_column(String(254))
