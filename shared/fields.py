"""Field types for request and response shapes that must stay exact: money and measured values.

JSON numbers with a fraction arrive as binary floats, which can silently change a value
(1234567890123456.78 becomes …56.80), so decimals are taken as strings; whole numbers may be numbers.
Out, they are always decimal strings without exponent: money with two decimals.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer

from shared.types import CENT, QUANTITY_DECIMALS, QUANTITY_MAX_DIGITS, plain_decimal


def _refuse_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError('send decimal values as strings, e.g. "1250.50", so that they stay exact')
    if isinstance(value, bool):
        raise ValueError("a number is expected")
    return value


def _money_text(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def _value_text(value: Decimal) -> str:
    return format(plain_decimal(value), "f")


MoneyAmount = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    Field(
        max_digits=18,
        decimal_places=2,
        allow_inf_nan=False,
        examples=["4815300000.00"],
        description="SEK, exact: a decimal string with at most two decimals",
    ),
    AfterValidator(lambda d: d.quantize(CENT)),
    PlainSerializer(_money_text, return_type=str, when_used="json"),
]

ExactValue = Annotated[
    Decimal,
    BeforeValidator(_refuse_float),
    Field(
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMALS,
        allow_inf_nan=False,
        examples=["83.4"],
        description="An exact value: a decimal string (or a whole number)",
    ),
    PlainSerializer(_value_text, return_type=str, when_used="json"),
]
