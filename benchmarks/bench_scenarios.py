"""Benchmark: five scenarios on the resource calculation compared over 30 units and three years.

Usage: .venv/bin/python -m benchmarks.bench_scenarios [--sqlite | --postgres-url URL] [--units N] [--scenarios N]
       [--runs N]

It migrates a throw-away database (as bench_budget does), loads the decided frames of the year before the
budget year for every unit, the resource calculation of the budget year and its two plan years, and the
scenarios with their three years; then times the comparison read model
(`services.budget.rules.scenarios.compare`, serialised to JSON as the API answers it) with a warm-up and the
median of several runs, and counts its SQL statements. The count is measured again with a third of the
units and two scenarios: it must be the same. The goal is under 200 ms on PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.bench_budget import (
    SERVICE_DIR,
    StatementCounter,
    _drop_postgres_database,
    _new_postgres_database,
    _tracked,
    _units,
)
from services.budget.models import (
    FrameStatus,
    OperatingFrame,
    ResourceCalculation,
    ResourceScenario,
    ScenarioStatus,
    ScenarioYear,
)
from services.budget.rules.scenarios import compare
from shared.db import create_engine, create_sessionmaker
from shared.history import HistorySession
from shared.migrations import migrate

YEAR = 2026
PLAN_YEARS = range(YEAR, YEAR + 3)


async def load_plan_period(engine: AsyncEngine, units: list[str], scenarios: int) -> None:
    """Frames in force the year before, three resource calculations, and the scenarios with their years."""
    frames = [
        {
            **_tracked(),
            "unit_code": unit,
            "year": YEAR - 1,
            "revision": 0,
            "status": FrameStatus.decided,
            "last_year_frame": Decimal(200_000_000 + 1_000_000 * n),
            "index_uplift": Decimal(0),
            "population_change": Decimal(0),
            "activity_change": Decimal(0),
            "priorities": Decimal(0),
            "savings": Decimal(0),
            "amount": Decimal(200_000_000 + 1_000_000 * n),
        }
        for n, unit in enumerate(units)
    ]
    calculations = [
        {
            **_tracked(),
            "year": year,
            "tax_revenue": Decimal("5650000000.00") + 150_000_000 * i,
            "general_grants": Decimal("2420000000.00"),
            "other_revenue": Decimal("98000000.00"),
            "lpik_percent": Decimal("2.9"),
            "pension_cost": Decimal("425000000.00"),
            "result_target_percent": Decimal(2),
        }
        for i, year in enumerate(PLAN_YEARS)
    ]
    made = [
        {
            **_tracked(),
            "year": YEAR,
            "name": f"Scenario {n}",
            "status": ScenarioStatus.draft,
            "tax_rate": Decimal("11.35") + Decimal("0.05") * n,
            "starting_tax_base": Decimal("48000000000.00"),
            "starting_population": 130_500,
            "result_target_percent": Decimal(2),
            "years_revision": 0,
        }
        for n in range(scenarios)
    ]
    years = [
        {
            **_tracked(),
            "scenario_id": scenario["id"],
            "year": year,
            "tax_base_growth_percent": Decimal("3.5") + Decimal("0.2") * i,
            "population": 131_000 + 400 * i,
            "lpik_percent": Decimal("2.8"),
            "pension_cost": Decimal("430000000.00"),
            "general_grants": Decimal("2450000000.00"),
            "other_revenue": Decimal("98000000.00"),
        }
        for scenario in made
        for i, year in enumerate(PLAN_YEARS)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(OperatingFrame), frames)
        await conn.execute(insert(ResourceCalculation), calculations)
        await conn.execute(insert(ResourceScenario), made)
        await conn.execute(insert(ScenarioYear), years)


async def _compare_once(engine: AsyncEngine) -> tuple[float, int, int]:
    maker = create_sessionmaker(engine, HistorySession)
    counter = StatementCounter(engine)
    started = time.perf_counter()
    async with maker() as session:
        compared = await compare(session, YEAR, None)
        compared.model_dump_json()  # the API answers JSON; serialising is part of the cost
    elapsed = time.perf_counter() - started
    event.remove(engine.sync_engine, "before_cursor_execute", counter._count)
    return elapsed, counter.count, len(compared.scenarios)


async def _measure(url: str, units: int, scenarios: int, runs: int) -> dict[str, Any]:
    await migrate(SERVICE_DIR, url)
    engine = create_engine(url)
    try:
        await load_plan_period(engine, _units(units), scenarios)
        await _compare_once(engine)  # warm-up
        timings, counts = [], set()
        for _ in range(runs):
            elapsed, statements, compared = await _compare_once(engine)
            assert compared == scenarios
            timings.append(elapsed)
            counts.add(statements)
        return {
            "units": units,
            "scenarios": scenarios,
            "median_ms": statistics.median(timings) * 1000,
            "min_ms": min(timings) * 1000,
            "max_ms": max(timings) * 1000,
            "statements": sorted(counts),
        }
    finally:
        await engine.dispose()


async def _run_on(args: argparse.Namespace, units: int, scenarios: int) -> dict[str, Any]:
    if args.postgres_url:
        url, name = await _new_postgres_database(args.postgres_url)
        try:
            return await _measure(url, units, scenarios, args.runs)
        finally:
            await _drop_postgres_database(args.postgres_url, name)
    with tempfile.TemporaryDirectory() as folder:
        return await _measure(f"sqlite+aiosqlite:///{folder}/scenarios_bench.sqlite3", units, scenarios, args.runs)


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _report(label: str, result: dict[str, Any]) -> None:
    _say(
        f"{label}: {result['scenarios']} scenarios x {result['units']} units x 3 years compared, median "
        f"{result['median_ms']:.1f} ms (min {result['min_ms']:.1f}, max {result['max_ms']:.1f}); "
        f"SQL statements per comparison: {result['statements']}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    backend = parser.add_mutually_exclusive_group()
    backend.add_argument("--sqlite", action="store_true", help="a temp SQLite file (the default)")
    backend.add_argument("--postgres-url", help="admin URL, e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--units", type=int, default=30)
    parser.add_argument("--scenarios", type=int, default=5)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    database = "postgresql" if args.postgres_url else "sqlite"
    _say(f"scenario comparison benchmark on {database}, {args.runs} timed runs after a warm-up")
    full = await _run_on(args, args.units, args.scenarios)
    _report("full", full)
    small = await _run_on(args, max(1, args.units // 3), 2)
    _report("small", small)
    same = full["statements"] == small["statements"] and len(full["statements"]) == 1
    _say(f"statement count independent of units and scenarios: {'yes' if same else 'NO'}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
