"""Tables of the audit service."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.comments import CommentColumns
from shared.db import Tracked, new_metadata
from shared.evidence import EvidenceBlobColumns, EvidenceFileColumns
from shared.history import HistoryEntryColumns
from shared.people import OwnerColumns


class Base(DeclarativeBase):
    metadata = new_metadata()


class HistoryEntry(HistoryEntryColumns, Base):
    __tablename__ = "history_entry"


class ActionStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    done = "done"
    cancelled = "cancelled"


class RecommendationStatus(StrEnum):
    open = "open"
    closed = "closed"


class Lifecycle(StrEnum):
    """A body's own material: prepared as a draft, then decided at a meeting, which locks it."""

    draft = "draft"
    decided = "decided"


class Verdict(StrEnum):
    """The auditors' follow-up verdict on a recommendation."""

    addressed = "addressed"
    partly_addressed = "partly_addressed"
    not_addressed = "not_addressed"


class ControlOutcome(StrEnum):
    no_deviation = "no_deviation"
    deviation = "deviation"


class ReportingPeriod(StrEnum):
    """Internal control results are reported with interim report T2, or with the annual report."""

    T2 = "T2"
    year = "year"


def _enum(cls: type[StrEnum], length: int = 24) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class DecisionColumns:
    """A decision reference: which body decided, at which meeting, under which paragraph and case."""

    decided_by: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None]
    decision_paragraph: Mapped[str | None] = mapped_column(String(16))
    decision_diary_number: Mapped[str | None] = mapped_column(String(32))


class AuditReport(Tracked, Base):
    """One review by the auditors (granskning), with their overall assessment per question."""

    __tablename__ = "audit_report"

    title: Mapped[str] = mapped_column(String(300))
    audit_year: Mapped[int]
    received_on: Mapped[date | None]
    summary: Mapped[str | None] = mapped_column(Text)
    document_url: Mapped[str | None] = mapped_column(String(2000))
    assessments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class AuditRecipient(Tracked, Base):
    """A body the report is addressed to, with the diary number the case has there."""

    __tablename__ = "audit_recipient"
    __table_args__ = (UniqueConstraint("report_id", "body_code"),)

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("audit_report.id", ondelete="CASCADE"), index=True)
    body_code: Mapped[str] = mapped_column(String(16), index=True)
    diary_number: Mapped[str] = mapped_column(String(32))


class Recommendation(Tracked, Base):
    """What the auditors ask one body to do; open until the auditors close it."""

    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("audit_report.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    body_code: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    response_due_on: Mapped[date | None]
    status: Mapped[RecommendationStatus] = mapped_column(
        Enum(RecommendationStatus, native_enum=False, length=16), default=RecommendationStatus.open
    )
    closed_on: Mapped[date | None]


class RecommendationResponse(DecisionColumns, Tracked, Base):
    """The addressed body's answer (svar, yttrande); decided at a meeting, then locked."""

    __tablename__ = "recommendation_response"
    __draft_states__ = frozenset({Lifecycle.draft.value})

    recommendation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), unique=True
    )
    body_code: Mapped[str] = mapped_column(String(16), index=True)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[Lifecycle] = mapped_column(_enum(Lifecycle), default=Lifecycle.draft)


class ReviewVerdict(Tracked, Base):
    """The auditors' later verdict on whether a recommendation was dealt with (uppföljande granskning)."""

    __tablename__ = "review_verdict"

    recommendation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict))
    reviewed_on: Mapped[date]
    comment: Mapped[str | None] = mapped_column(Text)


class Action(OwnerColumns, Tracked, Base):
    """What a body will do about one or more of its recommendations."""

    __tablename__ = "action"

    body_code: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    # The role in words ("Hälso- och sjukvårdsdirektör"); the person is owner_subject and owner_name.
    owner: Mapped[str | None] = mapped_column(String(200))
    deadline_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(Enum(ActionStatus, native_enum=False, length=16))
    # The day it was done or cancelled: what "done by then" is judged by when a read model looks back.
    finished_on: Mapped[date | None]
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Goals in the goals service, by id; stored, not checked here (that needs a call to the goals service).
    goal_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Indicators in the goals service that should move when the action works, by id; checked on write.
    indicator_ids: Mapped[list[str]] = mapped_column(JSON, default=list)


