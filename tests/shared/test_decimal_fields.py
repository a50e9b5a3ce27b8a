"""Money and measured values are taken exactly as the document spells them, and nothing else.

The document says a decimal string with a pattern; the server checks that very pattern, so a JSON number, a
plus sign, spaces or an exponent are refused with the usual problem naming the field, on every service.
"""

from __future__ import annotations

import re
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from services.budget.schemas import Growth, Percent, Share, TaxRate
from shared.errors import PROBLEM_MEDIA_TYPE
from shared.fields import ExactValue, MoneyAmount, NonNegativeMoney, NonNegativeValue, PositiveMoney

WRITER = ("decimal.writer", "finance", "HSN:editor")
# What the issue names (a whole JSON number, a plus, spaces, an exponent) and their neighbours.
REFUSED: list[Any] = [5, "+5", " 5", "5 ", "1e3", 5.5, -5, True, "5.", ".5", "5\n", "1_000", "1,5", "٥", "NaN", ""]
ACCEPTED = ["5", "-5", "5.25", "0", "0.10"]
_years = count(2040)


def _property_schema(document: dict[str, Any], schema: str, field: str) -> dict[str, Any]:
    found: dict[str, Any] = document["components"]["schemas"][schema]["properties"][field]
    return next((option for option in found.get("anyOf", [found]) if option.get("type") == "string"), found)


def _document_allows(schema: dict[str, Any], sent: Any) -> bool:
    return isinstance(sent, str) and re.search(schema["pattern"], sent) is not None and "\n" not in sent


def _refused_naming(response: Any, field: str, sent: Any) -> None:
    assert response.status_code == 422, (sent, response.text)
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    assert [error["loc"] for error in response.json()["errors"]] == [["body", field]], sent


async def _read_document_and_an_indicator(seeded: Any) -> tuple[dict[str, Any], str]:
    document = await seeded.document()
    listed = await seeded.client.get(
        "/api/goals/indicators", params={"unit": "HSN", "limit": 1}, headers=seeded.auth(*WRITER)
    )
    return document, f"/api/goals/indicators/{listed.json()['items'][0]['id']}/measurements"


async def _send_money(seeded: Any, amount: Any) -> Any:
    body = {"unit_code": "HSN", "year": next(_years), "last_year_frame": amount}
    return await seeded.client.post("/api/budget/frames", headers=seeded.auth(*WRITER), json=body)


async def _send_value(seeded: Any, url: str, value: Any) -> Any:
    body = {"period": f"{next(_years)}", "value": value}
    return await seeded.client.post(url, headers=seeded.auth(*WRITER), json=body)


async def test_an_amount_or_value_not_spelled_as_documented_is_refused_naming_the_field(seeded):
    document, indicator_url = await _read_document_and_an_indicator(seeded)
    money = _property_schema(document, "FrameCreate", "last_year_frame")
    value = _property_schema(document, "MeasurementIn", "value")
    for sent in REFUSED:
        assert not _document_allows(money, sent)
        _refused_naming(await _send_money(seeded, sent), "last_year_frame", sent)
        assert not _document_allows(value, sent)
        _refused_naming(await _send_value(seeded, indicator_url, sent), "value", sent)


async def test_what_the_document_allows_is_taken(seeded):
    document, indicator_url = await _read_document_and_an_indicator(seeded)
    for sent in ACCEPTED:
        assert _document_allows(_property_schema(document, "FrameCreate", "last_year_frame"), sent)
        assert _document_allows(_property_schema(document, "MeasurementIn", "value"), sent)
        money = await _send_money(seeded, sent)
        assert money.status_code == 201, money.text
        assert Decimal(money.json()["last_year_frame"]) == Decimal(sent)
        value = await _send_value(seeded, indicator_url, sent)
        assert value.status_code == 201, value.text
        assert Decimal(value.json()["value"]) == Decimal(sent)


# Each decimal type against its own published pattern, over spellings at and around its bounds.
TYPES = [MoneyAmount, NonNegativeMoney, PositiveMoney, ExactValue, NonNegativeValue, Percent, Share, TaxRate, Growth]
SPELLINGS = [
    *("0", "-0", "00", "05", "0.0", "0.00", "0.10", "0.01", "0.5", "0.000001", "0.0000001", "1.00", "1.000"),
    *("50", "50.0", "50.01", "-50", "49.999999", "100", "100.000000", "100.1", "-100", "101", "99.5", "-99.5"),
    *("999999999999.99", "1000000000000", "-999999999999.99", "12345678901234", "1.005", "+1", " 1", "1 ", "1e2"),
]


@pytest.mark.parametrize("field_type", TYPES, ids=lambda t: str(t)[:60])
def test_each_decimal_type_takes_exactly_what_its_pattern_allows(field_type):
    adapter = TypeAdapter(field_type)
    pattern = adapter.json_schema(mode="validation")["pattern"]
    for spelling in SPELLINGS:
        try:
            adapter.validate_python(spelling)
            taken = True
        except ValidationError:
            taken = False
        assert taken == (re.fullmatch(pattern, spelling) is not None), (spelling, pattern)
