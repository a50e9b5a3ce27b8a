"""Request and response shapes of the goals service."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from shared.auth.policy import UnitKind

UnitCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9_-]{0,15}$"),
    Field(description="Stable code of an org unit, e.g. RF, RS, HSN", examples=["HSN"]),
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ExternalCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class _Validity(BaseModel):
    valid_from: date | None = None
    valid_to: date | None = None

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
