"""One meaning of "as at" for every report and read model.

A follow-up speaks for its period's end: T1 as at 30 April, T2 as at 31 August, the year (and T3)
as at 31 December. A read model given `as_of` answers with what belonged to that date: measurements
and outcomes of periods that had ended by then, the decisions taken by then, the items received by
then. Data entered later about an earlier period belongs to that period, not to the day it was typed,
so "belonged" is judged by the record's own dates (period, decided on, received on), never by when
the row was written.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Query

from shared.fields import Day

# The month each follow-up runs to. T3 is the budget's name for the year-end follow-up.
PERIOD_END_MONTH = {"T1": 4, "T2": 8, "T3": 12, "year": 12}

# People in a Swedish region read dates and times in Swedish time; the services store UTC.
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")

AS_OF_DESCRIPTION = (
    "Answer as at this date: only what belonged to it (periods ended, decisions taken and items received "
    "by then). Defaults to today in Swedish time."
)
AsOfQuery = Annotated[Day | None, Query(description=AS_OF_DESCRIPTION)]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def period_end(year: int, period: str) -> date:
    """The last day of a follow-up period of `year` (`T1`, `T2`, `T3` or `year`)."""
    return month_end(year, PERIOD_END_MONTH[period])


def last_month_ended(as_of: date) -> tuple[int, int]:
    """The (year, month) of the last whole month ended on or before `as_of`: 30 April gives April,
    29 April gives March, 1 January gives December of the year before."""
    if as_of == month_end(as_of.year, as_of.month):
        return as_of.year, as_of.month
    if as_of.month == 1:
        return as_of.year - 1, 12
    return as_of.year, as_of.month - 1


def months_ended_in_year(year: int, as_of: date) -> int:
    """How many months of `year` had ended by `as_of`: 0 before the year's first month ended, 12 after it."""
    ended_year, ended_month = last_month_ended(as_of)
    if ended_year < year:
        return 0
    if ended_year > year:
        return 12
    return ended_month


def today_in_sweden() -> date:
    return datetime.now(SWEDISH_TIME).date()


def as_of_or_today(as_of: date | None) -> date:
    return as_of if as_of is not None else today_in_sweden()


def in_swedish_time(moment: datetime) -> datetime:
    """A stored UTC moment as a person in the region reads it."""
    return moment.astimezone(SWEDISH_TIME)
