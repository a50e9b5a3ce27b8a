"""Tables of the budget service. Money columns are `Money`: exact on both databases."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Enum, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import Tracked, new_metadata
from shared.history import HistoryEntryColumns
from shared.types import Money, Quantity


class Base(DeclarativeBase):
    metadata = new_metadata()


class HistoryEntry(HistoryEntryColumns, Base):
    __tablename__ = "history_entry"


def _enum(cls: type[StrEnum], length: int = 24) -> Enum:
    return Enum(cls, native_enum=False, length=length)


class DecisionColumns:
    """A decision reference: which body decided, at which meeting, under which paragraph and case."""

    decided_by: Mapped[str | None] = mapped_column(String(16))
    decided_on: Mapped[date | None]
    decision_paragraph: Mapped[str | None] = mapped_column(String(16))
    diary_number: Mapped[str | None] = mapped_column(String(32))


class FrameStatus(StrEnum):
    """proposal: a draft; decided: the frame in force; revised: a decided version a later one replaced."""

    proposal = "proposal"
    decided = "decided"
    revised = "revised"


class OperatingFrame(Tracked, DecisionColumns, Base):
    """One version of a unit's net-cost budget (driftram) for a year, built from its parts, in SEK.

    Revision 0 is the budget the council decides; a revision during the year is a new version
    with the next number. `amount` is kept in step with the parts so that sums stay in SQL.
    """

    __tablename__ = "operating_frame"
    __draft_states__ = frozenset({FrameStatus.proposal.value})
    __table_args__ = (UniqueConstraint("unit_code", "year", "revision"),)

    unit_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int] = mapped_column(index=True)
    revision: Mapped[int] = mapped_column(default=0)
    status: Mapped[FrameStatus] = mapped_column(_enum(FrameStatus, 16))
    last_year_frame: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    index_uplift: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    population_change: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    activity_change: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    priorities: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    savings: Mapped[Decimal] = mapped_column(Money(), default=Decimal(0))
    amount: Mapped[Decimal] = mapped_column(Money())
    comment: Mapped[str | None] = mapped_column(Text)


class ResourceCalculation(Tracked, Base):
    """The resource calculation (resursberäkning) of one plan year: what the region can spend."""

    __tablename__ = "resource_calculation"

    year: Mapped[int] = mapped_column(unique=True)
    tax_revenue: Mapped[Decimal] = mapped_column(Money())
    general_grants: Mapped[Decimal] = mapped_column(Money())
    other_revenue: Mapped[Decimal] = mapped_column(Money())
    lpik_percent: Mapped[Decimal] = mapped_column(Quantity())
    pension_cost: Mapped[Decimal] = mapped_column(Money())
    result_target_percent: Mapped[Decimal] = mapped_column(Quantity())
    comment: Mapped[str | None] = mapped_column(Text)
