"""The region-wide T2 report on a region ten times the demo's size, through the gateway.

The three services' databases are loaded in bulk by the loaders of bench_goals (30 units, 5,000
goals, 20,000 indicators, 40,000 targets, 200,000 measurements), bench_budget (500,000 outcome
rows, the year's frames, budgets and forecasts) and bench_audit (2,000 recommendations, 6,000
actions, statements and internal control), all with the same 30 unit codes, since the budget and
audit services name units by the goals service's codes.

Times are taken on real processes, one uvicorn process per service and one for the gateway, as
`make run` starts them: the gateway asks the three services at once, so they work in parallel, and
the Word and PDF documents are drawn in the gateway's document worker (the PDF laid out by Typst in
that process), whose peak resident memory is printed after them, with the highest sum of all the
gateway's children sampled while each format is drawn. An in-process stack would run the
services one after another on one interpreter and overstate the time. Each figure is the median of
`--runs` requests after a warm-up; the CPU seconds each process (with its children: the document
worker) spent per report are given beside it, since other work on a shared machine stretches the
wall-clock time but not those.

SQL statements cannot be counted inside another process, so they are counted on the same databases
with the apps in-process (httpx over ASGI, as the tests wire them): one report after a warm-up,
with a `before_cursor_execute` listener on each service's engine. The gateway's org-tree cache is
warm by then, so signing in adds none. The data set is loaded at a tenth of the size first, then in
full, and the counts are printed side by side: they must not grow with the data.

    .venv/bin/python -m benchmarks.bench_report                  # SQLite
    .venv/bin/python -m benchmarks.bench_report --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import event, text

from benchmarks import bench_audit, bench_budget, bench_goals
from benchmarks.bench_load import start
from benchmarks.harness import StatementCounter, fresh_database, run
from cli.serve import Child, stop_all
from gateway.app import create_app as create_gateway
from gateway.settings import GatewaySettings
from services.audit.app import create_app as create_audit
from services.audit.settings import AuditSettings
from services.budget.app import create_app as create_budget
from services.budget.settings import BudgetSettings
from services.goals.app import create_app as create_goals
from services.goals.settings import GoalsSettings
from shared.auth.tokens import mint_dev_token
from shared.db import create_engine
from shared.settings import DEV_SECRET

YEAR = 2025  # the goals data set measures 2024 and 2025; the economy is loaded for the same year
REPORT = f"/api/reports/interim/{YEAR}/T2"
OUTCOME_ROWS = 500_000
SERVICES = ("goals", "budget", "audit")
GOAL_JSON_SECONDS, GOAL_DOCX_SECONDS, GOAL_PDF_SECONDS = 1.0, 3.0, 3.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Size:
    label: str
    goals: int
    outcome_rows: int
    recommendations: int
    actions: int

    @classmethod
    def fraction(cls, label: str, share: float) -> Size:
        return cls(
            label,
            max(int(bench_goals.GOALS * share), 50),
            max(int(OUTCOME_ROWS * share), 2_160),
            max(int(bench_audit.RECOMMENDATIONS * share), 10),
            max(int(bench_audit.ACTIONS * share), 30),
        )


@dataclass
class Timed:
    seconds: list[float] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    size_bytes: int = 0

    def line(self, label: str, goal: float) -> str:
        median = statistics.median(self.seconds)
        cpu = "  ".join(f"{name} {seconds:5.2f}" for name, seconds in self.cpu_seconds.items())
        verdict = "under" if median < goal else "OVER"
        return (
            f"{label:<5} median {median * 1000:7.0f} ms  min {min(self.seconds) * 1000:7.0f} ms  "
            f"({verdict} {goal:.0f} s)  {self.size_bytes / 1024:7.0f} KiB   CPU s per report: {cpu}"
        )


def unit_codes() -> list[str]:
    return [unit["code"] for unit in bench_goals.org_units()]


async def analyse(url: str) -> None:
    """PostgreSQL plans by its statistics; fresh bulk-loaded tables have none until ANALYZE."""
    engine = create_engine(url)
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE"))
            await conn.commit()
    await engine.dispose()


async def load_region(urls: dict[str, str], size: Size) -> dict[str, dict[str, int]]:
    codes = unit_codes()
    counts = {"goals": await bench_goals.load(urls["goals"], size.goals)}
    engine = create_engine(urls["budget"])
    try:
        await bench_budget.load_economy(engine, codes, size.outcome_rows, YEAR)
    finally:
        await engine.dispose()
    counts["budget"] = {"outcome": size.outcome_rows, "units": len(codes)}
    counts["audit"] = await bench_audit.load(urls["audit"], size.recommendations, size.actions, codes)
    for url in urls.values():
        await analyse(url)
    return counts


def board_reader() -> dict[str, str]:
    """The board's reader: reads every unit's decided goals, the economy and the auditors' material."""
    return {"authorization": f"Bearer {mint_dev_token(DEV_SECRET, subject='bench-board', roles=['RS:reader'])}"}


