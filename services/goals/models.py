"""Tables of the goals service."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.auth.policy import UnitKind
from shared.db import Tracked, new_metadata
from shared.history import HistoryEntryColumns


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
