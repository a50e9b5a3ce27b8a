"""The audit service: audit reports, recommendations, responses, actions, accountability, internal control."""

from __future__ import annotations

from fastapi import FastAPI

from services.audit.router import actions, recommendations, reports
from services.audit.settings import AuditSettings
from shared.app import create_service_app


def create_app(settings: AuditSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    return create_service_app(
        title="Styr audit service",
        description="Audit reports, recommendations, responses, actions and follow-up; "
        "accountability statements; internal control.",
        settings=settings or AuditSettings(),
        routers=[reports, recommendations, actions],
        configure_logs=configure_logs,
    )
