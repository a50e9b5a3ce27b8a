"""Exact arithmetic on amounts: percentages rounded to the öre, half up, as the ledger does."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from shared.types import CENT

HUNDRED = Decimal(100)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded to the öre."""
    return (amount * percent / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def share_percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as percent of `whole`, to two decimals; None when the whole is zero."""
    if whole == 0:
        return None
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)
