"""Pieces every part of the audit service uses: diary numbers, decision references, changes."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from services.audit.schemas import DecisionIn, DecisionRead
from shared.errors import Unprocessable


def check_diary_number(value: str, pattern: str, field: str) -> None:
    """The region's diary numbers follow one pattern (BODY/number/year, e.g. RS/782/2020)."""
    if not re.fullmatch(pattern, value):
        raise Unprocessable(
            f"Diary number {value!r} does not follow the region's pattern, e.g. RS/782/2020", field=field
        )


def apply_decision(record: Any, decision: DecisionIn, diary_pattern: str) -> None:
    if decision.diary_number is not None:
        check_diary_number(decision.diary_number, diary_pattern, "diary_number")
    record.decided_by = decision.decided_by
    record.decided_on = decision.decided_on
    record.decision_paragraph = decision.paragraph if decision.paragraph.startswith("§") else f"§ {decision.paragraph}"
    record.decision_diary_number = decision.diary_number


def decision_of(record: Any) -> DecisionRead | None:
    if record.decided_on is None:
        return None
    return DecisionRead(
        decided_by=record.decided_by,
        decided_on=record.decided_on,
        paragraph=record.decision_paragraph,
        diary_number=record.decision_diary_number,
    )


def changes(data: BaseModel, required: set[str], *, exclude: set[str] | None = None) -> dict[str, Any]:
    """The fields a PATCH sends; a required field sent as null is refused rather than emptied."""
    sent = data.model_dump(exclude_unset=True, exclude=exclude)
    for field, value in sent.items():
        if value is None and field in required:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
    return sent
