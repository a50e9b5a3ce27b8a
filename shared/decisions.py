"""A decision reference as every service records it: the body, the meeting's date, the paragraph (§) and the
diary number; and the org-unit code that names the body. One definition for goals, budget and audit.

Diary numbers follow one region-wide pattern, a setting (STYR_DIARY_NUMBER_PATTERN, read with each service's
settings), so the pattern is checked when a decision arrives, not fixed in the request schema.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.errors import Unprocessable
from shared.fields import SOME_TEXT, WHITE_SPACE, Day
from shared.settings import DIARY_NUMBER_PATTERN_VARIABLE, ServiceSettings

UnitCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-ZÅÄÖ0-9][A-ZÅÄÖ0-9_-]{0,15}$"),
    Field(description="Stable code of an org unit (kept by the goals service), e.g. RF, RS, HSN", examples=["HSN"]),
]
DiaryNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=SOME_TEXT),
    Field(
        examples=["RS/782/2020"],
        description=f"Checked against the region's pattern ({DIARY_NUMBER_PATTERN_VARIABLE}), e.g. BODY/no/year",
    ),
]
Paragraph = Annotated[
    str, StringConstraints(pattern=rf"^§?[{WHITE_SPACE}]?[0-9]{{1,4}}[a-z]?$"), Field(examples=["§ 123"])
]
DecisionDay = Day


class DecisionIn(BaseModel):
    """A decision reference: body, meeting date, paragraph (§) and diary number."""

    model_config = ConfigDict(extra="forbid")

    decided_by: UnitCode
    decided_on: DecisionDay
    paragraph: Paragraph
    diary_number: DiaryNumber | None = None

    @property
    def paragraph_text(self) -> str:
        """The paragraph as minutes write it: `§ 12`, whether or not the sign was sent."""
        return self.paragraph if self.paragraph.startswith("§") else f"§ {self.paragraph}"


class DecisionRead(BaseModel):
    decided_by: str
    decided_on: date
    paragraph: str
    diary_number: str | None


def record_decision(record: Any, decision: DecisionIn, *, diary_attr: str = "diary_number") -> None:
    """Keep a decision on a record's columns: decided_by, decided_on, decision_paragraph and its diary number."""
    record.decided_by = decision.decided_by
    record.decided_on = decision.decided_on
    record.decision_paragraph = decision.paragraph_text
    setattr(record, diary_attr, decision.diary_number)


def decision_of(record: Any, *, diary_attr: str = "diary_number") -> DecisionRead | None:
    """The decision kept on a record, or None while it is undecided."""
    if record.decided_on is None:
        return None
    return DecisionRead(
        decided_by=record.decided_by,
        decided_on=record.decided_on,
        paragraph=record.decision_paragraph,
        diary_number=getattr(record, diary_attr),
    )


def check_diary_number(value: str, pattern: str, field: str = "diary_number") -> None:
    """The region's diary numbers follow one pattern (BODY/number/year, e.g. RS/782/2020, by default)."""
    if not re.fullmatch(pattern, value):
        raise Unprocessable(
            f"Diary number {value!r} does not follow the region's pattern, e.g. RS/782/2020", field=field
        )


def check_decision(decision: DecisionIn | None, pattern: str, field: str = "diary_number") -> None:
    """A decision's diary number, when it has one, follows the region's pattern."""
    if decision is not None and decision.diary_number is not None:
        check_diary_number(decision.diary_number, pattern, field)


async def _diary_number_pattern(request: Request) -> str:
    settings: ServiceSettings = request.app.state.settings
    return settings.diary_number_pattern


DiaryPattern = Annotated[str, Depends(_diary_number_pattern)]
