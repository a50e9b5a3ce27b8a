"""Drill-down from a unit's year to its ledger rows, at the ten-times region: 500,000 ledger rows.

Loads one year of the ledger for 30 units (the codes of bench_budget) in bulk: the import batch, the
outcomes (12 months × 6 categories a unit, each the exact sum of its rows) and 500,000 ledger rows,
about 16,700 a unit. Then times, through the budget service in-process, pages of
`/economy/units/{code}/ledger-rows` for a unit's whole year (the first, one in the middle and the
last), the first page of 500, one month's rows, and for comparison the first page of the region's
whole year, then the page's one SQL statement alone (no HTTP, no JSON); and checks that the unit's
rows add up to its net cost in `/economy/units/{code}`. The goal is a unit's page under 100 ms on
PostgreSQL.

    .venv/bin/python -m benchmarks.bench_drilldown
    .venv/bin/python -m benchmarks.bench_drilldown --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from benchmarks.bench_budget import _units
from benchmarks.harness import bulk_insert, fresh_database, measure, region_reader, run, service_client, tracked
from services.budget.app import create_app
from services.budget.models import REVENUE_CATEGORIES, UNIT_CATEGORIES, Base
from services.budget.rules import drilldown
from services.budget.rules.ledger import LEDGER_SOURCE
from services.budget.settings import BudgetSettings
from shared.db import create_engine
from shared.pagination import PageParams, fetch_page
from shared.types import utcnow

YEAR = 2026
UNITS, ROWS = 30, 500_000
UNIT = "U07"
ACCOUNTS = {"revenue": "3010", "personnel": "5010", "purchased_care": "4010"}


def _rows_of(outcome: dict[str, Any], count: int, seed: int) -> list[dict[str, Any]]:
    category = outcome["category"]
    account = ACCOUNTS.get(category.value, "6110")
    key = {k: outcome[k] for k in ("batch_id", "unit_code", "year", "month", "category")}
    rows = []
    for n in range(count):
        amount = Decimal((seed * 7919 + n * 104729) % 2_000_000_00) / 100
        booked = -amount if category in REVENUE_CATEGORIES else amount
        row = key | {"outcome_id": outcome["id"], "current": True, "line": seed + n, "account": account}
        rows.append(row | {"booked": booked, "amount": amount})
    return rows


def ledger(rows: int, batch_id: uuid.UUID) -> tuple[list[dict[str, Any]], Iterator[dict[str, Any]]]:
    """The outcomes (sums) and, lazily, the ledger rows of one year for every unit."""
    keys = [(unit, month, category) for unit in _units(UNITS) for month in range(1, 13) for category in UNIT_CATEGORIES]
    per_key, extra = divmod(rows, len(keys))
    outcomes, plan = [], []
    for index, (unit, month, category) in enumerate(keys):
        count = per_key + (1 if index < extra else 0)
        outcome = tracked(
            id=uuid.uuid4(),
            unit_code=unit,
            year=YEAR,
            month=month,
            category=category,
            source=LEDGER_SOURCE,
            batch_id=batch_id,
        )
        outcome["amount"] = sum((r["amount"] for r in _rows_of(outcome, count, index * 1000)), Decimal(0))
        outcomes.append(outcome)
        plan.append((outcome, count, index * 1000))
    return outcomes, (row for args in plan for row in _rows_of(*args))


async def load(url: str, rows: int) -> None:
    engine = create_engine(url)
    tables = Base.metadata.tables
    batch_id = uuid.uuid4()
    batch = {"id": batch_id, "imported_at": utcnow(), "imported_by": "bench", "imported_by_name": "Benchmark"}
    await bulk_insert(engine, tables["ledger_batch"], [batch | {"rows_read": rows, "rows_kept": rows}])
    outcomes, ledger_rows = ledger(rows, batch_id)
    await bulk_insert(engine, tables["outcome"], outcomes)
    loaded = await bulk_insert(engine, tables["ledger_row"], ledger_rows)
    if engine.dialect.name == "postgresql":
        # The table as autovacuum leaves it some minutes after an import (statistics, and the visibility map an
        # index-only scan needs): else the timings race autovacuum's first pass over the 500,000 new rows.
        async with engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE"))
    await engine.dispose()
    print(f"  loaded {len(outcomes):,} outcomes and {loaded:,} ledger rows of {UNITS} units")


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    rows = max(int(ROWS * args.scale), UNITS * 12 * len(UNIT_CATEGORIES))
    print(f"\n{backend}: drill-down at the ten-times region")
    async with fresh_database("budget", args.postgres_url) as url:
        await load(url, rows)
        app = create_app(BudgetSettings(database_url=url), configure_logs=False)
        async with service_client(app, region_reader()) as (client, engine):
            base = f"/economy/units/{UNIT}/ledger-rows?year={YEAR}"
            total = (await client.get(base + "&limit=1")).json()["total"]
            await _check_sum(client, base, total)
            paths = {
                f"unit's year, first page of 50 ({total:,} rows)": base,
                "unit's year, a page in the middle": f"{base}&offset={total // 2}",
                "unit's year, the last page": f"{base}&offset={total - 50}",
                "unit's year, first page of 500": f"{base}&limit=500",
                "unit's March personnel": f"{base}&figure=personnel&only_month=3",
                "unit's T2 costs": f"{base}&follow_up=T2&figure=costs",
                "region's year, first page (for comparison)": f"/economy/region/ledger-rows?year={YEAR}",
            }
            for label, path in paths.items():
                print("  " + (await measure(client, engine, label, path, args.runs)).line())
            for offset in (0, total // 2, total - 50):
                median = await _sql_alone(engine, offset, args.runs)
                print(f"  the page's statement alone, offset {offset:>6,}: median {median:6.1f} ms")


async def _sql_alone(engine: Any, offset: int, runs: int) -> float:
    """The page's one statement on a connection of the service's pool: the database's share of a page."""
    stmt, count = drilldown._statements(True, False, True)
    params = {"year": YEAR, "through_month": 12, "categories": [c.value for c in UNIT_CATEGORIES], "unit_code": UNIT}
    timings = []
    async with engine.connect() as conn:
        for _ in range(runs + 1):
            started = time.perf_counter()
            await fetch_page(conn, stmt, PageParams(50, offset), params, count)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings[1:]) * 1000


async def _check_sum(client: Any, base: str, total: int) -> None:
    """The unit's rows add up to the net cost its read model shows."""
    counted = Decimal(0)
    for offset in range(0, total, 500):
        page = (await client.get(f"{base}&limit=500&offset={offset}")).json()
        counted += sum((Decimal(r["counted"]) for r in page["items"]), Decimal(0))
    economy = (await client.get(f"/economy/units/{UNIT}?year={YEAR}")).json()
    figure = Decimal(economy["outcome_ytd"]["net_cost"])
    if counted != figure:
        raise SystemExit(f"the rows add up to {counted}, the read model says {figure}")
    print(f"  {UNIT}'s {total:,} rows add up to its net cost {figure} in the read model")


if __name__ == "__main__":
    run(main, __doc__ or "")
