"""The period whose measurement is due next, in the indicator's own rhythm."""

from datetime import date

import pytest

from services.goals.models import PeriodKind
from services.goals.rules.tasks import next_period

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("latest", "baseline", "expected"),
    [
        ((2022, 12, PeriodKind.year), None, ("2023", date(2023, 12, 31))),
        ((2022, 4, PeriodKind.tertial), None, ("2022-T2", date(2022, 8, 31))),
        ((2022, 12, PeriodKind.tertial), None, ("2023-T1", date(2023, 4, 30))),
        ((2024, 1, PeriodKind.month), None, ("2024-02", date(2024, 2, 29))),
        ((2024, 12, PeriodKind.month), None, ("2025-01", date(2025, 1, 31))),
        (None, 2021, ("2022", date(2022, 12, 31))),
        (None, None, ("2026", date(2026, 12, 31))),
    ],
)
def test_the_next_period_follows_the_latest_value(latest, baseline, expected):
    assert next_period(latest, baseline, TODAY) == expected