class ActionRecommendation(Tracked, Base):
    """Which recommendations an action answers."""

    __tablename__ = "action_recommendation"
    __table_args__ = (UniqueConstraint("action_id", "recommendation_id"),)

    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )


class ProgressNote(Tracked, Base):
    """A dated note on how an action is going."""

    __tablename__ = "progress_note"

    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    noted_on: Mapped[date]
    text: Mapped[str] = mapped_column(Text)


class Comment(CommentColumns, Tracked, Base):
    """A comment on a recommendation or an action (shared/comments.py)."""

    __tablename__ = "comment"


class EvidenceBlob(EvidenceBlobColumns, Base):
    """A file's bytes, once per content (shared/evidence.py)."""

    __tablename__ = "evidence_blob"


class EvidenceFile(EvidenceFileColumns, Tracked, Base):
    """An evidence file on an action, a response or a control result (shared/evidence.py)."""

    __tablename__ = "evidence_file"


class AccountabilityStatement(Tracked, Base):
    """The auditors' yearly statement on one body (ansvarsprövning): discharge, remark, internal control."""

    __tablename__ = "accountability_statement"
    __table_args__ = (UniqueConstraint("year", "body_code"),)

    year: Mapped[int]
    body_code: Mapped[str] = mapped_column(String(16), index=True)
    issued_on: Mapped[date | None]
    # None when the auditors were divided and gave separate statements (two audit reports for one body).
    discharge_recommended: Mapped[bool | None]
    remark: Mapped[bool]
    remark_grounds: Mapped[str | None] = mapped_column(Text)
    internal_control_sufficient: Mapped[bool]
    summary: Mapped[str | None] = mapped_column(Text)
    diary_number: Mapped[str | None] = mapped_column(String(32))


class ControlPlan(DecisionColumns, Tracked, Base):
    """A body's internal control for a year: its risk analysis and the controls (internkontrollplan)."""

    __tablename__ = "control_plan"
    __table_args__ = (UniqueConstraint("body_code", "year"),)
    __draft_states__ = frozenset({Lifecycle.draft.value})

    body_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int]
    status: Mapped[Lifecycle] = mapped_column(_enum(Lifecycle), default=Lifecycle.draft)


class Risk(OwnerColumns, Tracked, Base):
    """A risk of the analysis, scored on the region's one matrix: likelihood × consequence."""

    __tablename__ = "risk"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("control_plan.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    likelihood: Mapped[int]
    consequence: Mapped[int]
    # What the risk threatens in the goals service, by id; checked with it on write.
    goal_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    activity_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The region's processes it threatens, by name as the control plan names them ("Inköp och upphandling"):
    # no service keeps a register of processes to link to.
    processes: Mapped[list[str]] = mapped_column(JSON, default=list)


class Control(OwnerColumns, Tracked, Base):
    """How a risk at or above the threshold is checked: what, how, how often, by whom."""

    __tablename__ = "control"

    risk_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("risk.id", ondelete="CASCADE"), index=True)
    control: Mapped[str] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)
    frequency: Mapped[str] = mapped_column(String(100))
    # The role in words; the person who reports the results is owner_subject and owner_name.
    owner: Mapped[str] = mapped_column(String(200))


class ControlResult(Tracked, Base):
    """What a control found in a follow-up, reported with T2 (or the annual report)."""

    __tablename__ = "control_result"
    __table_args__ = (UniqueConstraint("control_id", "period"),)

    control_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("control.id", ondelete="CASCADE"), index=True)
    period: Mapped[ReportingPeriod] = mapped_column(_enum(ReportingPeriod, 8))
    outcome: Mapped[ControlOutcome] = mapped_column(_enum(ControlOutcome))
    description: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)
    reported_on: Mapped[date]
