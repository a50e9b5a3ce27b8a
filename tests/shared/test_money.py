"""Money is exact on both databases, in SQL sums too; floats and sub-öre amounts are refused."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from services.budget.models import FrameStatus, OperatingFrame
from shared.db import create_engine
from shared.types import to_money

AMOUNTS = [Decimal("470456.51"), Decimal("0.10"), Decimal("0.20"), Decimal("-0.30"), Decimal("99999999999.99")]


async def test_sql_sum_of_money_is_exact(stack):
    # Straight into the migrated budget schema, past the API, to test the column type itself.
    async with stack.apps["budget"].state.sessionmaker() as session:
        session.add_all(
            OperatingFrame(unit_code=f"U{i}", year=2030, amount=amount, status=FrameStatus.proposal)
            for i, amount in enumerate(AMOUNTS * 3)
        )
        await session.commit()
        total = await session.scalar(select(func.sum(OperatingFrame.amount)).where(OperatingFrame.year == 2030))
    assert isinstance(total, Decimal)
    assert total == sum(AMOUNTS) * 3 == Decimal("300001411369.50")


async def test_sqlite_summing_a_plain_numeric_would_drift(tmp_path):
    # Why Money exists: the same numbers in a NUMERIC column on SQLite come back as a float.
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/drift.db")
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE t (amount NUMERIC(18, 2))"))
        for amount in ["470456.51", "0.10", "0.20"] * 7:
            await conn.execute(text("INSERT INTO t VALUES (:a)"), {"a": amount})
        raw = await conn.scalar(text("SELECT SUM(amount) FROM t"))
    await engine.dispose()
    assert isinstance(raw, float)
    assert Decimal(str(raw)) != Decimal("3293197.67")


@pytest.mark.parametrize("bad", [0.1, "1.001", "abc", "NaN", "Infinity", None])
def test_to_money_refuses_what_is_not_an_exact_amount(bad):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        to_money(bad)


def test_to_money_keeps_two_decimals():
    assert str(to_money("12")) == "12.00"
    assert str(to_money(Decimal("-0.5"))) == "-0.50"
