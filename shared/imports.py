"""One answer for every import: what a dry run found or a real run did, with every problem by line.

A real run applies all or nothing: with any problem it changes nothing and answers 422 with the
same report a dry run gives.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from pydantic import BaseModel, Field

from shared.errors import DomainError
from shared.metrics import current_metrics


class ImportProblem(BaseModel):
    """Why one line (or record) of the input cannot be imported."""

    line: int = Field(description="Line of the file, or number of the record, counted from 1")
    field: str | None = Field(default=None, description="The field at fault, if one is")
    message: str


class ImportReport(BaseModel):
    """What an import found (dry run) or did (real run)."""

    dry_run: bool
    applied: bool = Field(description="Whether anything was written: false for a dry run and for any problem")
    read: int = Field(default=0, description="Records read from the input")
    created: int = 0
    updated: int = 0
    unchanged: int = Field(default=0, description="Records that match what is stored already")
    left_alone: int = Field(default=0, description="Records not imported for a reason given in `notes`")
    notes: list[str] = Field(default_factory=list)
    problems: list[ImportProblem] = Field(default_factory=list)


class ImportRefused(DomainError):
    """A real run with problems: nothing was changed; the report says what to fix."""

    status = 422
    code = "import-refused"
    title = "Import refused; nothing was changed"


Report = TypeVar("Report", bound=ImportReport)


async def noted(note: str | None, run: Awaitable[Report]) -> Report:
    """An import's report, real, dry or refused, with a note of how its input was read added when there is one."""
    try:
        report = await run
    except ImportRefused as refusal:
        if note:
            refusal.extra["report"]["notes"].append(note)
        _count(ImportReport.model_validate(refusal.extra["report"]), refused=True)
        raise
    if note:
        report.notes.append(note)
    _count(report)
    return report


def _count(report: ImportReport, *, refused: bool = False) -> None:
    """The import's rows and problems in the app's metrics (every import ends in `noted`)."""
    metrics = current_metrics()
    if metrics is None:
        return
    metrics.imports.labels("refused" if refused else "dry_run" if report.dry_run else "applied").inc()
    for outcome in ("read", "created", "updated", "unchanged", "left_alone"):
        metrics.import_rows.labels(outcome).inc(getattr(report, outcome))
    metrics.import_problems.inc(len(report.problems))
