"""The list routes at 100 rows against raw asyncpg, and the gateway's cost in front of them, on PostgreSQL.

Three things serve each list, each one uvicorn process as `make run` starts them: the reference app
(benchmarks/lists_reference.py: raw asyncpg, the same tables, the same JSON and the same token check),
the real service called directly with the token the gateway signs, and the gateway in front of the
services called with a user's token. wrk (Debian: `apt-get install wrk`) makes the load: 2 threads,
32 connections. The rounds are interleaved (raw, direct, gateway for each route, then again), so a
neighbour's load on the shared cores falls on all three alike; the median round is reported with the
ratios direct/raw and gateway/direct, and the load average before and after.

PostgreSQL only: the targets are stated on PostgreSQL, and the reference reads it with asyncpg.

    .venv/bin/python -m benchmarks.bench_lists --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select

from benchmarks.bench_gateway import _free_port as free_port
from benchmarks.bench_gateway import wrk
from benchmarks.harness import bulk_insert, fresh_database, run, tracked
from cli.main import seed_database
from cli.registry import GATEWAY_FACTORY, SERVICES
from cli.serve import Child, start_app, stop_all, wait_healthy
from services.audit.models import AuditReport
from services.audit.models import Base as AuditBase
from services.goals.models import Base as GoalsBase
from services.goals.models import OrgUnit, UnitKind
from shared.auth.policy import Principal, RegionRole
from shared.auth.tokens import mint_dev_token, mint_internal_token
from shared.db import create_engine
from shared.settings import DEV_SECRET

ROWS = 100
EXTRA = 120  # rows added to each list, so a 100-row page is full whatever the demo holds
ROUNDS = 3
# The caller: the region's auditors, who read every unit's drafts (the same rows on every path).
ROLE = "auditor"


@dataclass
class Route:
    name: str
    service: str
    path: str  # as the service and the reference serve it; the gateway's is /api/<service><path>
    rates: dict[str, list[float]] = field(default_factory=lambda: {"raw": [], "direct": [], "gateway": []})
    errors: int = 0

    def median(self, target: str) -> float:
        return statistics.median(self.rates[target])

    def line(self) -> str:
        raw, direct, gateway = self.median("raw"), self.median("direct"), self.median("gateway")
        return (
            f"{self.name:<30} raw {raw:7.0f}   direct {direct:7.0f}   gateway {gateway:7.0f} req/s   "
            f"direct/raw {direct / raw:4.2f}   gateway/direct {gateway / direct:4.2f}   errors {self.errors}"
        )


async def add_goals_rows(url: str) -> uuid.UUID:
    """Units below the council, goals on one unit, indicators (with two targets each) on one goal."""
    tables = GoalsBase.metadata.tables
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            council = (await conn.execute(select(OrgUnit.id).where(OrgUnit.kind == UnitKind.council))).scalar()
        units = [
            tracked(id=uuid.uuid4(), code=f"B{n:03d}", name=f"Enhet {n}", kind="unit", parent_id=council)
            for n in range(EXTRA)
        ]
        await bulk_insert(engine, tables["org_unit"], units)
        goals = [
            tracked(
                id=uuid.uuid4(),
                unit_id=units[0]["id"],
                title=f"Mål {n:03d}",
                description="Ett mål för mätningen",
                financial=False,
                sdgs=[3, 10],
                start_year=2024,
                end_year=2027,
                status="decided",
                decided_by="RF",
                decided_on=date(2024, 1, 1),
                decision_paragraph="§ 1",
            )
            for n in range(EXTRA)
        ]
        await bulk_insert(engine, tables["goal"], goals)
        indicators = [
            tracked(
                id=uuid.uuid4(),
                goal_id=goals[0]["id"],
                name=f"Indikator {n:03d}",
                unit_of_measure="%",
                direction="higher_is_better",
                baseline_value=50,
                baseline_year=2023,
                tolerance=1,
                source="manual",
            )
            for n in range(EXTRA)
        ]
        await bulk_insert(engine, tables["indicator"], indicators)
        targets = [
            tracked(id=uuid.uuid4(), indicator_id=i["id"], year=year, value=60 + year - 2024)
            for i in indicators
            for year in (2025, 2026)
        ]
        await bulk_insert(engine, tables["indicator_target"], targets)
        return uuid.UUID(str(goals[0]["id"]))
    finally:
        await engine.dispose()


async def add_audit_rows(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            report = (await conn.execute(select(AuditReport.id).limit(1))).scalar()
        rows = [
            tracked(
                id=uuid.uuid4(),
                report_id=report,
                number=1000 + n,
                body_code="HSN",
                text=f"Rekommendation {n}",
                status="open",
            )
            for n in range(EXTRA)
        ]
        await bulk_insert(engine, AuditBase.metadata.tables["recommendation"], rows)
    finally:
        await engine.dispose()


def start(urls: dict[str, str]) -> dict[str, Child]:
    env = {**os.environ, "STYR_PROFILE": "development", "GATEWAY_RATE_LIMIT_PER_MINUTE": "0"}
    ports = {entry.name: free_port() for entry in SERVICES}
    for entry in SERVICES:
        prefix = entry.name.upper()
        env[f"{prefix}_DATABASE_URL"] = urls[entry.name]
        env[f"GATEWAY_{prefix}_URL"] = f"http://127.0.0.1:{ports[entry.name]}"
        env[f"{prefix}_LOG_LEVEL"] = "WARNING"
    env.update({"GATEWAY_LOG_LEVEL": "WARNING", "BUDGET_GOALS_URL": env["GATEWAY_GOALS_URL"]})
    env["AUDIT_GOALS_URL"] = env["GATEWAY_GOALS_URL"]
    env["REFERENCE_GOALS_DSN"] = urls["goals"].replace("+asyncpg", "")
    env["REFERENCE_AUDIT_DSN"] = urls["audit"].replace("+asyncpg", "")
    children = {entry.name: start_app(entry.name, entry.factory, ports[entry.name], env) for entry in SERVICES}
    children["gateway"] = start_app("gateway", GATEWAY_FACTORY, free_port(), env)
    children["raw"] = start_app("raw", "benchmarks.lists_reference:create_app", free_port(), env)
    wait_healthy(list(children.values()), timeout=90)
    return children


def same_items(label: str, answers: dict[str, Any]) -> str:
    """Whether the three answer the same JSON; a benchmark of different work would compare nothing."""
    first, *others = answers.values()
    if all(other == first for other in others):
        return f"  {label}: the same JSON ({len(first['items'])} of {first['total']} items) from raw, direct, gateway"
    differing = [name for name, other in answers.items() if other != first]
    return f"  {label}: ANSWERS DIFFER ({', '.join(differing)} from the first): {json.dumps(answers)[:600]}"


async def check(routes: list[Route], urls: Callable[[Route], dict[str, str]], tokens: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for route in routes:
            answers = {}
            for target, url in urls(route).items():
                response = await client.get(url, headers={"Authorization": f"Bearer {tokens[target]}"})
                if response.status_code != 200:
                    raise RuntimeError(f"{target} GET {url}: {response.status_code} {response.text[:300]}")
                answers[target] = response.json()
            print(same_items(route.name, answers))


async def main(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        print("bench_lists skipped: it needs wrk (apt-get install wrk)")
        return
    if args.postgres_url is None:
        print("bench_lists skipped on SQLite: the reference reads PostgreSQL with asyncpg")
        return
    seconds = max(int(8 * args.scale), 2)
    async with AsyncExitStack() as databases:
        urls = {
            e.name: await databases.enter_async_context(fresh_database(e.name, args.postgres_url)) for e in SERVICES
        }
        for entry in SERVICES:
            await seed_database(entry, urls[entry.name])
        goal = await add_goals_rows(urls["goals"])
        await add_audit_rows(urls["audit"])
        children = start(urls)
        try:
            await measure(children, goal, seconds)
        finally:
            stop_all(list(children.values()))


async def measure(children: dict[str, Child], goal: uuid.UUID, seconds: int) -> None:
    principal = Principal(subject="bench", name="Benchmark", region_roles=frozenset({RegionRole(ROLE)}))
    internal = mint_internal_token(principal, DEV_SECRET, 3600)
    tokens = {"raw": internal, "direct": internal, "gateway": mint_dev_token(DEV_SECRET, subject="bench", roles=[ROLE])}
    routes = [
        Route("goals GET /units", "goals", f"/units?limit={ROWS}"),
        Route("goals GET /goals", "goals", f"/goals?limit={ROWS}"),
        Route("goals GET /indicators", "goals", f"/indicators?limit={ROWS}"),
        Route("goals GET /indicators?goal=…", "goals", f"/indicators?goal={goal}&limit={ROWS}"),
        Route("audit GET /recommendations", "audit", f"/recommendations?limit={ROWS}"),
    ]

    def urls(route: Route) -> dict[str, str]:
        return {
            "raw": f"{children['raw'].url}{route.path}",
            "direct": f"{children[route.service].url}{route.path}",
            "gateway": f"{children['gateway'].url}/api/{route.service}{route.path}",
        }

    before = os.getloadavg()
    await check(routes, urls, tokens)
    for route in routes:  # warm-up: each process's caches, pools and statement caches
        for target, url in urls(route).items():
            wrk("warm-up", url, tokens[target], 2)
    for _ in range(ROUNDS):
        for route in routes:
            for target, url in urls(route).items():
                result = wrk(target, url, tokens[target], seconds)
                route.rates[target].append(result.requests_per_second)
                route.errors += result.errors
    after = os.getloadavg()
    print(f"\nPostgreSQL: GET …?limit={ROWS}, wrk -t2 -c32 -d{seconds}s, {ROUNDS} interleaved rounds, median")
    for route in routes:
        print("  " + route.line())
    print(f"  load average before {' '.join(f'{n:.2f}' for n in before)}, after {' '.join(f'{n:.2f}' for n in after)}")


if __name__ == "__main__":
    run(main, __doc__ or "")
