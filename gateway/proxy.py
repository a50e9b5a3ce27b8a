"""Forwarding a signed-in caller's request to the service that owns the path."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import aiohttp
import httpx
from fastapi import Request, Response
from yarl import URL

from gateway.auth import TokenVerifier, unauthorized
from gateway.org import OrgTreeCache
from gateway.protection import RateLimiter
from gateway.settings import GatewaySettings
from shared.auth.access import Rule
from shared.auth.guard import refusal, refused_whatever_the_record
from shared.auth.policy import Principal, with_roles_expanded
from shared.auth.tokens import mint_internal_token
from shared.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthorized
from shared.observe import peer_call
from shared.requestid import REQUEST_ID_HEADER, current_request_id

log = logging.getLogger("styr.gateway")

_FORWARDED_REQUEST_HEADERS = ("accept", "accept-language", "content-type", "if-match", "if-none-match")
_DROPPED_RESPONSE_HEADERS = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
    "content-encoding",
    "server",
    "date",
    REQUEST_ID_HEADER,
}
_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# What a service keeps as the caller's own, keyed by their subject (their reminder settings), exactly these
# paths: the coarse rule for writes spares them, and the service's guard applies the route's rule, which lets
# a person who only reads change what is theirs (shared/auth/access.py: own) and refuses others before the body.
_CALLERS_OWN = frozenset({"me/reminders"})


def _raw_rest(request: Request, service: str) -> str:
    """The path after /api/<service>/, still percent-encoded, so that %2F or %3F stay part of a segment."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    prefix = f"/api/{service}/".encode()
    return raw[len(prefix) :].decode("latin-1") if raw.startswith(prefix) else ""


class NoRole(Forbidden):
    """A valid sign-in that grants nothing here; still counted against the caller's rate limit."""

    def __init__(self, principal: Principal) -> None:
        super().__init__("Your account has no role in the region", required="any role")
        self.principal = principal


def refuse_if_only_reading(principal: Principal) -> None:
    """The gateway's coarse rule for every write; the services then check the records it touches."""
    if not principal.may_write:
        raise Forbidden(
            "Your roles only allow reading",
            required="editor or registrar on a unit, auditor, finance or admin, or a write scope",
        )


def admit(declared: Rule, principal: Principal, *, write: bool) -> None:
    """A gateway route's own rule, where it names no record (what is the caller's own, under /api/me): it
    replaces the coarse rule for writes, since an `own` grant lets a caller who only reads change what is theirs."""
    if refused_whatever_the_record(declared, principal, write=write):
        raise refusal(declared, _names_no_unit, None, principal)


def _names_no_unit(words: str) -> str:
    raise LookupError(f"a gateway route's rule names no record, yet {words!r} was asked for")


def log_write(principal: Principal, request: Request, status: int) -> None:
    """Who wrote what, and how it ended; the request id is added by the log formatter."""
    extra = {"caller": principal.subject, "method": request.method, "path": request.url.path, "status": status}
    log.info("write", extra=extra)


@dataclass(frozen=True)
class SignedIn:
    principal: Principal
    internal_token: str
    until: float


class SignedInCache:
    """Callers already signed in, by bearer token, for a short while.

    Verifying a token, expanding its roles down the tree and signing the services' token cost about
    90 µs a request; a caller sends the same token many times. An entry lasts no longer than the
    token, half the services' token, or the org tree's cache, whichever ends first.
    """

    def __init__(self, seconds: float, max_callers: int = 10_000) -> None:
        self.seconds = seconds
        self.max_callers = max_callers
        self._entries: dict[str, SignedIn] = {}

    def get(self, token: str) -> SignedIn | None:
        entry = self._entries.get(token)
        if entry is None or entry.until <= time.time():
            return None
        return entry

    def put(self, token: str, principal: Principal, internal_token: str, expires_at: float) -> SignedIn:
        entry = SignedIn(principal, internal_token, min(expires_at, time.time() + self.seconds))
        if self.seconds > 0:
            if len(self._entries) >= self.max_callers:
                self._entries.clear()  # a burst of new tokens; starting over is cheaper than tracking age
            self._entries[token] = entry
        return entry

    def clear(self) -> None:
        self._entries.clear()


