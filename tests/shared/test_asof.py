"""The one meaning of "as at": period ends and the months that had ended by a date."""

from datetime import UTC, date, datetime

import pytest

from shared.asof import in_swedish_time, last_month_ended, months_ended_in_year, period_end


@pytest.mark.parametrize(
    ("period", "end"), [("T1", date(2024, 4, 30)), ("T2", date(2024, 8, 31)), ("T3", date(2024, 12, 31))]
)
def test_a_follow_up_speaks_for_its_period_end(period: str, end: date):
    assert period_end(2024, period) == end
    assert period_end(2024, "year") == date(2024, 12, 31)


def test_only_whole_months_have_ended():
    assert last_month_ended(date(2024, 4, 30)) == (2024, 4)
    assert last_month_ended(date(2024, 4, 29)) == (2024, 3)
    assert last_month_ended(date(2024, 2, 29)) == (2024, 2)
    assert last_month_ended(date(2024, 1, 15)) == (2023, 12)


def test_months_of_a_year_ended_by_a_date():
    assert months_ended_in_year(2022, date(2022, 8, 31)) == 8
    assert months_ended_in_year(2022, date(2022, 1, 30)) == 0
    assert months_ended_in_year(2022, date(2023, 3, 1)) == 12
    assert months_ended_in_year(2023, date(2022, 12, 31)) == 0


def test_a_utc_moment_reads_in_swedish_summer_and_winter_time():
    assert in_swedish_time(datetime(2024, 7, 1, 22, 30, tzinfo=UTC)).isoformat() == "2024-07-02T00:30:00+02:00"
    assert in_swedish_time(datetime(2024, 1, 1, 22, 30, tzinfo=UTC)).isoformat() == "2024-01-01T23:30:00+01:00"
