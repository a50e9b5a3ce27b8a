"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, DateTime, Dialect, Numeric
from sqlalchemy.types import TypeDecorator, TypeEngine

CENT = Decimal("0.01")
QUANTITY_DECIMALS = 6
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_DECIMALS)
QUANTITY_SCALE = 10**QUANTITY_DECIMALS
# Twelve digits before the point: in millionths that still fits SQLite's 64-bit integer.
QUANTITY_MAX_DIGITS = 18
QUANTITY_LIMIT = Decimal(10) ** (QUANTITY_MAX_DIGITS - QUANTITY_DECIMALS)
MONEY_PRECISION = 18


def to_money(value: Any) -> Decimal:
    """An exact amount in SEK with at most two decimals; refuses floats and anything finer than öre."""
    if isinstance(value, float):
        raise ValueError("money must not be a float; send it as a decimal string")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError("money must be a finite number")
    if amount != amount.quantize(CENT):
        raise ValueError("money has at most two decimals (öre)")
    return amount.quantize(CENT)


class Money(TypeDecorator[Decimal]):
    """SEK, exact. NUMERIC(18,2) on PostgreSQL; integer öre on SQLite, whose NUMERIC sums as float.

    Because the stored value on SQLite is an integer, `SUM()` in SQL stays exact there too, and
    the result is turned back into a Decimal by this type.
    """

    impl = Numeric(MONEY_PRECISION, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(MONEY_PRECISION, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_money(value)
        if dialect.name == "sqlite":
            return int(amount * 100)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):
                # Only an expression that left integer arithmetic could get here; refuse to guess.
                raise TypeError("money column returned a float on SQLite")
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must carry a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Quantity(TypeDecorator[Decimal]):
    """An exact measured or target value (not money), up to six decimals.

    NUMERIC on PostgreSQL; integer millionths on SQLite, whose NUMERIC is a float, so that
    comparisons and sums in SQL stay exact on both.
    """

    impl = Numeric(24, QUANTITY_DECIMALS)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(24, QUANTITY_DECIMALS, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise ValueError("quantities must not be floats")
        amount = exact_quantity(Decimal(value))
        return int(amount * QUANTITY_SCALE) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return plain_decimal(Decimal(int(value)) / QUANTITY_SCALE)
        return plain_decimal(Decimal(value))


def exact_quantity(value: Decimal) -> Decimal:
    """A measured or target value as it can be stored on both databases, or ValueError saying why not."""
    if not value.is_finite():
        raise ValueError(f"{value} is not a number")
    if abs(value) >= QUANTITY_LIMIT:
        raise ValueError(f"{value} is too large: values stay below {QUANTITY_LIMIT:,}")
    if value != value.quantize(QUANTITY_STEP):
        raise ValueError(f"{value} has more than {QUANTITY_DECIMALS} decimals")
    return value


def plain_decimal(value: Decimal) -> Decimal:
    """Without trailing zeros and without an exponent: 100.000 → 100, 83.40 → 83.4."""
    normal = value.normalize()
    exponent = normal.as_tuple().exponent
    return normal.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else normal