@dataclass(frozen=True, slots=True)
class Upstream:
    """What a service answered, as the gateway passes it on."""

    status: int
    headers: dict[str, str]
    content: bytes


def _refuse_beyond_ascii(headers: dict[str, str]) -> None:
    """No If-Match, content type or language passed on holds more than ASCII; one that does is the caller's
    mistake (a 400), not passed on: httpx cannot send it at all and aiohttp would send other bytes."""
    for name, value in headers.items():
        if not value.isascii():
            raise BadRequest(f"The {name} header holds characters beyond ASCII", header=name)


@dataclass
class Proxy:
    settings: GatewaySettings
    client: httpx.AsyncClient
    verifier: TokenVerifier
    org_tree: OrgTreeCache
    limiter: RateLimiter

    signed_in: SignedInCache
    # Forwarding goes straight to aiohttp's pool when there is one: building each request through
    # httpx on top of it cost about a third of the gateway's CPU per proxied request.
    session: aiohttp.ClientSession | None = None
    _bases: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self._bases = self.settings.service_urls()

    async def signed_in_caller(self, request: Request) -> SignedIn:
        """The caller, counted against their rate limit; failed sign-ins are counted per address."""
        try:
            caller = await self.caller(request)
        except Unauthorized:
            await self.limiter.check(f"address:{request.client.host if request.client else 'unknown'}")
            raise
        except NoRole as refused:
            await self.limiter.check(f"{refused.principal.kind}:{refused.principal.subject}")
            raise
        await self.limiter.check(f"{caller.principal.kind}:{caller.principal.subject}")
        return caller

    async def caller(self, request: Request) -> SignedIn:
        """The signed-in caller with roles expanded down the org tree, and the token the services get."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise unauthorized("Sign in: send Authorization: Bearer <token>")
        token = token.strip()
        known = self.signed_in.get(token)
        if known is not None:
            return known
        principal, expires_at = await self.verifier.principal(token)
        if not principal.has_any_role:
            raise NoRole(principal)
        if principal.unit_roles:
            principal = with_roles_expanded(principal, await self.org_tree.get())
        return self.signed_in.put(token, principal, self.internal_token(principal), expires_at)

    def internal_token(self, principal: Principal) -> str:
        return mint_internal_token(principal, self.settings.internal_secret, self.settings.internal_token_ttl_seconds)

    async def forward(
        self, request: Request, service: str, path: str, *, own_route: bool = False, rule: Rule | None = None
    ) -> Response:
        """Pass the request on to `service` at `path`: the part after /api/<service>/ as the caller sent it,
        or (`own_route`, a gateway route under /api/me kept by a service) `path` itself. A gateway route's
        `rule` is checked instead of the coarse one for writes (`admit`); the service checks it again."""
        base = self._bases.get(service)
        if base is None:
            raise NotFound(f"No service called {service!r}; try goals, budget or audit")
        caller = await self.signed_in_caller(request)
        principal = caller.principal
        rest = path if own_route else _raw_rest(request, service)
        if rule is not None:
            admit(rule, principal, write=request.method in _WRITE_METHODS)
        elif request.method in _WRITE_METHODS and rest not in _CALLERS_OWN:
            refuse_if_only_reading(principal)
        body = await self._body(request)
        headers = {k: v for k in _FORWARDED_REQUEST_HEADERS if (v := request.headers.get(k)) is not None}
        headers["authorization"] = f"Bearer {caller.internal_token}"
        headers[REQUEST_ID_HEADER] = current_request_id() or ""
        query = request.scope.get("query_string", b"").decode("latin-1")
        url = f"{base}/{rest}" + (f"?{query}" if query else "")
        upstream = await self.exchange(service, request.method, url, headers, body)
        if request.method in _WRITE_METHODS:
            log_write(principal, request, upstream.status)
            if service == "goals" and path.startswith("units"):
                self.org_tree.invalidate()
                self.signed_in.clear()  # roles reach down a tree that may have changed
        return self._response(upstream, service, base)

    async def exchange(
        self, service: str, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> Upstream:
        """One forwarded request, its URL sent as the caller wrote it (still percent-encoded)."""
        _refuse_beyond_ascii(headers)
        if self.session is None:
            path, _, query = url.partition("?")
            sent = await self.send(service, method, path, query, headers, body)
            return Upstream(sent.status_code, dict(sent.headers.items()), sent.content)
        try:
            async with (
                peer_call(service, method, headers) as call,
                self.session.request(
                    method,
                    URL(url, encoded=True),
                    headers=headers,
                    data=body,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=self.settings.service_timeout_seconds),
                ) as answer,
            ):
                call.answered(answer.status)
                return Upstream(answer.status, _merged(answer.headers.items()), await answer.read())
        except TimeoutError as exc:
            raise ServiceUnavailable(f"The {service} service did not answer in time", service=service) from exc
        except (aiohttp.ClientError, OSError, asyncio.IncompleteReadError) as exc:
            raise ServiceUnavailable(f"The {service} service cannot be reached", service=service) from exc

    async def send(
        self, service: str, method: str, url: str, query: str, headers: dict[str, str], body: bytes | None = None
    ) -> httpx.Response:
        _refuse_beyond_ascii(headers)
        try:
            async with peer_call(service, method, headers) as call:
                response = await self.client.request(
                    method,
                    url,
                    params=httpx.QueryParams(query),
                    headers=headers,
                    content=body,
                    timeout=self.settings.service_timeout_seconds,
                )
                call.answered(response.status_code)
                return response
        except httpx.TimeoutException as exc:
            raise ServiceUnavailable(f"The {service} service did not answer in time", service=service) from exc
        except httpx.TransportError as exc:
            raise ServiceUnavailable(f"The {service} service cannot be reached", service=service) from exc

    async def _body(self, request: Request) -> bytes | None:
        if request.method not in _WRITE_METHODS:
            return None
        limit = self._limit_for(request)
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"Request bodies are limited to {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"Request bodies are limited to {limit} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _limit_for(self, request: Request) -> int:
        """An upload (an evidence file) may be larger than a JSON body."""
        if request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            return self.settings.max_upload_bytes
        return self.settings.max_body_bytes

    @staticmethod
    def _response(upstream: Upstream | httpx.Response, service: str, base: str | None = None) -> Response:
        if isinstance(upstream, httpx.Response):
            upstream = Upstream(upstream.status_code, dict(upstream.headers.items()), upstream.content)
        headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _DROPPED_RESPONSE_HEADERS}
        if "location" in headers:
            location = public_location(headers.pop("location"), service, base)
            if location is not None:
                headers["location"] = location
        return Response(content=upstream.content, status_code=upstream.status, headers=headers)


def _merged(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Headers by lower-case name, a repeated one joined with commas (as httpx gives them)."""
    merged: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        merged[key] = f"{merged[key]}, {value}" if key in merged else value
    return merged


def public_location(location: str, service: str, base: str | None) -> str | None:
    """A service's Location as the caller sees it, under /api/<service>; None for any other address.

    The services do not redirect (a trailing slash is a 404), but a Location must still never show
    the address a service listens on, nor send the caller anywhere the gateway does not serve.
    """
    if location.startswith("/") and not location.startswith("//"):
        return f"/api/{service}{location}"
    if base is None:
        return None
    try:
        upstream, own = httpx.URL(location), httpx.URL(base)
    except httpx.InvalidURL:
        return None
    if (upstream.scheme, upstream.host, upstream.port) != (own.scheme, own.host, own.port):
        return None
    return f"/api/{service}{upstream.raw_path.decode('ascii')}"
