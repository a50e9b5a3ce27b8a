"""Benchmark: the region's T2 economy summary over 500,000 ledger outcome rows for 30 units.

Usage: .venv/bin/python benchmarks/bench_budget.py [--sqlite | --postgres-url URL] [--rows N] [--units N] [--runs N]

It migrates a throw-away database (a temp SQLite file, or a new database on the PostgreSQL server
whose admin URL is given, dropped afterwards), bulk-loads the data with Core inserts, then times the
read model (`services.budget.rules.economy.region_economy`, serialised to JSON as the API answers it)
with a warm-up and the median of several runs, and counts the SQL statements each run sends. The
count is measured again with a third of the units and a fifth of the rows: it must be the same.

One ledger row per unit, month and category is the model's key, so the rows fill 30 units × 12
months × 6 categories = 2,160 a year: 500,000 rows reach back about 230 years, and the summary of
one year reads its 2,160 through the (year, unit, month, category) index.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.budget.models import (
    UNIT_CATEGORIES,
    FollowUp,
    Forecast,
    FrameStatus,
    OperatingFrame,
    Outcome,
    Periodisation,
    ResourceCalculation,
)
from services.budget.rules.economy import period_of, region_economy
from shared.db import create_engine, create_sessionmaker
from shared.history import HistorySession
from shared.migrations import migrate
from shared.types import utcnow

YEAR = 2026
T2_MONTH = 8
BATCH = 20_000
SERVICE_DIR = Path(__file__).resolve().parent.parent / "services" / "budget"


def _tracked() -> dict[str, Any]:
    now = utcnow()
    return {"id": uuid.uuid4(), "version": 1, "created_at": now, "updated_at": now}


def _units(count: int) -> list[str]:
    return [f"U{n:02}" for n in range(count)]


def _outcome_rows(units: list[str], rows: int, latest_year: int) -> list[dict[str, Any]]:
    categories = list(UNIT_CATEGORIES)
    out: list[dict[str, Any]] = []
    year = latest_year
    while len(out) < rows:
        for unit_index, unit in enumerate(units):
            for month in range(1, 13):
                for cat_index, category in enumerate(categories):
                    if len(out) == rows:
                        return out
                    ore = 100_000_000 + unit_index * 7_919 + month * 104_729 + cat_index * 1_299_709 + year
                    out.append(
                        {
                            **_tracked(),
                            "unit_code": unit,
                            "year": year,
                            "month": month,
                            "category": category,
                            "amount": Decimal(ore) / 100,
                        }
                    )
        year -= 1
    return out


async def load_economy(engine: AsyncEngine, units: list[str], rows: int, year: int = YEAR) -> float:
    """Outcome rows back from `year`, and that year's frames, budgets, forecasts and resources; seconds taken."""
    started = time.perf_counter()
    outcomes = _outcome_rows(units, rows, year)
    async with engine.begin() as conn:
        for start in range(0, len(outcomes), BATCH):
            await conn.execute(insert(Outcome.__table__), outcomes[start : start + BATCH])
        frames, budgets, forecasts = [], [], []
        for index, unit in enumerate(units):
            frame = Decimal(300_000_000 + index * 1_000_000)
            parts = {
                p: Decimal(0) for p in ("index_uplift", "population_change", "activity_change", "priorities", "savings")
            }
            frames.append(
                {
                    **_tracked(),
                    "unit_code": unit,
                    "year": year,
                    "revision": 0,
                    "status": FrameStatus.decided,
                    "last_year_frame": frame,
                    "amount": frame,
                    **parts,
                }
            )
            month = (frame / 12).quantize(Decimal("0.01"))
            months = {f"m{m}": month for m in range(1, 12)} | {"m12": frame - month * 11}
            budgets.append({**_tracked(), "unit_code": unit, "year": year, **months})
            for follow_up, factor in ((FollowUp.T1, Decimal("1.01")), (FollowUp.T2, Decimal("1.02"))):
                forecasts.append(
                    {**_tracked(), "unit_code": unit, "year": year, "follow_up": follow_up, "amount": frame * factor}
                )
        await conn.execute(insert(OperatingFrame.__table__), frames)
        await conn.execute(insert(Periodisation.__table__), budgets)
        await conn.execute(insert(Forecast.__table__), forecasts)
        await conn.execute(
            insert(ResourceCalculation.__table__),
            [
                {
                    **_tracked(),
                    "year": year,
                    "tax_revenue": Decimal("9000000000"),
                    "general_grants": Decimal("3000000000"),
                    "other_revenue": Decimal("100000000"),
                    "lpik_percent": Decimal("2.9"),
                    "pension_cost": Decimal("500000000"),
                    "result_target_percent": Decimal(2),
                }
            ],
        )
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    return time.perf_counter() - started


