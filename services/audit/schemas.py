"""Request and response shapes of the audit service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.audit.models import ActionStatus, RecommendationStatus

UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9_-]{0,15}$"), Field(examples=["RS"])]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
DiaryNumber = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), Field(examples=["RS/782/2020"])]


class Assessment(StrEnum):
    yes = "yes"
    largely = "largely"
    limited = "limited"
    no = "no"


class QuestionAssessment(BaseModel):
    """The auditors' verdict on one question of the review, e.g. 'ändamålsenlig'."""

    model_config = ConfigDict(extra="forbid")

    question: Title
    assessment: Assessment


class RecipientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode
    diary_number: DiaryNumber


class RecommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode
    text: LongText
    response_due_on: date | None = None


class ReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    audit_year: Annotated[int, Field(ge=2000, le=2100)]
    received_on: date | None = None
    summary: LongText | None = None
    document_url: Annotated[str, StringConstraints(max_length=2000, pattern=r"^https?://")] | None = None
    assessments: list[QuestionAssessment] = Field(default_factory=list, max_length=20)
    recipients: Annotated[list[RecipientIn], Field(min_length=1, max_length=50)]
    recommendations: list[RecommendationIn] = Field(default_factory=list, max_length=200)


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
    version: int


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


class ActionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body_code: UnitCode
    title: Title
    description: LongText | None = None
    owner: Annotated[str, StringConstraints(max_length=200)] | None = None
    deadline_on: date | None = None
    status: ActionStatus = ActionStatus.planned
    progress: LongText | None = None
    recommendation_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=50)]


class ActionUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: LongText | None = None
    owner: Annotated[str, StringConstraints(max_length=200)] | None = None
    deadline_on: date | None = None
    status: ActionStatus | None = None
    progress: LongText | None = None


class ActionRead(BaseModel):
    id: uuid.UUID
    body_code: str
    title: str
    description: str | None
    owner: str | None
    deadline_on: date | None
    status: ActionStatus
    progress: str | None
    recommendation_ids: list[uuid.UUID]
    version: int
    created_at: datetime
    updated_at: datetime
