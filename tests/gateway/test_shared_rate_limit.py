"""The rate limit shared through a real Redis by two gateways, as two replicas behind one Service.

A throw-away `redis-server` (Debian: redis-server) runs on a free port for each test. CI installs it
and sets STYR_REQUIRE_REDIS=1, so there a missing server fails; elsewhere these tests skip.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from gateway.app import create_app as create_gateway
from gateway.protection import RateLimiter
from shared.auth.tokens import mint_dev_token
from shared.settings import DEV_SECRET
from tests.conftest import RoutingTransport, Snapshots, gateway_settings, service_apps

REQUIRED = os.environ.get("STYR_REQUIRE_REDIS") == "1"
READER = ("reader", "RS:reader")
# One request a minute after a burst of three: nothing refills while a test runs, however slow the machine.
LIMIT = {"rate_limit_per_minute": 1, "rate_limit_burst": 3}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _token(sub: str, *roles: str) -> str:
    return mint_dev_token(DEV_SECRET, subject=sub, roles=roles)


@dataclass
class RedisServer:
    """A redis-server without persistence that a test may stop and start again on the same port."""

    binary: str
    port: int
    workdir: Path
    process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            *[self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)],
            *["--save", "", "--appendonly", "no"],
            stdout=asyncio.subprocess.DEVNULL,
        )
        client = Redis.from_url(self.url)
        try:
            for _ in range(1000):  # a bounded wait for the server to listen, not a timed assertion
                try:
                    await client.ping()
                    return
                except RedisConnectionError:
                    if self.process.returncode is not None:
                        raise RuntimeError("redis-server stopped at start") from None
                    await asyncio.sleep(0.01)
            raise RuntimeError("redis-server did not answer")
        finally:
            await client.aclose()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()


@pytest.fixture
def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found is None:
        reason = "redis-server is not installed (Debian: apt-get install redis-server)"
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture
async def redis_server(redis_binary: str, tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(redis_binary, _free_port(), tmp_path)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@dataclass
class Replicas:
    """Two gateways in front of the same services, with a client each."""

    clients: list[httpx.AsyncClient]
    gateways: list[FastAPI]

    def limiter(self, n: int) -> RateLimiter:
        limiter: RateLimiter = self.gateways[n].state.proxy.limiter
        return limiter

    def store_metrics(self, n: int) -> tuple[float, float, float]:
        """What gateway `n` shows Prometheus of its store: up, outages and fallbacks."""
        text = self.gateways[n].state.observed.metrics.exposition().decode()
        values = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}
        return tuple(  # type: ignore[return-value]
            values[f"styr_rate_limit_store_{name}"] for name in ("up", "outages_total", "fallbacks_total")
        )

    async def statuses(self, headers: dict[str, str], count: int, *, only: int | None = None) -> list[int]:
        """`count` requests as one caller, alternating between the gateways unless `only` names one."""
        sent = []
        for n in range(count):
            client = self.clients[n % 2 if only is None else only]
            sent.append((await client.get("/api/goals/units", headers=headers)).status_code)
        return sent


@pytest.fixture
async def replicas(
    database_urls: dict[str, str], snapshots: Snapshots, redis_server: RedisServer
) -> AsyncIterator[Replicas]:
    await snapshots.restore("empty")
    apps = service_apps(database_urls)
    transport = RoutingTransport(apps)
    for app in apps.values():
        app.state.peer_transport = transport
    settings = gateway_settings(
        **LIMIT,
        rate_limit_store_url=redis_server.url,
        rate_limit_store_retry_seconds=0,
        rate_limit_store_timeout_seconds=1,
    )
    gateways = [create_gateway(settings, transport=transport, configure_logs=False) for _ in range(2)]
    async with AsyncExitStack() as running:
        for app in [*apps.values(), *gateways]:
            await running.enter_async_context(app.router.lifespan_context(app))
        clients = [
            await running.enter_async_context(
                httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway), base_url="http://gateway")
            )
            for gateway in gateways
        ]
        yield Replicas(clients, gateways)


async def test_one_caller_gets_the_limit_once_across_both_gateways(replicas: Replicas):
    reader = {"Authorization": f"Bearer {_token(*READER)}"}
    assert await replicas.statuses(reader, 6) == [200, 200, 200, 429, 429, 429]
    refused = await replicas.clients[1].get("/api/goals/units", headers=reader)
    assert refused.json()["code"] == "too-many-requests"
    assert int(refused.headers["retry-after"]) >= 1
    other = {"Authorization": f"Bearer {_token('someone-else', 'RS:reader')}"}
    assert await replicas.statuses(other, 1, only=1) == [200]


async def test_failed_sign_ins_are_counted_across_both_gateways(replicas: Replicas):
    bad = {"Authorization": "Bearer not-a-token"}
    assert await replicas.statuses(bad, 5) == [401, 401, 401, 429, 429]


async def test_without_redis_both_gateways_answer_and_limit_on_their_own_until_it_is_back(
    replicas: Replicas, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
):
    reader = {"Authorization": f"Bearer {_token(*READER)}"}
    assert await replicas.statuses(reader, 2) == [200, 200]
    await redis_server.stop()

    with caplog.at_level(logging.WARNING, logger="styr.gateway.protection"):
        # Each gateway now counts on its own, from a full bucket: three each, then 429 as before.
        assert await replicas.statuses(reader, 4, only=0) == [200, 200, 200, 429]
        assert await replicas.statuses(reader, 4, only=1) == [200, 200, 200, 429]
    for n in (0, 1):
        shared = replicas.limiter(n).shared
        assert shared is not None
        assert (shared.available, shared.outages, shared.fallbacks) == (False, 1, 4)
        assert replicas.store_metrics(n) == (0, 1, 4)
    down = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(down) == 2, "one line per gateway for the outage, not one per request"

    await redis_server.start()  # empty: the counts of before the outage are gone with it
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="styr.gateway.protection"):
        assert await replicas.statuses(reader, 4) == [200, 200, 200, 429]
    assert all(replicas.limiter(n).shared.available for n in (0, 1))  # type: ignore[union-attr]
    assert [replicas.store_metrics(n)[0] for n in (0, 1)] == [1, 1]
    assert len([r for r in caplog.records if "answers again" in r.getMessage()]) == 2
