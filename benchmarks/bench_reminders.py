"""`styr remind`: one pass over every person in a region the size of bench_tasks', on real processes.

The region and its 300 people are bench_tasks' (bench_report's loaders, with owners, reporters and
coordinators named in turn). The pass reads every person's tasks from the three services, claims each due
reminder at the goals service and sends it to the log (no SMTP or webhook: the send itself costs nothing
here, so what is timed is the job's own work: the reads, the claims, and one recorded outcome per reminder).
A second pass on the same day finds everything claimed and sends nothing.

    .venv/bin/python -m benchmarks.bench_reminders --scale 0.1
    .venv/bin/python -m benchmarks.bench_reminders --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import logging
import time
from contextlib import AsyncExitStack
from datetime import date

from benchmarks.bench_load import start
from benchmarks.bench_report import SERVICES, Size, load_region
from benchmarks.bench_tasks import load_people
from benchmarks.harness import fresh_database, run
from cli.remind import RemindSettings, remind_once
from cli.serve import stop_all

TODAY = date(2024, 9, 1)  # in the loaders' years: some work due soon, much overdue


async def main(args: argparse.Namespace) -> None:
    logging.getLogger("styr.remind").setLevel(logging.WARNING)  # the log channel's lines are not the point
    size = Size.fraction("scale", args.scale)
    async with AsyncExitStack() as databases:
        urls = {name: await databases.enter_async_context(fresh_database(name, args.postgres_url)) for name in SERVICES}
        counts = await load_region(urls, size)
        counts["people"] = await load_people(urls, size, args.scale)  # type: ignore[assignment]
        print(f"{'PostgreSQL' if args.postgres_url else 'SQLite'}, scale {args.scale}: loaded {counts}", flush=True)
        children = start(urls)
        try:
            settings = RemindSettings(**{f"{name}_url": children[name].url for name in SERVICES})
            for label in ("first pass", "second pass"):
                started = time.perf_counter()
                report = await remind_once(settings, today=TODAY)
                seconds = time.perf_counter() - started
                print(
                    f"  {label}: {seconds:6.1f} s  {report.offered} due, {report.claimed} claimed, "
                    f"{report.sent} sent ({report.sent / seconds if seconds else 0:.0f}/s), missing {report.missing}",
                    flush=True,
                )
        finally:
            stop_all(list(children.values()))


if __name__ == "__main__":
    run(main, __doc__ or "")
