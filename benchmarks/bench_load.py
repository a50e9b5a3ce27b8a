"""A follow-up week under load, through a real gateway and real services (one uvicorn process each,
as `make run` starts them), on the demo data, for about a minute.

Readers: wrk (Debian: `apt-get install wrk`) with benchmarks/load.lua, 2 threads and 16 connections,
reading the goal chain, the region's economy summary and the audit overview, and now and then a
fulfilment or report-to-council list. Writers at the same time: 8 editors, each changing its own
forecast and its own measurement in turn with the ETag of its last write (read-modify-write, as a
person editing a form). Reports requests/s, p50/p99 and errors for each, and the resident memory
of each process (now and at its peak). The goal: zero errors, every service under 150 MB.

    .venv/bin/python -m benchmarks.bench_load                    # SQLite
    .venv/bin/python -m benchmarks.bench_load --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

Two commits side by side: `--against DIR` starts a second stack from a checkout of another commit
(its own databases, the same demo data) and runs the week in rounds interleaved between the two, so
a neighbour's load on the shared cores falls on both alike; it prints each round's reads/s, the
medians and their ratio, with the load average. For example, against main before issue 17:

    mkdir /tmp/styr-before && git archive fb37f08 | tar -x -C /tmp/styr-before
    .venv/bin/python -m benchmarks.bench_load --postgres-url … --against /tmp/styr-before --scale 0.5
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from benchmarks.bench_gateway import _free_port as free_port
from benchmarks.bench_gateway import _ms
from benchmarks.harness import fresh_database, memory_of, run
from cli.main import seed_database
from cli.registry import GATEWAY_FACTORY, SERVICES
from cli.serve import Child, start_app, stop_all, wait_healthy
from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET

LUA = Path(__file__).with_name("load.lua")
WRK = ["wrk", "-t2", "-c16", "--latency", "--timeout", "10s"]
WRITERS = 8
WRITER_ROLES = ("HSN:editor",)
FORECAST_UNITS = ("HSN", "HSF", "PV", "SV")
MEMORY_GOAL_MB = 150


@dataclass
class Writes:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def line(self, seconds: float) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000 if ordered else 0.0
        p99 = ordered[int(len(ordered) * 0.99)] * 1000 if ordered else 0.0
        errors = sum(n for status, n in self.statuses.items() if status >= 300)
        return (
            f"writes  {len(ordered) / seconds:8.1f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
            f"errors {errors}   by status {dict(sorted(self.statuses.items()))}"
        )


def start(urls: dict[str, str], source: Path | None = None) -> dict[str, Child]:
    ports = {entry.name: free_port() for entry in SERVICES}
    env = {**os.environ, "STYR_PROFILE": "development", "GATEWAY_RATE_LIMIT_PER_MINUTE": "0"}
    for entry in SERVICES:
        prefix = entry.name.upper()
        env[f"{prefix}_DATABASE_URL"] = urls[entry.name]
        env[f"GATEWAY_{prefix}_URL"] = f"http://127.0.0.1:{ports[entry.name]}"
    env.update({f"{app}_LOG_LEVEL": "WARNING" for app in ("GOALS", "BUDGET", "AUDIT", "GATEWAY")})
    env.update({"BUDGET_GOALS_URL": env["GATEWAY_GOALS_URL"], "AUDIT_GOALS_URL": env["GATEWAY_GOALS_URL"]})
    launch = start_app if source is None else functools.partial(start_app_in, source)
    children = {entry.name: launch(entry.name, entry.factory, ports[entry.name], env) for entry in SERVICES}
    children["gateway"] = launch("gateway", GATEWAY_FACTORY, free_port(), env)
    wait_healthy(list(children.values()), timeout=90)
    return children


def start_app_in(source: Path, name: str, factory: str, port: int, env: dict[str, str]) -> Child:
    """An app as cli.serve starts it, run from another checkout: `python -m` puts its folder first."""
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, "--host", "127.0.0.1", "--port", str(port)]
    return Child(name, port, subprocess.Popen([*command, "--no-access-log"], env=env, cwd=source))


def memory_mb(child: Child) -> tuple[float, float]:
    """Resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    return memory_of(child.process.pid)


