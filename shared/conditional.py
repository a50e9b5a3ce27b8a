"""Conditional reads: a GET with If-None-Match naming the current ETag answers 304, in one place for every app."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# HTTP's optional white space (RFC 9110, 5.6.3): str.strip() would also take U+00A0 or U+0085 for it, which
# the document's pattern does not.
_OPTIONAL_WHITE_SPACE = " \t"


def etag_list(header: str) -> list[str]:
    """The entity tags of an If-Match or If-None-Match header."""
    tags = (tag.strip(_OPTIONAL_WHITE_SPACE) for tag in header.split(","))
    return [tag for tag in tags if tag]


def _matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110's weak comparison: W/"3" and "3" name the same version."""
    bare = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == bare for tag in etag_list(if_none_match))


class NotModifiedMiddleware:
    """A GET or HEAD with If-None-Match naming the current ETag answers 304 and no body.

    In one place, for every answer that carries an ETag, wherever the route set it: a client that
    polls a record or a list spends no bandwidth on what it already holds.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if_none_match = _header(scope, b"if-none-match") if scope["type"] == "http" else None
        if if_none_match is None or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        not_modified = False

        async def send_or_hold_back(message: Message) -> None:
            nonlocal not_modified
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                etag = next((v.decode("latin-1") for k, v in headers if k.lower() == b"etag"), None)
                if message["status"] == 200 and etag is not None and _matches(if_none_match, etag):
                    not_modified = True
                    kept = [(k, v) for k, v in headers if k.lower() not in _BODY_HEADERS]
                    message = {**message, "status": 304, "headers": kept}
            elif message["type"] == "http.response.body" and not_modified:
                if message.get("more_body", False):
                    return
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, send_or_hold_back)


# A 304 describes the body it leaves out by no length or type of its own.
_BODY_HEADERS = {b"content-length", b"content-type", b"content-encoding", b"content-disposition"}


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None
