"""Importing 100,000 measurements from a tab-separated file, as `styr import measures` does.

Loads 30 units and 1,000 indicators with external codes, writes a file of 100 months for each, then
times a dry run, the real run, and the same file again (which must change nothing), with the peak
memory of this process.

    .venv/bin/python -m benchmarks.bench_imports
    .venv/bin/python -m benchmarks.bench_imports --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks.harness import bulk_insert, fresh_database, run, tracked
from services.goals.models import Base
from services.goals.rules.measures_tsv import Granularity, import_measures
from shared.db import create_engine, create_sessionmaker
from shared.history import HistorySession, set_actor
from shared.imports import ImportReport

UNITS, INDICATORS, MONTHS = 30, 1_000, 100


def _units() -> list[dict[str, Any]]:
    # Every row names the same columns: an executemany takes its columns from the first row.
    council = tracked(
        id=uuid.uuid4(), code="RF", name="Regionfullmäktige", kind="council", parent_id=None, external_code=None
    )
    return [council] + [
        tracked(
            id=uuid.uuid4(),
            code=f"U{n}",
            name=f"Enhet {n}",
            kind="committee",
            parent_id=council["id"],
            external_code=f"E{n}",
        )
        for n in range(UNITS - 1)
    ]


async def load(url: str, indicators: int) -> list[tuple[str, str]]:
    """Units and decided goals with coded indicators; returns (unit code, measure code) pairs."""
    units = _units()
    committees = units[1:]
    goals = [
        tracked(
            id=uuid.uuid4(),
            unit_id=committees[n % len(committees)]["id"],
            title=f"Mål {n}",
            financial=False,
            sdgs=[],
            start_year=2015,
            end_year=2025,
            status="decided",
        )
        for n in range(indicators // 4)
    ]
    unit_of_goal = {g["id"]: next(u for u in committees if u["id"] == g["unit_id"]) for g in goals}
    rows = [
        tracked(
            id=uuid.uuid4(),
            goal_id=goals[n % len(goals)]["id"],
            name=f"Mått {n}",
            unit_of_measure="st",
            direction="higher_is_better",
            tolerance=0,
            source="external",
            external_code=f"M{n}",
        )
        for n in range(indicators)
    ]
    engine = create_engine(url)
    tables = Base.metadata.tables
    await bulk_insert(engine, tables["org_unit"], units)
    await bulk_insert(engine, tables["goal"], goals)
    await bulk_insert(engine, tables["indicator"], rows)
    await engine.dispose()
    return [(unit_of_goal[r["goal_id"]]["external_code"], r["external_code"]) for r in rows]


def write_file(path: Path, codes: list[tuple[str, str]], months: int) -> int:
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("unit\tdate\tmeasure\tvalue\n")
        for unit, measure in codes:
            for month in range(months):
                year, month_of_year = 2016 + month // 12, month % 12 + 1
                out.write(f"{unit}\t{year}-{month_of_year:02d}-28\t{measure}\t{month * 7 % 1000},{month % 10}\n")
                lines += 1
    return lines


async def timed_import(url: str, path: Path, *, dry_run: bool) -> tuple[float, ImportReport]:
    engine = create_engine(url)
    try:
        started = time.perf_counter()
        async with create_sessionmaker(engine, HistorySession)() as session:
            set_actor(session, "bench", "Benchmark")
            with path.open(encoding="utf-8") as lines:
                report = await import_measures(
                    session,
                    lines,
                    granularity=Granularity.month,
                    dry_run=dry_run,
                    may_read=lambda *_: True,
                    may_measure=lambda _: True,
                )
            await session.commit()
        return time.perf_counter() - started, report
    finally:
        await engine.dispose()


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    indicators = max(int(INDICATORS * args.scale), 4)
    async with fresh_database("goals", args.postgres_url) as url:
        codes = await load(url, indicators)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "measures.tsv"
            lines = write_file(path, codes, MONTHS)
            print(f"\n{backend}: {lines:,} measures in a {path.stat().st_size / 1e6:.1f} MB file")
            for label, dry_run in (("dry run", True), ("real run", False), ("same file again", False)):
                seconds, report = await timed_import(url, path, dry_run=dry_run)
                if report.problems:
                    raise SystemExit(f"the import found problems, first: {report.problems[0]}")
                print(
                    f"  {label:<16} {seconds:6.2f} s   {lines / seconds:8,.0f} lines/s   created {report.created:,}  "
                    f"updated {report.updated}  unchanged {report.unchanged:,}  problems {len(report.problems)}"
                )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of the process: {peak:.0f} MB")


if __name__ == "__main__":
    run(main, __doc__ or "")
