"""The goals service: org structure, plans, goals, indicators and follow-up."""

from __future__ import annotations

from fastapi import FastAPI

from services.goals.router import router as units_router
from services.goals.settings import GoalsSettings
from shared.app import create_service_app


def create_app(settings: GoalsSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_service_app(
        title="Styr goals service",
        description="Org structure, plans, strategies, goals, indicators and goal fulfilment.",
        settings=settings or GoalsSettings(),
        routers=[units_router],
        configure_logs=configure_logs,
    )
