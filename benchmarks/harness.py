"""What every benchmark needs: a migrated throw-away database, bulk loading, a signed-in client of one
service app, a timer and a count of the SQL statements a request issues.

Benchmarks call a service in-process (httpx over ASGI, lifespan run), so the figure is the service's
own cost: routing, auth, SQL and serialisation, without the network or the gateway.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Table, event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

os.environ.setdefault("STYR_PROFILE", "development")

from shared.auth.policy import Principal, RegionRole
from shared.auth.tokens import mint_internal_token
from shared.migrations import migrate
from shared.settings import DEV_SECRET, PROJECT_ROOT

CHUNK = 5_000
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--postgres-url",
        help="an admin URL (postgresql+asyncpg://user@host:port/postgres); SQLite in a temp folder if left out",
    )
    parser.add_argument("--runs", type=int, default=7, help="timed runs per request (median reported)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data set to load")
    parser.add_argument(
        "--against",
        help="bench_load: a checkout of another commit (e.g. a git worktree) to run side by side, rounds interleaved",
    )
    return parser.parse_args()


@asynccontextmanager
async def fresh_database(service: str, postgres_url: str | None) -> AsyncIterator[str]:
    """A new database migrated to head by the service's own alembic history; dropped afterwards."""
    if postgres_url is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / f'{service}.sqlite3'}"
            await migrate(PROJECT_ROOT / "services" / service, url)
            yield url
        return
    name = f"styr_bench_{service}_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(postgres_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    try:
        await migrate(PROJECT_ROOT / "services" / service, url)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def tracked(**values: Any) -> dict[str, Any]:
    """A row of a tracked table as the ORM would write it on create: version 1 and timestamps."""
    return {"version": 1, "created_at": NOW, "updated_at": NOW, **values}


async def bulk_insert(engine: AsyncEngine, table: Table, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows in chunks, each chunk one executemany; returns how many."""
    count = 0
    chunk: list[dict[str, Any]] = []
    async with engine.begin() as conn:
        for row in rows:
            chunk.append(row)
            if len(chunk) == CHUNK:
                await conn.execute(table.insert(), chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            await conn.execute(table.insert(), chunk)
            count += len(chunk)
    return count


def region_reader() -> Principal:
    """The widest reader: the board (oversight) with the auditors' role, who reads every draft too."""
    return Principal(subject="bench", name="Benchmark", region_roles=frozenset({RegionRole.auditor}), oversight=True)


@dataclass
class StatementCounter:
    count: int = 0

    def __call__(self, *_: Any) -> None:
        self.count += 1


@dataclass
class Measured:
    label: str
    seconds: list[float] = field(default_factory=list)
    statements: int = 0
    status: int = 0
    size_bytes: int = 0

    def line(self) -> str:
        median = statistics.median(self.seconds) * 1000
        return (
            f"{self.label:<44} median {median:8.1f} ms   min {min(self.seconds) * 1000:8.1f} ms   "
            f"{self.statements:3d} SQL statements   {self.size_bytes / 1024:8.0f} KiB   HTTP {self.status}"
        )


@asynccontextmanager
async def service_client(app: FastAPI, principal: Principal) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    async with app.router.lifespan_context(app):
        token = mint_internal_token(principal, DEV_SECRET, 3600)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://bench",
            headers={"Authorization": f"Bearer {token}"},
            timeout=600,
        ) as client:
            yield client, app.state.engine


async def measure(
    client: httpx.AsyncClient, engine: AsyncEngine, label: str, path: str, runs: int, *, warm_up: int = 1
) -> Measured:
    """Time GET `path` `runs` times after a warm-up, and count the statements of one request."""
    for _ in range(warm_up):
        (await client.get(path)).raise_for_status()
    result = Measured(label)
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    try:
        response = await client.get(path)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", counter)
    response.raise_for_status()
    result.statements, result.status, result.size_bytes = counter.count, response.status_code, len(response.content)
    for _ in range(runs):
        started = time.perf_counter()
        (await client.get(path)).raise_for_status()
        result.seconds.append(time.perf_counter() - started)
    return result


def run(main: Callable[[argparse.Namespace], Any], description: str) -> None:
    asyncio.run(main(arguments(description)))


def memory_of(pid: int) -> tuple[float, float]:
    """A process's resident memory now and at its peak (VmRSS, VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    now = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
    peak = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))  # type: ignore[union-attr]
    return now / 1024, peak / 1024
