"""The audit service: audit reports, recommendations, responses, actions, accountability, internal control."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.audit.models import HistoryEntry
from services.audit.routers import accountability, actions, internal_control, readmodels, reports, responses, tasks
from services.audit.settings import AuditSettings
from shared.app import create_service_app
from shared.changes import changes_router

DESCRIPTION = """Audit reports with their recipients and recommendations; the bodies' responses (decided at
a meeting, then locked) and actions; the auditors' follow-up verdicts; accountability statements;
internal control on the region's one risk matrix; and read models per body and for all bodies.

The auditors write reports, recommendations, verdicts and statements, and nothing else; a body's
editors write its responses, actions and internal control, and nothing of the auditors'.

Colours: a risk takes the colour of its score's band in the region's matrix; a control result is green
without deviation, yellow with a deviation that has an action, red with one that has none; a plan's
results are coloured like a goal from its indicators (all green: green; at least half red: red;
otherwise yellow; nothing reported: grey)."""


# Built once a process, as the routers above are: tests make the app a thousand times.
CHANGES = changes_router("audit", HistoryEntry)


def create_app(settings: AuditSettings | None = None, *, configure_logs: bool = True) -> FastAPI:
    settings = settings or AuditSettings()
    app = create_service_app(
        title="Styr audit service",
        description=DESCRIPTION,
        settings=settings,
        routers=[
            reports.reports,
            reports.recommendations,
            reports.verdicts,
            responses.router,
            actions.router,
            accountability.router,
            internal_control.router,
            readmodels.router,
            tasks.router,
            tasks.people,
            CHANGES,
        ],
        configure_logs=configure_logs,
    )
    _document_the_risk_scale(app, settings.risk_scale_max)
    return app


def _document_the_risk_scale(app: FastAPI, scale_max: int) -> None:
    """A risk's likelihood and consequence run 1..the configured scale: the document says so, not 1..10."""
    finished = app.openapi

    def openapi() -> dict[str, Any]:
        doc = finished()
        for name in ("RiskIn", "RiskUpdate"):
            for field in ("likelihood", "consequence"):
                prop = doc["components"]["schemas"][name]["properties"][field]
                for schema in [prop, *prop.get("anyOf", [])]:
                    if schema.get("type") == "integer":
                        schema["maximum"] = scale_max
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
