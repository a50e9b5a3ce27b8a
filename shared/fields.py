"""Field types for request and response shapes that must stay exact: money and measured values.

JSON numbers with a fraction arrive as binary floats, which can silently change a value
(1234567890123456.78 becomes …56.80), so decimals are taken as strings; whole numbers may be numbers.
Out, they are always decimal strings without exponent: money with two decimals.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.types import CENT, QUANTITY_DECIMALS, QUANTITY_MAX_DIGITS, plain_decimal

_DECIMAL_TEXT = re.compile(r"^\s*[+-]?[0-9]+(\.[0-9]+)?\s*$")


def _refuse_float(value: Any) -> Any:
    if isinstance(value, str) and not _DECIMAL_TEXT.match(value):
        raise ValueError('write the number with digits and a decimal point, e.g. "1250.50"')
    if isinstance(value, float):
        raise ValueError('send decimal values as strings, e.g. "1250.50", so that they stay exact')
    if isinstance(value, bool):
        raise ValueError("a number is expected")
    return value


def _money_text(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def _value_text(value: Decimal) -> str:
    return format(plain_decimal(value), "f")


# A single amount sent in stays below a thousand billion SEK (a region's whole budget is a few tens of
# billions), so that the sums the services compute from amounts fit their columns and answers.
MONEY_INPUT_LIMIT = Decimal(10) ** 12


def _money_input(value: Any) -> Any:
    value = _refuse_float(value)
    if isinstance(value, str | int):  # sent by a caller; amounts computed here arrive as Decimals
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return value  # the Decimal validator says what is wrong with it
        if amount.is_finite() and abs(amount) >= MONEY_INPUT_LIMIT:
            raise ValueError("an amount stays below 1 000 000 000 000 SEK")
    return value


# What the document promises: a decimal string, never a JSON number (a generated client would send a
# float). The server also takes a whole JSON number and surrounding spaces; the document names the one
# spelling every client can rely on. The pydantic constraints stay for validation, out of the schema,
# where `max_digits`, `decimal_places` and a `ge` on a string are no JSON Schema.
MONEY_PATTERN = r"^-?[0-9]{1,16}(\.[0-9]{1,2})?$"
VALUE_PATTERN = rf"^-?[0-9]{{1,{QUANTITY_MAX_DIGITS - QUANTITY_DECIMALS}}}(\.[0-9]{{1,{QUANTITY_DECIMALS}}})?$"
MONEY_SCHEMA = {
    "type": "string",
    "pattern": MONEY_PATTERN,
    "examples": ["4815300000.00"],
    "description": "SEK, exact: a decimal string with at most two decimals",
}
VALUE_SCHEMA = {
    "type": "string",
    "pattern": VALUE_PATTERN,
    "examples": ["83.4"],
    "description": f"An exact value: a decimal string with at most {QUANTITY_DECIMALS} decimals",
}

MoneyAmount = Annotated[
    Decimal,
    BeforeValidator(_money_input),
    Field(
        max_digits=18,
        decimal_places=2,
        allow_inf_nan=False,
    ),
    WithJsonSchema(MONEY_SCHEMA),
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
    ),
    WithJsonSchema(VALUE_SCHEMA),
    PlainSerializer(_value_text, return_type=str, when_used="json"),
]

# Out only: a value read from the database is exact already (shared/types.py: Quantity); an answer needs its
# spelling, not the checks of what a caller sends, which cost a page of a hundred indicators more CPU than
# its query. The same schema as ExactValue.
ExactValueRead = Annotated[
    Decimal, WithJsonSchema(VALUE_SCHEMA), PlainSerializer(_value_text, return_type=str, when_used="json")
]

# A year in a path (a budget year, a report year). One range for every service: 1990 reaches the oldest
# accounts and audits a region still consults, 2100 the end of any plan; outside it is a typing error.
YearPath = Annotated[int, Path(ge=1990, le=2100, description="A year, 1990–2100")]