async def wrk(url: str, token: str, seconds: int) -> str:
    process = await asyncio.create_subprocess_exec(
        *WRK, f"-d{seconds}s", "-s", str(LUA), url, "--", token, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    return output.decode()


def wrk_line(output: str) -> str:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0)
    total = re.search(r"(\d+) requests in", output).group(1)  # type: ignore[union-attr]
    return f"reads   {rate:8.1f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   errors {errors}   ({total} requests)"


async def writer(client: httpx.AsyncClient, number: int, indicator_id: str, until: float, writes: Writes) -> None:
    """One editor: creates its forecast and measurement, then changes them in turn with its last ETag."""
    headers = {"Authorization": f"Bearer {mint_dev_token(DEV_SECRET, subject=f'w{number}', roles=WRITER_ROLES)}"}
    unit = FORECAST_UNITS[number % len(FORECAST_UNITS)]
    year = 2026 + number // len(FORECAST_UNITS)
    forecast = await client.post(
        "/api/budget/forecasts",
        headers=headers,
        json={"unit_code": unit, "year": year, "follow_up": "T2", "amount": "1000.00"},
    )
    measurement = await client.post(
        f"/api/goals/indicators/{indicator_id}/measurements",
        headers=headers,
        json={"period": f"{2040 + number}", "value": "1"},
    )
    for created in (forecast, measurement):
        if created.status_code != 201:
            raise RuntimeError(f"writer {number} could not start: {created.status_code} {created.text}")
    records = [
        (f"/api/budget/forecasts/{forecast.json()['id']}", "amount", forecast.json()["version"]),
        (f"/api/goals/measurements/{measurement.json()['id']}", "value", measurement.json()["version"]),
    ]
    turn = 0
    while time.monotonic() < until:
        path, name, version = records[turn % 2]
        started = time.monotonic()
        response = await client.patch(
            path, headers={**headers, "If-Match": f'"{version}"'}, json={name: f"{1000 + turn}.25"}
        )
        writes.latencies.append(time.monotonic() - started)
        writes.statuses[response.status_code] += 1
        if response.status_code == 200:
            records[turn % 2] = (path, name, response.json()["version"])
        turn += 1


