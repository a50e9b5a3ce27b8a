"""The app factory every domain service is built with."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request

from shared.db import create_engine, create_sessionmaker, database_reachable, read_only_engine
from shared.errors import install_error_handlers, install_middleware, refuse_nul_characters
from shared.health import health_router
from shared.history import HistorySession
from shared.logging import configure_logging
from shared.observe import install_observability
from shared.openapi import install_openapi
from shared.peers import PEER_CLIENT_STATE, PEER_TRANSPORT_STATE, new_peer_client
from shared.security import (
    DEVELOPMENT_DOCS_PATHS,
    HEALTH_PATHS,
    InternalCallerMiddleware,
    SecurityHeadersMiddleware,
    install_docs,
)
from shared.settings import Profile, ServiceSettings


async def _database_ready(request: Request) -> dict[str, bool]:
    return {"database": await database_reachable(request.app.state.engine)}


# Built once a process and included by every app it makes: a router holds nothing of an app.
_HEALTH = health_router(_database_ready)


def create_service_app(
    *,
    title: str,
    description: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    configure_logs: bool = True,
) -> FastAPI:
    """A FastAPI app with its database made in lifespan, problem-details errors and request ids."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if configure_logs:
            configure_logging(settings.service_name, settings.log_level)
        engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
        app.state.engine = engine
        observed.start(settings, engine)
        app.state.read_engine = read_only_engine(engine)
        app.state.sessionmaker = create_sessionmaker(engine, HistorySession)
        # Peers are called through one pooled client; tests route it to in-process apps by a transport.
        peer_client = new_peer_client(getattr(app.state, PEER_TRANSPORT_STATE, None))
        setattr(app.state, PEER_CLIENT_STATE, peer_client)
        # Objects made at start-up never change; keeping them out of full collections trims p99.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            await peer_client.aclose()
            await engine.dispose()
            observed.stop()

    development = settings.profile is Profile.development
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        # The gateway serves the one document for callers; a service's own is read by the gateway
        # (with its token) and, in development, by anyone at /docs.
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(refuse_nul_characters)],
        # A redirect would name the service's own address (http://goals:8001/units) to a caller
        # behind the gateway; a path is matched as written, as at the gateway, or is a 404 problem.
        redirect_slashes=False,
    )
    app.state.settings = settings
    install_error_handlers(app)
    open_paths = HEALTH_PATHS | (DEVELOPMENT_DOCS_PATHS if development else frozenset())
    app.add_middleware(InternalCallerMiddleware, secret=settings.internal_secret, open_paths=open_paths)
    app.add_middleware(SecurityHeadersMiddleware)
    install_middleware(app)
    observed = install_observability(app, settings.service_name, settings)
    app.include_router(_HEALTH)
    if development:
        install_docs(app, title)
    for router in routers:
        app.include_router(router)
    install_openapi(app, signed_in=lambda path: path not in HEALTH_PATHS)
    return app
