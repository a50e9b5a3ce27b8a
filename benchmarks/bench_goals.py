"""The goals service's read models on a region ten times the demo's size.

Loads 30 units, 5,000 goals, 20,000 indicators (40,000 targets) and 200,000 measurements, then
times the chain and the fulfilment summary for the whole region and counts their SQL statements.
It loads a tenth of that first and measures again, to show the statement count does not grow with
the number of goals.

    .venv/bin/python -m benchmarks.bench_goals                    # SQLite (the embedded default)
    .venv/bin/python -m benchmarks.bench_goals --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from decimal import Decimal
from typing import Any

from benchmarks.harness import (
    Measured,
    bulk_insert,
    fresh_database,
    measure,
    region_reader,
    run,
    service_client,
    tracked,
)
from services.goals.app import create_app
from services.goals.models import Base
from services.goals.settings import GoalsSettings
from shared.db import create_engine

UNITS, GOALS, INDICATORS_PER_GOAL = 30, 5_000, 4
YEARS = (2024, 2025)
# Ten values per indicator: the tertials and the year of 2024 and 2025, and two months of 2025.
PERIODS = [
    *(period for year in YEARS for period in (f"{year}-T1", f"{year}-T2", f"{year}-T3", str(year))),
    "2025-01",
    "2025-02",
]
PERSPECTIVES = ("citizen", "process", "employee", "economy")


def _period_row(period: str) -> dict[str, Any]:
    year = int(period[:4])
    if len(period) == 4:
        return {"period_kind": "year", "year": year, "period_end_month": 12}
    if period[5] == "T":
        return {"period_kind": "tertial", "year": year, "period_end_month": 4 * int(period[6])}
    return {"period_kind": "month", "year": year, "period_end_month": int(period[5:])}


PERIOD_ROWS = {p: _period_row(p) for p in PERIODS}


def org_units() -> list[dict[str, Any]]:
    """A council, a board, 6 committees, and 22 administrations and units below them."""
    council = tracked(id=uuid.uuid4(), code="RF", name="Regionfullmäktige", kind="council", parent_id=None)
    board = tracked(id=uuid.uuid4(), code="RS", name="Regionstyrelsen", kind="board", parent_id=council["id"])
    rows = [council, board]
    committees = [
        tracked(id=uuid.uuid4(), code=f"N{i}", name=f"Nämnd {i}", kind="committee", parent_id=council["id"])
        for i in range(6)
    ]
    rows += committees
    for i in range(UNITS - len(rows)):
        parent = committees[i % len(committees)]
        rows.append(
            tracked(
                id=uuid.uuid4(), code=f"F{i}", name=f"Förvaltning {i}", kind="administration", parent_id=parent["id"]
            )
        )
    return rows


class Region:
    """The generated data set, kept as rows so that ids link up."""

    def __init__(self, goals: int, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.units = org_units()
        self.perspectives = [
            tracked(id=uuid.uuid4(), code=code, name=code.title(), sort_order=i) for i, code in enumerate(PERSPECTIVES)
        ]
        self.plan = tracked(
            id=uuid.uuid4(),
            title="Regionplan 2024–2026",
            start_year=2024,
            end_year=2026,
            status="decided",
            decided_by="RF",
            decided_on=None,
        )
        self.strategies = [
            tracked(id=uuid.uuid4(), plan_id=self.plan["id"], number=n, title=f"Strategi {n}") for n in range(1, 5)
        ]
        self.goals = self._goals(goals)

    def _goals(self, count: int) -> list[dict[str, Any]]:
        by_level: dict[str, list[dict[str, Any]]] = {"council": [], "committee": [], "administration": []}
        goals = []
        owners = [u for u in self.units if u["kind"] != "board"]
        for n in range(count):
            unit = owners[n % len(owners)]
            level = "council" if unit["kind"] == "council" else unit["kind"]
            goal = tracked(
                id=uuid.uuid4(),
                unit_id=unit["id"],
                title=f"Mål {n}",
                perspective_id=self.random.choice(self.perspectives)["id"],
                financial=n % 10 == 0,
                sdgs=[n % 17 + 1],
                start_year=2024,
                end_year=2026,
                status="decided" if n % 20 else "draft",
                parent_goal_id=None,
                parent_strategy_id=None,
            )
            if level == "council":
                goal["parent_strategy_id"] = self.random.choice(self.strategies)["id"]
            elif by_level["council"] and n % 25:  # every 25th goal is an orphan
                goal["parent_goal_id"] = self.random.choice(by_level["council"])["id"]
            by_level[level].append(goal)
            goals.append(goal)
        return goals

    def indicators(self) -> list[dict[str, Any]]:
        return [
            tracked(
                id=uuid.uuid4(),
                goal_id=goal["id"],
                name=f"Indikator {n} för {goal['title']}",
                unit_of_measure="%",
                direction="higher_is_better" if n % 3 else "lower_is_better",
                baseline_value=Decimal(50),
                baseline_year=2023,
                tolerance=Decimal(5),
                source="manual",
            )
            for goal in self.goals
            for n in range(INDICATORS_PER_GOAL)
        ]

    @staticmethod
    def targets(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            tracked(id=uuid.uuid4(), indicator_id=i["id"], year=year, value=Decimal(60))
            for i in indicators
            for year in YEARS
        ]

    def measurements(self, indicators: list[dict[str, Any]]) -> Any:
        for indicator in indicators:
            for period in PERIODS:
                value = Decimal(self.random.randint(400_000, 700_000)) / 10_000
                yield tracked(
                    id=uuid.uuid4(),
                    indicator_id=indicator["id"],
                    period=period,
                    value=value,
                    value_women=value + 1,
                    value_men=value - 1,
                    **PERIOD_ROWS[period],
                )


async def load(url: str, goals: int) -> dict[str, int]:
    region = Region(goals)
    tables = Base.metadata.tables
    engine = create_engine(url)
    counts = {
        "org_unit": await bulk_insert(engine, tables["org_unit"], region.units),
        "perspective": await bulk_insert(engine, tables["perspective"], region.perspectives),
        "plan": await bulk_insert(engine, tables["plan"], [region.plan]),
        "strategy": await bulk_insert(engine, tables["strategy"], region.strategies),
    }
    # Parents before children: council goals first, so the self-reference holds on insert.
    ordered = sorted(region.goals, key=lambda g: g["parent_goal_id"] is not None)
    counts["goal"] = await bulk_insert(engine, tables["goal"], ordered)
    indicators = region.indicators()
    counts["indicator"] = await bulk_insert(engine, tables["indicator"], indicators)
    counts["indicator_target"] = await bulk_insert(engine, tables["indicator_target"], region.targets(indicators))
    counts["measurement"] = await bulk_insert(engine, tables["measurement"], region.measurements(indicators))
    await engine.dispose()
    return counts


async def measure_read_models(url: str, runs: int) -> list[Measured]:
    app = create_app(GoalsSettings(database_url=url), configure_logs=False)
    async with service_client(app, region_reader()) as (client, engine):
        return [
            await measure(client, engine, "chain, whole region, 2025", "/chain?year=2025", runs),
            await measure(
                client, engine, "fulfilment summary, whole region, 2025 T2", "/fulfilment?year=2025&period=T2", runs
            ),
            await measure(client, engine, "goal quality, whole region", "/quality", runs),
        ]


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    full = max(int(GOALS * args.scale), 50)
    for goals in (full // 10, full):
        async with fresh_database("goals", args.postgres_url) as url:
            started = time.perf_counter()
            counts = await load(url, goals)
            print(f"\n{backend}: loaded {counts} in {time.perf_counter() - started:.1f} s")
            for result in await measure_read_models(url, args.runs):
                print("  " + result.line())


if __name__ == "__main__":
    run(main, __doc__ or "")
