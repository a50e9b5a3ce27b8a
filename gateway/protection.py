"""What guards the gateway's door besides sign-in: security headers (shared.security), CORS, a rate limit."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from starlette.middleware.cors import CORSMiddleware

from gateway.settings import GatewaySettings
from shared.errors import DomainError
from shared.requestid import REQUEST_ID_HEADER
from shared.security import SecurityHeadersMiddleware

log = logging.getLogger("styr.gateway.protection")

# What a browser's script may read of an answer: the version to send back, where a new record is, when to
# try again, and whether a report came out whole and under which file name.
EXPOSED_HEADERS = [
    "ETag",
    "Location",
    "Retry-After",
    REQUEST_ID_HEADER,
    "X-Report-Complete",
    "X-Report-Missing",
    "Content-Disposition",
]
ALLOWED_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match", REQUEST_ID_HEADER]
# Connections to Redis per gateway process; more checks at once wait for one, within their deadline.
STORE_CONNECTIONS = 32


def install_protection(app: FastAPI, settings: GatewaySettings) -> None:
    """CORS for the configured frontend origins only (none by default), and the security headers."""
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=ALLOWED_HEADERS,
            expose_headers=EXPOSED_HEADERS,
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware)


class TooManyRequests(DomainError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"


@dataclass
class _Bucket:
    tokens: float
    at: float


# GCRA (the generic cell rate algorithm): per caller one number, the "theoretical arrival time" (TAT)
# at which the caller's bucket would be full again. A request is let through if, after it, the TAT
# lies no more than `burst` intervals ahead of now. This is the token bucket below in one integer
# that one script reads and writes, so it is atomic across every gateway replica in one round trip;
# the clock is Redis's own (TIME), so the replicas' clocks need not agree. Microseconds, formatted
# as integers, because Lua 5.1 would print a large float with only 14 digits.
_GCRA = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local next_tat = tat + interval
local wait = next_tat - burst * interval - now
if wait > 0 then return wait end
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
return 0
"""


@dataclass
class SharedBuckets:
    """The callers' buckets in Redis, shared by every gateway replica.

    One script call per check, with a short deadline. When Redis fails or is slow the check answers
    None (the caller falls back to its own buckets), the outage is logged once, and Redis is not
    asked again for `retry_seconds`, so an outage costs no request more than one deadline.
    `available`, `outages` and `fallbacks` are what RateLimitStoreCollector shows Prometheus.
    """

    client: Redis
    per_minute: int
    burst: int
    timeout_seconds: float
    retry_seconds: float
    prefix: str = "styr:rate-limit:"
    available: bool = True
    outages: int = 0
    fallbacks: int = 0
    _retry_at: float = float("-inf")

    async def wait_seconds(self, caller: str) -> float | None:
        """Take one request for `caller`: 0 if let through, else seconds to wait; None if Redis did not answer."""
        if not self.available and time.monotonic() < self._retry_at:
            self.fallbacks += 1
            return None
        interval = max(1, round(60_000_000 / self.per_minute))
        try:
            async with asyncio.timeout(self.timeout_seconds):
                wait = await self.client.eval(_GCRA, 1, self.prefix + caller, interval, self.burst)
        except (RedisError, OSError) as exc:  # TimeoutError is an OSError
            self._went_down(exc)
            return None
        self._came_back()
        return int(wait) / 1_000_000

    def _went_down(self, exc: Exception) -> None:
        self.fallbacks += 1
        self._retry_at = time.monotonic() + self.retry_seconds
        if self.available:
            self.available = False
            self.outages += 1
            log.warning(
                "the shared rate-limit store does not answer; each gateway replica limits on its own until it does",
                extra={"error": repr(exc)},
            )

    def _came_back(self) -> None:
        if not self.available:
            self.available = True
            log.info("the shared rate-limit store answers again; the limit holds across replicas again")

    async def aclose(self) -> None:
        await self.client.aclose()


