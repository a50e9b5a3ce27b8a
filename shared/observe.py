"""What every app tells its operators, installed the same way in each: metrics and traces of its requests,
its database statements and its calls to the other apps.

`install_observability` gives an app its metrics (shared.metrics) and tracer (shared.tracing) and the
middleware that counts, times and traces each request; `Observed.start` in the app's lifespan watches
its database engine and opens the metrics port. Code deep in a request (a peer call, an import)
finds the app that is answering through `current_observed`.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, MutableMapping
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.logging import bind_app_name, reset_app_name
from shared.metrics import (
    UNMATCHED_ROUTE,
    AppMetrics,
    MetricsListener,
    PoolCollector,
    reset_metrics,
    statement_operation,
    use_metrics,
)
from shared.settings import AppSettings
from shared.tracing import Tracing, incoming_context, pass_on

# Any other method a caller sends is counted as `other`: a label must not grow with what callers invent.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_TRACE_HEADERS = (b"traceparent", b"tracestate")
_STATEMENTS = "styr_statements"  # per connection: (start, span) of the statements under way
STATEMENT_TEXT_LIMIT = 2000


@dataclass
class Observed:
    """One app's metrics and tracer, and its metrics port once started."""

    app_name: str
    metrics: AppMetrics
    tracing: Tracing
    listener: MetricsListener | None = None
    _engines: list[tuple[AsyncEngine, PoolCollector]] = field(default_factory=list)

    def start(self, settings: AppSettings, engine: AsyncEngine | None = None) -> None:
        """In the app's lifespan: time and trace the engine's statements, read its pool, open the metrics port."""
        if engine is not None:
            self.watch_engine(engine)
        if settings.metrics_port is not None:
            self.listener = MetricsListener(self.metrics, settings.metrics_port, settings.metrics_address)

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        for engine, collector in self._engines:
            self.metrics.unregister(collector)
            for name, listener in self._statement_listeners():
                if event.contains(engine.sync_engine, name, listener):
                    event.remove(engine.sync_engine, name, listener)
        self._engines.clear()
        self.tracing.shutdown()

    def watch_engine(self, engine: AsyncEngine) -> None:
        collector = PoolCollector(engine)
        self.metrics.register(collector)
        for name, listener in self._statement_listeners():
            event.listen(engine.sync_engine, name, listener)
        self._engines.append((engine, collector))

    def _statement_listeners(self) -> list[tuple[str, Any]]:
        return [
            ("before_cursor_execute", self._statement_started),
            ("after_cursor_execute", self._statement_ended),
            ("handle_error", self._statement_failed),
        ]

    def _statement_started(self, conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        # A span only inside a recorded request: without an exporter, none is made per statement.
        span = None
        if trace.get_current_span().is_recording():
            span = self.tracing.tracer.start_span(
                f"db {statement_operation(statement)}",
                kind=SpanKind.CLIENT,
                attributes={"db.system.name": conn.dialect.name, "db.query.text": statement[:STATEMENT_TEXT_LIMIT]},
            )
        conn.info.setdefault(_STATEMENTS, []).append((time.perf_counter(), span))

    def _statement_ended(self, conn: Connection, _cursor: Any, statement: str, *_: Any) -> None:
        started, span = conn.info[_STATEMENTS].pop()
        self.metrics.observe_statement(statement, time.perf_counter() - started)
        if span is not None:
            span.end()

    def _statement_failed(self, context: ExceptionContext) -> None:
        conn = context.connection
        under_way = conn.info.get(_STATEMENTS) if conn is not None else None
        if not under_way:
            return  # failed before the statement was sent (a connection that could not be made)
        started, span = under_way.pop()
        self.metrics.observe_statement(context.statement or "", time.perf_counter() - started, failed=True)
        if span is not None:
            span.record_exception(context.original_exception)
            span.set_status(Status(StatusCode.ERROR, type(context.original_exception).__name__))
            span.end()


_current: ContextVar[Observed | None] = ContextVar("styr_observed", default=None)


def current_observed() -> Observed | None:
    """The app answering the current request; None outside a request (the command line, start-up)."""
    return _current.get()


def route_template(scope: Scope) -> str:
    """The matched route as declared (`/goals/{goal_id}`), never the path the caller sent."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


class ObservedRequestMiddleware:
    """Counts, times and traces each request under its route template; outermost, so it sees the final status
    and the access line is written inside the request's span (and so carries its trace id)."""

    def __init__(self, app: ASGIApp, observed: Observed) -> None:
        self.app = app
        self.observed = observed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        observed = self.observed
        metrics = observed.metrics
        method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        sent = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ()) if k in _TRACE_HEADERS}
        tokens = (_current.set(observed), use_metrics(metrics), bind_app_name(observed.app_name))
        metrics.in_flight.inc()
        started = time.perf_counter()
        with observed.tracing.span(method, context=incoming_context(sent), kind=SpanKind.SERVER) as span:
            try:
                await self.app(scope, receive, send_observed)
            finally:
                route = route_template(scope)
                metrics.in_flight.dec()
                metrics.request_answered(route, method, status, time.perf_counter() - started)
                _describe_server_span(span, method, route, status)
                reset_app_name(tokens[2])
                reset_metrics(tokens[1])
                _current.reset(tokens[0])


def _describe_server_span(span: trace.Span, method: str, route: str, status: int) -> None:
    span.update_name(f"{method} {route}")
    if span.is_recording():
        span.set_attributes({"http.request.method": method, "http.route": route, "http.response.status_code": status})
        if status >= 500:
            span.set_status(Status(StatusCode.ERROR))


def install_observability(app: FastAPI, app_name: str, settings: AppSettings) -> Observed:
    """Metrics and traces for `app`; call after the app's other middleware, so this one is outermost."""
    observed = Observed(app_name, AppMetrics(app_name), Tracing.from_endpoint(app_name, settings.otlp_traces_endpoint))
    app.state.observed = observed
    app.add_middleware(ObservedRequestMiddleware, observed=observed)
    return observed


class PeerCall:
    """One call to another app under way: told the status it was answered with."""

    def __init__(self, observed: Observed | None, peer: str, span: trace.Span | None) -> None:
        self.observed = observed
        self.peer = peer
        self.span = span

    def answered(self, status: int) -> None:
        if self.observed is None:
            return
        if status >= 500:
            self.observed.metrics.peer_errors.labels(self.peer, "server_error").inc()
        if self.span is not None and self.span.is_recording():
            self.span.set_attribute("http.response.status_code", status)


@asynccontextmanager
async def peer_call(peer: str, method: str, headers: MutableMapping[str, str]) -> AsyncIterator[PeerCall]:
    """Time and trace a call to the app `peer`, adding the trace's `traceparent` to the headers sent.

    Wrap the sending itself, so that a timeout or a refused connection passes through here before it
    becomes a 503: it is counted as `timeout` or `unreachable`."""
    observed = _current.get()
    if observed is None:
        yield PeerCall(None, peer, None)
        return
    metrics = observed.metrics
    started = time.perf_counter()
    with observed.tracing.span(
        f"{method} {peer}", kind=SpanKind.CLIENT, attributes={"peer.service": peer, "http.request.method": method}
    ) as span:
        pass_on(headers)
        try:
            yield PeerCall(observed, peer, span)
        except Exception as exc:
            reason = "timeout" if isinstance(exc, TimeoutError | httpx.TimeoutException) else "unreachable"
            metrics.peer_errors.labels(peer, reason).inc()
            raise
        finally:
            metrics.peer_seconds.labels(peer).observe(time.perf_counter() - started)
