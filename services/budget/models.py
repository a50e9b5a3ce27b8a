"""Tables of the budget service. Money columns are `Money`: exact on both databases."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Tracked, new_metadata
from shared.history import HistoryEntryColumns
from shared.types import Money


class Base(DeclarativeBase):
    metadata = new_metadata()


class HistoryEntry(HistoryEntryColumns, Base):
    __tablename__ = "history_entry"


class FrameStatus(StrEnum):
    proposal = "proposal"
    decided = "decided"


class OperatingFrame(Tracked, Base):
    """A unit's net-cost budget (driftram) for one year, in SEK."""

    __tablename__ = "operating_frame"
    __draft_states__ = frozenset({FrameStatus.proposal.value})
    __table_args__ = (UniqueConstraint("unit_code", "year"),)

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[FrameStatus] = mapped_column(Enum(FrameStatus, native_enum=False, length=16))
    comment: Mapped[str | None] = mapped_column(Text)
