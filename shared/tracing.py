"""OpenTelemetry traces: a W3C `traceparent` taken or started at each app and passed on to the next.

Every app continues the trace of the `traceparent` it is sent (the gateway's callers may send one),
or starts one, and sends it on to the service it forwards to or the peer it asks. Spans are
recorded and exported only when `otlp_traces_endpoint` is set; without it the trace ids are still
made, passed on and written in every log line, which is what joins one request's lines across the
apps, but nothing is recorded (the sampler drops every span, at the cost of making two ids).

Each app has its own tracer provider, not the process's global one: the tests run all four apps in
one process, and each app's spans must name their own service.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as context_api
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.id_generator import RandomIdGenerator
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, Sampler
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT_HEADER = "traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
_IDS = RandomIdGenerator()


class Tracing:
    """One app's tracer. With an exporter its spans are recorded (following the caller's sampling
    decision when it sent one); without, only their ids are made and passed on."""

    def __init__(self, app_name: str, exporter: SpanExporter | None = None, *, batch: bool = True) -> None:
        sampler: Sampler = ParentBased(ALWAYS_ON) if exporter is not None else ALWAYS_OFF
        self.provider = TracerProvider(resource=Resource.create({"service.name": f"styr-{app_name}"}), sampler=sampler)
        if exporter is not None:
            # Batched in production, so a slow collector never holds a request; tests read spans at once.
            self.provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("styr")
        self.exporting = exporter is not None

    @classmethod
    def from_endpoint(cls, app_name: str, endpoint: str | None) -> Tracing:
        """Spans exported to an OTLP/HTTP collector at `endpoint` (…:4318/v1/traces), or none if unset."""
        if not endpoint:
            return cls(app_name)
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return cls(app_name, OTLPSpanExporter(endpoint=endpoint))

    @contextmanager
    def span(
        self,
        name: str,
        *,
        kind: trace.SpanKind,
        context: Context | None = None,
        attributes: dict[str, Any] | None = None,
    ) -> Iterator[trace.Span]:
        """A span made current for the block: recorded when exporting, else only its ids.

        Without an exporter the SDK's tracer is not asked at all: a span it would drop anyway cost
        several times a request's counting (sampler, attributes, the span object), where two ids do.
        The caller's sampling flag is passed on as it came, so an app further on that exports
        follows the caller's decision."""
        if self.exporting:
            with self.tracer.start_as_current_span(name, context=context, kind=kind, attributes=attributes) as span:
                yield span
            return
        parent = trace.get_current_span(context).get_span_context()
        span = trace.NonRecordingSpan(
            trace.SpanContext(
                parent.trace_id if parent.is_valid else _IDS.generate_trace_id(),
                _IDS.generate_span_id(),
                is_remote=False,
                trace_flags=parent.trace_flags if parent.is_valid else trace.TraceFlags(trace.TraceFlags.DEFAULT),
            )
        )
        token = context_api.attach(trace.set_span_in_context(span, context))
        try:
            yield span
        finally:
            context_api.detach(token)

    def shutdown(self) -> None:
        self.provider.shutdown()


def incoming_context(headers: Mapping[str, str]) -> Context:
    """The trace context a request was sent with, or an empty one: never the context of whoever happens
    to be running this code (in the tests the gateway calls the services in its own task)."""
    if TRACEPARENT_HEADER not in headers:
        return Context()  # nothing to parse: the common case for a caller of the gateway
    return _PROPAGATOR.extract(headers, context=Context())


def pass_on(headers: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """Add the current span's `traceparent` to headers about to be sent to another app."""
    _PROPAGATOR.inject(headers)
    return headers


def current_trace_id() -> str | None:
    """The current trace's id as 32 hex digits, as `traceparent` and the tracing backends write it."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.is_valid else None
