"""What the gateway costs: a 100-row list straight from the goals service against the same list through
the gateway, with each of the gateway's connection pools, in one run, under wrk.

Each app runs as `make run` runs it (uvicorn, one worker, uvloop, httptools); wrk (Debian: `apt-get
install wrk`) makes the load: 2 threads, 32 connections, 10 s a round. Reports requests/s, p50/p99,
the ratio to the direct call, and each process's resident memory afterwards.

    .venv/bin/python -m benchmarks.bench_gateway                    # SQLite
    .venv/bin/python -m benchmarks.bench_gateway --postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import uuid
from dataclasses import dataclass

from benchmarks.harness import bulk_insert, fresh_database, memory_of, region_reader, run, tracked
from cli.registry import GATEWAY_FACTORY
from cli.serve import Child, start_app, stop_all, wait_healthy
from services.goals.models import Base
from shared.auth.tokens import mint_dev_token, mint_internal_token
from shared.db import create_engine
from shared.settings import DEV_SECRET

ROWS = 100
PATH = f"/units?limit={ROWS}"
WRK = ["wrk", "-t2", "-c32", "--latency"]
_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


@dataclass
class Round:
    label: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def line(self, direct: float) -> str:
        return (
            f"{self.label:<34} {self.requests_per_second:8.0f} req/s  ({self.requests_per_second / direct:4.2f}×)   "
            f"p50 {self.p50_ms:6.1f} ms   p99 {self.p99_ms:6.1f} ms   errors {self.errors}"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNIT[unit]


def wrk(label: str, url: str, token: str, seconds: int) -> Round:
    """One round of load; non-2xx answers and socket errors both count as errors."""
    output = subprocess.run(
        [*WRK, f"-d{seconds}s", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Latency Distribution" not in output:
        raise RuntimeError(f"wrk gave no latencies:\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Round(label, rate, p50, p99, errors)


async def load_units(url: str) -> None:
    """A council with the units below it: the list answers ROWS rows."""
    council = tracked(id=uuid.uuid4(), code="RF", name="Regionfullmäktige", kind="council", parent_id=None)
    units = [
        tracked(id=uuid.uuid4(), code=f"U{n:03d}", name=f"Enhet {n}", kind="unit", parent_id=council["id"])
        for n in range(ROWS)
    ]
    engine = create_engine(url)
    await bulk_insert(engine, Base.metadata.tables["org_unit"], [council, *units])
    await engine.dispose()


def start(url: str) -> dict[str, Child]:
    env = {**os.environ, "STYR_PROFILE": "development", "GOALS_DATABASE_URL": url}
    env.update({f"{app}_LOG_LEVEL": "WARNING" for app in ("GOALS", "GATEWAY")})
    goals = start_app("goals", "services.goals.app:create_app", _free_port(), env)
    children = {"goals": goals}
    for pool in ("aiohttp", "httpx"):
        gateway_env = {
            **env,
            "GATEWAY_GOALS_URL": goals.url,
            "GATEWAY_HTTP_CLIENT": pool,
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
        }
        children[f"gateway ({pool})"] = start_app(f"gateway-{pool}", GATEWAY_FACTORY, _free_port(), gateway_env)
    wait_healthy(list(children.values()))
    return children


async def main(args: argparse.Namespace) -> None:
    if shutil.which("wrk") is None:
        print("bench_gateway skipped: it needs wrk (apt-get install wrk)")
        return
    seconds = max(int(10 * args.scale), 2)
    backend = "PostgreSQL" if args.postgres_url else "SQLite"
    async with fresh_database("goals", args.postgres_url) as url:
        await load_units(url)
        children = start(url)
        try:
            direct_token = mint_internal_token(region_reader(), DEV_SECRET, 3600)
            user_token = mint_dev_token(DEV_SECRET, subject="bench", roles=["RS:reader"])
            goals = children["goals"]
            wrk("warm-up", f"{goals.url}{PATH}", direct_token, 2)
            rounds = [wrk("goals service, direct", f"{goals.url}{PATH}", direct_token, seconds)]
            for name, child in children.items():
                if name.startswith("gateway"):
                    wrk("warm-up", f"{child.url}/api/goals{PATH}", user_token, 2)
                    rounds.append(wrk(f"through the {name}", f"{child.url}/api/goals{PATH}", user_token, seconds))
            print(f"\n{backend}: GET {PATH} ({ROWS} rows), wrk {' '.join(WRK[1:])} -d{seconds}s")
            for result in rounds:
                print("  " + result.line(rounds[0].requests_per_second))
            print(
                "  resident memory: "
                + ", ".join(f"{n} {memory_of(c.process.pid)[0]:.0f} MB" for n, c in children.items())
            )
        finally:
            stop_all(list(children.values()))


if __name__ == "__main__":
    run(main, __doc__ or "")
