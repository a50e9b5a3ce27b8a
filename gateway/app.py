"""The gateway: signs callers in, routes /api/<service>/… to the services, and serves one OpenAPI document."""

from __future__ import annotations

import asyncio
import functools
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import httpx
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from httpx_aiohttp import AiohttpTransport
from starlette.routing import Match, Route
from starlette.types import Scope

from gateway.auth import JwksKeys, TokenVerifier
from gateway.openapi import combine
from gateway.org import OrgTreeCache
from gateway.protection import RateLimitStoreCollector, install_protection, rate_limiter
from gateway.proxy import Proxy, SignedInCache
from gateway.reminders import reminders_router
from gateway.reports.documents.worker import DOCUMENTS
from gateway.reports.formats import ReportFormat
from gateway.reports.production import production_router
from gateway.reports.routes import in_format, reports_router
from gateway.reports.trace import trace_router
from gateway.settings import GatewaySettings
from gateway.tasks import tasks_router
from shared.auth.policy import Principal, PrincipalKind
from shared.errors import install_error_handlers, install_middleware
from shared.health import health_router
from shared.logging import configure_logging
from shared.observe import install_observability
from shared.requestid import REQUEST_ID_HEADER, current_request_id
from shared.security import install_docs

GATEWAY_IDENTITY = Principal(subject="gateway", name="Gateway", kind=PrincipalKind.service)
PROXY_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
# The gateway's own routes under /api: reports_router, production_router, trace_router, tasks_router and
# reminders_router.
OWN_API_PREFIX = ("/api/reports/", "/api/me/")
DESCRIPTION = """Styr: the steering model of a Swedish region — goals and indicators, budget and investments,
audit findings and the responses to them — behind one gateway.

Every `/api/...` operation needs a bearer JWT. Errors are RFC 9457 problem details
(`application/problem+json`). Updates and deletes need `If-Match` with the `ETag` you read."""


def _service_headers(proxy: Proxy) -> dict[str, str]:
    # The trace's traceparent is added where the call is sent (Proxy.send), inside its own span.
    return {
        "authorization": f"Bearer {proxy.internal_token(GATEWAY_IDENTITY)}",
        REQUEST_ID_HEADER: current_request_id() or "",
    }


async def _service_ready(proxy: Proxy, service: str, base: str) -> bool:
    try:
        response = await proxy.client.get(f"{base}/readyz", timeout=proxy.settings.service_timeout_seconds)
        return response.status_code == 200
    except httpx.HTTPError:
        return False


async def _readiness(request: Request) -> dict[str, bool]:
    proxy: Proxy = request.app.state.proxy
    urls = proxy.settings.service_urls()
    results = await asyncio.gather(*(_service_ready(proxy, name, url) for name, url in urls.items()))
    return dict(zip(urls, results, strict=True))


async def _service_openapi(proxy: Proxy, service: str, base: str) -> dict[str, Any] | None:
    try:
        response = await proxy.client.get(
            f"{base}/openapi.json", headers=_service_headers(proxy), timeout=proxy.settings.service_timeout_seconds
        )
        response.raise_for_status()
        return dict(response.json())
    except (httpx.HTTPError, ValueError):
        return None


def _aiohttp_pool(settings: GatewaySettings, limits: httpx.Limits) -> aiohttp.ClientSession | None:
    """aiohttp's pool, which the proxy forwards through directly and httpx (for everything else) uses
    through its transport: httpcore's own checks every pooled connection on each request, which held
    the gateway to 0.58× of a direct call where aiohttp's reached 0.77× (benchmarks/bench_gateway.py)."""
    if settings.http_client != "aiohttp":
        return None
    connector = aiohttp.TCPConnector(limit=limits.max_connections or 0, keepalive_timeout=limits.keepalive_expiry)
    return aiohttp.ClientSession(connector=connector)


class ProxyRoute(Route):
    """The catch-all for /api/<service>/…: every /api path but the gateway's own reports."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("path", "").startswith(OWN_API_PREFIX):
            return Match.NONE, {}
        match, child_scope = super().matches(scope)
        if match is not Match.NONE:
            # FastAPI's router names only its own routes in the scope; the metrics count by this one's template.
            child_scope["route"] = self
        return match, child_scope


async def _forward(request: Request) -> Response:
    proxy: Proxy = request.app.state.proxy
    return await proxy.forward(request, request.path_params["service"], request.path_params["path"])


# The routers hold nothing of an app, so a process builds them once (their operations' models take most of the
# time of making an app) and every app it makes includes the same ones, as the services include theirs.
@functools.cache
def _health_router() -> APIRouter:
    return health_router(_readiness)


@functools.cache
def _report_routers() -> tuple[APIRouter, ...]:
    return (
        reports_router(),
        trace_router(),
        tasks_router(),
        reminders_router(),
        production_router(lambda report, fmt, money, lang: in_format(report, ReportFormat(fmt), money, lang)),
    )


def create_app(
    settings: GatewaySettings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    configure_logs: bool = True,
) -> FastAPI:
    """The gateway app. `transport` lets tests route service calls to in-process apps."""
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging("gateway", settings.log_level)
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so a write is never sent
        # on a connection the service is closing (neither pool retries a POST).
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=100, keepalive_expiry=4.0)
        # Tests route calls to in-process apps through `transport`; then there is no pool of sockets.
        session = None if transport is not None else _aiohttp_pool(settings, limits)
        pool = transport or (AiohttpTransport(limits=limits, client=session) if session is not None else None)
        async with httpx.AsyncClient(transport=pool, limits=limits) as client:
            jwks = JwksKeys(settings, client)
            proxy = Proxy(
                settings,
                client,
                TokenVerifier(settings, jwks),
                OrgTreeCache(
                    lambda: proxy.send("goals", "GET", f"{settings.goals_url}/units/tree", "", _service_headers(proxy)),
                    settings.org_tree_ttl_seconds,
                ),
                rate_limiter(settings),
                SignedInCache(min(settings.org_tree_ttl_seconds, settings.internal_token_ttl_seconds / 2)),
                session,
            )
            app.state.proxy = proxy
            app.state.combined_openapi = None
            observed.start(settings)
            gc.collect()
            gc.freeze()
            try:
                yield
            finally:
                await proxy.limiter.aclose()
                observed.stop()

    app = FastAPI(
        title="Styr",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # as in the services: a path is matched as written
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_middleware(app)
    install_protection(app, settings)
    observed = install_observability(app, "gateway", settings)
    observed.metrics.register(RateLimitStoreCollector(lambda: getattr(app.state, "proxy", None)))
    observed.metrics.register(DOCUMENTS.metrics)
    app.include_router(_health_router())

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> JSONResponse:
        cached = request.app.state.combined_openapi
        if cached is not None:
            return JSONResponse(cached)
        proxy: Proxy = request.app.state.proxy
        urls = settings.service_urls()
        docs = await asyncio.gather(*(_service_openapi(proxy, name, url) for name, url in urls.items()))
        own = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        combined = combine(own, dict(zip(urls, docs, strict=True)))
        if all(d is not None for d in docs):
            request.app.state.combined_openapi = combined
        return JSONResponse(combined)

    install_docs(app, "Styr API")

    for router in _report_routers():
        app.include_router(router)

    # A plain Starlette route, not a FastAPI one: the proxy needs no dependency injection, body parsing
    # or response model, only the raw request. Tried first, so a proxied request does not walk the others.
    app.router.routes.insert(0, ProxyRoute("/api/{service}/{path:path}", _forward, methods=PROXY_METHODS))

    return app
