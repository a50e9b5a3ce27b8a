"""The budget service: resource calculation, frames, outcomes, forecasts, investments and grants."""

from __future__ import annotations

from fastapi import FastAPI

from services.budget.router import router as frames_router
from services.budget.settings import BudgetSettings
from shared.app import create_service_app


def create_app(settings: BudgetSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_service_app(
        title="Styr budget service",
        description="Resource calculation, operating frames, outcomes, forecasts, investments and state grants. "
        "Money is exact: amounts are decimal strings in SEK.",
        settings=settings or BudgetSettings(),
        routers=[frames_router],
        configure_logs=configure_logs,
    )
