"""What guards the gateway's door besides sign-in: security headers (shared.security), CORS, a rate limit."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from gateway.settings import GatewaySettings
from shared.errors import DomainError
from shared.requestid import REQUEST_ID_HEADER
from shared.security import SecurityHeadersMiddleware

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


@dataclass
class RateLimiter:
    """A token bucket per caller: `per_minute` on average, bursts up to `burst`.

    Held in the gateway's memory, so with several gateway replicas each counts on its own; the
    limit is there to stop a runaway script, not to meter exactly.
    """

    per_minute: int
    burst: int
    max_callers: int = 100_000
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def check(self, caller: str, now: float | None = None) -> None:
        """Take one token for `caller`, or raise 429 with the seconds until the next one."""
        if self.per_minute <= 0:
            return
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        bucket = self._buckets.get(caller)
        if bucket is None:
            if len(self._buckets) >= self.max_callers:
                self._forget_full_buckets(now, rate)
            bucket = self._buckets[caller] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens < 1:
            wait = math.ceil((1 - bucket.tokens) / rate)
            raise TooManyRequests(
                f"More than {self.per_minute} requests a minute; try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )
        bucket.tokens -= 1

    def _forget_full_buckets(self, now: float, rate: float) -> None:
        # A bucket that has refilled is the same as no bucket: drop those so memory stays bounded.
        self._buckets = {k: b for k, b in self._buckets.items() if b.tokens + (now - b.at) * rate < self.burst}
