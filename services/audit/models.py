"""Tables of the audit service."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Tracked, new_metadata
from shared.history import HistoryEntryColumns


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
    """What the auditors ask one body to do."""

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


class Action(Tracked, Base):
    """What a body will do about one or more recommendations."""

    __tablename__ = "action"

    body_code: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200))
    deadline_on: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(Enum(ActionStatus, native_enum=False, length=16))
    progress: Mapped[str | None] = mapped_column(Text)


class ActionRecommendation(Tracked, Base):
    """Which recommendations an action answers."""

    __tablename__ = "action_recommendation"
    __table_args__ = (UniqueConstraint("action_id", "recommendation_id"),)

    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )
