"""The report charts' cost in a real gateway process: the resident memory before and after drawing, the
time of the T2 report as JSON, HTML (three SVG charts) and Word (three PNG charts), and how long
/healthz takes while a Word report is being drawn (the drawing runs in the gateway's document worker,
a process of its own).

The stack runs as `make run` starts it (one uvicorn process per app) on the demo data. The gateway
starts its document worker when it is first asked for a document, so the memory of the gateway and of
its child processes (the worker, and multiprocessing's resource tracker) is read three times: after
JSON traffic only, after the first Word report, and after the timed runs of every format.

    .venv/bin/python -m benchmarks.bench_report_charts                  # SQLite
    .venv/bin/python -m benchmarks.bench_report_charts --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from contextlib import AsyncExitStack
from pathlib import Path

import httpx

from benchmarks.bench_load import MEMORY_GOAL_MB, start
from benchmarks.harness import fresh_database, memory_of, run
from cli.main import seed_database
from cli.registry import SERVICES
from cli.serve import Child, stop_all
from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET

REPORT = "/api/reports/interim/2022/T2"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def resident(gateway: Child, moment: str) -> None:
    """The gateway's memory and that of each process it started, each against the goal."""
    pid = gateway.process.pid
    for label, process in (("gateway", pid), *(("  its child", child) for child in _children(pid))):
        now, peak = memory_of(process)
        verdict = "under" if peak < MEMORY_GOAL_MB else "OVER"
        print(
            f"  {label:<11} {moment:<30} resident {now:6.1f} MB   peak {peak:6.1f} MB   ({verdict} {MEMORY_GOAL_MB} MB)"
        )


async def timed(client: httpx.AsyncClient, path: str, runs: int) -> tuple[float, int]:
    """Median seconds of `runs` requests after one warm-up, and the size of the answer."""
    size = len((await client.get(path)).content)
    seconds = []
    for _ in range(runs):
        began = time.perf_counter()
        response = await client.get(path)
        seconds.append(time.perf_counter() - began)
        response.raise_for_status()
    return statistics.median(seconds), size


async def health_while(client: httpx.AsyncClient, busy: str | None) -> float:
    """Median milliseconds of /healthz, polled while `busy` is being fetched (or idle)."""
    seconds: list[float] = []
    work = asyncio.create_task(client.get(busy)) if busy else None
    for _ in range(20):
        began = time.perf_counter()
        (await client.get("/healthz")).raise_for_status()
        seconds.append(time.perf_counter() - began)
        if work is not None and work.done():
            break
        await asyncio.sleep(0.02)
    if work is not None:
        (await work).raise_for_status()
    return statistics.median(seconds) * 1000


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    async with AsyncExitStack() as databases:
        urls = {
            e.name: await databases.enter_async_context(fresh_database(e.name, args.postgres_url)) for e in SERVICES
        }
        for entry in SERVICES:
            await seed_database(entry, urls[entry.name])
        children = start(urls)
        try:
            gateway = children["gateway"]
            token = mint_dev_token(DEV_SECRET, subject="bench-board", roles=["RS:reader"])
            headers = {"authorization": f"Bearer {token}"}
            print(f"\n{backend}: the T2 report on the demo data through a real gateway ({args.runs} runs, median)")
            async with httpx.AsyncClient(base_url=gateway.url, headers=headers, timeout=60) as client:
                json_seconds, json_size = await timed(client, REPORT, args.runs)
                resident(gateway, "after JSON reports only")
                first = time.perf_counter()
                (await client.get(f"{REPORT}?format=docx")).raise_for_status()
                first_docx = time.perf_counter() - first
                resident(gateway, "after the first Word report")
                html_seconds, html_size = await timed(client, f"{REPORT}?format=html", args.runs)
                docx_seconds, docx_size = await timed(client, f"{REPORT}?format=docx", args.runs)
                resident(gateway, "after every format, timed")
                idle = await health_while(client, None)
                drawing = await health_while(client, f"{REPORT}?format=docx")
            print(f"  json  {json_seconds * 1000:7.1f} ms   {json_size:>9,} bytes")
            print(f"  html  {html_seconds * 1000:7.1f} ms   {html_size:>9,} bytes  (3 SVG charts)")
            print(f"  docx  {docx_seconds * 1000:7.1f} ms   {docx_size:>9,} bytes  (3 PNG charts)")
            print(f"  first docx (imports matplotlib, reads its font cache) {first_docx * 1000:7.1f} ms")
            print(f"  /healthz  idle {idle:6.1f} ms   while a Word report is drawn {drawing:6.1f} ms (median)")
        finally:
            stop_all(list(children.values()))


if __name__ == "__main__":
    run(main, __doc__ or "")
