"""Importing 500,000 ledger rows, as `styr import ledger` does.

Loads an account plan (six categories, prefixes and ranges), writes a semicolon-separated file of
200 units × 12 months × ~208 booked rows (decimal comma, revenue as credits), then times a dry
run, the real run (14,400 outcomes created from the sums), and the same file again (which must
change nothing), with the SQL statements each issued and the peak memory of this process. The CPU
time of this process is printed too: on a shared machine it moves less than the wall-clock time.

    .venv/bin/python -m benchmarks.bench_ledger
    .venv/bin/python -m benchmarks.bench_ledger --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import event

from benchmarks.harness import bulk_insert, fresh_database, run, tracked
from services.budget.models import Base
from services.budget.rules.ledger import import_ledger
from shared.db import create_engine, create_sessionmaker
from shared.history import HistorySession, set_actor
from shared.imports import ImportReport

UNITS, MONTHS, ROWS = 200, 12, 500_000
PLAN = [
    ("3", "3", "revenue"),
    ("40", "44", "purchased_care"),
    ("45", "45", "pharmaceuticals"),
    ("46", "49", "other_costs"),
    ("5", "5", "personnel"),
    ("6", "7", "other_costs"),
    ("78", "78", "depreciation"),
]
ACCOUNTS = [
    "3010",
    "3110",
    "3510",
    "4010",
    "4210",
    "4510",
    "4520",
    "4610",
    "5010",
    "5110",
    "5410",
    "6110",
    "7010",
    "7810",
]


async def load(url: str) -> None:
    engine = create_engine(url)
    rows = [
        tracked(id=uuid.uuid4(), account_from=first, account_to=last, category=category, comment=None)
        for first, last, category in PLAN
    ]
    await bulk_insert(engine, Base.metadata.tables["account_mapping"], rows)
    await engine.dispose()


def write_file(path: Path, rows: int) -> int:
    per_unit_month = rows // (UNITS * MONTHS)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("enhet;konto;period;belopp\n")
        for unit in range(UNITS):
            for month in range(1, MONTHS + 1):
                for n in range(per_unit_month + (1 if unit * MONTHS + month <= rows % (UNITS * MONTHS) else 0)):
                    account = ACCOUNTS[n % len(ACCOUNTS)]
                    sign = "-" if account.startswith("3") else ""
                    kronor = (unit * 7919 + month * 104729 + n * 1299709) % 2_000_000
                    out.write(
                        f"U{unit};{account};2024{month:02d};{sign}{kronor:,}".replace(",", " ") + f",{n % 100:02d}\n"
                    )
                    written += 1
    return written


async def timed_import(url: str, path: Path, *, dry_run: bool) -> tuple[float, float, int, ImportReport]:
    engine = create_engine(url)
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)

    async def unit_exists(code: str) -> bool:
        return True

    try:
        started, cpu = time.perf_counter(), time.process_time()
        async with create_sessionmaker(engine, HistorySession)() as session:
            set_actor(session, "bench", "Benchmark")
            with path.open(encoding="utf-8", newline="") as lines:
                report = await import_ledger(session, lines, unit_exists=unit_exists, dry_run=dry_run)
            await session.commit()
        return time.perf_counter() - started, time.process_time() - cpu, statements, report
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    rows = max(int(ROWS * args.scale), UNITS * MONTHS)
    async with fresh_database("budget", args.postgres_url) as url:
        await load(url)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "ledger.csv"
            lines = write_file(path, rows)
            print(f"\n{backend}: {lines:,} ledger rows in a {path.stat().st_size / 1e6:.1f} MB file")
            for label, dry_run in (("dry run", True), ("real run", False), ("same file again", False)):
                seconds, cpu, statements, report = await timed_import(url, path, dry_run=dry_run)
                if report.problems:
                    raise SystemExit(f"the import found problems, first: {report.problems[0]}")
                print(
                    f"  {label:<16} {seconds:6.2f} s ({cpu:5.2f} s CPU here)  {lines / seconds:9,.0f} rows/s  "
                    f"created {report.created:,}  "
                    f"updated {report.updated}  unchanged {report.unchanged:,}  SQL statements {statements}"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of the process: {peak:.0f} MB")


if __name__ == "__main__":
    run(main, __doc__ or "")