class ByHost(httpx.AsyncBaseTransport):
    """The gateway's calls to http://goals, http://budget and http://audit, to the in-process apps."""

    def __init__(self, apps: dict[str, FastAPI]) -> None:
        self.transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.transports[request.url.host].handle_async_request(request)


@asynccontextmanager
async def in_process(urls: dict[str, str]) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, FastAPI]]]:
    apps = {
        "goals": create_goals(GoalsSettings(database_url=urls["goals"]), configure_logs=False),
        "budget": create_budget(BudgetSettings(database_url=urls["budget"]), configure_logs=False),
        "audit": create_audit(AuditSettings(database_url=urls["audit"]), configure_logs=False),
    }
    settings = GatewaySettings(
        goals_url="http://goals", budget_url="http://budget", audit_url="http://audit", rate_limit_per_minute=0
    )
    gateway = create_gateway(settings, transport=ByHost(apps), configure_logs=False)
    async with AsyncExitStack() as stack:
        for app in [*apps.values(), gateway]:
            await stack.enter_async_context(app.router.lifespan_context(app))
        client = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=gateway),
                base_url="http://gateway",
                timeout=600,
                headers=board_reader(),
            )
        )
        yield client, apps


async def statements_per_service(urls: dict[str, str], path: str) -> dict[str, int]:
    """The SQL statements each service issues for one report, after a warm-up."""
    async with in_process(urls) as (client, apps):
        (await client.get(path)).raise_for_status()
        counters = {name: StatementCounter() for name in SERVICES}
        for name, counter in counters.items():
            event.listen(apps[name].state.engine.sync_engine, "before_cursor_execute", counter)
        try:
            report = (await client.get(path)).raise_for_status().json()
        finally:
            for name, counter in counters.items():
                event.remove(apps[name].state.engine.sync_engine, "before_cursor_execute", counter)
        if not report["complete"]:
            raise SystemExit(f"the report is a draft: {report['missing']}")
        return {name: counter.count for name, counter in counters.items()}


def _descendants(pid: int) -> list[int]:
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            stack.extend(int(child) for child in children)
    return found


