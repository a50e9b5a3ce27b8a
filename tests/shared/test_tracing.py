"""One trace across the apps: the gateway continues the caller's traceparent and passes it on, the services'
spans cover their statements, and every log line names its app and carries the trace id."""

import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, format_span_id, format_trace_id

from shared.logging import JsonFormatter
from shared.tracing import Tracing, incoming_context, pass_on

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLERS_SPAN = "00f067aa0ba902b7"
READER = ("r", "RS:reader")


class _Lines(logging.Handler):
    """Formats each record as it is written, while the request's context is still the current one."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def log_lines() -> Iterator[_Lines]:
    handler = _Lines()
    logger = logging.getLogger("styr")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def record_spans(stack) -> dict[str, InMemorySpanExporter]:
    """Each app's spans kept in memory, as an OTLP endpoint would receive them."""
    exporters = {}
    for name, app in stack.apps.items():
        exporters[name] = InMemorySpanExporter()
        app.state.observed.tracing = Tracing(name, exporters[name], batch=False)
    return exporters


def access_lines(log: _Lines) -> dict[str, dict]:
    return {line["app"]: line for line in log.lines if line["logger"] == "styr.access"}


async def test_a_callers_traceparent_is_one_trace_through_the_gateway_into_the_service_and_its_statements(seeded):
    spans = record_spans(seeded)
    response = await seeded.client.get(
        "/api/goals/units/HSN",
        headers={**seeded.auth(*READER), "traceparent": f"00-{TRACE_ID}-{CALLERS_SPAN}-01"},
    )
    assert response.status_code == 200

    gateway = spans["gateway"].get_finished_spans()
    goals = spans["goals"].get_finished_spans()
    [server] = [s for s in gateway if s.kind is SpanKind.SERVER]
    # The gateway also asks goals for the org tree (the reader's unit role); this is the forwarded request.
    [service] = [s for s in goals if s.kind is SpanKind.SERVER and s.name == "GET /units/{code}"]
    [forward] = [s for s in gateway if s.context.span_id == service.parent.span_id]  # passed on in traceparent
    statements = [s for s in goals if s.name.startswith("db ") and s.parent.span_id == service.context.span_id]
    assert {format_trace_id(s.context.trace_id) for s in [*gateway, *goals]} == {TRACE_ID}
    assert format_span_id(server.parent.span_id) == CALLERS_SPAN
    assert server.name == "GET /api/{service}/{path:path}"
    assert (forward.name, forward.kind) == ("GET goals", SpanKind.CLIENT)
    assert forward.parent.span_id == server.context.span_id
    assert service.attributes["http.response.status_code"] == 200
    assert any("SELECT" in s.attributes["db.query.text"].upper() for s in statements)


async def test_without_an_exporter_the_trace_id_is_still_made_passed_on_and_logged_by_each_app(seeded, log_lines):
    assert not seeded.apps["gateway"].state.observed.tracing.exporting  # the default: nothing recorded
    response = await seeded.client.get(
        "/api/goals/units/HSN", headers={**seeded.auth(*READER), "X-Request-ID": "trace-log-1"}
    )
    assert response.status_code == 200
    lines = access_lines(log_lines)
    assert {"gateway", "goals"} <= set(lines)
    gateway, goals = lines["gateway"], lines["goals"]
    assert gateway["request_id"] == goals["request_id"] == "trace-log-1"
    assert len(gateway["trace_id"]) == 32
    assert gateway["trace_id"] == goals["trace_id"]
    assert gateway["span_id"] != goals["span_id"]


async def test_a_callers_trace_id_is_in_the_log_lines_of_every_app_it_reached(seeded, log_lines):
    traceparent = f"00-{TRACE_ID}-{CALLERS_SPAN}-01"
    await seeded.client.get("/api/budget/frames", headers={**seeded.auth(*READER), "traceparent": traceparent})
    lines = access_lines(log_lines)
    assert lines["gateway"]["trace_id"] == lines["budget"]["trace_id"] == TRACE_ID


async def test_a_malformed_traceparent_starts_a_new_trace(seeded, log_lines):
    await seeded.client.get("/api/goals/units/HSN", headers={**seeded.auth(*READER), "traceparent": "00-zz-bad-01"})
    lines = access_lines(log_lines)
    assert len(lines["gateway"]["trace_id"]) == 32
    assert lines["gateway"]["trace_id"] == lines["goals"]["trace_id"]


@pytest.mark.parametrize("flags", ["01", "00"])
def test_an_app_that_records_nothing_passes_the_trace_on_with_the_callers_sampling_flag(flags):
    tracing = Tracing("goals")  # no exporter: the default
    sent = incoming_context({"traceparent": f"00-{TRACE_ID}-{CALLERS_SPAN}-{flags}"})
    with tracing.span("GET", kind=SpanKind.SERVER, context=sent) as span:
        assert not span.is_recording()
        version, trace_id, span_id, passed_flags = pass_on({})["traceparent"].split("-")
    assert (version, trace_id, passed_flags) == ("00", TRACE_ID, flags)
    assert span_id not in (CALLERS_SPAN, "0" * 16)


def test_an_app_that_records_nothing_starts_a_trace_when_none_was_sent():
    tracing = Tracing("gateway")
    with tracing.span("GET", kind=SpanKind.SERVER, context=incoming_context({})):
        first = pass_on({})["traceparent"]
    with tracing.span("GET", kind=SpanKind.SERVER, context=incoming_context({})):
        second = pass_on({})["traceparent"]
    assert first.split("-")[1] != second.split("-")[1]
    assert len(first.split("-")[1]) == 32
    assert pass_on({}) == {}  # outside a request nothing is passed on
