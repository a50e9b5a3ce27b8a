"""Logs as JSON lines, each naming the app that wrote it, with the request id and trace id of its request."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

from shared.requestid import current_request_id

_STANDARD_ATTRS = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's copy of the message with terminal colours
}


# The app answering the current request; outside a request, the one this process was started as.
# Both, because the tests run four apps in one process, where only the request tells them apart.
_app_name: ContextVar[str | None] = ContextVar("styr_app_name", default=None)
_process_app_name: str | None = None


def bind_app_name(name: str) -> Token[str | None]:
    """Name `name` in the log lines written until `reset_app_name` (a request's)."""
    return _app_name.set(name)


def reset_app_name(token: Token[str | None]) -> None:
    _app_name.reset(token)


def current_app_name() -> str | None:
    return _app_name.get() or _process_app_name


def _trace_ids() -> dict[str, str]:
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {}
    return {"trace_id": trace.format_trace_id(context.trace_id), "span_id": trace.format_span_id(context.span_id)}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, app, logger, message, request and trace ids, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "app": current_app_name(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        entry.update(_trace_ids())
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(app_name: str, level: str = "INFO") -> None:
    """Send every log record of this process to stdout as JSON, each naming `app_name` outside requests."""
    global _process_app_name
    _process_app_name = app_name
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("uvicorn.access").disabled = True  # our access line carries the request id
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("styr").info("logging configured")
