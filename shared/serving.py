"""How every app reads requests off the wire: uvicorn's httptools protocol with a cap on the request
head and a deadline for reading it.

uvicorn caps neither: with httptools a 16 MiB header was read and answered, and a client that sent
half a request held its connection for as long as it liked (keep-alive timing starts only after a
response). Both are cheap ways to tie up an app, so each app refuses a head longer than
`max_request_head_bytes` with 431 and closes a connection whose head has not arrived within
`request_head_timeout_seconds` with 408. The body is not counted here: its size is capped where it is
read (the gateway's body limit).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.settings import AppSettings


def _refusal(status: bytes) -> bytes:
    return b"HTTP/1.1 " + status + b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


HEAD_TOO_LARGE = _refusal(b"431 Request Header Fields Too Large")
HEAD_TOO_SLOW = _refusal(b"408 Request Timeout")


class BoundedHeadProtocol(HttpToolsProtocol):
    """httptools' protocol that counts and times each request's head (line and headers)."""

    max_head_bytes = 64 * 1024
    head_timeout_seconds = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._reading_head = False
        self._head_deadline: asyncio.TimerHandle | None = None
        self._refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        # Counted after parsing: if the head completed in this chunk, the rest was body, not head.
        if self._reading_head and not self._refused:
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse(HEAD_TOO_LARGE)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._reading_head:
            self._start_head()

    def on_headers_complete(self) -> None:
        self._stop_head()
        super().on_headers_complete()

    def _start_head(self) -> None:
        self._stop_head()
        self._reading_head = True
        self._head_bytes = 0
        self._head_deadline = self.loop.call_later(self.head_timeout_seconds, self._refuse, HEAD_TOO_SLOW)

    def _stop_head(self) -> None:
        self._reading_head = False
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _refuse(self, answer: bytes) -> None:
        self._refused = True
        self._stop_head()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()


def bounded_protocol(settings: AppSettings) -> type[BoundedHeadProtocol]:
    """The protocol class uvicorn builds per connection, with this app's limits."""
    return type(
        "AppHeadProtocol",
        (BoundedHeadProtocol,),
        {
            "max_head_bytes": settings.max_request_head_bytes,
            "head_timeout_seconds": settings.request_head_timeout_seconds,
        },
    )
