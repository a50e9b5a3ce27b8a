"""What guards the gateway's door besides sign-in: security headers, CORS, and a rate limit per caller."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.settings import GatewaySettings
from shared.errors import DomainError
from shared.requestid import REQUEST_ID_HEADER

# The API answers JSON only: nothing on it may run scripts, be framed, or be cached by a shared cache
# (drafts are not public record).
API_HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-resource-policy": b"same-origin",
    b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'",
    b"strict-transport-security": b"max-age=31536000; includeSubDomains",
}
# Swagger UI needs its own scripts and styles, and one inline script that starts it.
DOCS_CSP = (
    b"default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; frame-ancestors 'none'"
)
EXPOSED_HEADERS = ["ETag", "Location", "Retry-After", REQUEST_ID_HEADER]
ALLOWED_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match", REQUEST_ID_HEADER]


class SecurityHeadersMiddleware:
    """Adds the security headers to every answer, the services' included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = dict(API_HEADERS)
        if path == "/docs" or path.startswith("/docs-assets"):
            headers[b"content-security-policy"] = DOCS_CSP
        if path.startswith("/api/"):
            headers[b"cache-control"] = b"no-store"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [
                    *message.get("headers", []),
                    *((k, v) for k, v in headers.items() if k not in present),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
