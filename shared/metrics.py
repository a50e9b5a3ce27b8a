"""Prometheus metrics: one registry per app, the families every app exports, and the port they are read on.

Each app keeps its own registry (the tests run all four in one process) and adds an `app` label to
every series as it is read, so a dashboard can tell the apps apart whatever the scrape configuration
calls its targets. The metrics are served on a port of their own (`metrics_port`), never on the app's
own listener: the gateway's listener is the public one, and a second port is one the cluster can
reach (NetworkPolicy) while the Ingress never routes to it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, make_wsgi_app
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

log = logging.getLogger("styr.metrics")

# Seconds: most answers take milliseconds; a report gathered from three services can take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
STATEMENT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)
# What a request's route is called when no route matched: never the raw path, which a caller chooses.
UNMATCHED_ROUTE = "unmatched"
# The SQL verbs a statement is counted under; anything else is `other`, so the label stays small.
STATEMENT_OPERATIONS = frozenset({"select", "insert", "update", "delete", "begin", "commit", "rollback", "savepoint"})


class _WithAppLabel(Collector):
    """The app's registry as read: every sample labelled with the app's name."""

    def __init__(self, inner: CollectorRegistry, app_name: str) -> None:
        self.inner = inner
        self.app_name = app_name

    def collect(self) -> Iterable[Metric]:
        for family in self.inner.collect():
            family.samples = [s._replace(labels={"app": self.app_name, **s.labels}) for s in family.samples]
            yield family


class AppMetrics:
    """The families every app exports, in the app's own registry; others are added with `register`."""

    def __init__(self, app_name: str) -> None:
        self.app_name = app_name
        self.registry = CollectorRegistry()
        self.exposed = CollectorRegistry(auto_describe=False)
        self.exposed.register(_WithAppLabel(self.registry, app_name))
        r = self.registry
        self.requests = Counter(
            "styr_http_requests",
            "Requests answered, by route template, method and status",
            ["route", "method", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "styr_http_request_duration_seconds",
            "Time to answer a request, by route template and method",
            ["route", "method"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge("styr_http_requests_in_flight", "Requests being answered now", registry=r)
        self.statement_seconds = Histogram(
            "styr_db_statement_duration_seconds",
            "Time of one database statement, by SQL verb",
            ["operation"],
            buckets=STATEMENT_BUCKETS,
            registry=r,
        )
        self.statement_errors = Counter(
            "styr_db_statement_errors", "Database statements that failed, by SQL verb", ["operation"], registry=r
        )
        self.peer_seconds = Histogram(
            "styr_peer_request_duration_seconds",
            "Time of a call to another Styr app, by the app called",
            ["peer"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.peer_errors = Counter(
            "styr_peer_request_errors",
            "Calls to another Styr app that failed: timeout, unreachable, or a 5xx answer",
            ["peer", "reason"],
            registry=r,
        )
        self.imports = Counter(
            "styr_imports", "Imports run, by result: applied, dry_run or refused", ["result"], registry=r
        )
        self.import_rows = Counter(
            "styr_import_rows",
            "Records of imports, by what became of them: read, created, updated, unchanged, left_alone",
            ["outcome"],
            registry=r,
        )
        self.import_problems = Counter("styr_import_problems", "Problems found in imported lines", registry=r)
        # Counted where the reminder job reports them (the goals service), so a CronJob's short life loses none.
        self.reminders_sent = Counter(
            "styr_reminders_sent", "Reminders the reminder job sent, by channel", ["channel"], registry=r
        )
        self.reminders_failed = Counter(
            "styr_reminders_failed",
            "Reminders the reminder job failed to send (tried again on its next run), by channel",
            ["channel"],
            registry=r,
        )
        # labels() takes a lock and checks its arguments on every call; a request's few series are kept.
        self._answered: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def request_answered(self, route: str, method: str, status: int, seconds: float) -> None:
        key = (route, method, status)
        series = self._answered.get(key)
        if series is None:
            series = self._answered[key] = (
                self.requests.labels(route, method, str(status)),
                self.request_seconds.labels(route, method),
            )
        series[0].inc()
        series[1].observe(seconds)

    def register(self, collector: Collector) -> None:
        self.registry.register(collector)

    def unregister(self, collector: Collector) -> None:
        self.registry.unregister(collector)

    def exposition(self) -> bytes:
        """The text Prometheus reads from the metrics port."""
        return generate_latest(self.exposed)

    def observe_statement(self, statement: str, seconds: float, failed: bool = False) -> None:
        operation = statement_operation(statement)
        self.statement_seconds.labels(operation).observe(seconds)
        if failed:
            self.statement_errors.labels(operation).inc()


def statement_operation(statement: str) -> str:
    word = statement.lstrip().split(None, 1)[0].lower() if statement.strip() else ""
    return word if word in STATEMENT_OPERATIONS else "other"


_current: ContextVar[AppMetrics | None] = ContextVar("styr_metrics", default=None)


def current_metrics() -> AppMetrics | None:
    """The metrics of the app answering the current request; None outside a request (a CLI run)."""
    return _current.get()


def use_metrics(metrics: AppMetrics | None) -> Any:
    """Make `metrics` current; returns the token to reset with `reset_metrics`."""
    return _current.set(metrics)


def reset_metrics(token: Any) -> None:
    _current.reset(token)


class PoolCollector(Collector):
    """How many of the engine's connections are in use and idle, read when Prometheus asks."""

    def __init__(self, engine: AsyncEngine | None) -> None:
        self.engine = engine  # None: only the families' names, as describe() gives them

    def describe(self) -> Iterable[Metric]:
        return list(self._families(with_samples=False))

    def collect(self) -> Iterable[Metric]:
        return list(self._families(with_samples=True))

    def _families(self, *, with_samples: bool) -> Iterator[Metric]:
        connections = GaugeMetricFamily(
            "styr_db_pool_connections", "The database pool's connections, by state", labels=["state"]
        )
        limit = GaugeMetricFamily("styr_db_pool_limit", "Connections the pool may hold at most (size and overflow)")
        pool = self.engine.sync_engine.pool if with_samples and self.engine is not None else None
        # A QueuePool (PostgreSQL, SQLite files) tells its use; another pool class shows no samples.
        if isinstance(pool, QueuePool):
            connections.add_metric(["in_use"], pool.checkedout())
            connections.add_metric(["idle"], pool.checkedin())
            limit.add_metric([], pool.size() + max(getattr(pool, "_max_overflow", 0), 0))
        yield connections
        yield limit


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Prometheus asks every few seconds; a line each time would drown the app's own."""


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a scrape that hangs never holds the app's shutdown


class MetricsListener:
    """The metrics port: prometheus-client's exposition on a small HTTP server on a thread of its own."""

    # How soon the server notices it is to stop; start_http_server's 0.5 s made every app's shutdown wait.
    POLL_SECONDS = 0.05

    def __init__(self, metrics: AppMetrics, port: int, address: str) -> None:
        self._server = make_server(
            address, port, make_wsgi_app(metrics.exposed), server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(self.POLL_SECONDS,), name="metrics", daemon=True
        )
        self._thread.start()
        log.info("metrics served", extra={"metrics_port": self.port})

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
