"""Importing measurements in bulk: plan every change first, then apply all of it or none.

The parsers (Kolada's JSON, tab-separated measures) turn their input into `IncomingValue`s with the
line they came from; this module matches them to what is stored, checks the caller's rights, and
reports created, updated, unchanged and left alone. History is written for every record created or
changed, so an import names the person or client who ran it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Measurement, PeriodKind
from services.goals.rules.fulfilment import BadPeriod, parse_period
from shared.history import insert_tracked
from shared.imports import ImportProblem, ImportRefused, ImportReport
from shared.types import exact_quantity

CHUNK = 500
KOLADA_SOURCE = "kolada"
MEASURES_SOURCE = "measures-import"
# A value that came in by an import is the import's to update; a value changed by hand is not.
IMPORTED_SOURCES = frozenset({KOLADA_SOURCE, MEASURES_SOURCE})


@dataclass(frozen=True)
class Target:
    """An indicator an incoming value belongs to, with the unit that decides who may measure it."""

    indicator_id: uuid.UUID
    unit_code: str
    decided: bool = True


@dataclass(frozen=True)
class Caller:
    """What the caller may do, asked of each indicator an import touches."""

    may_read: Callable[[str, bool], bool]
    may_measure: Callable[[str], bool]

    @classmethod
    def admin(cls) -> Caller:
        """The command line on the server: an admin may import into any indicator."""
        return cls(lambda *_: True, lambda _: True)

    def sees(self, targets: Iterable[Target]) -> list[Target]:
        """The indicators the caller may read: the others are as if absent, so an import reveals no draft."""
        return [t for t in targets if self.may_read(t.unit_code, t.decided)]


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
    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[uuid.UUID, IncomingValue] = field(default_factory=dict)

    def problem(self, line: int, message: str, field: str | None = None) -> None:
        self.report.problems.append(ImportProblem(line=line, field=field, message=message))


def exact(value: Decimal | None) -> Decimal | None:
    """A value as it will be stored; ValueError for one that would need rounding or is out of range."""
    return None if value is None else exact_quantity(value)


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


def _new_row(target: Target, incoming: IncomingValue, period: tuple[PeriodKind, int, int]) -> dict[str, Any]:
    kind, year, end_month = period
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


async def plan_import(
    session: AsyncSession, matched: Iterable[tuple[Target, IncomingValue]], report: ImportReport, caller: Caller
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
        if not caller.may_measure(target.unit_code):
            plan.problem(incoming.line, f"recording values needs editor on {target.unit_code}", "unit")
            continue
        try:
            period = parse_period(incoming.period)
        except BadPeriod as exc:
            plan.problem(incoming.line, str(exc), "period")
            continue
        current = stored.get(key)
        if current is None:
            plan.creates.append(_new_row(target, incoming, period))
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
    report.problems.sort(key=lambda problem: problem.line)  # in the file's order, each line's fields as found
    if report.problems:
        if report.dry_run:
            return report
        raise ImportRefused(
            f"{len(report.problems)} problem(s) in the input; fix them and import again",
            report=report.model_dump(mode="json"),
        )
    if report.dry_run:
        return report
    await insert_tracked(session, Measurement, plan.creates)
    await _update(session, plan.updates)
    report.applied = bool(plan.creates or plan.updates)
    return report


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


async def import_values(
    session: AsyncSession, matched: Iterable[tuple[Target, IncomingValue]], report: ImportReport, caller: Caller
) -> ImportReport:
    """Plan and apply in one go: what every importer ends with."""
    return await apply_plan(session, await plan_import(session, matched, report, caller))
