"""Field types for request and response shapes that must stay exact: money and measured values.

JSON numbers with a fraction arrive as binary floats, which can silently change a value
(1234567890123456.78 becomes …56.80), so decimals are taken as strings; whole numbers may be numbers.
Out, they are always decimal strings without exponent: money with two decimals.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.types import CENT, QUANTITY_DECIMALS, QUANTITY_MAX_DIGITS, plain_decimal

# Days far outside any decision's or audit's life are typing errors; SQLite and PostgreSQL also disagree about
# year 0. JSON Schema cannot bound a date, so the document says the years with a pattern; pydantic checks both.
EARLIEST_DAY, LATEST_DAY = date(1990, 1, 1), date(2100, 12, 31)
DAY_PATTERN = r"^(199[0-9]|20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
Day = Annotated[date, Field(ge=EARLIEST_DAY, le=LATEST_DAY, json_schema_extra={"pattern": DAY_PATTERN})]

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
# where `max_digits`, `decimal_places` and a `ge` on a string are no JSON Schema: a pattern says what it can.


def decimal_pattern(whole: int, decimals: int, least: str = "any") -> str:
    """A decimal string of at most `whole` digits before the point and `decimals` after it; `least` is "any"
    (a minus sign allowed), "zero" (never below zero) or "above" (above zero: no leading zero, or 0.x not 0)."""
    fraction = rf"(\.[0-9]{{1,{decimals}}})?"
    if least == "above":
        return rf"^([1-9][0-9]{{0,{whole - 1}}}{fraction}|0\.[0-9]{{0,{decimals - 1}}}[1-9])$"
    sign = "-?" if least == "any" else ""
    return rf"^{sign}[0-9]{{1,{whole}}}{fraction}$"


# The whole numbers below each bound a value may have, as patterns: all of them (0–99 below 100), and
# those above zero (1–99).
_WHOLE_BELOW = {100: "[0-9]{1,2}", 50: "[1-4]?[0-9]"}
_POSITIVE_WHOLE_BELOW = {100: "[1-9][0-9]?", 50: "[1-4][0-9]|[1-9]"}


def bounded_pattern(limit: int, least: str = "any", decimals: int = QUANTITY_DECIMALS) -> str:
    """A decimal string no larger than `limit` (100 or 50): from -limit ("any"), from 0 ("zero") or above 0
    ("above"). A whole number below the limit takes any decimals; the limit itself only zeros."""
    fraction = rf"(\.[0-9]{{1,{decimals}}})?"
    options = [rf"{limit}(\.0{{1,{decimals}}})?"]
    if least == "above":
        options += [rf"({_POSITIVE_WHOLE_BELOW[limit]}){fraction}", rf"0\.[0-9]{{0,{decimals - 1}}}[1-9]"]
    else:
        options.append(rf"{_WHOLE_BELOW[limit]}{fraction}")
    sign = "-?" if least == "any" else ""
    return rf"^{sign}({'|'.join(options)})$"


def bounded_value_schema(limit: int, least: str = "any") -> dict[str, Any]:
    low = {"any": f"-{limit}", "zero": "0", "above": "above 0"}[least]
    return {
        "type": "string",
        "pattern": bounded_pattern(limit, least),
        "examples": ["2.9"],
        "description": f"An exact value from {low} to {limit}: a decimal string, at most {QUANTITY_DECIMALS} decimals",
    }


MONEY_WHOLE_DIGITS = 16
# An amount sent in stays below MONEY_INPUT_LIMIT: twelve digits before the point.
MONEY_INPUT_WHOLE_DIGITS = 12
MONEY_PATTERN = decimal_pattern(MONEY_WHOLE_DIGITS, 2)
VALUE_PATTERN = decimal_pattern(QUANTITY_MAX_DIGITS - QUANTITY_DECIMALS, QUANTITY_DECIMALS)


def money_schema(least: str = "any", sent: bool = False) -> dict[str, Any]:
    """An amount in SEK as the document shows it: as sent in (`sent`, below the input limit) or as answered."""
    whole = MONEY_INPUT_WHOLE_DIGITS if sent else MONEY_WHOLE_DIGITS
    limit = ", below 1 000 000 000 000" if sent else ""
    return {
        "type": "string",
        "pattern": decimal_pattern(whole, 2, least),
        "examples": ["4815300000.00"],
        "description": f"SEK, exact: a decimal string with at most two decimals{limit}",
    }


def value_schema(least: str = "any") -> dict[str, Any]:
    return {
        "type": "string",
        "pattern": decimal_pattern(QUANTITY_MAX_DIGITS - QUANTITY_DECIMALS, QUANTITY_DECIMALS, least),
        "examples": ["83.4"],
        "description": f"An exact value: a decimal string with at most {QUANTITY_DECIMALS} decimals",
    }


def _money_schemas(least: str) -> tuple[WithJsonSchema, WithJsonSchema]:
    return (
        WithJsonSchema(money_schema(least, sent=True), mode="validation"),
        WithJsonSchema(money_schema(least), mode="serialization"),
    )


MoneyAmount = Annotated[
    Decimal,
    BeforeValidator(_money_input),
    Field(
        max_digits=18,
        decimal_places=2,
        allow_inf_nan=False,
    ),
    *_money_schemas("any"),
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
    WithJsonSchema(value_schema()),
    PlainSerializer(_value_text, return_type=str, when_used="json"),
]

# Out only: a value read from the database is exact already (shared/types.py: Quantity); an answer needs its
# spelling, not the checks of what a caller sends, which cost a page of a hundred indicators more CPU than
# its query. The same schema as ExactValue.
ExactValueRead = Annotated[
    Decimal, WithJsonSchema(value_schema()), PlainSerializer(_value_text, return_type=str, when_used="json")
]

# Bounded below, with a pattern that says so (JSON Schema cannot bound a decimal string).
NonNegativeMoney = Annotated[MoneyAmount, Field(ge=0), *_money_schemas("zero")]
PositiveMoney = Annotated[MoneyAmount, Field(gt=0), *_money_schemas("above")]
NonNegativeValue = Annotated[ExactValue, Field(ge=0), WithJsonSchema(value_schema("zero"))]


# A year in a path (a budget year, a report year). One range for every service: 1990 reaches the oldest
# accounts and audits a region still consults, 2100 the end of any plan; outside it is a typing error.
YearPath = Annotated[int, Path(ge=1990, le=2100, description="A year, 1990–2100")]
