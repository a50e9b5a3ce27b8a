"""The fulfilment rule, case by case: direction, tolerance, grey, and how a goal's colour follows."""

from decimal import Decimal as D

import pytest

from services.goals.models import Colour, Direction, PeriodKind
from services.goals.rules.fulfilment import BadPeriod, goal_colour, indicator_colour, parse_period

UP, DOWN = Direction.higher_is_better, Direction.lower_is_better
G, Y, R, N = Colour.green, Colour.yellow, Colour.red, Colour.grey


@pytest.mark.parametrize(
    ("direction", "tolerance", "target", "value", "colour"),
    [
        (UP, D(5), D(80), D(80), G),  # reached exactly
        (UP, D(5), D(80), D(95), G),
        (UP, D(5), D(80), D(75), Y),  # at the edge of the tolerance
        (UP, D(5), D(80), D("74.999"), R),
        (UP, D(0), D(80), D("79.9"), R),  # no tolerance: any shortfall is red
        (DOWN, D("0.5"), D("6.5"), D("6.5"), G),
        (DOWN, D("0.5"), D("6.5"), D("6.0"), G),
        (DOWN, D("0.5"), D("6.5"), D("7.0"), Y),
        (DOWN, D("0.5"), D("6.5"), D("7.01"), R),
        (UP, D(20), D(0), D(-142), R),  # negative values, e.g. deviation from frame
        (UP, D(5), None, D(80), N),  # no target for the year
        (UP, D(5), D(80), None, N),  # nothing measured
    ],
)
def test_indicator_colour(direction, tolerance, target, value, colour):
    assert indicator_colour(direction, tolerance, target, value) is colour


@pytest.mark.parametrize(
    ("colours", "expected"),
    [
        ([], N),
        ([N, N], N),
        ([G, G, N], G),  # grey indicators do not count against a goal
        ([G, Y], Y),
        ([G, G, R], Y),  # a third red: partly
        ([G, R], R),  # half red: not achieved
        ([R, Y, N], R),
        ([Y, Y], Y),
    ],
)
def test_goal_colour(colours, expected):
    assert goal_colour(colours) is expected


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("2024", (PeriodKind.year, 2024, 12)),
        ("2024-T1", (PeriodKind.tertial, 2024, 4)),
        ("2024-T2", (PeriodKind.tertial, 2024, 8)),
        ("2024-T3", (PeriodKind.tertial, 2024, 12)),
        ("2024-01", (PeriodKind.month, 2024, 1)),
        ("2024-12", (PeriodKind.month, 2024, 12)),
    ],
)
def test_periods(text, parsed):
    assert parse_period(text) == parsed


@pytest.mark.parametrize("text", ["2024-T4", "2024-T0", "2024-13", "2024-00", "24", "2024-1", "1800", "2024Q1", ""])
def test_periods_that_do_not_exist(text):
    with pytest.raises(BadPeriod):
        parse_period(text)
