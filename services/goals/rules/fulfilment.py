"""Goal fulfilment (måluppfyllelse): the colour rule, written once, exact, and free of I/O.

Indicator colour, for the target of the year and the value that stands at the reporting period:
- grey: no target for the year, or no value measured by the end of the period;
- green: the target is reached (at or above it when higher is better, at or below when lower is);
- yellow: not reached, but within the indicator's tolerance of it;
- red: further from the target than the tolerance.

Goal colour, from its indicators' colours:
- grey: no indicator has a colour other than grey (nothing to judge by);
- green: every measured (non-grey) indicator is green;
- red: at least half of the measured indicators are red;
- yellow: otherwise.

The value that stands at a reporting period is the latest measured one of that year ending no
later than the period ends (T1: April, T2: August, year: December); a year's value outranks a
tertial's, which outranks a month's, when they end in the same month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from services.goals.models import Colour, Direction, PeriodKind, ReportingPeriod

CUTOFF_MONTH = {ReportingPeriod.T1: 4, ReportingPeriod.T2: 8, ReportingPeriod.year: 12}
# Coarser periods first when they end in the same month: the year's figure is the official one.
KIND_RANK = {PeriodKind.year: 0, PeriodKind.tertial: 1, PeriodKind.month: 2}
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-(?:T(?P<tertial>[1-3])|(?P<month>0[1-9]|1[0-2])))?$")


class BadPeriod(ValueError):
    pass


def parse_period(text: str) -> tuple[PeriodKind, int, int]:
    """`2024` → (year, 2024, 12); `2024-T2` → (tertial, 2024, 8); `2024-03` → (month, 2024, 3)."""
    match = _PERIOD.match(text.strip())
    if not match:
        raise BadPeriod(f"{text!r} is not a period: use 2024 (year), 2024-T1..T3 (tertial) or 2024-01..12 (month)")
    year = int(match["year"])
    if not 1990 <= year <= 2100:
        raise BadPeriod(f"{year} is outside the years this system holds (1990–2100)")
    if match["tertial"]:
        return PeriodKind.tertial, year, int(match["tertial"]) * 4
    if match["month"]:
        return PeriodKind.month, year, int(match["month"])
    return PeriodKind.year, year, 12


def indicator_colour(direction: Direction, tolerance: Decimal, target: Decimal | None, value: Decimal | None) -> Colour:
    if target is None or value is None:
        return Colour.grey
    shortfall = target - value if direction is Direction.higher_is_better else value - target
    if shortfall <= 0:
        return Colour.green
    if shortfall <= tolerance:
        return Colour.yellow
    return Colour.red


def goal_colour(colours: Iterable[Colour]) -> Colour:
    measured = [c for c in colours if c is not Colour.grey]
    if not measured:
        return Colour.grey
    if all(c is Colour.green for c in measured):
        return Colour.green
    if 2 * sum(c is Colour.red for c in measured) >= len(measured):
        return Colour.red
    return Colour.yellow
