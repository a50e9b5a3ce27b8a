"""Importing measurements in bulk: plan every change first, then apply all of it or none.

The parsers (Kolada's JSON, tab-separated measures) turn their input into `IncomingValue`s with the
line they came from; this module matches them to what is stored, checks the caller's rights, and
reports created, updated, unchanged and left alone. History is written by the session as for any
change, so an import names the person or client who ran it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Measurement
from services.goals.rules.fulfilment import BadPeriod, parse_period
from shared.history import insert_tracked
from shared.imports import ImportProblem, ImportRefused, ImportReport
from shared.types import QUANTITY_STEP

CHUNK = 500


@dataclass(frozen=True)
class Target:
    """An indicator an incoming value belongs to, with the unit that decides who may measure it."""

    indicator_id: uuid.UUID
    unit_code: str
    decided: bool = True


@dataclass(frozen=True)
class IncomingValue:
    line: int
    period: str
    value: Decimal | None
    value_women: Decimal | None
    value_men: Decimal | None
    source: str
    comment: str | None = None

    @property
    def values(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        return self.value, self.value_women, self.value_men


@dataclass(frozen=True)
class StoredValue:
    """A stored measurement as far as an import compares it, read without building ORM objects."""

    id: uuid.UUID
    value: Decimal | None
    value_women: Decimal | None
    value_men: Decimal | None
    source: str | None


@dataclass
class ImportPlan:
    """What an import would do, found without changing anything."""

    report: ImportReport
    creates: list[tuple[Target, IncomingValue]] = field(default_factory=list)
    updates: dict[uuid.UUID, IncomingValue] = field(default_factory=dict)

    def problem(self, line: int, message: str, field: str | None = None) -> None:
        self.report.problems.append(ImportProblem(line=line, field=field, message=message))


def exact(value: Decimal | None) -> Decimal | None:
    """A value as stored (six decimals at most); None for a value that would need rounding."""
    if value is None:
        return None
    if not value.is_finite() or value != value.quantize(QUANTITY_STEP):
        raise ValueError(f"{value} has more than six decimals or is not a number")
    return value


def _same(stored: StoredValue, incoming: IncomingValue) -> bool:
    return (stored.value, stored.value_women, stored.value_men) == incoming.values and stored.source == incoming.source


async def _stored(session: AsyncSession, indicator_ids: set[uuid.UUID]) -> dict[tuple[uuid.UUID, str], StoredValue]:
    """The stored values of the indicators an import touches, by (indicator, period)."""
    found: dict[tuple[uuid.UUID, str], StoredValue] = {}
    ordered = sorted(indicator_ids)
    for start in range(0, len(ordered), CHUNK):
        rows = await session.execute(
            select(
                Measurement.indicator_id,
                Measurement.period,
                Measurement.id,
                Measurement.value,
                Measurement.value_women,
                Measurement.value_men,
                Measurement.source,
            ).where(Measurement.indicator_id.in_(ordered[start : start + CHUNK]))
        )
        found.update({(r[0], r[1]): StoredValue(*r[2:]) for r in rows})
    return found


async def plan_import(
    session: AsyncSession,
    matched: Iterable[tuple[Target, IncomingValue]],
    report: ImportReport,
    may_measure: Callable[[str], bool],
) -> ImportPlan:
    """Check every matched value and decide what it would change; nothing is written here."""
    plan = ImportPlan(report)
    pairs = list(matched)
    stored = await _stored(session, {t.indicator_id for t, _ in pairs})
    seen: dict[tuple[uuid.UUID, str], int] = {}
    for target, incoming in pairs:
        key = (target.indicator_id, incoming.period)
        if key in seen:
            plan.problem(incoming.line, f"the same period again (first on line {seen[key]})", "period")
            continue
        seen[key] = incoming.line
        if not may_measure(target.unit_code):
            plan.problem(incoming.line, f"recording values needs editor on {target.unit_code}", "unit")
            continue
        try:
            parse_period(incoming.period)
        except BadPeriod as exc:
            plan.problem(incoming.line, str(exc), "period")
            continue
        current = stored.get(key)
        if current is None:
            plan.creates.append((target, incoming))
        elif _same(current, incoming):
            report.unchanged += 1
        elif current.source != incoming.source:
            report.left_alone += 1
            report.notes.append(
                f"line {incoming.line}: {incoming.period} has a value from {current.source or 'manual entry'}; "
                "left as it is"
            )
        else:
            plan.updates[current.id] = incoming
    report.created, report.updated = len(plan.creates), len(plan.updates)
    return plan


async def apply_plan(session: AsyncSession, plan: ImportPlan) -> ImportReport:
    """Write a checked plan, or refuse it whole when it found a problem; a dry run writes nothing."""
    report = plan.report
    if report.problems:
        if report.dry_run:
            return report
        raise ImportRefused(
            f"{len(report.problems)} problem(s) in the input; fix them and import again",
            report=report.model_dump(mode="json"),
        )
    if report.dry_run:
        return report
    await insert_tracked(session, Measurement, (_new_row(target, incoming) for target, incoming in plan.creates))
    await _update(session, plan.updates)
    report.applied = True
    return report


def _new_row(target: Target, incoming: IncomingValue) -> dict[str, object]:
    kind, year, end_month = parse_period(incoming.period)
    return {
        "indicator_id": target.indicator_id,
        "period": incoming.period,
        "period_kind": kind,
        "year": year,
        "period_end_month": end_month,
        "value": incoming.value,
        "value_women": incoming.value_women,
        "value_men": incoming.value_men,
        "comment": incoming.comment,
        "source": incoming.source,
    }


async def _update(session: AsyncSession, updates: dict[uuid.UUID, IncomingValue]) -> None:
    """Changed values through the ORM, so each keeps its version check and its history."""
    ids = sorted(updates)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for measurement in await session.scalars(select(Measurement).where(Measurement.id.in_(chunk))):
            incoming = updates[measurement.id]
            measurement.value, measurement.value_women, measurement.value_men = incoming.values
            measurement.comment = incoming.comment
        await session.flush()
