"""Field types for request and response shapes that must stay exact: money and measured values.

JSON numbers arrive as binary floats or integers, which can silently change a value (1234567890123456.78
becomes …56.80) and which a generated client types as a float, so decimals are taken only as strings, spelled
as the document's pattern says (digits, a point, a minus where a value may be negative; no plus, spaces or
exponent): the server checks each value against the very pattern it publishes. Out, they are always decimal
strings without exponent: money with two decimals.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path
from pydantic import AfterValidator, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from shared.types import CENT, QUANTITY_DECIMALS, QUANTITY_MAX_DIGITS, plain_decimal

# Days far outside any decision's or audit's life are typing errors; SQLite and PostgreSQL also disagree about
# year 0. JSON Schema cannot bound a date, so the document says the years with a pattern; pydantic checks both.
EARLIEST_DAY, LATEST_DAY = date(1990, 1, 1), date(2100, 12, 31)
_YEARS = "(199[0-9]|20[0-9]{2}|2100)"
DAY_PATTERN = rf"^{_YEARS}-[0-9]{{2}}-[0-9]{{2}}$"
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _written_as_a_day(value: Any) -> Any:
    # pydantic also reads a number, or a numeric string such as "-2.2e-309", as a Unix time; the document says
    # a date (`format: date`), written YYYY-MM-DD, and that is all that is taken.
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("a date written YYYY-MM-DD, e.g. 2024-06-30")


WrittenDay = Annotated[date, BeforeValidator(_written_as_a_day)]
# Every date a caller sends (a body's field, a query's as_of): the document says `format: date` with this pattern.
Day = Annotated[WrittenDay, Field(ge=EARLIEST_DAY, le=LATEST_DAY, json_schema_extra={"pattern": DAY_PATTERN})]


def parse_day(text: str) -> date:
    """A day in a file (an import's column) taken as Day takes it in JSON: YYYY-MM-DD within its years. Python's
    own `date.fromisoformat` also reads 20240430 and 2024-W18-2, which no import format names."""
    if not _ISO_DAY.fullmatch(text):
        raise ValueError(f"{text[:40]!r} is not a date written YYYY-MM-DD")
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date of the calendar") from exc
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(f"{text!r} is outside the years this system holds ({EARLIEST_DAY.year}–{LATEST_DAY.year})")
    return day


YEAR_KEY_PATTERN = rf"^{_YEARS}$"


def _year_key(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(YEAR_KEY_PATTERN, value):
        raise ValueError("a year from 1990 to 2100, in four digits")
    return value


# A year as an object's key (targets per year). A JSON key is a string, which pydantic would read as an int
# however written (" 2024", "+2024", "2024.0"); the document gives its pattern, and that is what is taken.
YearKey = Annotated[
    int,
    BeforeValidator(_year_key),
    Field(ge=1990, le=2100),
    WithJsonSchema({"type": "string", "pattern": YEAR_KEY_PATTERN}),
]

# What a decimal string looks like in general; one that does not is told how to write a number, one that does but
# breaks the field's own pattern (too many decimals, too large, below its bound) is told what the field takes.
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _money_text(value: Decimal) -> str:
    return format(value.quantize(CENT), "f")


def _value_text(value: Decimal) -> str:
    return format(plain_decimal(value), "f")


def spelled_as(schema: dict[str, Any]) -> BeforeValidator:
    """Takes a decimal as the string `schema` describes and nothing else: the server accepts exactly what the
    document says. A Decimal passes as it is: it was computed here (a read model), not sent by a caller."""
    pattern = re.compile(schema["pattern"])
    takes = schema["description"]

    def check(value: Any) -> Any:
        if isinstance(value, Decimal):
            return value
        if not isinstance(value, str):
            raise ValueError('send decimal values as strings, e.g. "1250.50", so that they stay exact')
        if pattern.fullmatch(value):
            return value
        if not _DECIMAL_TEXT.fullmatch(value):
            raise ValueError(
                'write the number with digits and a decimal point only, e.g. "1250.50" '
                "(a minus sign where allowed; no plus sign, spaces, exponent or separators)"
            )
        raise ValueError(f"expected {takes[0].lower()}{takes[1:]}")

    return BeforeValidator(check)


def exact_decimal(schema: dict[str, Any]) -> tuple[BeforeValidator, WithJsonSchema]:
    """The check and the document's schema of a decimal field, from one schema: they cannot disagree."""
    return spelled_as(schema), WithJsonSchema(schema)


def decimal_pattern(whole: int, decimals: int, least: str = "any") -> str:
    """A decimal string of at most `whole` digits before the point and `decimals` after it; `least` is "any"
    (a minus sign allowed), "zero" (never below zero) or "above" (above zero: no leading zero, or 0.x not 0)."""
    fraction = rf"(\.[0-9]{{1,{decimals}}})?"
    if least == "above":
        return rf"^([1-9][0-9]{{0,{whole - 1}}}{fraction}|{_fraction_above_zero(decimals)})$"
    sign = "-?" if least == "any" else ""
    return rf"^{sign}[0-9]{{1,{whole}}}{fraction}$"


def _fraction_above_zero(decimals: int) -> str:
    """0.x with at most `decimals` decimals, not all zero ("0.10" and "0.05" but not "0.00"): by its leading zeros."""
    by_zeros = [rf"0{{{zeros}}}[1-9][0-9]{{0,{decimals - 1 - zeros}}}" for zeros in range(decimals)]
    return rf"0\.({'|'.join(by_zeros)})"


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
        options += [rf"({_POSITIVE_WHOLE_BELOW[limit]}){fraction}", _fraction_above_zero(decimals)]
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
# A single amount sent in stays below a thousand billion SEK, twelve digits before the point (a region's whole
# budget is a few tens of billions), so that the sums the services compute from amounts fit their columns.
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


def _money(least: str) -> tuple[BeforeValidator, WithJsonSchema, WithJsonSchema]:
    """An amount's check and its schemas: as sent in (checked against that very schema) and as answered."""
    sent = money_schema(least, sent=True)
    return (
        spelled_as(sent),
        WithJsonSchema(sent, mode="validation"),
        WithJsonSchema(money_schema(least), mode="serialization"),
    )


MoneyAmount = Annotated[
    Decimal,
    *_money("any"),
    Field(
        max_digits=18,
        decimal_places=2,
        allow_inf_nan=False,
    ),
    AfterValidator(lambda d: d.quantize(CENT)),
    PlainSerializer(_money_text, return_type=str, when_used="json"),
]

ExactValue = Annotated[
    Decimal,
    *exact_decimal(value_schema()),
    Field(
        max_digits=QUANTITY_MAX_DIGITS,
        decimal_places=QUANTITY_DECIMALS,
        allow_inf_nan=False,
    ),
    PlainSerializer(_value_text, return_type=str, when_used="json"),
]

# Out only: a value read from the database is exact already (shared/types.py: Quantity); an answer needs its
# spelling, not the checks of what a caller sends, which cost a page of a hundred indicators more CPU than
# its query. The same schema as ExactValue.
ExactValueRead = Annotated[
    Decimal, WithJsonSchema(value_schema()), PlainSerializer(_value_text, return_type=str, when_used="json")
]

# Bounded below, with a pattern that says so (JSON Schema cannot bound a decimal string); the pattern is checked
# too, before the bound, so that "-0" or "05" are refused where the pattern refuses them.
NonNegativeMoney = Annotated[MoneyAmount, Field(ge=0), *_money("zero")]
PositiveMoney = Annotated[MoneyAmount, Field(gt=0), *_money("above")]
NonNegativeValue = Annotated[ExactValue, Field(ge=0), *exact_decimal(value_schema("zero"))]


# A year in a path (a budget year, a report year). One range for every service: 1990 reaches the oldest
# accounts and audits a region still consults, 2100 the end of any plan; outside it is a typing error.
YearPath = Annotated[int, Path(ge=1990, le=2100, description="A year, 1990–2100")]


# White space, spelled out: `\s` means one set to the document's readers (ECMA-262: with U+FEFF, without U+0085)
# and another to the server's (pydantic's Rust regex, and its trimming: with U+0085, without U+FEFF), so a pattern
# written with it let the server refuse what the document allows. Both sets together, in every engine the same.
# (For the same reason patterns say [0-9], never `\d`, which the server reads as any Unicode digit.)
WHITE_SPACE = r"\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"

# A required text is taken trimmed of surrounding white space and must keep a character after that: its
# StringConstraints carry this pattern (a non-space somewhere), so the document does not say `minLength: 1`
# alone and then the server refuse "  ".
SOME_TEXT = rf"[^{WHITE_SPACE}]"
