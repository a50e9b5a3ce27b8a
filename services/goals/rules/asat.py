"""What of the goals service belongs to a date: shared/asof.py's meaning of "as at", as SQL conditions.

Each condition is a plain comparison on the record's own dates (a measurement's year and end month,
a goal's or plan's decision date, a follow-up's period), so a read model keeps its statements and
adds no per-row query.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, and_, bindparam, or_

from services.goals.models import Lifecycle, ReportingPeriod
from services.goals.rules.fulfilment import CUTOFF_MONTH
from shared.asof import as_of_or_today, last_month_ended, months_ended_in_year, period_end

# The as-at date as parameters of statements built once (see as_of_params); a condition below takes a date instead
# where its statement is built for one request.
AS_OF = bindparam("as_of", type_=Date)
ENDED_YEAR = bindparam("ended_year", type_=Integer)
ENDED_MONTH = bindparam("ended_month", type_=Integer)


def as_of_params(as_of: date) -> dict[str, Any]:
    """The values of AS_OF, ENDED_YEAR and ENDED_MONTH for `as_of`."""
    ended_year, ended_month = last_month_ended(as_of)
    return {"as_of": as_of, "ended_year": ended_year, "ended_month": ended_month}


def resolve_as_of(as_of: date | None, year: int | None, period: ReportingPeriod | None) -> date:
    """The date a read model answers as at: the one asked for; else the end of the period asked
    about; else today in Swedish time."""
    if as_of is not None:
        return as_of
    if year is not None and period is not None:
        return period_end(year, period.value)
    return as_of_or_today(None)


def through_month(year: int, period: ReportingPeriod, as_of: date) -> int:
    """The last month of `year` whose measurements stand at `period` as at `as_of`: the period's end,
    or the last month ended by `as_of` if that is earlier (0: none)."""
    return min(CUTOFF_MONTH[period], months_ended_in_year(year, as_of))


def measured_by(measurement: Any, as_of: date | None = None) -> ColumnElement[bool]:
    """A measurement of a period that had ended by `as_of` (its year and end month, not when it was typed);
    without a date, by the date of the parameters (as_of_params)."""
    ended: tuple[Any, Any] = last_month_ended(as_of) if as_of else (ENDED_YEAR, ENDED_MONTH)
    ended_year, ended_month = ended
    return or_(
        measurement.year < ended_year,
        and_(measurement.year == ended_year, measurement.period_end_month <= ended_month),
    )


def decided_by(record: Any, as_of: date | None = None) -> ColumnElement[bool]:
    """A goal or plan decided on or before `as_of` (without a date, the parameters' date: as_of_params), or a
    draft (whose visibility the caller's rules decide).

    A decided record always carries its decision date; one without (none is made so today) is kept,
    since when it was decided cannot be told and hiding it would drop a decided goal silently."""
    return or_(record.status == Lifecycle.draft, record.decided_on.is_(None), record.decided_on <= (as_of or AS_OF))


def periods_ended(year: int, as_of: date) -> list[ReportingPeriod]:
    """The follow-up periods of `year` that had ended by `as_of`."""
    return [p for p in ReportingPeriod if period_end(year, p.value) <= as_of]
