"""A request id for every request: taken from `X-Request-ID` or made, returned and logged."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

access_log = logging.getLogger("styr.access")


def current_request_id() -> str | None:
    return _request_id.get()


def _pick_request_id(raw: bytes | None) -> str:
    # A caller's id is kept only if it is safe to log and to pass on; otherwise we make one.
    if raw:
        candidate = raw.decode("latin-1")
        if _SAFE_ID.match(candidate):
            return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Sets the request id context, echoes it in the response, and writes one access log line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = _pick_request_id(headers.get(REQUEST_ID_HEADER.encode()))
        token = _request_id.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *[(k, v) for k, v in message["headers"] if k.lower() != REQUEST_ID_HEADER.encode()],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                extra={
                    "method": scope.get("method"),
                    "path": scope.get("path"),
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            _request_id.reset(token)
