"""Request and response shapes of the budget service. Amounts travel as decimal strings."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.budget.models import FrameStatus
from shared.fields import MoneyAmount

UnitCode = Annotated[str, StringConstraints(pattern=r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9_-]{0,15}$"), Field(examples=["HSN"])]
Year = Annotated[int, Field(ge=2000, le=2100)]
Comment = Annotated[str, StringConstraints(max_length=4000)]


class FrameCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_code: UnitCode
    year: Year
    amount: MoneyAmount
    status: FrameStatus = FrameStatus.proposal
    comment: Comment | None = None


class FrameUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: MoneyAmount | None = None
    status: FrameStatus | None = None
    comment: Comment | None = None


class FrameRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_code: str
    year: int
    amount: MoneyAmount
    status: FrameStatus
    comment: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class FrameTotal(BaseModel):
    """The sum of all units' frames for a year, summed exactly in the database."""

    year: int
    status: FrameStatus
    units: int
    total: MoneyAmount
