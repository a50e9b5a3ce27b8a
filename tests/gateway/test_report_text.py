"""Numbers as a Swedish reader expects them: a space between thousands, a decimal comma, tkr or mnkr."""

from decimal import Decimal

import pytest

from gateway.reports.documents.text import MoneyScale, money, percent, share, swedish_number


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        ("1234567.891", 1, "1\u202f234\u202f567,9"),
        ("-1234.05", 1, "−1\u202f234,1"),
        ("999.95", 1, "1\u202f000,0"),
        ("0.04", 1, "0,0"),
        ("12", 0, "12"),
        ("-0.04", 1, "0,0"),
    ],
)
def test_swedish_number(value, decimals, text):
    assert swedish_number(Decimal(value), decimals) == text


def test_money_is_scaled_from_the_exact_amount_and_rounded_half_up_only_for_display():
    assert money("4815300000.05", MoneyScale.mnkr) == "4\u202f815,3 mnkr"
    assert money("4815350000.00", MoneyScale.mnkr) == "4\u202f815,4 mnkr"
    assert money("612500.49", MoneyScale.tkr) == "612,5 tkr"
    assert money(None, MoneyScale.tkr) == "–"


def test_percent_and_share():
    assert percent("-1.12") == "−1,1 %"
    assert share("0.750") == "75 %"
    assert percent(None) == "–"