async def check_reads(client: httpx.AsyncClient, token: str) -> None:
    """Each read of the mix answers 200 on its own, so an error under load is the load's doing."""
    for path in re.findall(r'path = "([^"]+)"', LUA.read_text()):
        response = await client.get(path, headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answers {response.status_code}: {response.text[:300]}")


async def hsn_indicators(client: httpx.AsyncClient, token: str) -> list[str]:
    """The indicators of HSN's goals in the demo data, where the writers record their values."""
    headers = {"Authorization": f"Bearer {token}"}
    goals = (await client.get("/api/goals/goals", params={"limit": 500}, headers=headers)).json()["items"]
    found = []
    for goal in goals:
        if goal["unit_code"] == "HSN":
            listed = await client.get("/api/goals/indicators", params={"goal": goal["id"]}, headers=headers)
            found += [indicator["id"] for indicator in listed.json()["items"]]
    if not found:
        raise RuntimeError("the demo data has no indicator on an HSN goal")
    return found


def reads_per_second(output: str) -> float:
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


async def week(gateway: str, reader: str, seconds: int, first_writer: int) -> tuple[str, Writes]:
    """One round: wrk reading while the editors write, each writer on records of its own."""
    async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
        indicators = await hsn_indicators(client, reader)
        writes = Writes()
        until = time.monotonic() + seconds
        numbers = range(first_writer, first_writer + WRITERS)
        reads, *_ = await asyncio.gather(
            wrk(gateway, reader, seconds),
            *(writer(client, n, indicators[n % len(indicators)], until, writes) for n in numbers),
        )
    return reads, writes


async def side_by_side(args: argparse.Namespace, against: Path) -> None:
    """This checkout and another, their rounds interleaved; the ratio of median reads/s."""
    seconds, rounds = max(int(20 * args.scale), 5), 3
    reader = mint_dev_token(DEV_SECRET, subject="bench-reader", roles=["RS:reader"])
    stacks: dict[str, dict[str, Child]] = {}
    rates: dict[str, list[float]] = {}
    async with AsyncExitStack() as databases:
        try:
            for label, source in (("before (" + str(against) + ")", against), ("this checkout", None)):
                urls = {
                    e.name: await databases.enter_async_context(fresh_database(e.name, args.postgres_url))
                    for e in SERVICES
                }
                for entry in SERVICES:
                    await seed_database(entry, urls[entry.name])
                stacks[label] = start(urls, source)
                rates[label] = []
            before = os.getloadavg()
            for children in stacks.values():
                await wrk(children["gateway"].url, reader, 5)  # warm-up
                async with httpx.AsyncClient(base_url=children["gateway"].url, timeout=30) as client:
                    await check_reads(client, reader)
            for number in range(rounds):
                for label, children in stacks.items():
                    reads, writes = await week(children["gateway"].url, reader, seconds, number * WRITERS)
                    rates[label].append(reads_per_second(reads))
                    print(f"  round {number + 1} {label:<40} " + wrk_line(reads) + "\n      " + writes.line(seconds))
            after = os.getloadavg()
        finally:
            for children in stacks.values():
                stop_all(list(children.values()))
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    print(f"\n{backend}: reads/s, median of {rounds} interleaved rounds of {seconds} s (wrk {' '.join(WRK[1:])})")
    medians = {label: statistics.median(r) for label, r in rates.items()}
    for label, median in medians.items():
        print(f"  {label:<40} {median:8.1f} reads/s   rounds {', '.join(f'{r:.1f}' for r in rates[label])}")
    first, second = medians.values()
    print(f"  this checkout / before: {second / first:.2f}×")
    print(f"  load average before {' '.join(f'{n:.2f}' for n in before)}, after {' '.join(f'{n:.2f}' for n in after)}")


async def main(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        print("bench_load skipped: it needs wrk (apt-get install wrk)")
        return
    if args.against:
        await side_by_side(args, Path(args.against))
        return
    seconds = max(int(60 * args.scale), 5)
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    async with AsyncExitStack() as databases:
        urls = {
            e.name: await databases.enter_async_context(fresh_database(e.name, args.postgres_url)) for e in SERVICES
        }
        for entry in SERVICES:
            await seed_database(entry, urls[entry.name])
        children = start(urls)
        try:
            gateway = children["gateway"].url
            reader = mint_dev_token(DEV_SECRET, subject="bench-reader", roles=["RS:reader"])
            await wrk(gateway, reader, 5)  # warm-up
            async with httpx.AsyncClient(base_url=gateway, timeout=30) as client:
                await check_reads(client, reader)
                indicators = await hsn_indicators(client, reader)
                writes = Writes()
                until = time.monotonic() + seconds
                reads, *_ = await asyncio.gather(
                    wrk(gateway, reader, seconds),
                    *(writer(client, n, indicators[n % len(indicators)], until, writes) for n in range(WRITERS)),
                )
            print(f"\n{backend}: a follow-up week for {seconds} s through the gateway (wrk {' '.join(WRK[1:])})")
            print("  " + wrk_line(reads))
            print("  " + writes.line(seconds))
            for name, child in children.items():
                now, peak = memory_mb(child)
                verdict = "" if name == "gateway" or peak < MEMORY_GOAL_MB else f"  over {MEMORY_GOAL_MB} MB"
                print(f"  {name:<8} resident {now:6.1f} MB   peak {peak:6.1f} MB{verdict}")
        finally:
            stop_all(list(children.values()))


if __name__ == "__main__":
    run(main, __doc__ or "")