@dataclass
class RateLimiter:
    """A token bucket per caller: `per_minute` on average, bursts up to `burst`.

    With `shared` the buckets live in Redis, so the limit holds across every gateway replica. Without
    it (the single-machine default), or while Redis does not answer, they live in this process's
    memory: there a caller gets the limit once per replica, which still stops a runaway script.
    """

    per_minute: int
    burst: int
    max_callers: int = 100_000
    shared: SharedBuckets | None = None
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    async def check(self, caller: str, now: float | None = None) -> None:
        """Take one token for `caller`, or raise 429 with the seconds until the next one."""
        if self.per_minute <= 0:
            return
        wait = await self.shared.wait_seconds(caller) if self.shared is not None else None
        if wait is None:
            wait = self._local_wait_seconds(caller, time.monotonic() if now is None else now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequests(
                f"More than {self.per_minute} requests a minute; try again in {seconds} s",
                headers={"Retry-After": str(seconds)},
            )

    def _local_wait_seconds(self, caller: str, now: float) -> float:
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(caller)
        if bucket is None:
            if len(self._buckets) >= self.max_callers:
                self._forget_full_buckets(now, rate)
            bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens < 1:
            return (1 - bucket.tokens) / rate
        bucket.tokens -= 1
        return 0.0

    def _forget_full_buckets(self, now: float, rate: float) -> None:
        # A bucket that has refilled is the same as no bucket: drop those so memory stays bounded.
        self._buckets = {k: b for k, b in self._buckets.items() if b.tokens + (now - b.at) * rate < self.burst}

    async def aclose(self) -> None:
        if self.shared is not None:
            await self.shared.aclose()


class RateLimitStoreCollector(Collector):
    """Whether the shared store answers, read when Prometheus asks: with no store configured, no samples.

    An outage is also logged once when it starts and once when it ends (SharedBuckets); these say how
    long it lasted and how many checks were counted per replica meanwhile."""

    def __init__(self, proxy: Callable[[], Any]) -> None:
        self.proxy = proxy  # the gateway's Proxy once its lifespan has made it, holding the limiter

    def describe(self) -> Iterable[Metric]:
        return self._families(None)

    def collect(self) -> Iterable[Metric]:
        proxy = self.proxy()
        return self._families(proxy.limiter.shared if proxy is not None else None)

    @staticmethod
    def _families(store: SharedBuckets | None) -> list[Metric]:
        up = GaugeMetricFamily("styr_rate_limit_store_up", "1 while the shared rate-limit store (Redis) answers")
        outages = CounterMetricFamily(
            "styr_rate_limit_store_outages", "Times the shared rate-limit store stopped answering"
        )
        fallbacks = CounterMetricFamily(
            "styr_rate_limit_store_fallbacks",
            "Rate-limit checks counted by this replica alone because the shared store did not answer",
        )
        if store is not None:
            up.add_metric([], 1 if store.available else 0)
            outages.add_metric([], store.outages)
            fallbacks.add_metric([], store.fallbacks)
        return [up, outages, fallbacks]


def rate_limiter(settings: GatewaySettings) -> RateLimiter:
    """The gateway's limiter: shared through Redis when `rate_limit_store_url` is set, else in memory."""
    shared = None
    if settings.rate_limit_store_url and settings.rate_limit_per_minute > 0:
        timeout = settings.rate_limit_store_timeout_seconds
        # Checks queue for a connection (inside the check's deadline) rather than each concurrent
        # request opening its own: redis-py's default pool refuses the 101st at once.
        pool = BlockingConnectionPool.from_url(
            settings.rate_limit_store_url,
            max_connections=STORE_CONNECTIONS,
            timeout=None,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),  # a retry would be a second round trip; the local buckets are the fallback
        )
        client = Redis.from_pool(pool)
        shared = SharedBuckets(
            client,
            settings.rate_limit_per_minute,
            settings.rate_limit_burst,
            timeout_seconds=timeout,
            retry_seconds=settings.rate_limit_store_retry_seconds,
        )
    return RateLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst, shared=shared)
