"""What observing a request costs: the metrics, the server span and the access log line of every request.

The goals service is built three times from the same settings and called in-process, straight through
ASGI (no HTTP client in between, so the figure is the app's own CPU):

- `bare`: the observability middleware taken out, no statement timing, no access line;
- `shipped`: as deployed without a collector: request metrics, statement timing, trace ids made and
  passed on but no span recorded, and the access line written as JSON (to /dev/null);
- `traced`: as `shipped`, with spans recorded for the request and each SQL statement and handed to a
  batching exporter that drops them (as with `<APP>_OTLP_TRACES_ENDPOINT` set, minus the network).

Two routes: `/healthz` (no database: the middleware's share is largest there) and a signed-in list of
the region's perspectives (the guard, two SQL statements, an empty page). Each round calls every
variant in turn, starting with the next one each round, so a neighbour's load falls on all alike; the
median round's CPU time per request is reported (process time, all threads: the exporter's thread
counts), with what it adds to `bare`.

    .venv/bin/python -m benchmarks.bench_observability [--runs 7] [--scale 1] [--postgres-url …]
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack
from typing import Any

from fastapi import FastAPI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from benchmarks.harness import fresh_database, region_reader, run
from services.goals.app import create_app
from services.goals.settings import GoalsSettings
from shared.auth.tokens import mint_internal_token
from shared.logging import configure_logging
from shared.observe import ObservedRequestMiddleware
from shared.settings import DEV_SECRET
from shared.tracing import Tracing

VARIANTS = ("bare", "shipped", "traced")
# (path, signed in, requests a round at --scale 1)
ROUTES = [("/healthz", False, 2000), ("/perspectives", True, 500)]


class DroppingExporter(SpanExporter):
    """Takes every span and keeps none: what recording and batching cost, without a collector."""

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


def build(variant: str, database_url: str) -> FastAPI:
    app = create_app(GoalsSettings(database_url=database_url), configure_logs=False)
    observed = app.state.observed
    if variant == "bare":
        app.user_middleware = [m for m in app.user_middleware if m.cls is not ObservedRequestMiddleware]
        observed.start = lambda *_args, **_kwargs: None  # no statement timing, no pool collector
    elif variant == "traced":
        observed.tracing = Tracing("goals", DroppingExporter())
    return app


async def call(app: FastAPI, path: str, headers: list[tuple[bytes, bytes]]) -> int:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("bench", 80),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def cpu_per_request(app: FastAPI, variant: str, path: str, headers: list[tuple[bytes, bytes]], n: int) -> float:
    # The access line is written by the request-id middleware, which every variant keeps; `bare` drops it here.
    logging.getLogger("styr.access").disabled = variant == "bare"
    started = time.process_time()
    for _ in range(n):
        status = await call(app, path, headers)
        if status != 200:
            raise SystemExit(f"{variant} {path}: HTTP {status}")
    return (time.process_time() - started) / n


async def main(args: argparse.Namespace) -> None:
    configure_logging("goals")
    null = open(os.devnull, "w")  # noqa: ASYNC230 - once, before any request: the log's stream for the run
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(null)
    token = mint_internal_token(region_reader(), DEV_SECRET, 3600)
    signed = [(b"authorization", f"Bearer {token}".encode())]
    async with fresh_database("goals", args.postgres_url) as url, AsyncExitStack() as running:
        apps = {variant: build(variant, url) for variant in VARIANTS}
        for app in apps.values():
            await running.enter_async_context(app.router.lifespan_context(app))
        database = "postgresql" if args.postgres_url else "sqlite"
        print(f"bench_observability on {database}: CPU per request, median of {args.runs} rounds (load {_load()})")
        for path, needs_token, per_round in ROUTES:
            headers = signed if needs_token else []
            n = max(10, int(per_round * args.scale))
            for variant, app in apps.items():  # warm-up: routes built, connections made
                await cpu_per_request(app, variant, path, headers, 20)
            rounds: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
            for number in range(args.runs):
                # Each round starts with another variant: none is always first after the others' garbage.
                shift = number % len(VARIANTS)
                for variant in VARIANTS[shift:] + VARIANTS[:shift]:
                    rounds[variant].append(await cpu_per_request(apps[variant], variant, path, headers, n))
            report(path, n, {variant: statistics.median(times) for variant, times in rounds.items()})
        print(f"load after: {_load()}")
    null.close()


def report(path: str, n: int, median: dict[str, float]) -> None:
    bare = median["bare"]
    print(f"  GET {path} ({n} requests a round)")
    for variant in VARIANTS:
        seconds = median[variant]
        added = (
            "" if variant == "bare" else f"   +{(seconds - bare) * 1e6:6.0f} µs ({(seconds / bare - 1) * 100:+5.1f} %)"
        )
        print(
            f"    {variant:<8} {seconds * 1e6:7.0f} µs CPU a request   {1 / seconds:7.0f} requests/s on one core{added}"
        )


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    run(main, __doc__ or "")
