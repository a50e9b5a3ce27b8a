"""`styr export-all` and `styr import-all` on a large budget database: 100,000 outcomes (ten years of a
region's ledger, by unit, month and category) with a history row each, exported to JSON lines and
read back into an empty database. Prints seconds, rows a second, SQL statements and the process's
peak memory (the import reads the files as it inserts).

    .venv/bin/python -m benchmarks.bench_backup [--postgres-url URL] [--scale 0.1]   (or make bench ARGS=backup)
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import tempfile
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.harness import NOW, bulk_insert, fresh_database, run, tracked
from cli import backup
from services.budget.models import AccountCategory, Base
from shared.db import create_engine

UNITS, YEARS, MONTHS = 140, 10, 12
CATEGORIES = list(AccountCategory)
OUTCOMES = 100_000  # of the 100,800 the units, years, months and categories allow


def outcomes(count: int) -> Iterator[dict[str, Any]]:
    made = 0
    for year in range(2016, 2016 + YEARS):
        for unit in range(UNITS):
            for month in range(1, MONTHS + 1):
                for category in CATEGORIES:
                    if made == count:
                        return
                    amount = Decimal(made * 7919 % 10_000_000) + Decimal("0.05")
                    yield tracked(
                        id=uuid.uuid4(),
                        unit_code=f"U{unit:03d}",
                        year=year,
                        month=month,
                        category=category,
                        amount=amount,
                        source="ledger",
                    )
                    made += 1


def history(rows: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for row in rows:
        after = {k: backup.encode(v) for k, v in row.items() if k not in ("created_at", "updated_at")}
        yield {
            "entity": "outcome",
            "entity_id": str(row["id"]),
            "action": "create",
            "version": 1,
            "actor": "bench",
            "actor_name": "Benchmark",
            "request_id": None,
            "at": NOW,
            "before": None,
            "after": after,
            "public": True,
            "tx": 0,
        }


def count_statements() -> tuple[Any, list[int]]:
    """An engine factory for cli.backup that counts every statement its engines send."""
    counted = [0]

    def counting_engine(engine_url: str, **kwargs: Any) -> Any:
        engine = create_engine(engine_url, **kwargs)

        def count(*_: Any) -> None:
            counted[0] += 1

        event.listen(engine.sync_engine, "before_cursor_execute", count)
        return engine

    return counting_engine, counted


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    count = int(OUTCOMES * args.scale)
    async with fresh_database("budget", args.postgres_url) as source:
        engine = create_engine(source)
        rows = list(outcomes(count))
        await bulk_insert(engine, Base.metadata.tables["outcome"], rows)
        await bulk_insert(engine, Base.metadata.tables["history_entry"], history(rows))
        await engine.dispose()
        print(f"\n{backend}: {count:,} outcomes and {count:,} history rows")
        with tempfile.TemporaryDirectory() as folder:
            directory = Path(folder) / "backup"
            factory, statements = count_statements()
            backup.create_engine = factory  # type: ignore[assignment]
            started, cpu = time.perf_counter(), time.process_time()
            await asyncio.to_thread(backup.export_all, directory, {"budget": source})
            seconds = time.perf_counter() - started
            size = sum(f.stat().st_size for f in directory.rglob("*.jsonl")) / 1e6
            print(
                f"  export-all  {seconds:6.2f} s ({time.process_time() - cpu:5.2f} s CPU)  "
                f"{2 * count / seconds:9,.0f} rows/s  {size:.1f} MB  SQL statements {statements[0]}"
            )
            async with fresh_database("budget", args.postgres_url) as target:
                statements[0] = 0
                started, cpu = time.perf_counter(), time.process_time()
                await asyncio.to_thread(backup.import_all, directory, {"budget": target})
                seconds = time.perf_counter() - started
                print(
                    f"  import-all  {seconds:6.2f} s ({time.process_time() - cpu:5.2f} s CPU)  "
                    f"{2 * count / seconds:9,.0f} rows/s  SQL statements {statements[0]}"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of the process: {peak:.0f} MB (the data set itself is held once for loading)")


if __name__ == "__main__":
    run(main, __doc__ or "")