class StatementCounter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *args: Any, **kwargs: Any) -> None:
        self.count += 1


async def _summary_once(engine: AsyncEngine) -> tuple[float, int]:
    maker = create_sessionmaker(engine, HistorySession)
    counter = StatementCounter(engine)
    started = time.perf_counter()
    async with maker() as session:
        summary = await region_economy(session, YEAR, period_of(YEAR, None, T2_MONTH, None), Decimal(1))
        summary.model_dump_json()  # the API answers JSON; serialising is part of the cost
    elapsed = time.perf_counter() - started
    event.remove(engine.sync_engine, "before_cursor_execute", counter._count)
    return elapsed, counter.count


async def _measure(url: str, units: int, rows: int, runs: int) -> dict[str, Any]:
    await migrate(SERVICE_DIR, url)
    engine = create_engine(url)
    try:
        load_seconds = await load_economy(engine, _units(units), rows)
        await _summary_once(engine)  # warm-up: caches, prepared statements, pages in memory
        timings, counts = [], set()
        for _ in range(runs):
            elapsed, statements = await _summary_once(engine)
            timings.append(elapsed)
            counts.add(statements)
        return {
            "units": units,
            "rows": rows,
            "load_seconds": load_seconds,
            "median_ms": statistics.median(timings) * 1000,
            "min_ms": min(timings) * 1000,
            "max_ms": max(timings) * 1000,
            "statements": sorted(counts),
        }
    finally:
        await engine.dispose()


async def _new_postgres_database(admin_url: str) -> tuple[str, str]:
    name = f"styr_bench_budget_{uuid.uuid4().hex[:8]}"
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}", name


async def _drop_postgres_database(admin_url: str, name: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await engine.dispose()


async def _run_on(args: argparse.Namespace, units: int, rows: int) -> dict[str, Any]:
    if args.postgres_url:
        url, name = await _new_postgres_database(args.postgres_url)
        try:
            return await _measure(url, units, rows, args.runs)
        finally:
            await _drop_postgres_database(args.postgres_url, name)
    with tempfile.TemporaryDirectory() as folder:
        return await _measure(f"sqlite+aiosqlite:///{folder}/budget_bench.sqlite3", units, rows, args.runs)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _report(label: str, result: dict[str, Any]) -> None:
    _say(
        f"{label}: {result['units']} units, {result['rows']:,} outcome rows "
        f"(bulk-loaded in {result['load_seconds']:.1f} s); region T2 summary median {result['median_ms']:.1f} ms "
        f"(min {result['min_ms']:.1f}, max {result['max_ms']:.1f}); SQL statements per summary: {result['statements']}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--sqlite", action="store_true", help="a temp SQLite file (the default)")
    backend.add_argument("--postgres-url", help="admin URL, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    database = "postgresql" if args.postgres_url else "sqlite"
    _say(f"budget benchmark on {database}, {args.runs} timed runs after a warm-up")
    full = await _run_on(args, args.units, args.rows)
    _report("full", full)
    small = await _run_on(args, max(1, args.units // 3), max(1, args.rows // 5))
    _report("small", small)
    same = full["statements"] == small["statements"] and len(full["statements"]) == 1
    _say(f"statement count independent of units and rows: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