def cpu_seconds(child: Child) -> float:
    """User and system CPU time of the process and its live children so far."""
    total = 0
    for pid in _descendants(child.process.pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue  # a child that ended between the listing and the reading
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def worker_memory(gateway: Child) -> str:
    """The peak and present resident memory of the gateway's children (its document worker, and the
    resource tracker multiprocessing starts beside it), each named by its command line."""
    lines = []
    for pid in _descendants(gateway.process.pid)[1:]:
        try:
            status = dict(
                line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line
            )
        except FileNotFoundError:
            continue
        if "VmHWM" not in status:
            continue  # a zombie
        peak, now = (int(status[key].split()[0]) / 1024 for key in ("VmHWM", "VmRSS"))
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[-60:]
        lines.append(f"child {pid} ({command.strip()}): peak {peak:.0f} MiB, now {now:.0f} MiB")
    return "\n  ".join(lines) or "no child of the gateway"


def children_resident_mib(gateway: Child) -> float:
    """The resident memory of all the gateway's children at this moment, together (MiB)."""
    total = 0
    for pid in _descendants(gateway.process.pid)[1:]:
        try:
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            rss = next(line for line in lines if line.startswith("VmRSS"))
        except (FileNotFoundError, StopIteration):
            continue  # ended, or a zombie
        total += int(rss.split()[1])
    return total / 1024


@dataclass
class MemoryPeak:
    """The highest sum of the gateway's children's resident memory, sampled while documents are drawn (a
    child that ends with its document would be missed by the children's own peaks after the run)."""

    gateway: Child
    peak_mib: float = 0.0

    async def sample(self, every: float = 0.05) -> None:
        while True:
            self.peak_mib = max(self.peak_mib, children_resident_mib(self.gateway))
            await asyncio.sleep(every)


async def timed(client: httpx.AsyncClient, path: str, runs: int, children: dict[str, Child]) -> Timed:
    """Median of `runs` requests after a warm-up, and each process's CPU seconds per request."""
    result = Timed(size_bytes=len((await client.get(path)).raise_for_status().content))
    before = {name: cpu_seconds(child) for name, child in children.items()}
    for _ in range(runs):
        began = time.perf_counter()
        (await client.get(path)).raise_for_status()
        result.seconds.append(time.perf_counter() - began)
    result.cpu_seconds = {name: (cpu_seconds(child) - before[name]) / runs for name, child in children.items()}
    return result


async def timed_in_processes(urls: dict[str, str], runs: int) -> tuple[Timed, Timed, Timed, str]:
    children = start(urls)
    try:
        gateway = children["gateway"].url
        async with httpx.AsyncClient(base_url=gateway, headers=board_reader(), timeout=600) as client:
            as_json = await timed(client, REPORT, runs, children)
            memory = {}
            for name in ("docx", "pdf"):
                peak = MemoryPeak(children["gateway"])
                sampler = asyncio.create_task(peak.sample())
                try:
                    drawn = await timed(client, f"{REPORT}?format={name}", runs, children)
                finally:
                    sampler.cancel()
                memory[name] = (drawn, peak.peak_mib)
            (as_docx, docx_peak), (as_pdf, pdf_peak) = memory["docx"], memory["pdf"]
            together = f"the gateway's children together at most: {docx_peak:.0f} MiB (docx), {pdf_peak:.0f} MiB (pdf)"
            return as_json, as_docx, as_pdf, f"{together}\n  {worker_memory(children['gateway'])}"
    finally:
        stop_all(list(children.values()))


async def measure(size: Size, postgres_url: str | None, runs: int) -> dict[str, int]:
    async with AsyncExitStack() as databases:
        urls = {name: await databases.enter_async_context(fresh_database(name, postgres_url)) for name in SERVICES}
        started = time.perf_counter()
        counts = await load_region(urls, size)
        print(f"\n{size.label}: loaded {counts} in {time.perf_counter() - started:.0f} s", flush=True)
        statements = await statements_per_service(urls, REPORT)
        as_json, as_docx, as_pdf, memory = await timed_in_processes(urls, runs)
        print(f"  {as_json.line('json', GOAL_JSON_SECONDS)}\n  {as_docx.line('docx', GOAL_DOCX_SECONDS)}", flush=True)
        print(f"  {as_pdf.line('pdf', GOAL_PDF_SECONDS)}\n  {memory}", flush=True)
        return statements


async def main(args: argparse.Namespace) -> None:
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    print(f"{backend}: GET {REPORT} as the board's reader, real processes, {args.runs} runs after a warm-up")
    sizes = [Size.fraction("a tenth", args.scale / 10), Size.fraction("full size", args.scale)]
    counted = [await measure(size, args.postgres_url, args.runs) for size in sizes]
    print(f"\n  SQL statements per report   {sizes[0].label:>10}   {sizes[1].label:>10}")
    for name in SERVICES:
        print(f"  {name:<27} {counted[0][name]:>10}   {counted[1][name]:>10}")
    if counted[0] != counted[1]:
        raise SystemExit("the number of SQL statements grows with the data")


if __name__ == "__main__":
    run(main, __doc__ or "")
