"""Measures by external codes, as Stratsys-like tools exchange them: a tab-separated file of unit code,
date, measure code and value, one measure a line.

Units are matched by their `external_code`, indicators by theirs within that unit. The date says
which period the value is for, at the granularity the caller names (month, tertial or year): with
`month`, 2024-04-30 is 2024-04. A decimal comma is accepted (71,4), and an empty value is missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.goals.models import Goal, Indicator, Lifecycle, OrgUnit
from services.goals.rules.measurement_import import (
    MEASURES_SOURCE,
    Caller,
    IncomingValue,
    Target,
    exact,
    import_values,
)
from shared.fields import parse_day
from shared.imports import ImportProblem, ImportReport

COLUMNS = ("unit", "date", "measure", "value")
MAX_LINE = 1_000


class Granularity(StrEnum):
    month = "month"
    tertial = "tertial"
    year = "year"


def period_of(day: date, granularity: Granularity) -> str:
    if granularity is Granularity.month:
        return f"{day.year}-{day.month:02d}"
    if granularity is Granularity.tertial:
        return f"{day.year}-T{(day.month - 1) // 4 + 1}"
    return str(day.year)


def _value(text: str) -> Decimal | None:
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    if not cleaned:
        return None
    try:
        return exact(Decimal(cleaned))
    except InvalidOperation as exc:
        raise ValueError(f"{text.strip()[:40]!r} is not a number") from exc


@dataclass(frozen=True)
class MeasureLine:
    """One line read: the codes to match, and the value for its period unless the line has problems."""

    line: int
    unit: str
    measure: str
    incoming: IncomingValue | None
    problems: tuple[ImportProblem, ...]


def parse_lines(lines: Iterable[str], granularity: Granularity) -> Iterator[MeasureLine | ImportProblem]:
    """Each line read: parsed with every problem of its fields, or one problem when it has no fields to read.

    Fields are split on tabs only: the format has no quoting, so a stray quote cannot join lines and
    every line number is the file's own.
    """
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        if len(line) > MAX_LINE:
            yield ImportProblem(line=number, message=f"the line is longer than {MAX_LINE} characters")
            continue
        fields = [field.strip() for field in line.split("\t")]
        if number == 1 and [f.lower() for f in fields] == list(COLUMNS):
            continue  # the header the export writes
        if len(fields) != len(COLUMNS):
            yield ImportProblem(line=number, message=f"expected 4 tab-separated fields, found {len(fields)}")
            continue
        yield _parse_fields(number, fields, granularity)


def _parse_fields(number: int, fields: list[str], granularity: Granularity) -> MeasureLine:
    unit, day_text, measure, value_text = fields
    problems = [
        ImportProblem(line=number, field=name, message=f"the {name} code is required")
        for name, code in (("unit", unit), ("measure", measure))
        if not code
    ]
    day: date | None = None
    try:
        day = parse_day(day_text)
    except ValueError as exc:
        problems.append(ImportProblem(line=number, field="date", message=str(exc)))
    value: Decimal | None = None
    try:
        value = _value(value_text)
    except (ValueError, ArithmeticError) as exc:
        problems.append(ImportProblem(line=number, field="value", message=str(exc)))
    incoming = None
    if day is not None and not problems:
        incoming = IncomingValue(number, period_of(day, granularity), value, None, None, MEASURES_SOURCE)
    return MeasureLine(number, unit, measure, incoming, tuple(problems))


async def _targets(session: AsyncSession) -> dict[tuple[str, str], list[Target]]:
    """Indicators by (unit external code, measure external code)."""
    rows = await session.execute(
        select(OrgUnit.external_code, OrgUnit.code, Indicator.id, Indicator.external_code, Goal.status)
        .join(Goal, Goal.unit_id == OrgUnit.id)
        .join(Indicator, Indicator.goal_id == Goal.id)
        .where(OrgUnit.external_code.is_not(None), Indicator.external_code.is_not(None))
    )
    found: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for unit_code_external, unit_code, indicator_id, measure, status in rows:
        found[(str(unit_code_external), str(measure))].append(
            Target(indicator_id, unit_code, status is not Lifecycle.draft)
        )
    return found


async def import_measures(
    session: AsyncSession, lines: Iterable[str], *, granularity: Granularity, dry_run: bool, caller: Caller
) -> ImportReport:
    """Import a file of measures in one transaction: every line or, with any problem, none."""
    report = ImportReport(dry_run=dry_run, applied=False)
    targets = await _targets(session)
    matched: list[tuple[Target, IncomingValue]] = []
    for parsed in parse_lines(lines, granularity):
        report.read += 1
        if isinstance(parsed, ImportProblem):
            report.problems.append(parsed)
            continue
        report.problems.extend(parsed.problems)
        followers = caller.sees(targets.get((parsed.unit, parsed.measure), []))
        if parsed.unit and parsed.measure and not followers:
            report.problems.append(
                ImportProblem(
                    line=parsed.line,
                    field="measure",
                    message=f"no indicator with measure code {parsed.measure!r} in unit {parsed.unit!r}",
                )
            )
        if parsed.incoming is not None:
            matched.extend((target, parsed.incoming) for target in followers)
    return await import_values(session, matched, report, caller)
