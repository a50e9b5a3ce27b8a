"""Pieces every part of the audit service uses: diary numbers, decision references, changes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.audit.models import Lifecycle
from shared import decisions
from shared.decisions import DecisionIn, DecisionRead, check_decision
from shared.errors import Locked, Unprocessable

# The audit tables keep a decision's diary number apart from the diary number an audit report arrives under.
DIARY_ATTR = "decision_diary_number"


def apply_decision(record: Any, decision: DecisionIn, diary_pattern: str) -> None:
    check_decision(decision, diary_pattern)
    decisions.record_decision(record, decision, diary_attr=DIARY_ATTR)


def decision_of(record: Any) -> DecisionRead | None:
    return decisions.decision_of(record, diary_attr=DIARY_ATTR)


def changes(data: BaseModel, required: set[str], *, exclude: set[str] | None = None) -> dict[str, Any]:
    """The fields a PATCH sends; a required field sent as null is refused rather than emptied."""
    sent = data.model_dump(exclude_unset=True, exclude=exclude)
    for field, value in sent.items():
        if value is None and field in required:
            raise Unprocessable(f"{field} cannot be emptied", field=field)
    return sent


def ensure_draft(status: Lifecycle, what: str) -> None:
    """Decided material is locked: the decided version is the public record."""
    if status is Lifecycle.decided:
        raise Locked(f"The {what} is decided and locked")
