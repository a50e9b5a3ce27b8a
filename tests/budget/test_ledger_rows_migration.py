"""Outcomes imported before the ledger rows were kept are carried over by the migration that keeps them:
one row each, under a batch of its own, so that every imported figure still adds up from its rows."""

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from cli.registry import SERVICES
from shared.migrations import migrate
from tests.shared.test_migrations import _new_url

BEFORE_ROWS = "db3d02f8a27c"
BUDGET = next(entry for entry in SERVICES if entry.name == "budget")
INSERT = text(
    "INSERT INTO outcome (id, version, created_at, updated_at, unit_code, year, month, category, amount, source) "
    "VALUES (:id, 1, :at, :at, 'HSN', 2024, 3, :category, :amount, :source)"
)


async def test_imported_outcomes_are_carried_over_as_one_row_each(tmp_path):
    url = await _new_url("ledger_rows", tmp_path)
    await migrate(BUDGET.directory, url, BEFORE_ROWS)
    engine = create_async_engine(url)
    sqlite = url.startswith("sqlite")
    # Money is integer öre on SQLite, NUMERIC on PostgreSQL.
    revenue, personnel = (123456, 50000) if sqlite else (Decimal("1234.56"), Decimal("500.00"))
    at = "2026-01-01 00:00:00" if sqlite else datetime(2026, 1, 1, tzinfo=UTC)
    async with engine.begin() as conn:
        for category, amount, source in (("revenue", revenue, "ledger-import"), ("personnel", personnel, None)):
            row_id = uuid.uuid4().hex if sqlite else uuid.uuid4()
            values = {"id": row_id, "at": at, "category": category, "amount": amount, "source": source}
            await conn.execute(INSERT, values)
    await migrate(BUDGET.directory, url)
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT category, booked, amount, current FROM ledger_row"))).all()
        linked = (await conn.execute(text("SELECT category FROM outcome WHERE batch_id IS NOT NULL"))).all()
        batches = (await conn.execute(text("SELECT imported_by, rows_kept FROM ledger_batch"))).all()
    await engine.dispose()
    assert [(r[0], r[1], r[2], bool(r[3])) for r in rows] == [("revenue", -revenue, revenue, True)]
    assert [r[0] for r in linked] == ["revenue"]
    assert [tuple(b) for b in batches] == [("migration", 1)]
